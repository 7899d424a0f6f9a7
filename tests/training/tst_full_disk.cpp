// A disk that fills up mid-run: `thinkbench-cli train` with its store and checkpoints on a small
// tmpfs stops with an error that says so, the store stays sound, the last checkpoint state.json
// names still loads, and once space is freed the run resumes to the weights of a run with room. A
// GGUF export onto a full disk fails saying so and leaves the file it would have replaced. Mounting
// needs root; elsewhere the tests are skipped, saying why.

#include "core/model/safetensors.h"
#include "core/model/transformer.h"
#include "core/store/run_store.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest>

#include "tests/tiny_recipe.h"

#include <filesystem>
#include <fstream>

using namespace thinkbench;
namespace fs = std::filesystem;

namespace {

const std::string kRecipe = tinyRecipe(R"(
name = "full"
seed = 5
threads = 1
)",
                                       kTinyDenseModel, R"([[stages]]
kind = "pretrain"
name = "base"
steps = 40
batch_size = 2
seq_len = 48
corpus_size = 40
checkpoint_every = 1

[[stages]]
kind = "sft"
name = "cold-start"
examples = 8
steps = 10
batch_size = 2
max_seq_len = 400
checkpoint_every = 1
)");

struct Result {
    int code = -1;
    QString err;
};

Result run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(300000))
        return {-1, "timed out"};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardError())};
}

std::map<std::string, at::Tensor> weights(const std::string& checkpoint)
{
    const core::CheckpointReader reader(checkpoint);
    std::map<std::string, at::Tensor> out;
    for (const auto& name : reader.names())
        out[name] = reader.tensor(name);
    return out;
}

std::string lastCheckpoint(const fs::path& runDir)
{
    std::ifstream in(runDir / "state.json");
    return nlohmann::json::parse(in)["checkpoint"].get<std::string>();
}

uintmax_t bytesUnder(const fs::path& dir)
{
    uintmax_t total = 0;
    for (const auto& f : fs::recursive_directory_iterator(dir))
        if (f.is_regular_file())
            total += f.file_size();
    return total;
}

} // namespace

class TestFullDisk : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    QStringList mounted_;

    // A tmpfs of `bytes` at tmp_/name, or an empty string where it cannot be mounted.
    QString mountTmpfs(const QString& name, uintmax_t bytes)
    {
        const QString where = tmp_.filePath(name);
        if (!QDir().mkpath(where) ||
            run("mount", {"-t", "tmpfs", "-o", QString("size=%1").arg(bytes), "tmpfs", where}).code != 0)
            return {};
        mounted_ << where;
        return where;
    }

private slots:
    void cleanupTestCase()
    {
        for (const QString& where : mounted_)
            run("umount", {where});
    }

    void fullDiskStopsCleanlyAndResumes()
    {
        const QString recipe = tmp_.filePath("full.toml");
        std::ofstream(recipe.toStdString()) << kRecipe;

        // A run with room: what the full one must end as, and how much it writes.
        const QString roomy = tmp_.filePath("roomy");
        QVERIFY(QDir().mkpath(roomy));
        const Result whole = run(THINKBENCH_CLI, {"train", recipe, "--db", roomy + "/runs.sqlite"});
        QVERIFY2(whole.code == 0, qPrintable(whole.err));
        const uintmax_t needed = bytesUnder(roomy.toStdString());

        const QString disk = mountTmpfs("disk", needed / 2);
        if (disk.isEmpty())
            QSKIP("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");

        const QString db = disk + "/runs.sqlite";
        const Result full = run(THINKBENCH_CLI, {"train", recipe, "--db", db});
        QVERIFY2(full.code != 0, "the run finished on a disk half the size it needs");
        QVERIFY2(full.err.contains("No space left on device") || full.err.contains("disk is full"),
                 qPrintable(full.err));
        qInfo("on a %llu-byte tmpfs (the run writes %llu): %s", static_cast<unsigned long long>(needed / 2),
              static_cast<unsigned long long>(needed), qPrintable(full.err.trimmed().section('\n', -1)));

        {
            const core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
            QCOMPARE(store.integrityCheck(), std::string("ok"));
            QCOMPARE(store.run(1)->status, std::string("failed"));
        }
        const fs::path runDir = fs::path(disk.toStdString()) / "runs-runs" / "run-1";
        const std::string last = lastCheckpoint(runDir);
        core::Transformer::load(last, at::kFloat, at::kCPU); // throws, failing the test, if it does not load
        for (const auto& f : fs::recursive_directory_iterator(runDir))
            QVERIFY2(f.path().extension() != ".tmp", qPrintable(QString::fromStdString(f.path().string())));

        // Room again: the run resumes from that checkpoint and ends as the roomy one did.
        QCOMPARE(run("mount", {"-o", QString("remount,size=%1").arg(needed * 3), disk}).code, 0);
        const Result resumed = run(THINKBENCH_CLI, {"train", "--resume", "1", "--db", db});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        const core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(store.run(1)->status, std::string("finished"));
        const auto a = weights(lastCheckpoint(fs::path(roomy.toStdString()) / "runs-runs" / "run-1"));
        const auto b = weights(lastCheckpoint(runDir));
        QCOMPARE(b.size(), a.size());
        for (const auto& [name, t] : a)
            QVERIFY2(at::equal(t, b.at(name)), name.c_str());
    }

    void ggufExportOnAFullDiskKeepsTheOldFile()
    {
        const QString model = tmp_.filePath("seed.gguf");
        QVERIFY(QFile::copy(THINKBENCH_SOURCE_DIR "/fuzz/corpus/gguf/qwen2_model", model));
        const QString roomy = tmp_.filePath("roomy.gguf");
        const Result whole = run(THINKBENCH_CLI, {"export-gguf", "--model", model, "--type", "f32", "--output", roomy});
        QVERIFY2(whole.code == 0, qPrintable(whole.err));

        const QString disk = mountTmpfs("export-disk", QFileInfo(roomy).size() / 2);
        if (disk.isEmpty())
            QSKIP("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");
        const QString out = disk + "/model.gguf";
        std::ofstream(out.toStdString()) << "kept";
        const Result full = run(THINKBENCH_CLI, {"export-gguf", "--model", model, "--type", "f32", "--output", out});
        QVERIFY2(full.code != 0, "the export finished on a disk half the size it needs");
        QVERIFY2(full.err.contains(out + ": cannot write: No space left on device"), qPrintable(full.err));
        QCOMPARE(QDir(disk).entryList(QDir::Files), QStringList({"model.gguf"}));
        QFile kept(out);
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), QByteArray("kept"));
    }
};

QTEST_GUILESS_MAIN(TestFullDisk)
#include "tst_full_disk.moc"
