// The GRPO group view and the step-by-step diff, against a run store filled here with two groups
// of one step (one with a spread of rewards, one where every reward is equal) and a sample from
// before groups were stored: the groups listed and the zero-std one marked, sorting, the diff's
// marks, a response picked in the group view labelled with Ctrl+1, and offscreen screenshots.

#include "core/store/run_store.h"
#include "tests/tiny_recipe.h"
#include "widgets/annotation_panel.h"
#include "widgets/trace/group_view.h"
#include "widgets/trace/response_diff.h"
#include "widgets/trace_stepper.h"

#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>

#include <cmath>

using namespace thinkbench;
using thinkbench::widgets::GroupView;
using thinkbench::widgets::ResponseDiff;
using thinkbench::widgets::TraceStepper;

namespace {

struct Response {
    const char* completion;
    const char* extracted;
    bool correct;
    double format;
};

// One prompt, four responses as the demo's cold-started policy writes them.
const Response kSpread[] = {
    {"<think>\nUnits: 1 - 4 is negative, borrow 10: 11 - 4 = 7. Write 7, borrow 1.\nTens: 7 - 4 - 1 = 2. Write 2.\n"
     "So 71 - 44 = 27.\nLet me verify: 27 + 44 = 71. Correct.\n</think>\n<answer>27</answer>",
     "27", true, 1.0},
    {"<think>\nUnits: 1 - 4 is negative, borrow 10: 11 - 4 = 8. Write 8, borrow 1.\nTens: 7 - 4 - 1 = 2. Write 2.\n"
     "So 71 - 44 = 28.\nLet me verify: 28 + 44 = 71. Correct.\n</think>\n<answer>28</answer>",
     "28", false, 1.0},
    {"<think>\nUnits: 11 - 4 = 7, borrow 1.\nTens: 7 - 1 - 4 = 2.\nSo 71 - 44 = 27.\n</think>\n<answer>27</answer>",
     "27", true, 1.0},
    {"71 - 44 is about 30, so 33", "", false, 0.0},
};
const char* kFlat = "<think>\nUnits: 0 + 2 = 2. Write 2.\nTens: 8 + 9 = 17. Write 17.\nSo 80 + 92 = 172.\n</think>\n"
                    "<answer>172</answer>";

void saveScreenshot(QWidget& widget, const QString& name)
{
    const QString dir = THINKBENCH_BINARY_DIR "/screenshots";
    QDir().mkpath(dir);
    QCoreApplication::processEvents(); // lays out what a tab change showed or hid
    QVERIFY(widget.grab().save(dir + QLatin1Char('/') + name));
}

} // namespace

class GroupViewTest : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(dir_.isValid());
        store_ = std::make_unique<core::RunStore>(dir_.filePath(QStringLiteral("runs.sqlite")).toStdString());
        run_ = store_->createRun("tiny-grpo", "");
        std::vector<core::SampleRecord> samples;
        auto add = [&](int group, const char* prompt, const Response& r) {
            core::SampleRecord s;
            s.run = run_;
            s.stage = 1;
            s.step = 40;
            s.prompt = prompt;
            s.completion = r.completion;
            s.extracted = r.extracted;
            s.correct = r.correct;
            s.reward = (r.correct ? 1.0 : 0.0) + 0.2 * r.format;
            s.rewardParts =
                QStringLiteral(R"({"accuracy": %1, "format": %2})").arg(r.correct ? 1 : 0).arg(r.format).toStdString();
            s.tokenCount = int(std::string(r.completion).size() / 3);
            s.groupIndex = group;
            samples.push_back(s);
        };
        for (const Response& r : kSpread)
            add(0, "What is 71 - 44?", r);
        for (int i = 0; i < 4; ++i)
            add(1, "What is 80 + 92?", {kFlat, "172", true, 1.0});
        // Advantages as the trainer computes them: (reward - group mean) / (sample std + 1e-4).
        for (int group = 0; group < 2; ++group) {
            double mean = 0, squares = 0;
            for (int i = 0; i < 4; ++i)
                mean += samples[size_t(group * 4 + i)].reward / 4;
            for (int i = 0; i < 4; ++i)
                squares += std::pow(samples[size_t(group * 4 + i)].reward - mean, 2);
            for (int i = 0; i < 4; ++i) {
                auto& s = samples[size_t(group * 4 + i)];
                s.advantage = (s.reward - mean) / (std::sqrt(squares / 3) + 1e-4);
            }
        }
        core::SampleRecord old; // written before groups were stored
        old.run = run_;
        old.step = 41;
        old.prompt = "What is 3 + 4?";
        old.completion = "<think>3 + 4 = 7.</think><answer>7</answer>";
        samples.push_back(old);
        store_->addSamples(samples);
        for (const auto& s : samples)
            ids_.push_back(s.id);
    }

    void cleanup()
    {
        ids_.clear();
        store_.reset();
    }

    void listsGroupsAndMarksZeroStd()
    {
        GroupView view;
        view.setStore(store_.get());
        QVERIFY(view.showStep(run_, 40));
        QCOMPARE(view.groupCount(), 2);
        QVERIFY(!view.isZeroStd(0));
        QVERIFY(view.isZeroStd(1));
        const auto* groups = view.findChild<QTableWidget*>(QStringLiteral("groupTable"));
        QVERIFY(!groups->item(0, 4)->text().contains(QStringLiteral("zero std")));
        QVERIFY(groups->item(1, 4)->text().contains(QStringLiteral("zero std")));
        QCOMPARE(groups->item(1, 0)->background().color(), groups->item(1, 4)->background().color());
        QVERIFY(groups->item(1, 0)->background().color() != groups->item(0, 0)->background().color());

        QCOMPARE(view.openGroupIndex(), 0);
        QCOMPARE(view.responseCount(), 4);
        view.openGroup(1);
        QCOMPARE(view.responseCount(), 4);
        for (int row = 0; row < 4; ++row)
            QCOMPARE(view.responseValue(row, GroupView::Advantage), 0.0);

        // A step from before groups were stored says so.
        QVERIFY(!view.showStep(run_, 41));
        QCOMPARE(view.groupCount(), 0);
        QCOMPARE(view.responseCount(), 0);
    }

    void sortsResponses()
    {
        GroupView view;
        view.setStore(store_.get());
        QVERIFY(view.showStep(run_, 40));
        view.sortResponses(GroupView::Advantage, Qt::DescendingOrder);
        QList<qint64> order;
        for (int row = 0; row < view.responseCount(); ++row) {
            order << view.responseSampleId(row);
            if (row > 0)
                QVERIFY(view.responseValue(row - 1, GroupView::Advantage) >=
                        view.responseValue(row, GroupView::Advantage));
        }
        // Rewards 1.2, 0.2, 1.2, 0: the two correct ones first (in either order), the unformatted last.
        QCOMPARE(QSet<qint64>(order.begin(), order.begin() + 2), (QSet<qint64>{ids_[0], ids_[2]}));
        QCOMPARE(order[2], ids_[1]);
        QCOMPARE(order[3], ids_[3]);
        view.sortResponses(GroupView::Length, Qt::AscendingOrder);
        QCOMPARE(view.responseSampleId(0), ids_[3]);
        view.sortResponses(GroupView::Verdict, Qt::DescendingOrder);
        QCOMPARE(view.responseValue(0, GroupView::Verdict), 1.0);
        QCOMPARE(view.responseValue(3, GroupView::Verdict), 0.0);
    }

    void diffMarksDifferingSteps()
    {
        ResponseDiff diff;
        diff.compare(
            {QStringLiteral("A"), QStringLiteral("What is 71 - 44?"), QString::fromUtf8(kSpread[0].completion)},
            {QStringLiteral("B"), QStringLiteral("What is 71 - 44?"), QString::fromUtf8(kSpread[1].completion)});
        QStringList same, differing;
        for (int row = 0; row < diff.rowCount(); ++row) {
            QVERIFY(!diff.rowText(row, 0).isEmpty() && !diff.rowText(row, 1).isEmpty()); // the cut is the same
            if (diff.rowDiffers(row)) {
                QVERIFY(diff.rowText(row, 0) != diff.rowText(row, 1));
                differing << diff.rowText(row, 0);
            } else {
                QCOMPARE(diff.rowText(row, 0), diff.rowText(row, 1));
                same << diff.rowText(row, 0);
            }
        }
        QVERIFY2(same.contains(QStringLiteral("Tens: 7 - 4 - 1 = 2.")), qPrintable(same.join(QLatin1Char('|'))));
        QVERIFY(same.contains(QStringLiteral("Write 2.")));
        QVERIFY(differing.contains(QStringLiteral("So 71 - 44 = 27.")));
        const int answer = diff.rowCount() - 1; // the answer row, last
        QVERIFY(diff.rowDiffers(answer));
        QVERIFY(diff.rowText(answer, 0).contains(QStringLiteral("27")));
        QVERIFY(diff.rowText(answer, 1).contains(QStringLiteral("28")));
        QCOMPARE(diff.differingRows(), differing.size());
        // Within a changed step the differing words are marked, whole, and nothing else.
        QStringList marked;
        const QTextDocument* document = diff.findChild<QTextBrowser*>(QStringLiteral("diffView"))->document();
        for (QTextBlock block = document->begin(); block.isValid(); block = block.next())
            for (auto it = block.begin(); !it.atEnd(); ++it)
                if (it.fragment().charFormat().background().color() == QColor(QStringLiteral("#f5c542")))
                    marked << it.fragment().text();
        QCOMPARE(marked, (QStringList{"7", "8", "7", "8", "27", "28", "27", "28", "27", "28"}));

        // A step only one side has sits beside a gap.
        diff.compare({QStringLiteral("A"), QString(), QStringLiteral("<think>One.\n\nTwo.\n\nThree.</think>4")},
                     {QStringLiteral("B"), QString(), QStringLiteral("<think>One.\n\nThree.</think>4")});
        QCOMPARE(diff.rowCount(), 4);
        QVERIFY(!diff.rowDiffers(0) && diff.rowDiffers(1) && !diff.rowDiffers(2) && !diff.rowDiffers(3));
        QCOMPARE(diff.rowText(1, 0), QStringLiteral("Two."));
        QVERIFY(diff.rowText(1, 1).isEmpty());
    }

    // A curve point on a GRPO step opens the Groups tab; a response picked there is the stepper's
    // trace, labelled with Ctrl+1; two picked responses open in the Diff tab.
    void stepperOpensGroupsAndAnnotatesPickedResponse()
    {
        QWidget window;
        auto* stepper = new TraceStepper(&window);
        auto* panel = new widgets::AnnotationPanel(&window);
        auto* layout = new QHBoxLayout(&window);
        layout->addWidget(stepper, 3);
        layout->addWidget(panel, 1);
        panel->setStore(store_.get());
        panel->setStepper(stepper);
        stepper->setStore(store_.get());
        window.resize(1300, 800);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));

        QSignalSpy opened(stepper, &TraceStepper::traceOpened);
        stepper->showStepSamples(run_, 40);
        QCOMPARE(opened.count(), 1); // the first response of the first group, once
        QCOMPARE(stepper->currentPage(), stepper->groupView());
        QCOMPARE(stepper->groupView()->responseCount(), 4);
        QCOMPARE(stepper->trace().sampleId, std::optional<qint64>(stepper->groupView()->responseSampleId(0)));
        auto* responses = stepper->groupView()->findChild<QTableWidget*>(QStringLiteral("responseTable"));
        // The arrow keys move through the responses (the trace's step keys rest while it is hidden).
        responses->setFocus();
        QTest::keyClick(responses, Qt::Key_Down);
        QCOMPARE(responses->currentRow(), 1);
        QCOMPARE(stepper->trace().sampleId, std::optional<qint64>(stepper->groupView()->responseSampleId(1)));
        responses->setCurrentCell(2, 0);
        const qint64 picked = stepper->groupView()->responseSampleId(2);
        QCOMPARE(stepper->trace().sampleId, std::optional<qint64>(picked));
        responses->setFocus();
        QTest::keyClick(responses, Qt::Key_1, Qt::ControlModifier);
        const auto annotations = store_->annotationsForSample(picked);
        QCOMPARE(annotations.size(), size_t(1));
        QCOMPARE(annotations[0].label, panel->labels().front().toStdString());
        QCOMPARE(annotations[0].stepBegin, 0);

        stepper->groupView()->selectResponses({0, 1});
        auto* diffButton = stepper->groupView()->findChild<QPushButton*>(QStringLiteral("diffButton"));
        QVERIFY(diffButton->isEnabled());
        QTest::mouseClick(diffButton, Qt::LeftButton);
        QCOMPARE(stepper->currentPage(), stepper->responseDiff());
        QVERIFY(stepper->responseDiff()->differingRows() > 0);

        // A step without groups stays on the trace.
        stepper->showStepSamples(run_, 41);
        QVERIFY(stepper->currentPage() != stepper->groupView());
        QCOMPARE(stepper->trace().sampleId, std::optional<qint64>(ids_.back()));
    }

    // What the engine writes: a tiny GRPO run through thinkbench-cli, every stored group shown
    // with its G responses and their advantages.
    void showsGroupsTheEngineWrote()
    {
        const QString recipe = dir_.filePath(QStringLiteral("tiny.toml"));
        QFile file(recipe);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            tinyRecipe("name = \"tiny\"\nseed = 3\n", kTinyMoeModel,
                       "[[stages]]\nkind = \"pretrain\"\nname = \"base\"\nsteps = 3\nbatch_size = 2\n"
                       "seq_len = 48\ncorpus_size = 20\n\n[[stages]]\nkind = \"grpo\"\nname = \"rl\"\n"
                       "steps = 2\nprompts_per_step = 3\ngroup_size = 4\nmax_new_tokens = 12\nstored_groups = 2\n")
                .c_str());
        file.close();
        const QString db = dir_.filePath(QStringLiteral("engine.sqlite"));
        QProcess train;
        train.start(THINKBENCH_CLI, {QStringLiteral("train"), recipe, QStringLiteral("--db"), db});
        QVERIFY(train.waitForFinished(120000));
        QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());

        core::RunStore store(db.toStdString(), core::OpenMode::ReadOnly);
        const qint64 run = store.listRuns().back().id;
        GroupView view;
        view.setStore(&store);
        QCOMPARE(store.sampleSteps(run), (std::vector<int64_t>{3, 4}));
        for (const qint64 step : {3, 4}) {
            QVERIFY(view.showStep(run, step));
            QCOMPARE(view.groupCount(), 2);
            for (int group = 0; group < 2; ++group) {
                view.openGroup(group);
                QCOMPARE(view.responseCount(), 4);
                QVERIFY(store.sample(view.responseSampleId(0))->advantage.has_value());
            }
        }
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        saveScreenshot(view, QStringLiteral("group_view_engine.png"));
        view.setStore(nullptr);
    }

    void screenshots()
    {
        TraceStepper stepper;
        stepper.setStore(store_.get());
        stepper.resize(1100, 820);
        stepper.show();
        QVERIFY(QTest::qWaitForWindowExposed(&stepper));
        stepper.showStepSamples(run_, 40);
        stepper.groupView()->sortResponses(GroupView::Advantage, Qt::DescendingOrder);
        saveScreenshot(stepper, QStringLiteral("group_view.png"));
        stepper.showDiff(ids_[0], ids_[1]);
        saveScreenshot(stepper, QStringLiteral("response_diff.png"));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<core::RunStore> store_;
    int64_t run_ = 0;
    QList<qint64> ids_;
};

QTEST_MAIN(GroupViewTest)
#include "tst_group_view.moc"
