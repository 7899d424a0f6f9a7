#pragma once
// The emergence view, for showing R1-Zero's "aha moment": held-out pass@1, mean response length
// and the share of responses with reflection markers over one GRPO stage of the selected run, on
// one step axis, with a trace from early and one from late in the stage side by side (the late
// one correct and reflecting where the stage has such a sample). The story is the engine's
// (core::readEmergenceStory); the view draws it and exports it as one PNG for a slide.

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;

namespace thinkbench::core {
class RunStore;
struct EmergenceStory;
} // namespace thinkbench::core

namespace thinkbench::widgets {

class EmergenceSlide;

class EmergenceView : public QWidget {
    Q_OBJECT

public:
    // The exported slide: 16:9, rendered at twice its size (1920 x 1080 pixels).
    static constexpr QSize kSlideSize{960, 540};
    static constexpr qreal kExportRatio = 2.0;

    explicit EmergenceView(QWidget* parent = nullptr);
    ~EmergenceView() override;

    // The store is not owned; it must outlive the view or be reset with nullptr.
    void setStore(core::RunStore* store);
    // Shows the run's longest GRPO stage.
    void setRun(qint64 run);
    qint64 run() const { return run_; }
    // Shows the run's stage with this index (one of the stage chooser's).
    void setStage(int stageIndex);
    int stage() const; // -1 when none is shown
    QStringList stageNames() const;

    // What the view says instead of (or above) the story; empty when it has nothing to say.
    QString message() const;
    EmergenceSlide* slide() const { return slide_; }
    // Writes the story at kSlideSize x kExportRatio; false (and the reason in message()) when it
    // cannot.
    bool exportPng(const QString& path);

public slots:
    // Reads the run and its story again (a run still being written).
    void refresh();

protected:
    // A run still being written has grown while the view was hidden: read it again.
    void showEvent(QShowEvent* event) override;

private:
    void showStage(int stageIndex);
    void say(const QString& text);
    void exportDialog();
    QString slideTitle() const;

    core::RunStore* store_ = nullptr;
    qint64 run_ = 0;
    QString runName_;
    std::unique_ptr<core::EmergenceStory> story_;
    QComboBox* stageCombo_;
    QPushButton* exportButton_;
    QLabel* message_;
    EmergenceSlide* slide_;
};

} // namespace thinkbench::widgets
