#include "training/distributed/local_launcher.h"

#include "core/error.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <optional>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace thinkbench::training {

namespace {

// A port of 127.0.0.1 nobody listens on now (rank 0's store binds it a moment later).
int freePort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const std::string reason = std::strerror(errno);
        if (fd >= 0)
            close(fd);
        throw core::Error("launcher", "MASTER_PORT", "cannot find a free port: " + reason);
    }
    close(fd);
    return ntohs(addr.sin_port);
}

std::string describe(int rank, pid_t pid, int status)
{
    const std::string who = "rank " + std::to_string(rank) + " (pid " + std::to_string(pid) + ")";
    if (WIFSIGNALED(status))
        return who + " was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
               ")";
    return who + " exited with status " + std::to_string(WEXITSTATUS(status));
}

} // namespace

LaunchOutcome launchLocalRanks(const std::vector<std::string>& argv, int nproc)
{
    if (nproc < 1)
        throw core::Error("launcher", "--nproc", "must be at least 1");
    const char* envPort = std::getenv("MASTER_PORT");
    const std::string port = envPort && *envPort ? envPort : std::to_string(freePort());

    // Signals wait here until the loop below takes them; the ranks get the old mask back.
    sigset_t handled, previous;
    sigemptyset(&handled);
    for (int s : {SIGINT, SIGTERM, SIGCHLD})
        sigaddset(&handled, s);
    sigprocmask(SIG_BLOCK, &handled, &previous);

    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t launcher = getpid();
    std::vector<pid_t> pids(size_t(nproc), 0);
    for (int rank = 0; rank < nproc; ++rank) {
        const pid_t pid = fork();
        if (pid == 0) {
            sigprocmask(SIG_SETMASK, &previous, nullptr);
            prctl(PR_SET_PDEATHSIG, SIGTERM); // a launcher that dies takes its ranks with it
            if (getppid() != launcher)
                _exit(1);
            setenv("RANK", std::to_string(rank).c_str(), 1);
            setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
            setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
            setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
            setenv("MASTER_ADDR", "127.0.0.1", 1);
            setenv("MASTER_PORT", port.c_str(), 1);
            execv(args[0], args.data());
            _exit(127);
        }
        if (pid < 0) {
            for (pid_t started : pids)
                if (started > 0)
                    kill(started, SIGKILL);
            sigprocmask(SIG_SETMASK, &previous, nullptr);
            throw core::Error("launcher", "rank " + std::to_string(rank), std::string("fork: ") + std::strerror(errno));
        }
        pids[size_t(rank)] = pid;
    }

    LaunchOutcome outcome;
    int running = nproc;
    // After a failure the others get this long to notice it themselves; then SIGTERM, then SIGKILL.
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> failedAt;
    bool terminated = false;
    while (running > 0) {
        const timespec tick{0, 200'000'000};
        const int sig = sigtimedwait(&handled, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            for (pid_t pid : pids)
                if (pid > 0)
                    kill(pid, sig);
        int status = 0;
        for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
            for (int rank = 0; rank < nproc; ++rank)
                if (pids[size_t(rank)] == pid) {
                    pids[size_t(rank)] = 0;
                    --running;
                    const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
                    if (failed && outcome.exitCode == 0) {
                        outcome.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        outcome.failure = describe(rank, pid, status);
                        failedAt = Clock::now();
                    }
                }
        }
        if (failedAt && running > 0) {
            const auto waited = Clock::now() - *failedAt;
            const int escalation = waited > std::chrono::seconds(40) ? SIGKILL : SIGTERM;
            if (waited > std::chrono::seconds(30) && (!terminated || escalation == SIGKILL)) {
                for (pid_t pid : pids)
                    if (pid > 0)
                        kill(pid, escalation);
                terminated = true;
            }
        }
    }
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    return outcome;
}

std::vector<std::string> commandLineWithout(const std::string& option)
{
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    for (size_t at = 0; at < raw.size();) {
        const size_t end = raw.find('\0', at);
        args.push_back(raw.substr(at, end - at));
        at = end == std::string::npos ? raw.size() : end + 1;
    }
    std::vector<std::string> out{std::filesystem::read_symlink("/proc/self/exe").string()};
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == option)
            ++i; // and its value
        else if (!args[i].starts_with(option + "="))
            out.push_back(args[i]);
    }
    return out;
}

} // namespace thinkbench::training
