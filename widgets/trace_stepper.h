#pragma once
// The trace stepper: one sample (training step sample, evaluation item, chat or comparison turn)
// shown as prompt, reasoning and answer, the reasoning cut into steps to walk with J/K or the
// arrow keys, reflection markers highlighted, the verdict and reward parts beside it, and the
// completion's tokens coloured by log-prob or entropy when they were stored. A GRPO step's groups
// open in its Groups tab (widgets/trace/group_view), two of a group's responses in its Diff tab.

#include <QStringList>
#include <QVector>
#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QShortcut;
class QTextBrowser;
class QTabWidget;
class QTreeWidget;

namespace thinkbench::core {
class RunStore;
}

namespace thinkbench::widgets {

class GroupView;
class ResponseDiff;

// A trace to show; built from a store record or filled directly (chat, comparison).
struct TraceSample {
    std::optional<qint64> sampleId;   // a store sample, for annotations
    std::optional<qint64> evalItemId; // or an evaluation item and its sample index
    int sampleIndex = 0;
    QString title;
    QString prompt;
    QString completion;
    bool promptOpensThinking = false; // the template already opened <think>
    QString extracted;
    std::optional<bool> correct;
    QString rewardPartsJson; // JSON object name -> value; empty when none
    QStringList tokens;      // token texts of the completion, when known
    QVector<float> tokenLogprobs;
    QVector<float> tokenEntropies;
};

// A reasoning step as the engine cuts it (core::splitReasoningSteps, whose indices annotations
// store): its text and its character (UTF-16) range in the completion.
struct TraceStep {
    QString text;
    int begin = 0;
    int end = 0;
};

class TraceStepper : public QWidget {
    Q_OBJECT

public:
    explicit TraceStepper(QWidget* parent = nullptr);

    // The store is not owned; it must outlive the widget or be reset with nullptr.
    void setStore(core::RunStore* store);
    core::RunStore* store() const { return store_; }

    // Opens a store sample; false when it does not exist.
    bool openSample(qint64 sampleId);
    // Opens sample `sampleIndex` of an evaluation item.
    bool openEvalItem(qint64 itemId, int sampleIndex = 0);
    void openTrace(const TraceSample& sample);

    const TraceSample& trace() const { return trace_; }
    QString reasoning() const { return reasoning_; }
    QString answer() const { return answer_; }
    const QVector<TraceStep>& steps() const { return steps_; }
    int currentStep() const { return current_; }
    // Character range [begin, end) in the completion of the reader's selection, or of the
    // current step when nothing is selected.
    std::pair<int, int> selectedSpan() const;
    QString selectedText() const;
    bool reasoningCollapsed() const { return collapsed_; }
    // Number of reflection markers (core::findReflections) in the reasoning.
    int markerCount() const { return markerCount_; }
    // Finds the next occurrence (case-insensitive, wrapping); false when there is none.
    bool find(const QString& text);
    int matchCount() const { return matchCount_; }
    GroupView* groupView() const { return groupView_; }
    ResponseDiff* responseDiff() const { return diff_; }
    // The tab on show: Trace, Tokens, Groups or Diff.
    QWidget* currentPage() const;

public slots:
    void nextStep();
    void previousStep();
    void setCurrentStep(int step);
    void setReasoningCollapsed(bool collapsed);
    // A curve point was clicked: list the samples written at that step and open the first; a
    // GRPO step with stored groups opens on its Groups tab.
    void showStepSamples(qint64 runId, qint64 step);
    // Two stored samples (of one group) diffed step by step in the Diff tab.
    void showDiff(qint64 leftSampleId, qint64 rightSampleId);
    void showSearch();

signals:
    void traceOpened();
    void currentStepChanged(int step);
    void selectionChanged();

private:
    void render();
    void renderTokens();

    core::RunStore* store_ = nullptr;
    TraceSample trace_;
    QString reasoning_;
    QString answer_;
    QVector<TraceStep> steps_;
    int current_ = -1;
    bool collapsed_ = false;
    int markerCount_ = 0;
    int matchCount_ = 0;
    QVector<qint64> stepSampleIds_;
    QList<QShortcut*> stepKeys_; // J/K and the arrows walk the steps

    QComboBox* sampleCombo_;
    QLabel* header_;
    QLabel* stepLabel_;
    QPushButton* previousButton_;
    QPushButton* nextButton_;
    QPushButton* collapseButton_;
    QWidget* searchBar_;
    QLineEdit* searchEdit_;
    QLabel* searchInfo_;
    QTabWidget* tabs_;
    QTextBrowser* text_;
    QTextBrowser* tokenView_;
    QComboBox* tokenColour_;
    QTreeWidget* details_;
    GroupView* groupView_;
    ResponseDiff* diff_;
};

} // namespace thinkbench::widgets
