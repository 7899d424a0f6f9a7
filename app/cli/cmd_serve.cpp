#include "app/cli/commands.h"
#include "core/error.h"
#include "inference/model_folder.h"
#include "inference/serving/chat_server.h"
#include "inference/threads.h"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <thread>

namespace thinkbench::cli {

namespace {

struct ServeOptions {
    std::string model, tokenizer, dtype = "f32", device = "auto";
    inference::serving::ServerOptions server;
};

void runServe(ServeOptions o)
{
    // SIGINT and SIGTERM go to one watcher thread (every thread started from here inherits the
    // mask), which stops the server outside signal context.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN); // a client that hangs up mid-stream is a failed write, not an exit

    const inference::ModelFolder folder = inference::loadModelFolder(o.model, inference::parseDtype(o.dtype, "--dtype"),
                                                                     inference::parseDevice(o.device, "--device"),
                                                                     o.tokenizer, {}, core::WeightUse::Inference);
    inference::configureCpuThreads(folder.model.device());
    if (o.server.modelName.empty()) // "dir/" names "dir" too
        o.server.modelName = std::filesystem::path(o.model + "/").parent_path().filename().string();
    inference::serving::ChatServer server(folder, o.server);
    const int port = server.bind();
    std::cout << "serving " << o.server.modelName << " on http://" << o.server.host << ":" << port << std::endl;

    std::atomic<bool> served{false};
    std::thread watcher([&] {
        const timespec poll{0, 200'000'000};
        while (!served) {
            if (sigtimedwait(&signals, nullptr, &poll) > 0) {
                std::cerr << "serve: stopping\n";
                server.stop();
                return;
            }
        }
    });
    server.serve();
    served = true;
    watcher.join();
}

} // namespace

void addServeCommand(CLI::App& app, GlobalOptions&)
{
    auto o = std::make_shared<ServeOptions>();
    auto* serve = app.add_subcommand("serve", "Serve a model over an OpenAI-compatible HTTP API");
    serve->add_option("--model", o->model, "Hugging Face model folder or .gguf file")->required();
    serve->add_option("--tokenizer", o->tokenizer,
                      "tokenizer.json, a model folder or a .gguf file (default: the model's)");
    serve->add_option("--dtype", o->dtype, "f32, bf16 or f16")->capture_default_str();
    serve->add_option("--device", o->device, "cpu, cuda or auto")->capture_default_str();
    serve->add_option("--host", o->server.host, "Address to listen on")->capture_default_str();
    serve->add_option("--port", o->server.port, "Port (0: any free port, printed)")->capture_default_str();
    serve->add_option("--api-key", o->server.apiKey, "Require Authorization: Bearer KEY on /v1/");
    serve->add_option("--name", o->server.modelName, "Model id clients ask for (default: the folder's name)");
    serve->add_flag("!--no-batch-invariance", o->server.batchInvariant,
                    "Faster batches; a reply may then differ in the last bits from the same request alone");
    serve->callback([o] { runServe(*o); });
}

} // namespace thinkbench::cli
