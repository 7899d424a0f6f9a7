#include "widgets/emergence_view.h"

#include "core/store/emergence_story.h"
#include "core/store/run_store.h"
#include "widgets/emergence/emergence_slide.h"
#include "widgets/emergence/story_trace.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace thinkbench::widgets {

EmergenceView::EmergenceView(QWidget* parent)
    : QWidget(parent)
    , stageCombo_(new QComboBox(this))
    , exportButton_(new QPushButton(tr("Export PNG…"), this))
    , message_(new QLabel(this))
    , slide_(new EmergenceSlide(this))
{
    setObjectName(QStringLiteral("emergenceView"));
    stageCombo_->setToolTip(tr("The GRPO stage whose story is shown"));
    exportButton_->setToolTip(tr("Save the view as one %1 × %2 PNG for a slide")
                                  .arg(kSlideSize.width() * kExportRatio)
                                  .arg(kSlideSize.height() * kExportRatio));
    message_->setWordWrap(true);
    message_->setObjectName(QStringLiteral("emergenceMessage"));
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("GRPO stage:"), this));
    bar->addWidget(stageCombo_);
    bar->addStretch(1);
    bar->addWidget(exportButton_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(message_);
    layout->addWidget(slide_, 1);
    connect(stageCombo_, &QComboBox::activated, this, [this] { showStage(stageCombo_->currentData().toInt()); });
    connect(exportButton_, &QPushButton::clicked, this, &EmergenceView::exportDialog);
    refresh();
}

EmergenceView::~EmergenceView() = default;

void EmergenceView::setStore(core::RunStore* store)
{
    store_ = store;
    story_.reset();
    refresh();
}

void EmergenceView::setRun(qint64 run)
{
    if (run != run_)
        story_.reset(); // a new run opens on its longest GRPO stage
    run_ = run;
    refresh();
}

void EmergenceView::setStage(int stageIndex)
{
    showStage(stageIndex);
}

int EmergenceView::stage() const
{
    return story_ ? story_->stage.index : -1;
}

QStringList EmergenceView::stageNames() const
{
    QStringList names;
    for (int i = 0; i < stageCombo_->count(); ++i)
        names << stageCombo_->itemText(i);
    return names;
}

QString EmergenceView::message() const
{
    return message_->isHidden() ? QString() : message_->text();
}

void EmergenceView::say(const QString& text)
{
    message_->setText(text);
    message_->setHidden(text.isEmpty());
}

void EmergenceView::refresh()
{
    const int shown = stage();
    stageCombo_->clear();
    story_.reset();
    slide_->hide();
    exportButton_->setEnabled(false);
    if (!store_ || run_ <= 0) {
        say(tr("Select a run in the Runs panel to see how its reasoning emerged during reinforcement learning."));
        return;
    }
    try {
        const auto info = store_->run(run_);
        if (!info) {
            say(tr("Run #%1 is not in %2.").arg(run_).arg(QString::fromStdString(store_->path())));
            return;
        }
        runName_ = QString::fromStdString(info->name);
        const auto stages = store_->stages(run_);
        const auto grpo = core::grpoStages(stages);
        if (grpo.empty()) {
            say(tr("Run #%1 %2 has no GRPO stage. The emergence story is told by reinforcement learning: "
                   "a grpo stage in the recipe.")
                    .arg(run_)
                    .arg(runName_));
            return;
        }
        bool keep = false;
        for (const auto& s : grpo) {
            const QString steps =
                s.firstStep < 0 ? tr("no steps yet") : tr("steps %1–%2").arg(s.firstStep).arg(s.lastStep);
            stageCombo_->addItem(QStringLiteral("%1 (%2)").arg(QString::fromStdString(s.name), steps), s.index);
            keep = keep || s.index == shown;
        }
        showStage(keep ? shown : core::longestGrpoStage(stages)->index);
    } catch (const std::exception& e) {
        say(QString::fromStdString(e.what()));
    }
}

void EmergenceView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!store_ || !story_)
        return;
    try {
        for (const auto& s : store_->stages(run_))
            if (s.index == story_->stage.index && s.lastStep != story_->stage.lastStep)
                refresh();
    } catch (const std::exception& e) {
        say(QString::fromStdString(e.what()));
    }
}

void EmergenceView::showStage(int stageIndex)
{
    if (!store_)
        return;
    stageCombo_->setCurrentIndex(stageCombo_->findData(stageIndex));
    slide_->hide();
    exportButton_->setEnabled(false);
    try {
        story_ = std::make_unique<core::EmergenceStory>(core::readEmergenceStory(*store_, run_, stageIndex));
    } catch (const std::exception& e) {
        story_.reset();
        say(QString::fromStdString(e.what()));
        return;
    }
    const QString name = QString::fromStdString(story_->stage.name);
    if (story_->pass1.empty() && story_->length.empty() && story_->reflection.empty()) {
        say(tr("Stage \"%1\" has written no pass@1, length or reflection metrics yet.").arg(name));
        return;
    }
    slide_->setStory(*story_, slideTitle());
    slide_->show();
    exportButton_->setEnabled(true);
    const QString missing = tr("No held-out evaluations during stage \"%1\": pass@1 is measured during a stage every "
                               "eval_every steps (a setting of the stage).")
                                .arg(name);
    say(!story_->pass1.empty()       ? QString()
        : story_->evalStages.empty() ? missing + tr(" Only length and reflection markers are shown.")
                                     : missing + tr(" Shown: pass@1 of the eval stages before and after it."));
}

QString EmergenceView::slideTitle() const
{
    return tr("Run #%1 %2 · GRPO stage \"%3\"").arg(run_).arg(runName_, QString::fromStdString(story_->stage.name));
}

bool EmergenceView::exportPng(const QString& path)
{
    if (!story_ || slide_->isHidden()) {
        say(tr("Nothing to export: no story is shown."));
        return false;
    }
    EmergenceSlide copy;
    copy.setStory(*story_, slideTitle());
    copy.early()->showSample(slide_->early()->index());
    copy.late()->showSample(slide_->late()->index());
    copy.early()->setInteractive(false);
    copy.late()->setInteractive(false);
    if (!copy.render(kSlideSize, kExportRatio).save(path, "PNG")) {
        say(tr("Cannot write the PNG %1.").arg(path));
        return false;
    }
    return true;
}

void EmergenceView::exportDialog()
{
    const QString suggested = QStringLiteral("emergence-run%1-%2.png")
                                  .arg(run_)
                                  .arg(story_ ? QString::fromStdString(story_->stage.name) : QString());
    const QString path = QFileDialog::getSaveFileName(this, tr("Export PNG"), suggested, tr("PNG images (*.png)"));
    if (!path.isEmpty())
        exportPng(path);
}

} // namespace thinkbench::widgets
