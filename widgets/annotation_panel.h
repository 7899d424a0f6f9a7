#pragma once
// The annotation panel: labels the trace stepper's current step or selected span (Ctrl+1..9 for
// the project's labels), a verdict and a note per trace, all stored in the run store with time
// and author; lists samples carrying a label and exports every annotation as JSONL.

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QShortcut;
class QVBoxLayout;

namespace thinkbench::core {
class RunStore;
struct AnnotationRecord;
} // namespace thinkbench::core

namespace thinkbench::widgets {

class TraceStepper;

class AnnotationPanel : public QWidget {
    Q_OBJECT

public:
    explicit AnnotationPanel(QWidget* parent = nullptr);

    // Neither is owned. The store must be writable for annotations to be saved.
    void setStore(core::RunStore* store);
    void setStepper(TraceStepper* stepper);
    void setAuthor(const QString& author) { author_ = author; }
    QString author() const { return author_; }

    QStringList labels() const { return labels_; }
    // Replaces the project's labels (stored in the run store).
    void setLabels(const QStringList& labels);

    // Labels the stepper's selection (a character span) or, without one, its current step.
    // Returns the annotation id, or -1 when no trace is open.
    qint64 annotate(const QString& label);
    qint64 saveVerdict(const QString& verdict, const QString& note);
    // Sample ids carrying an annotation with this label.
    QList<qint64> samplesWithLabel(const QString& label) const;
    // One JSON object per line: sample id (or eval item + index), span, step range, label,
    // verdict, note, author, time and the annotated text. Returns the number of lines written.
    int exportJsonl(const QString& path) const;

public slots:
    void refresh();

signals:
    void annotationsChanged();
    void sampleActivated(qint64 sampleId);

private:
    // An annotation attached to the stepper's open trace; none without a store or a stored trace.
    std::optional<core::AnnotationRecord> recordForOpenTrace() const;
    void rebuildLabelButtons();
    void refreshFilter();

    core::RunStore* store_ = nullptr;
    TraceStepper* stepper_ = nullptr;
    QString author_;
    QStringList labels_;
    QList<QShortcut*> labelShortcuts_;

    QLabel* target_;
    QWidget* labelBox_;
    QVBoxLayout* labelLayout_;
    QComboBox* verdict_;
    QLineEdit* note_;
    QListWidget* list_;
    QPushButton* remove_;
    QComboBox* filterLabel_;
    QListWidget* filtered_;
};

} // namespace thinkbench::widgets
