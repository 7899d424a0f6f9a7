#pragma once
// What the distributed training tests (tst_distributed.cpp) run on: the tiny recipes, a run of
// `thinkbench-cli train`, the weights a run leaves, the ranks a launcher started, a free port,
// and two hosts made of network namespaces.

#include "core/model/safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest>

#include "tests/tiny_recipe.h"

#include <algorithm>
#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace distributed_test {

namespace fs = std::filesystem;
using namespace thinkbench;

// Two micro-batches a step: one rank accumulates both, two ranks take one each. A checkpoint after
// every step, so a lost rank leaves one to resume from.
inline std::string recipeText(int pretrainSteps, int timeoutSeconds, int rendezvousSeconds)
{
    return tinyRecipe(R"(
name = "data-parallel"
seed = 5
threads = 1
)",
                      kTinyMoeModel,
                      "[distributed]\ntimeout_seconds = " + std::to_string(timeoutSeconds) +
                          "\nrendezvous_timeout_seconds = " + std::to_string(rendezvousSeconds) + "\n" + R"(
[[stages]]
kind = "pretrain"
name = "base"
steps = )" + std::to_string(pretrainSteps) +
                          R"(
batch_size = 2
seq_len = 48
corpus_size = 40
checkpoint_every = 1
optimizer = { grad_accumulation = 2 }

[[stages]]
kind = "sft"
name = "cold-start"
examples = 8
steps = 5
batch_size = 2
max_seq_len = 400
checkpoint_every = 1
optimizer = { grad_accumulation = 2 }
)");
}

// A port of 127.0.0.1 nobody listens on.
inline int freePort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
}

struct Outcome {
    bool ok = false;
    QString errors;
    qint64 ms = 0;
};

// `thinkbench-cli ARGS --json`; `onEvent` sees each progress event of rank 0 and may kill.
inline Outcome train(const QStringList& args, const std::function<void(const nlohmann::json&, QProcess&)>& onEvent = {})
{
    QProcess cli;
    QElapsedTimer clock;
    clock.start();
    cli.start(THINKBENCH_CLI, args + QStringList{"--json"});
    if (!cli.waitForStarted(30000))
        return {false, "did not start: " + cli.errorString()};
    while (cli.state() != QProcess::NotRunning) {
        cli.waitForReadyRead(50);
        while (cli.canReadLine()) {
            const auto e = nlohmann::json::parse(cli.readLine().toStdString(), nullptr, false);
            if (onEvent && e.is_object())
                onEvent(e, cli);
        }
    }
    cli.waitForFinished(300000);
    Outcome o;
    o.ms = clock.elapsed();
    o.ok = cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0;
    o.errors = QString::fromUtf8(cli.readAllStandardError()) + QString(" (exit code %1)").arg(cli.exitCode());
    return o;
}

// Base and cold start, then GRPO (two prompts a step, one a rank), then rejection sampling (each
// rank samples half the prompts), SFT on what it kept, and an evaluation (half the problems each). The length and
// repetition rewards spread the rewards within a group, which accuracy alone would not on a base this small.
// The GRPO tests' start: a short pretraining and a cold start on the tiny MoE, so GRPO samples
// from a model that has seen the task.
inline constexpr const char* kGrpoWarmUpStages = R"(
[[stages]]
kind = "pretrain"
name = "base"
steps = 30
batch_size = 4
seq_len = 48
corpus_size = 40
optimizer = { grad_accumulation = 2 }

[[stages]]
kind = "sft"
name = "cold-start"
examples = 16
steps = 20
batch_size = 2
max_seq_len = 400
optimizer = { grad_accumulation = 2 }
)";

inline std::string grpoRecipeText()
{
    return tinyRecipe(R"(
name = "data-parallel-grpo"
seed = 9
threads = 1
)",
                      kTinyMoeModel, std::string(kGrpoWarmUpStages) + R"(

[[stages]]
kind = "grpo"
name = "rl"
steps = 5
prompts_per_step = 2
group_size = 4
max_new_tokens = 12
temperature = 1.0
beta = 0.01
mu = 2
stored_groups = 2
rewards = { length = 0.5, repetition = 0.5, overlong_buffer = 10, repetition_ngram = 2 }

[[stages]]
kind = "rejection_sampling"
name = "rs"
prompts = 12
k = 2
max_new_tokens = 96
require_correct = false
require_format = false

[[stages]]
kind = "sft"
name = "on-rs"
dataset = "stage:rs"
steps = 3
batch_size = 2
max_seq_len = 400
optimizer = { grad_accumulation = 2 }

[[stages]]
kind = "eval"
name = "held-out"
k = 2
limit = 16
max_new_tokens = 24
)");
}

// The stages' final weights, by stage folder and tensor name.
inline std::map<std::string, at::Tensor>
finalWeights(const std::string& db, std::initializer_list<const char*> stages = {"00-base", "01-cold-start"})
{
    const fs::path run = fs::path(db).parent_path() / (fs::path(db).stem().string() + "-runs") / "run-1";
    std::map<std::string, at::Tensor> out;
    for (const char* stage : stages) {
        const core::CheckpointReader reader((run / stage / "final").string());
        for (const auto& name : reader.names())
            out[std::string(stage) + "/" + name] = reader.tensor(name);
    }
    return out;
}

// The largest difference of a tensor, relative to its largest magnitude, over every tensor.
inline double maxRelativeDifference(const std::map<std::string, at::Tensor>& a,
                                    const std::map<std::string, at::Tensor>& b)
{
    double worst = 0;
    for (const auto& [name, t] : a) {
        const at::Tensor u = b.at(name).to(at::kDouble), v = t.to(at::kDouble);
        worst = std::max(worst, (u - v).abs().max().item<double>() / std::max(v.abs().max().item<double>(), 1e-30));
    }
    return worst;
}

// The ranks the launcher `launcher` started, by RANK.
inline std::map<int, pid_t> ranksOf(qint64 launcher)
{
    std::map<int, pid_t> out;
    std::ifstream children("/proc/" + std::to_string(launcher) + "/task/" + std::to_string(launcher) + "/children");
    for (pid_t pid; children >> pid;) {
        std::ifstream environ("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
        for (std::string var; std::getline(environ, var, '\0');)
            if (var.rfind("RANK=", 0) == 0)
                out[std::stoi(var.substr(5))] = pid;
    }
    return out;
}

inline bool exited(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return true;
    const auto close = line.rfind(')');
    return line.size() > close + 2 && line[close + 2] == 'Z';
}

// Two network namespaces joined by a veth pair: two hosts, 10.77.0.1 and 10.77.0.2, on one
// machine. Needs root (CAP_NET_ADMIN); `ok` is false otherwise.
struct TwoHosts {
    std::string a, b, linkA, linkB;
    bool ok = false;

    TwoHosts()
    {
        const std::string tag = std::to_string(getpid() % 100000);
        a = "tb" + tag + "a";
        b = "tb" + tag + "b";
        linkA = "tbv" + tag + "a";
        linkB = "tbv" + tag + "b";
        ok = ip({"netns", "add", a}) && ip({"netns", "add", b}) &&
             ip({"link", "add", linkA, "netns", a, "type", "veth", "peer", "name", linkB, "netns", b}) &&
             ip({"-n", a, "addr", "add", "10.77.0.1/24", "dev", linkA}) &&
             ip({"-n", b, "addr", "add", "10.77.0.2/24", "dev", linkB}) && ip({"-n", a, "link", "set", linkA, "up"}) &&
             ip({"-n", b, "link", "set", linkB, "up"}) && ip({"-n", a, "link", "set", "lo", "up"}) &&
             ip({"-n", b, "link", "set", "lo", "up"});
    }
    ~TwoHosts()
    {
        ip({"netns", "del", a});
        ip({"netns", "del", b});
    }
    static bool ip(const std::vector<std::string>& args)
    {
        QStringList list;
        for (const auto& arg : args)
            list << QString::fromStdString(arg);
        QProcess p;
        p.start("ip", list);
        return p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }
    // `thinkbench-cli ARGS` as `rank` of two, in its namespace, reaching rank 0 over the veth pair.
    void start(QProcess& process, int rank, int port, const QStringList& args) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("WORLD_SIZE", "2");
        env.insert("RANK", QString::number(rank));
        env.insert("MASTER_ADDR", "10.77.0.1");
        env.insert("MASTER_PORT", QString::number(port));
        env.insert("GLOO_SOCKET_IFNAME", QString::fromStdString(rank == 0 ? linkA : linkB));
        process.setProcessEnvironment(env);
        process.start("ip", QStringList{"netns", "exec", QString::fromStdString(rank == 0 ? a : b), THINKBENCH_CLI} +
                                args + QStringList{"--json"});
    }
};

} // namespace distributed_test
