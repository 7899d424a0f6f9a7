// The comparison panel against two tiny random-weight models saved here as Hugging Face folders
// (one with DeepSeek-R1 chat tokens, one with Qwen's): both columns stream at once with their
// stats and verdicts and scroll together; batch mode gives one row per model from a task family
// (the held-out problems the CLI's eval draws for the same seed) and from a JSONL dataset, a cell
// opening its trace; a blind vote reaches the run store and only then are the names shown; a bad
// folder's error names the file; and a screenshot.

// Torch before Qt: Qt's `slots` macro breaks torch headers.
#include <torch/torch.h>

#include "core/store/run_store.h"
#include "core/tasks/held_out_set.h"
#include "widgets/compare_panel.h"

#include <QScrollArea>
#include <QScrollBar>
#include <QTableWidget>
#include <QtTest>

#include "tests/widgets/tiny_model.h"

using namespace thinkbench;
using widgets::ComparePanel;

class TestCompare : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    QString alpha_;
    QString beta_;

    void loadBoth(ComparePanel& panel)
    {
        QSignalSpy loaded(&panel, &ComparePanel::modelLoaded);
        QSignalSpy failed(&panel, &ComparePanel::modelFailed);
        panel.loadModel(0, alpha_);
        panel.loadModel(1, beta_);
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() + failed.count() == 2, 30000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().last().toString()));
        QVERIFY(panel.isLoaded(0) && panel.isLoaded(1));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        alpha_ = tmp_.filePath(QStringLiteral("alpha"));
        beta_ = tmp_.filePath(QStringLiteral("beta"));
        makeTinyModel(alpha_, {"<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>"}, 1);
        makeTinyModel(beta_, {"<|im_start|>", "<|im_end|>"}, 2);
    }

    void columnsStreamTogether()
    {
        ComparePanel panel;
        panel.resize(1100, 720);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        loadBoth(panel);
        QCOMPARE(panel.columnTitle(0), QStringLiteral("alpha"));
        QCOMPARE(panel.columnTitle(1), QStringLiteral("beta"));

        panel.setSettings({.temperature = 1.0, .topP = 1.0, .maxNewTokens = 1000, .thinkBudget = 60, .seed = 5});
        panel.setPrompt(QStringLiteral("What is 2 plus 3?"));
        panel.setGroundTruth(QStringLiteral("5"));
        // Which columns had text before the first one finished.
        QSet<int> streamedEarly;
        bool anyFinished = false;
        connect(&panel, &ComparePanel::columnStreamed, this, [&](int column) {
            if (!anyFinished)
                streamedEarly.insert(column);
        });
        connect(&panel, &ComparePanel::columnFinished, this, [&] { anyFinished = true; });
        QSignalSpy finished(&panel, &ComparePanel::columnFinished);
        QSignalSpy done(&panel, &ComparePanel::comparisonFinished);
        QVERIFY(panel.run());
        QVERIFY(panel.busy());
        QVERIFY(!panel.run()); // one comparison at a time
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 60000);
        QCOMPARE(finished.count(), 2);
        QCOMPARE(streamedEarly, (QSet<int>{0, 1}));
        for (int c = 0; c < 2; ++c) {
            QVERIFY(!(panel.columnReasoning(c) + panel.columnAnswer(c)).isEmpty());
            const QString stats = panel.columnStats(c);
            QVERIFY2(stats.contains(QStringLiteral("tok/s")) && stats.contains(QStringLiteral("reasoning")) &&
                         stats.contains(QStringLiteral("answer:")),
                     qPrintable(stats));
            QVERIFY2(stats.contains(QStringLiteral("correct")) || stats.contains(QStringLiteral("wrong")),
                     qPrintable(stats));
            const auto trace = panel.columnTrace(c);
            QVERIFY(!trace.completion.isEmpty());
            QVERIFY(trace.correct.has_value());
        }
        // alpha's template opens the thought and the budget closes it: reasoning, then answer.
        QVERIFY(!panel.columnReasoning(0).isEmpty());
        QVERIFY(panel.columnTrace(0).promptOpensThinking);
        QVERIFY(!panel.columnTrace(1).promptOpensThinking);

        // Scrolling one column scrolls the other to the same place.
        QScrollBar* left = panel.columnView(0)->verticalScrollBar();
        QScrollBar* right = panel.columnView(1)->verticalScrollBar();
        QTRY_VERIFY(left->maximum() > 0 && right->maximum() > 0);
        left->setValue(left->maximum());
        QCOMPARE(right->value(), right->maximum());
        right->setValue(0);
        QCOMPARE(left->value(), 0);

        const QString out = THINKBENCH_BINARY_DIR "/screenshots";
        QVERIFY(QDir().mkpath(out));
        QVERIFY(panel.grab().save(out + QStringLiteral("/compare_panel.png")));
    }

    void upToFourColumns()
    {
        ComparePanel panel;
        panel.resize(1200, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(!panel.columnView(2)->isVisible());
        panel.setModelCount(9);
        QCOMPARE(panel.modelCount(), 4);
        panel.setModelCount(0);
        QCOMPARE(panel.modelCount(), 2);
        panel.setModelCount(3);
        QVERIFY(panel.columnView(2)->isVisible());
        QVERIFY(!panel.columnView(3)->isVisible());
        loadBoth(panel);
        QSignalSpy loaded(&panel, &ComparePanel::modelLoaded);
        panel.loadModel(2, alpha_);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 30000);
        panel.setSettings({.temperature = 1.0, .maxNewTokens = 40});
        panel.setPrompt(QStringLiteral("What is 6 times 7?"));
        QSignalSpy finished(&panel, &ComparePanel::columnFinished);
        QSignalSpy done(&panel, &ComparePanel::comparisonFinished);
        QVERIFY(panel.run());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 60000);
        QCOMPARE(finished.count(), 3);
        QCOMPARE(panel.columnTitle(2), QStringLiteral("alpha"));
        for (int c = 0; c < 3; ++c)
            QVERIFY(!(panel.columnReasoning(c) + panel.columnAnswer(c)).isEmpty());
    }

    void stopEndsBothColumns()
    {
        ComparePanel panel;
        loadBoth(panel);
        panel.setSettings({.temperature = 1.0, .maxNewTokens = 20000});
        panel.setPrompt(QStringLiteral("Count to a million."));
        QSignalSpy streamed(&panel, &ComparePanel::columnStreamed);
        QSignalSpy done(&panel, &ComparePanel::comparisonFinished);
        QVERIFY(panel.run());
        QTRY_VERIFY_WITH_TIMEOUT(streamed.count() >= 2, 30000);
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 30000);
        QVERIFY(!panel.busy());
        QVERIFY(panel.columnStats(0).contains(QStringLiteral("stopped")));
        QVERIFY(panel.columnStats(1).contains(QStringLiteral("stopped")));
    }

    void batchGivesOneRowPerModel()
    {
        ComparePanel panel;
        loadBoth(panel);
        panel.resize(1200, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setSettings({.temperature = 0.6, .topP = 0.95, .maxNewTokens = 24, .seed = 3});
        panel.setBatchTask(QStringLiteral("arithmetic:digits=1,ops=+"));
        panel.setBatchProblems(3);
        panel.setBatchSamples(2);
        QSignalSpy progress(&panel, &ComparePanel::batchProgress);
        QSignalSpy finished(&panel, &ComparePanel::batchFinished);
        QVERIFY(panel.runBatch());
        QVERIFY(panel.busy());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 120000);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toInt(), 6); // 3 problems x 2 models
        QCOMPARE(progress.last().at(1).toInt(), 6);

        QTableWidget* table = panel.batchTable();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->columnCount(), 6 + 3);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("alpha"));
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("beta"));
        for (int row = 0; row < 2; ++row)
            for (int column = 1; column <= 3; ++column) { // pass@1, cons@k, pass@k
                const double v = table->item(row, column)->data(Qt::UserRole).toDouble();
                QVERIFY(v >= 0 && v <= 1);
            }
        QVERIFY(table->item(0, 4)->data(Qt::UserRole).toDouble() > 0); // mean length

        // The columns are the held-out problems `thinkbench-cli eval --task T --seed 3` scores.
        const auto heldOut = core::drawHeldOut({.tasks = {"arithmetic:digits=1,ops=+"}, .dataset = {}, .limit = 3}, 3);
        QCOMPARE(heldOut.size(), size_t(3));
        for (int p = 0; p < 3; ++p) {
            const auto& problem = heldOut[static_cast<size_t>(p)];
            QCOMPARE(table->horizontalHeaderItem(6 + p)->toolTip(),
                     QString::fromStdString(problem.prompt + "\n= " + problem.truth));
            QCOMPARE(panel.batchTrace(0, p).prompt, QString::fromStdString(problem.prompt));
        }

        // Double-clicking a problem's cell opens that model's first sample of it.
        QSignalSpy traces(&panel, &ComparePanel::openTraceRequested);
        const QRect rect = table->visualItemRect(table->item(1, 6 + 2));
        QVERIFY(table->viewport()->rect().contains(rect.center()));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, rect.center());
        QTRY_COMPARE(traces.count(), 1);
        const auto trace = traces.first().first().value<widgets::TraceSample>();
        QVERIFY(trace.title.contains(QStringLiteral("beta")));
        QVERIFY(!trace.prompt.isEmpty());
        QVERIFY(!trace.completion.isEmpty());
        QVERIFY(trace.correct.has_value());

        // A JSONL dataset instead of a task family.
        const QString dataset = tmp_.filePath(QStringLiteral("problems.jsonl"));
        QFile file(dataset);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"question\": \"What is 1 + 1?\", \"answer\": \"2\"}\n"
                   "{\"question\": \"What is 2 + 5?\", \"answer\": \"7\"}\n");
        file.close();
        panel.setBatchDataset(dataset);
        QVERIFY(panel.runBatch());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 120000);
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->columnCount(), 6 + 2);

        // A bad task spec is reported, nothing starts.
        panel.setBatchTask(QStringLiteral("nosuchtask"));
        QVERIFY(!panel.runBatch());
        QVERIFY(panel.errorText().contains(QStringLiteral("nosuchtask")));
    }

    void blindVoteIsStoredThenRevealed()
    {
        core::RunStore store(tmp_.filePath(QStringLiteral("votes.sqlite")).toStdString());
        ComparePanel panel;
        panel.setStore(&store);
        loadBoth(panel);
        panel.setSettings({.temperature = 1.0, .maxNewTokens = 60, .thinkBudget = 20, .seed = 9});
        panel.setPrompt(QStringLiteral("Which is larger, 7 or 9?"));
        panel.setBlind(true);
        QVERIFY(!panel.vote(ComparePanel::Vote::A)); // nothing to vote on yet
        QSignalSpy done(&panel, &ComparePanel::comparisonFinished);
        QVERIFY(panel.run());
        auto anonymous = [&] {
            for (int c = 0; c < 2; ++c)
                for (const QString& name : {QStringLiteral("alpha"), QStringLiteral("beta")})
                    if (panel.columnTitle(c).contains(name) || panel.columnStats(c).contains(name))
                        return false;
            return panel.revealText().isEmpty();
        };
        QCOMPARE(panel.columnTitle(0), QStringLiteral("Model A"));
        QCOMPARE(panel.columnTitle(1), QStringLiteral("Model B"));
        QVERIFY(anonymous());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 60000);
        QVERIFY(anonymous());
        QVERIFY(!panel.columnStats(0).contains(QStringLiteral("tok/s"))); // speed would tell
        QVERIFY(panel.columnTrace(0).completion.isEmpty());
        const QString answerA = panel.columnReasoning(0) + panel.columnAnswer(0);
        QVERIFY(store.votes().empty());

        QSignalSpy voted(&panel, &ComparePanel::voteRecorded);
        QVERIFY(panel.vote(ComparePanel::Vote::B));
        QCOMPARE(voted.count(), 1);
        QCOMPARE(voted.first().at(0).toString(), QStringLiteral("b"));
        const auto votes = store.votes();
        QCOMPARE(votes.size(), size_t(1));
        QCOMPARE(voted.first().at(1).toLongLong(), qint64(votes[0].id));
        QCOMPARE(votes[0].vote, std::string("b"));
        QCOMPARE(votes[0].prompt, std::string("Which is larger, 7 or 9?"));
        const QSet<QString> models = {QString::fromStdString(votes[0].modelA), QString::fromStdString(votes[0].modelB)};
        QCOMPARE(models, (QSet<QString>{alpha_, beta_}));
        QVERIFY(!votes[0].completionA.empty() && !votes[0].completionB.empty());

        // Revealed: A's title names the model whose folder the store holds as model A.
        const QString nameA = QDir(QString::fromStdString(votes[0].modelA)).dirName();
        const QString nameB = QDir(QString::fromStdString(votes[0].modelB)).dirName();
        QCOMPARE(panel.columnTitle(0), QStringLiteral("Model A: %1").arg(nameA));
        QCOMPARE(panel.columnTitle(1), QStringLiteral("Model B: %1").arg(nameB));
        QVERIFY(panel.revealText().contains(nameA) && panel.revealText().contains(nameB));
        QVERIFY(panel.columnStats(0).contains(QStringLiteral("tok/s")));
        QCOMPARE(panel.columnReasoning(0) + panel.columnAnswer(0), answerA);
        QVERIFY(!panel.vote(ComparePanel::Vote::A)); // one vote per comparison
        QCOMPARE(store.votes().size(), size_t(1));
    }

    void badFolderNamesTheFile()
    {
        const QString bad = tmp_.filePath(QStringLiteral("broken"));
        QVERIFY(QDir().mkpath(bad));
        for (const char* name : {"model.safetensors", "tokenizer.json"})
            QVERIFY(QFile::copy(QDir(alpha_).filePath(QLatin1String(name)), QDir(bad).filePath(QLatin1String(name))));
        QFile config(QDir(bad).filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{\"model_type\": \"qwen2\", \"hidden_size\": ");
        config.close();

        ComparePanel panel;
        QSignalSpy failed(&panel, &ComparePanel::modelFailed);
        panel.loadModel(1, bad);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 30000);
        QCOMPARE(failed.first().at(0).toInt(), 1);
        const QString message = failed.first().at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("config.json")), qPrintable(message));
        QVERIFY(panel.errorText().contains(message));
        QVERIFY(!panel.isLoaded(1));
        QVERIFY(!panel.run());
    }
};

QTEST_MAIN(TestCompare)
#include "tst_compare.moc"
