// The emergence view against run stores written here: the three series on one step axis with
// the stored values, the early and late traces picked from the right steps (late: a correct
// trace with a reflection marker over a later incorrect one), markers highlighted, stepping, the
// default stage, a run followed while it is written, a PNG export of slide size that is not
// blank, and runs without a GRPO stage or without held-out evaluations, which the view names
// instead of drawing empty axes. With THINKBENCH_EMERGENCE_DB set, it also shows that database's
// first run and saves a screenshot and the exports to THINKBENCH_SHOTS (default: the build's
// screenshots/ folder).

#include "core/store/emergence_story.h"
#include "core/store/metric_names.h"
#include "core/store/run_store.h"
#include "widgets/emergence/emergence_slide.h"
#include "widgets/emergence/story_plot.h"
#include "widgets/emergence/story_trace.h"
#include "widgets/emergence_view.h"

#include <qcustomplot.h>

#include <QDir>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace thinkbench;
using thinkbench::widgets::EmergenceView;
using Series = thinkbench::widgets::StoryPlot;

namespace {

namespace metric = core::metric;

void write(core::RunStore& store, int64_t run, int stage, int64_t step, std::string_view key, double value)
{
    store.appendMetrics({{run, stage, step, std::string(key), value, 0}});
}

core::SampleRecord sample(int64_t run, int stage, int64_t step, bool correct, const std::string& thought)
{
    core::SampleRecord s;
    s.run = run;
    s.stage = stage;
    s.step = step;
    s.prompt = "What is 2 + 3?";
    s.completion = "<think>\n" + thought + "\n</think>\n<answer>" + (correct ? "5" : "6") + "</answer>";
    s.extracted = correct ? "5" : "6";
    s.correct = correct;
    s.tokenCount = 20 + int(step);
    return s;
}

// Pretraining at steps 0..9, then GRPO "rl" at 10..49 (held-out pass@1 every 10 steps, two
// samples a step) and a shorter GRPO stage "more" at 50..59.
int64_t writeStoryRun(core::RunStore& store)
{
    const int64_t run = store.createRun("story", "");
    store.beginStage(run, 0, "pretrain", "base", "{}");
    for (int64_t step = 0; step < 10; ++step)
        write(store, run, 0, step, metric::kLoss, 3.0 - 0.1 * double(step));
    store.beginStage(run, 1, "grpo", "rl", "{}");
    std::vector<core::SampleRecord> samples;
    for (int64_t step = 10; step < 50; ++step) {
        const double i = double(step - 10);
        write(store, run, 1, step, metric::kLengthMean, 40 + i);
        write(store, run, 1, step, metric::kReflectionRate, 0.1 + 0.01 * i);
        if (step % 10 == 9) {
            write(store, run, 1, step, metric::kHeldOutPass1, 0.1 * double(step / 10));
            write(store, run, 1, step, metric::kHeldOutPass1Stderr, 0.02);
        }
        if (step < 46) {
            samples.push_back(sample(run, 1, step, false, "2 + 3 = 6."));
            samples.push_back(sample(run, 1, step, step % 2 == 0, "2 + 3 = 5."));
        }
    }
    // The last four steps (a tenth of 40): the correct reflecting trace is at step 47, before an
    // incorrect reflecting one and a correct one without a marker.
    samples.push_back(sample(run, 1, 46, false, "2 + 3 = 6."));
    samples.push_back(sample(run, 1, 47, true, "2 + 3 = 6. Wait, let me check: 6 - 3 = 3, not 2. So 2 + 3 = 5."));
    samples.push_back(sample(run, 1, 48, true, "2 + 3 = 5."));
    samples.push_back(sample(run, 1, 49, false, "2 + 3 = 7. Wait, 7 - 3 = 4. So 2 + 3 = 6."));
    store.addSamples(samples);
    store.beginStage(run, 2, "grpo", "more", "{}");
    for (int64_t step = 50; step < 60; ++step)
        write(store, run, 2, step, metric::kLengthMean, 80);
    return run;
}

QString shotsDir()
{
    const QString dir = qEnvironmentVariableIsSet("THINKBENCH_SHOTS") ? qEnvironmentVariable("THINKBENCH_SHOTS")
                                                                      : THINKBENCH_BINARY_DIR "/screenshots";
    QDir().mkpath(dir);
    return dir;
}

// Distinct colours in an image, up to `enough`: a blank export has one.
int colourCount(const QImage& image, int enough)
{
    QSet<QRgb> seen;
    for (int y = 0; y < image.height() && seen.size() < enough; y += 3)
        for (int x = 0; x < image.width(); x += 3)
            seen.insert(image.pixel(x, y));
    return int(seen.size());
}

bool containsColour(const QImage& image, QColor colour)
{
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (image.pixelColor(x, y) == colour)
                return true;
    return false;
}

} // namespace

class EmergenceTest : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(dir_.isValid());
        store_ = std::make_unique<core::RunStore>(dir_.filePath(QStringLiteral("runs.sqlite")).toStdString());
        run_ = writeStoryRun(*store_);
    }

    void cleanup() { store_.reset(); }

    void showsTheThreeSeriesOnOneStepAxis()
    {
        EmergenceView view;
        view.setStore(store_.get());
        view.setRun(run_);
        QCOMPARE(view.stageNames().size(), 2);
        QCOMPARE(view.stage(), 1); // the longest GRPO stage
        QVERIFY(view.message().isEmpty());
        QVERIFY(!view.slide()->isHidden());
        QVERIFY(view.slide()->title().contains(QStringLiteral("story")));
        QVERIFY(view.slide()->title().contains(QStringLiteral("rl")));

        const auto& plot = view.slide()->storyPlot();
        QCOMPARE(plot.valueAt(Series::pass1Name(), 29), 20.0);
        QCOMPARE(plot.valueAt(Series::reflectionName(), 30), 30.0);
        QCOMPARE(plot.valueAt(Series::lengthName(), 30), 60.0);
        QVERIFY(std::isnan(plot.valueAt(Series::pass1Name(), 30)));
        // One step axis; the shares on the left axis, the length on the right one.
        QCustomPlot* p = view.slide()->plot();
        bool band = false;
        for (int i = 0; i < p->graphCount(); ++i) {
            QCPGraph* g = p->graph(i);
            QCOMPARE(g->keyAxis(), p->xAxis);
            const bool length =
                g->property("storySeries").toString() == Series::lengthName() || g->name() == Series::lengthName();
            QCOMPARE(g->valueAxis(), length ? p->yAxis2 : p->yAxis);
            if (g->channelFillGraph()) {
                band = true;
                QCOMPARE(g->data()->findBegin(29, false)->value, 22.0); // 20% + one standard error
            }
        }
        QVERIFY(band);
        QVERIFY(p->xAxis->range().lower < 10 && p->xAxis->range().lower > 8);
        QVERIFY(p->xAxis->range().upper > 49 && p->xAxis->range().upper < 51);
        QVERIFY2(view.slide()->caption().contains(QStringLiteral("10.0% → 40.0%")),
                 qPrintable(view.slide()->caption()));

        view.setStage(2);
        QCOMPARE(view.stage(), 2);
        QVERIFY(view.message().contains(QStringLiteral("No held-out evaluations")));
        QVERIFY(view.message().contains(QStringLiteral("Only length and reflection markers")));
        QVERIFY(std::isnan(view.slide()->storyPlot().valueAt(Series::pass1Name(), 59)));
    }

    void picksEarlyAndLateTraces()
    {
        EmergenceView view;
        view.setStore(store_.get());
        view.setRun(run_);
        auto* early = view.slide()->early();
        auto* late = view.slide()->late();
        QCOMPARE(early->current()->step, 10);
        QCOMPARE(early->count(), 8); // the first four steps, two samples each
        QCOMPARE(late->count(), 4);
        QCOMPARE(late->current()->step, 47);
        QVERIFY(late->current()->correct);
        QCOMPARE(late->markerCount(), 2); // "Wait", "let me check"
        QVERIFY(late->html().contains(QStringLiteral("#ffd27f"), Qt::CaseInsensitive));
        QVERIFY(!early->html().contains(QStringLiteral("#ffd27f"), Qt::CaseInsensitive));
        late->showSample(1);
        QCOMPARE(late->current()->step, 48); // correct, no marker
        late->showSample(2);
        QCOMPARE(late->current()->step, 49); // reflecting, incorrect
        QVERIFY(!late->current()->correct);
        early->showSample(7);
        QCOMPARE(early->current()->step, 13);
    }

    void exportsOnePng()
    {
        EmergenceView view;
        view.setStore(store_.get());
        view.setRun(run_);
        const QString path = dir_.filePath(QStringLiteral("story.png"));
        QVERIFY(view.exportPng(path));
        const QImage image(path);
        QCOMPARE(image.size(), EmergenceView::kSlideSize * EmergenceView::kExportRatio);
        QVERIFY(colourCount(image, 200) >= 200);
        QVERIFY(containsColour(image, QColor(31, 119, 180))); // the pass@1 curve
        QVERIFY(!view.exportPng(QStringLiteral("/nonexistent-dir/story.png")));
        QVERIFY(view.message().contains(QStringLiteral("/nonexistent-dir/story.png")));
    }

    void followsARunBeingWritten()
    {
        EmergenceView view;
        view.setStore(store_.get());
        view.setRun(run_);
        view.setStage(2);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.hide();
        write(*store_, run_, 2, 60, metric::kLengthMean, 90);
        QVERIFY(std::isnan(view.slide()->storyPlot().valueAt(Series::lengthName(), 60)));
        view.show();
        QCOMPARE(view.stage(), 2);
        QCOMPARE(view.slide()->storyPlot().valueAt(Series::lengthName(), 60), 90.0);
    }

    // An eval stage measures a GRPO stage's start when it evaluated the model the stage starts
    // from, and its end when it follows it.
    void showsTheEvalStagesBeforeAndAfter()
    {
        const int64_t run = store_->createRun("evaluated", "");
        store_->beginStage(run, 0, "pretrain", "base", "{}");
        store_->beginStage(run, 1, "eval", "before", R"({"init": ""})");
        store_->beginStage(run, 2, "grpo", "rl", "{}");
        store_->beginStage(run, 3, "eval", "after", "{}");
        store_->beginStage(run, 4, "grpo", "again", R"({"init": "stage:base"})");
        write(*store_, run, 0, 9, metric::kLoss, 2);
        write(*store_, run, 1, 9, metric::kEvalPass1, 0.15);
        write(*store_, run, 1, 9, metric::kEvalPass1Stderr, 0.01);
        for (int64_t step = 10; step < 20; ++step)
            write(*store_, run, 2, step, metric::kLengthMean, 40);
        write(*store_, run, 3, 19, metric::kEvalPass1, 0.25);
        for (int64_t step = 20; step < 25; ++step)
            write(*store_, run, 4, step, metric::kLengthMean, 40);

        EmergenceView view;
        view.setStore(store_.get());
        view.setRun(run);
        QCOMPARE(view.stage(), 2);
        const auto& plot = view.slide()->storyPlot();
        QCOMPARE(plot.valueAt(Series::evalStagesName(), 9), 15.0);
        QCOMPARE(plot.valueAt(Series::evalStagesName(), 19), 25.0);
        QVERIFY(view.slide()->plot()->xAxis->range().lower < 9); // the eval before, stamped at step 9
        QVERIFY(view.message().contains(QStringLiteral("eval stages before and after")));
        QVERIFY(view.slide()->caption().contains(QStringLiteral("15.0% before → 25.0% after")));
        // "after" evaluated rl's model, not the base "again" starts from; nothing follows "again".
        view.setStage(4);
        QVERIFY(std::isnan(view.slide()->storyPlot().valueAt(Series::evalStagesName(), 19)));

        const int64_t broken = store_->createRun("broken", "");
        store_->beginStage(broken, 0, "eval", "before", "{");
        store_->beginStage(broken, 1, "grpo", "rl", "{}");
        write(*store_, broken, 1, 0, metric::kLengthMean, 40);
        view.setRun(broken);
        QVERIFY2(view.message().contains(QStringLiteral("stage 0 config")), qPrintable(view.message()));
        QVERIFY(view.message().contains(dir_.filePath(QStringLiteral("runs.sqlite"))));
    }

    void saysWhatIsMissing()
    {
        EmergenceView view;
        QVERIFY(view.message().contains(QStringLiteral("Select a run")));
        view.setStore(store_.get());
        const int64_t pretrainOnly = store_->createRun("pretrain-only", "");
        store_->beginStage(pretrainOnly, 0, "pretrain", "base", "{}");
        write(*store_, pretrainOnly, 0, 0, metric::kLoss, 3);
        view.setRun(pretrainOnly);
        QVERIFY(view.message().contains(QStringLiteral("no GRPO stage")));
        QVERIFY(view.slide()->isHidden());
        QVERIFY(!view.exportPng(dir_.filePath(QStringLiteral("none.png"))));

        const int64_t unevaluated = store_->createRun("unevaluated", "");
        store_->beginStage(unevaluated, 0, "grpo", "rl", "{}");
        view.setRun(unevaluated);
        QVERIFY(view.message().contains(QStringLiteral("no pass@1, length or reflection metrics")));
        QVERIFY(view.slide()->isHidden());
        write(*store_, unevaluated, 0, 0, metric::kLengthMean, 50);
        view.refresh();
        QVERIFY(view.message().contains(QStringLiteral("No held-out evaluations")));
        QVERIFY(!view.slide()->isHidden());
        QVERIFY(view.slide()->late()->html().contains(QStringLiteral("No samples stored")));
    }

    // The view on a real database (a copy: the view only reads, but a check must not risk it).
    void showsAStoredRun()
    {
        if (!qEnvironmentVariableIsSet("THINKBENCH_EMERGENCE_DB"))
            QSKIP("THINKBENCH_EMERGENCE_DB names no database to show");
        core::RunStore store(qEnvironmentVariable("THINKBENCH_EMERGENCE_DB").toStdString());
        EmergenceView view;
        view.setStore(&store);
        view.setRun(store.listRuns().front().id);
        QCOMPARE(view.stage(), core::longestGrpoStage(store.stages(view.run()))->index);
        QVERIFY2(!view.slide()->isHidden(), qPrintable(view.message()));
        qInfo() << view.stageNames() << view.slide()->caption() << view.message();
        view.resize(1000, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.slide()->plot()->replot();
        QVERIFY(view.grab().save(shotsDir() + QStringLiteral("/emergence.png")));
        QVERIFY(view.exportPng(shotsDir() + QStringLiteral("/emergence_export.png")));
        // The highlighting, on the first early trace with a marker, if any.
        auto* early = view.slide()->early();
        for (int i = 0; i < early->count() && early->markerCount() == 0; ++i)
            early->showSample(i);
        QVERIFY(view.grab().save(shotsDir() + QStringLiteral("/emergence_markers.png")));
        for (const auto& stage : core::grpoStages(store.stages(view.run()))) {
            view.setStage(stage.index);
            QVERIFY(view.exportPng(shotsDir() +
                                   QStringLiteral("/emergence_export_%1.png").arg(QString::fromStdString(stage.name))));
        }
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<core::RunStore> store_;
    int64_t run_ = 0;
};

QTEST_MAIN(EmergenceTest)
#include "tst_emergence.moc"
