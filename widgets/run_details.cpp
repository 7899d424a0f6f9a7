#include "widgets/run_details.h"

#include "core/error.h"
#include "core/store/metric_names.h"
#include "core/store/run_progress.h"
#include "core/store/run_store.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QResizeEvent>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

namespace thinkbench::widgets {

namespace {

QString duration(double seconds)
{
    if (seconds < 90)
        return RunDetails::tr("%1 s").arg(qRound(seconds));
    const int minutes = qRound(seconds / 60);
    if (minutes < 90)
        return RunDetails::tr("%1 min").arg(minutes);
    return RunDetails::tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}

QString pace(double secondsPerStep)
{
    return secondsPerStep < 1 ? RunDetails::tr("%1 steps a second").arg(1 / secondsPerStep, 0, 'f', 1)
                              : RunDetails::tr("%1 s a step").arg(secondsPerStep, 0, 'g', 3);
}

QString when(double seconds)
{
    return QDateTime::fromSecsSinceEpoch(qint64(seconds)).toString(QStringLiteral("yyyy-MM-dd hh:mm"));
}

// The stage's value of `key` at its latest step; empty when that step did not write it.
std::optional<double> latest(const core::RunStore& store, const core::StageInfo& stage, const std::string& key)
{
    const auto points = store.series(stage.run, key, 0, stage.lastStep, stage.lastStep);
    return points.empty() ? std::nullopt : std::optional(points.back().value);
}

// "Processes: 2 × gloo · tokens/s by rank: 912, 880 · collectives 0.021 s a step".
QString ranksText(const core::RunStore& store, const core::StageInfo& stage)
{
    QString text = RunDetails::tr("Processes: %1 × %2").arg(stage.worldSize).arg(QString::fromStdString(stage.backend));
    QStringList rates;
    for (int rank = 0; rank < stage.worldSize; ++rank) {
        const auto rate = latest(store, stage, core::metric::distRankTokensPerSecond(rank));
        rates << (rate ? QString::number(*rate, 'f', 0) : QStringLiteral("–"));
    }
    if (stage.lastStep >= 0)
        text += RunDetails::tr(" · tokens/s by rank: %1").arg(rates.join(QStringLiteral(", ")));
    if (const auto comm = latest(store, stage, std::string(core::metric::kDistCommSeconds)))
        text += RunDetails::tr(" · collectives %1 s a step").arg(*comm, 0, 'g', 3);
    return text;
}

} // namespace

RunDetails::RunDetails(QWidget* parent)
    : QWidget(parent)
    , title_(new QLabel(this))
    , body_(new QWidget(this))
    , stage_(new QLabel(body_))
    , ranks_(new QLabel(body_))
    , bar_(new QProgressBar(body_))
    , progress_(new QLabel(body_))
    , eta_(new QLabel(body_))
    , stopButton_(new QPushButton(tr("Stop"), body_))
    , recipe_(new QPlainTextEdit(body_))
{
    title_->setObjectName(QStringLiteral("runTitle"));
    stage_->setObjectName(QStringLiteral("runStage"));
    ranks_->setObjectName(QStringLiteral("runRanks"));
    ranks_->setToolTip(tr("The processes (ranks) training this stage, their c10d backend, each rank's training "
                          "throughput at the latest step and rank 0's time in collectives that step"));
    progress_->setObjectName(QStringLiteral("runProgress"));
    eta_->setObjectName(QStringLiteral("runEta"));
    stopButton_->setObjectName(QStringLiteral("runStop"));
    recipe_->setObjectName(QStringLiteral("runRecipe"));
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    for (QLabel* label : {title_, stage_, ranks_, progress_, eta_}) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    bar_->setTextVisible(false);
    bar_->setMaximumHeight(bar_->fontMetrics().height());
    recipe_->setReadOnly(true);
    recipe_->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono(QStringLiteral("monospace")); // as the stage editor shows TOML
    mono.setStyleHint(QFont::TypeWriter);
    recipe_->setFont(mono);
    recipe_->setToolTip(tr("The recipe the run was started with (read-only)"));

    auto* barRow = new QHBoxLayout;
    barRow->addWidget(bar_, 1);
    barRow->addWidget(stopButton_);
    auto* body = new QVBoxLayout(body_);
    body->setContentsMargins(0, 0, 0, 0);
    body->addWidget(stage_);
    body->addWidget(ranks_);
    body->addLayout(barRow);
    body->addWidget(progress_);
    body->addWidget(eta_);
    body->addWidget(new QLabel(tr("Recipe, as the run database keeps it:"), body_));
    body->addWidget(recipe_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(title_);
    layout->addWidget(body_, 1);
    connect(stopButton_, &QPushButton::clicked, this, &RunDetails::stop);
    clear();
}

void RunDetails::clear()
{
    run_ = 0;
    title_->setText(tr("Select a run to see its stage, progress, time left and recipe."));
    title_->setStyleSheet(QString());
    stopButton_->setEnabled(false);
    recipe_->clear();
    body_->hide();
    fitHint();
}

void RunDetails::fitHint()
{
    // Only the hint (two lines in a narrow dock): the list above gets the height.
    setMaximumHeight(title_->heightForWidth(std::max(width(), 100)) + layout()->contentsMargins().top());
}

void RunDetails::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (run_ == 0 && event->size().width() != event->oldSize().width())
        fitHint();
}

void RunDetails::setOwnRun(qint64 run)
{
    ownRun_ = run;
    ownStopAsked_ = false;
}

void RunDetails::showRun(const core::RunStore& store, const core::RunInfo& info)
{
    core::RunProgress p;
    try {
        p = core::runProgress(store, info.id);
    } catch (const core::Error& e) {
        clear();
        title_->setText(QString::fromStdString(e.what()));
        title_->setStyleSheet(QStringLiteral("color: #b00020;"));
        return;
    }
    body_->show();
    setMaximumHeight(QWIDGETSIZE_MAX);
    const bool sameRun = run_ == info.id;
    run_ = info.id;
    databasePath_ = QString::fromStdString(store.path());
    const QString status = QString::fromStdString(p.status);
    title_->setText(
        tr("Run %1 · %2 · %3%4")
            .arg(run_)
            .arg(QString::fromStdString(info.name), status, run_ == ownRun_ ? tr(" · started here") : QString()));

    QString stage;
    if (!p.stage) {
        stage = tr("No stage begun yet.");
    } else {
        const QString of = p.stageCount > 0 ? tr("Stage %1 of %2").arg(p.stage->index + 1).arg(p.stageCount)
                                            : tr("Stage %1").arg(p.stage->index + 1);
        stage = tr("%1: %2 (%3), %4")
                    .arg(of, QString::fromStdString(p.stage->name), QString::fromStdString(p.stage->kind),
                         QString::fromStdString(p.stage->status));
    }
    if (!p.recipeError.empty())
        stage +=
            QLatin1Char('\n') + tr("The stored recipe does not parse: %1").arg(QString::fromStdString(p.recipeError));
    stage_->setText(stage);
    const bool distributed = p.stage && p.stage->worldSize > 1;
    ranks_->setVisible(distributed);
    if (distributed) {
        try {
            ranks_->setText(ranksText(store, *p.stage));
        } catch (const core::Error& e) {
            ranks_->setText(QString::fromStdString(e.what()));
        }
    }

    bar_->setVisible(p.stageTotal > 0);
    if (p.stageTotal > 0) {
        bar_->setRange(0, int(p.stageTotal));
        bar_->setValue(int(std::min(p.stageStep, p.stageTotal)));
        progress_->setText(
            tr("Step %1 of %2 (%3%)").arg(p.stageStep).arg(p.stageTotal).arg(100 * p.stageStep / p.stageTotal));
    } else if (p.stageStep > 0) {
        progress_->setText(tr("Step %1").arg(p.stageStep));
    } else {
        progress_->setText(p.stage ? tr("No training steps written in this stage.") : QString());
    }

    const bool running = p.status == "running";
    const bool ownStopping = running && run_ == ownRun_ && ownStopAsked_;
    QString state;
    bool alarm = false;
    if (ownStopping) {
        state = tr("Stopping: the training process writes a checkpoint, then exits.");
    } else if (running && p.stopRequested) {
        state = tr("Stop requested: the run writes a checkpoint and stops after its current step.");
    } else if (running && p.stalled) {
        state = tr("Stalled: nothing written for %1.").arg(duration(core::nowSeconds() - p.lastWrite));
        alarm = true;
    } else if (running && p.etaSeconds) {
        state = tr("About %1 left in this stage, at %2.").arg(duration(*p.etaSeconds), pace(p.secondsPerStep));
    } else if (running) {
        state = p.secondsPerStep > 0 ? tr("Running, at %1.").arg(pace(p.secondsPerStep)) : tr("Running.");
    } else if (p.status == "finished") {
        state = tr("Finished %1.").arg(when(info.finishedAt));
    } else if (p.status == "stopped") {
        state = tr("Stopped %1; Resume continues it from its last checkpoint.").arg(when(info.finishedAt));
    } else if (p.status == "failed") {
        state = tr("Failed %1.").arg(when(info.finishedAt));
        alarm = true;
    } else {
        state = tr("Created, not started.");
    }
    eta_->setText(state);
    eta_->setStyleSheet(alarm ? QStringLiteral("color: #b00020;") : QString());

    stopButton_->setEnabled(running && !p.stopRequested && !ownStopping);
    stopButton_->setToolTip(run_ == ownRun_
                                ? tr("Stop the training process this window started: it writes a checkpoint first")
                                : tr("Ask the run's trainer, through the run database, to write a checkpoint and "
                                     "stop after its current step"));
    const QString recipe = QString::fromStdString(info.recipe);
    if (!sameRun || recipe_->toPlainText() != recipe)
        recipe_->setPlainText(recipe);
}

void RunDetails::stop()
{
    if (run_ <= 0)
        return;
    if (run_ == ownRun_) {
        ownStopAsked_ = true;
        stopButton_->setEnabled(false);
        eta_->setText(tr("Stopping: the training process writes a checkpoint, then exits."));
        emit stopOwnRun(run_);
        return;
    }
    try {
        // The panel reads through a read-only connection; the one write it makes opens its own.
        core::RunStore(databasePath_.toStdString()).requestStop(run_);
    } catch (const core::Error& e) {
        eta_->setText(tr("Cannot ask the run to stop: %1").arg(QString::fromStdString(e.what())));
        eta_->setStyleSheet(QStringLiteral("color: #b00020;"));
        return;
    }
    stopButton_->setEnabled(false);
    eta_->setStyleSheet(QString());
    eta_->setText(tr("Stop requested: the run writes a checkpoint and stops after its current step."));
}

} // namespace thinkbench::widgets
