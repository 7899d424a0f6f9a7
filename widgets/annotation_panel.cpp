#include "widgets/annotation_panel.h"

#include "core/store/run_store.h"
#include "core/text/reasoning_steps.h"
#include "core/text/think_tags.h"
#include "widgets/trace_stepper.h"

#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace thinkbench::widgets {

namespace {

QString toQ(const std::string& s)
{
    return QString::fromStdString(s);
}

// The text an annotation covers, recomputed from the stored completion: a character span, or
// steps as the engine cuts them (the cut the stepper showed when the step was labelled).
QString annotatedText(const std::string& completion, const core::AnnotationRecord& a, bool opensThinking)
{
    if (a.spanBegin >= 0)
        return toQ(completion).mid(a.spanBegin, a.spanEnd - a.spanBegin);
    if (a.stepBegin < 0)
        return {};
    const auto steps = core::splitReasoningSteps(core::splitReasoning(completion, opensThinking).reasoning);
    QStringList parts;
    for (int i = a.stepBegin; i <= a.stepEnd && i < int(steps.size()); ++i)
        parts << toQ(steps[size_t(i)].text);
    return parts.join(QStringLiteral("\n\n"));
}

} // namespace

AnnotationPanel::AnnotationPanel(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("annotationPanel"));
    author_ = qEnvironmentVariable("USER", QStringLiteral("anonymous"));
    labels_ = {tr("correct step"), tr("error"),     tr("self-verification"), tr("reflection"),
               tr("backtrack"),    tr("redundant"), tr("language mixing")};

    target_ = new QLabel(tr("No trace open"), this);
    target_->setWordWrap(true);

    auto* labelGroup = new QGroupBox(tr("Label the current step or selection"), this);
    labelBox_ = labelGroup;
    labelLayout_ = new QVBoxLayout(labelGroup);
    auto* editLabels = new QPushButton(tr("Edit labels…"), this);

    auto* traceGroup = new QGroupBox(tr("Trace verdict"), this);
    verdict_ = new QComboBox(traceGroup);
    verdict_->addItems({tr("correct"), tr("flawed"), tr("wrong"), tr("unclear")});
    note_ = new QLineEdit(traceGroup);
    note_->setPlaceholderText(tr("Note on this trace"));
    auto* saveVerdictButton = new QPushButton(tr("Save verdict"), traceGroup);
    saveVerdictButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    auto* traceForm = new QFormLayout(traceGroup);
    traceForm->addRow(tr("&Verdict:"), verdict_);
    traceForm->addRow(tr("&Note:"), note_);
    traceForm->addRow(saveVerdictButton);

    list_ = new QListWidget(this);
    remove_ = new QPushButton(tr("Remove"), this);
    remove_->setShortcut(QKeySequence::Delete);

    filterLabel_ = new QComboBox(this);
    filtered_ = new QListWidget(this);
    auto* exportButton = new QPushButton(tr("Export JSONL…"), this);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(target_);
    layout->addWidget(labelGroup);
    layout->addWidget(editLabels);
    layout->addWidget(traceGroup);
    layout->addWidget(new QLabel(tr("Annotations of this trace:"), this));
    layout->addWidget(list_, 1);
    layout->addWidget(remove_);
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Samples labelled:"), this));
    filterRow->addWidget(filterLabel_, 1);
    layout->addLayout(filterRow);
    layout->addWidget(filtered_, 1);
    layout->addWidget(exportButton);

    connect(saveVerdictButton, &QPushButton::clicked, this,
            [this] { saveVerdict(verdict_->currentText(), note_->text()); });
    connect(remove_, &QPushButton::clicked, this, [this] {
        auto* item = list_->currentItem();
        if (!store_ || !item)
            return;
        store_->removeAnnotation(item->data(Qt::UserRole).toLongLong());
        refresh();
        emit annotationsChanged();
    });
    connect(editLabels, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString text = QInputDialog::getMultiLineText(this, tr("Annotation labels"), tr("One label per line:"),
                                                            labels_.join(QLatin1Char('\n')), &ok);
        if (ok)
            setLabels(text.split(QLatin1Char('\n'), Qt::SkipEmptyParts));
    });
    connect(filterLabel_, &QComboBox::currentIndexChanged, this, &AnnotationPanel::refreshFilter);
    connect(filtered_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const qint64 id = item->data(Qt::UserRole).toLongLong();
        if (stepper_)
            stepper_->openSample(id);
        emit sampleActivated(id);
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export annotations"), QStringLiteral("annotations.jsonl"), tr("JSON lines (*.jsonl)"));
        if (!path.isEmpty())
            exportJsonl(path);
    });
    rebuildLabelButtons();
}

void AnnotationPanel::setStore(core::RunStore* store)
{
    store_ = store;
    if (store_) {
        QStringList labels;
        for (const auto& l : store_->annotationLabels())
            labels << toQ(l);
        if (!labels.isEmpty())
            labels_ = labels;
    }
    rebuildLabelButtons();
    refresh();
}

void AnnotationPanel::setStepper(TraceStepper* stepper)
{
    if (stepper_)
        disconnect(stepper_, nullptr, this, nullptr);
    stepper_ = stepper;
    if (stepper_) {
        connect(stepper_, &TraceStepper::traceOpened, this, &AnnotationPanel::refresh);
        connect(stepper_, &TraceStepper::currentStepChanged, this, &AnnotationPanel::refresh);
        connect(stepper_, &TraceStepper::selectionChanged, this, &AnnotationPanel::refresh);
    }
    refresh();
}

void AnnotationPanel::setLabels(const QStringList& labels)
{
    labels_ = labels;
    if (store_) {
        std::vector<std::string> stored;
        for (const auto& l : labels)
            stored.push_back(l.toStdString());
        store_->setAnnotationLabels(stored);
    }
    rebuildLabelButtons();
    refreshFilter();
}

void AnnotationPanel::rebuildLabelButtons()
{
    while (auto* item = labelLayout_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    qDeleteAll(labelShortcuts_);
    labelShortcuts_.clear();
    for (int i = 0; i < labels_.size(); ++i) {
        const QString label = labels_[i];
        auto* button = new QPushButton(labelBox_);
        button->setObjectName(QStringLiteral("label_%1").arg(i));
        if (i < 9) {
            const QKeySequence key(Qt::CTRL | Qt::Key(Qt::Key_1 + i));
            button->setText(QStringLiteral("%1   (%2)").arg(label, key.toString(QKeySequence::NativeText)));
            // The shortcut lives on the window so it works while the stepper has focus.
            auto* shortcut = new QShortcut(key, window());
            shortcut->setContext(Qt::WindowShortcut);
            connect(shortcut, &QShortcut::activated, this, [this, label] { annotate(label); });
            labelShortcuts_ << shortcut;
        } else {
            button->setText(label);
        }
        connect(button, &QPushButton::clicked, this, [this, label] { annotate(label); });
        labelLayout_->addWidget(button);
    }
    const QString filter = filterLabel_->currentText();
    filterLabel_->blockSignals(true);
    filterLabel_->clear();
    filterLabel_->addItems(labels_);
    filterLabel_->setCurrentText(filter);
    filterLabel_->blockSignals(false);
}

std::optional<core::AnnotationRecord> AnnotationPanel::recordForOpenTrace() const
{
    if (!store_ || !stepper_)
        return std::nullopt;
    const TraceSample& t = stepper_->trace();
    if (!t.sampleId && !t.evalItemId)
        return std::nullopt;
    core::AnnotationRecord a;
    a.sample = t.sampleId ? std::optional<int64_t>(*t.sampleId) : std::nullopt;
    a.evalItem = t.evalItemId ? std::optional<int64_t>(*t.evalItemId) : std::nullopt;
    a.sampleIndex = t.sampleIndex;
    return a;
}

qint64 AnnotationPanel::annotate(const QString& label)
{
    auto record = recordForOpenTrace();
    if (!record)
        return -1;
    core::AnnotationRecord& a = *record;
    const auto [begin, end] = stepper_->selectedSpan();
    const int step = stepper_->currentStep();
    const bool isStep = step >= 0 && begin == stepper_->steps()[step].begin && end == stepper_->steps()[step].end;
    if (isStep) {
        a.stepBegin = a.stepEnd = step;
    } else if (begin >= 0) {
        a.spanBegin = begin;
        a.spanEnd = end;
    } else {
        return -1;
    }
    a.label = label.toStdString();
    a.author = author_.toStdString();
    const qint64 id = store_->addAnnotation(a);
    refresh();
    emit annotationsChanged();
    return id;
}

qint64 AnnotationPanel::saveVerdict(const QString& verdict, const QString& note)
{
    auto record = recordForOpenTrace();
    if (!record)
        return -1;
    core::AnnotationRecord& a = *record;
    a.verdict = verdict.toStdString();
    a.note = note.toStdString();
    a.author = author_.toStdString();
    const qint64 id = store_->addAnnotation(a);
    refresh();
    emit annotationsChanged();
    return id;
}

void AnnotationPanel::refresh()
{
    list_->clear();
    const TraceSample* t = stepper_ ? &stepper_->trace() : nullptr;
    const bool open = t && (t->sampleId || t->evalItemId);
    setEnabled(store_ != nullptr);
    if (!open) {
        target_->setText(tr("No stored trace open"));
    } else {
        const int step = stepper_->currentStep();
        const QString selection = stepper_->selectedText();
        target_->setText(step >= 0 ? tr("Step %1 of %2 · %3 selected characters")
                                         .arg(step + 1)
                                         .arg(stepper_->steps().size())
                                         .arg(selection.size())
                                   : tr("No reasoning steps"));
    }
    if (store_ && open) {
        const auto records = t->sampleId ? store_->annotationsForSample(*t->sampleId)
                                         : store_->annotationsForEvalItem(*t->evalItemId, t->sampleIndex);
        for (const auto& a : records) {
            QString where;
            if (a.stepBegin >= 0)
                where = tr("step %1").arg(a.stepBegin + 1);
            else if (a.spanBegin >= 0)
                where = tr("chars %1–%2").arg(a.spanBegin).arg(a.spanEnd);
            else
                where = tr("trace");
            QString what = a.label.empty() ? tr("verdict: %1").arg(toQ(a.verdict)) : toQ(a.label);
            if (!a.note.empty())
                what += QStringLiteral(" — ") + toQ(a.note);
            auto* item = new QListWidgetItem(
                QStringLiteral("%1 · %2 · %3 · %4")
                    .arg(where, what, toQ(a.author),
                         QDateTime::fromSecsSinceEpoch(qint64(a.time)).toString(QStringLiteral("yyyy-MM-dd HH:mm"))),
                list_);
            item->setData(Qt::UserRole, qint64(a.id));
        }
    }
    remove_->setEnabled(list_->count() > 0);
    refreshFilter();
}

QList<qint64> AnnotationPanel::samplesWithLabel(const QString& label) const
{
    QList<qint64> ids;
    if (!store_)
        return ids;
    for (const auto& a : store_->annotations(label.toStdString()))
        if (a.sample && !ids.contains(*a.sample))
            ids << *a.sample;
    return ids;
}

void AnnotationPanel::refreshFilter()
{
    filtered_->clear();
    for (const qint64 id : samplesWithLabel(filterLabel_->currentText())) {
        auto* item = new QListWidgetItem(tr("Sample %1").arg(id), filtered_);
        item->setData(Qt::UserRole, id);
    }
}

int AnnotationPanel::exportJsonl(const QString& path) const
{
    if (!store_)
        return 0;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return 0;
    int lines = 0;
    for (const auto& a : store_->annotations()) {
        nlohmann::json j;
        std::string completion;
        bool opensThinking = false;
        if (a.sample) {
            j["sample_id"] = *a.sample;
            if (const auto s = store_->sample(*a.sample)) {
                completion = s->completion;
                opensThinking = core::promptOpensThinking(s->prompt);
            }
        }
        if (a.evalItem) {
            j["eval_item_id"] = *a.evalItem;
            j["sample_index"] = a.sampleIndex;
            if (const auto item = store_->evalItem(*a.evalItem)) {
                const auto samples = nlohmann::json::parse(item->samples, nullptr, false);
                if (samples.is_array() && a.sampleIndex < int(samples.size()))
                    completion = samples[a.sampleIndex].value("completion", std::string());
                opensThinking = core::promptOpensThinking(item->prompt);
            }
        }
        j["span"] = a.spanBegin >= 0 ? nlohmann::json::array({a.spanBegin, a.spanEnd}) : nlohmann::json();
        j["steps"] = a.stepBegin >= 0 ? nlohmann::json::array({a.stepBegin, a.stepEnd}) : nlohmann::json();
        j["label"] = a.label;
        j["verdict"] = a.verdict;
        j["note"] = a.note;
        j["author"] = a.author;
        j["time"] = a.time;
        j["text"] = annotatedText(completion, a, opensThinking).toStdString();
        file.write(QByteArray::fromStdString(j.dump()) + '\n');
        ++lines;
    }
    return lines;
}

} // namespace thinkbench::widgets
