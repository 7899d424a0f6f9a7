// The trace stepper and the annotation panel working on it, against a run store filled here:
// the engine's steps and markers placed right in non-ASCII text, keys, search, an annotation read
// back from the database, JSONL export, and offscreen screenshots of both panels.

#include "core/store/run_store.h"
#include "widgets/annotation_panel.h"
#include "widgets/trace_stepper.h"

#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>

using namespace thinkbench;
using thinkbench::widgets::AnnotationPanel;
using thinkbench::widgets::TraceStepper;

namespace {

const char* kCompletion = "<think>First, 12 * 3 = 36.\n\n"
                          "Then add 7: 36 + 7 = 43.\n\n"
                          "Wait, let me check the product again. 12 * 3 is 36, yes.\n\n"
                          "So the total is 43.</think>\nThe answer is \\boxed{43}.";

void saveScreenshot(QWidget& widget, const QString& name)
{
    const QString dir = THINKBENCH_BINARY_DIR "/screenshots";
    QDir().mkpath(dir);
    QVERIFY(widget.grab().save(dir + QLatin1Char('/') + name));
}

} // namespace

class TraceTest : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(dir_.isValid());
        store_ = std::make_unique<core::RunStore>(dir_.filePath(QStringLiteral("runs.sqlite")).toStdString());
        run_ = store_->createRun("demo", "");
        std::vector<core::SampleRecord> samples(2);
        for (int i = 0; i < 2; ++i) {
            samples[i].run = run_;
            samples[i].step = 5;
            samples[i].prompt = "What is 12 * 3 + 7? <think>";
            samples[i].completion = kCompletion;
            samples[i].extracted = "43";
            samples[i].correct = i == 0;
            samples[i].reward = i == 0 ? 1.1 : 0.1;
            samples[i].rewardParts = R"({"accuracy": 1.0, "format": 0.1})";
            samples[i].tokenIds = {10, 11, 12, 13};
            samples[i].tokenLogprobs = {-0.01f, -2.5f, -0.3f, -5.0f};
            samples[i].tokenEntropies = {0.1f, 2.0f, 0.5f, 3.0f};
        }
        store_->addSamples(samples);
        sampleId_ = samples[0].id;
    }

    void cleanup() { store_.reset(); }

    // Steps and markers are found by the engine in UTF-8 bytes; accents and an emoji (two UTF-16
    // units) before them must not shift what the reader sees selected or highlighted.
    void placesEngineStepsAndMarkersInNonAsciiText()
    {
        widgets::TraceSample sample;
        sample.completion = QStringLiteral("<think>Größe 😀 × 3 = 12.\n\n"
                                           "Wait, größer? Let me re-examine: 4 × 3 = 12.\n\n"
                                           "Déjà vu, verified.</think>\nAntwort: 4");
        TraceStepper stepper;
        stepper.openTrace(sample);
        QCOMPARE(stepper.steps().size(), 3);
        for (const auto& step : stepper.steps())
            QCOMPARE(sample.completion.mid(step.begin, step.end - step.begin), step.text);
        QCOMPARE(stepper.steps()[1].text, QStringLiteral("Wait, größer? Let me re-examine: 4 × 3 = 12."));
        QCOMPARE(stepper.selectedText(), QStringLiteral("Größe 😀 × 3 = 12."));
        QCOMPARE(stepper.markerCount(), 3);

        QStringList highlighted;
        const QTextDocument* document = stepper.findChild<QTextBrowser*>(QStringLiteral("traceText"))->document();
        for (QTextBlock block = document->begin(); block.isValid(); block = block.next())
            for (auto it = block.begin(); !it.atEnd(); ++it)
                if (it.fragment().charFormat().background().color() == QColor(QStringLiteral("#ffd27f")))
                    highlighted << it.fragment().text();
        QCOMPARE(highlighted,
                 (QStringList{QStringLiteral("Wait"), QStringLiteral("re-examine"), QStringLiteral("verified")}));
    }

    void opensStoredSampleAndSteps()
    {
        TraceStepper stepper;
        stepper.setStore(store_.get());
        QVERIFY(stepper.openSample(sampleId_));
        QCOMPARE(stepper.steps().size(), 4);
        QVERIFY(stepper.answer().contains(QStringLiteral("\\boxed{43}")));
        QVERIFY(!stepper.reasoning().contains(QStringLiteral("</think>")));
        // Step ranges point into the completion.
        const auto& step3 = stepper.steps()[2];
        QCOMPARE(stepper.trace().completion.mid(step3.begin, step3.end - step3.begin), step3.text);
        QCOMPARE(stepper.markerCount(), 2); // "Wait", "let me check"

        stepper.resize(700, 600);
        stepper.show();
        stepper.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&stepper));
        QSignalSpy moved(&stepper, &TraceStepper::currentStepChanged);
        QCOMPARE(stepper.currentStep(), 0);
        QTest::keyClick(&stepper, Qt::Key_J);
        QTest::keyClick(&stepper, Qt::Key_Down);
        QCOMPARE(stepper.currentStep(), 2);
        QTest::keyClick(&stepper, Qt::Key_K);
        QCOMPARE(stepper.currentStep(), 1);
        QCOMPARE(moved.count(), 3);
        for (int i = 0; i < 10; ++i)
            QTest::keyClick(&stepper, Qt::Key_J);
        QCOMPARE(stepper.currentStep(), 3); // stops at the last step

        QVERIFY(stepper.find(QStringLiteral("product")));
        QCOMPARE(stepper.matchCount(), 1);
        QVERIFY(!stepper.find(QStringLiteral("zebra")));

        stepper.setReasoningCollapsed(true);
        QVERIFY(stepper.reasoningCollapsed());
        stepper.setReasoningCollapsed(false);
        stepper.setCurrentStep(2);
        saveScreenshot(stepper, QStringLiteral("trace_stepper.png"));
    }

    void curvePointOpensStepSamples()
    {
        TraceStepper stepper;
        stepper.setStore(store_.get());
        QSignalSpy opened(&stepper, &TraceStepper::traceOpened);
        stepper.showStepSamples(run_, 5);
        QCOMPARE(opened.count(), 1);
        QVERIFY(stepper.trace().sampleId.has_value());
        stepper.showStepSamples(run_, 99);
        QVERIFY(!stepper.trace().sampleId.has_value());
    }

    void annotatesStepAndReadsItBack()
    {
        QWidget window;
        auto* stepper = new TraceStepper(&window);
        auto* panel = new AnnotationPanel(&window);
        auto* layout = new QHBoxLayout(&window);
        layout->addWidget(stepper, 2);
        layout->addWidget(panel, 1);
        panel->setStore(store_.get());
        panel->setStepper(stepper);
        panel->setAuthor(QStringLiteral("tester"));
        stepper->setStore(store_.get());
        QVERIFY(stepper->openSample(sampleId_));
        window.resize(1000, 650);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        stepper->setFocus();

        QTest::keyClick(stepper, Qt::Key_J);
        QTest::keyClick(stepper, Qt::Key_J); // step 3: the reflection
        const int reflection = panel->labels().indexOf(QStringLiteral("reflection"));
        QVERIFY(reflection >= 0 && reflection < 9);
        QSignalSpy changed(panel, &AnnotationPanel::annotationsChanged);
        QTest::keyClick(stepper, Qt::Key(Qt::Key_1 + reflection), Qt::ControlModifier);
        QCOMPARE(changed.count(), 1);
        QVERIFY(panel->saveVerdict(QStringLiteral("correct"), QStringLiteral("clean check")) > 0);

        // Read back through a second connection to the same file.
        core::RunStore reader(store_->path(), core::OpenMode::ReadOnly);
        const auto annotations = reader.annotationsForSample(sampleId_);
        QCOMPARE(annotations.size(), size_t(2));
        QCOMPARE(annotations[0].label, std::string("reflection"));
        QCOMPARE(annotations[0].stepBegin, 2);
        QCOMPARE(annotations[0].stepEnd, 2);
        QCOMPARE(annotations[0].author, std::string("tester"));
        QVERIFY(annotations[0].time > 0);
        QCOMPARE(annotations[1].verdict, std::string("correct"));
        QCOMPARE(annotations[1].note, std::string("clean check"));
        QCOMPARE(panel->samplesWithLabel(QStringLiteral("reflection")), QList<qint64>{sampleId_});
        QVERIFY(panel->samplesWithLabel(QStringLiteral("error")).isEmpty());

        const QString path = dir_.filePath(QStringLiteral("annotations.jsonl"));
        QCOMPARE(panel->exportJsonl(path), 2);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto first = QJsonDocument::fromJson(file.readLine()).object();
        QCOMPARE(first.value(QStringLiteral("sample_id")).toInteger(), sampleId_);
        QCOMPARE(first.value(QStringLiteral("label")).toString(), QStringLiteral("reflection"));
        QCOMPARE(first.value(QStringLiteral("text")).toString(),
                 QStringLiteral("Wait, let me check the product again. 12 * 3 is 36, yes."));
        const auto second = QJsonDocument::fromJson(file.readLine()).object();
        QCOMPARE(second.value(QStringLiteral("note")).toString(), QStringLiteral("clean check"));
        saveScreenshot(window, QStringLiteral("annotation_panel.png"));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<core::RunStore> store_;
    int64_t run_ = 0;
    int64_t sampleId_ = 0;
};

QTEST_MAIN(TraceTest)
#include "tst_trace.moc"
