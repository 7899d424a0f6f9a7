#include "widgets/run_control.h"

#include "core/process_tree.h"

#include "core/recipe/recipe.h"
#include "core/store/metric_names.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <csignal>

namespace thinkbench::widgets {

namespace {
constexpr int kBarSteps = 1000;
constexpr qsizetype kStderrKeep = 4000;
constexpr auto kProcessesKey = "training/processes";

} // namespace

RunControl::RunControl(QWidget* parent)
    : QWidget(parent)
    , process_(new QProcess(this))
    , processes_(new QSpinBox(this))
    , startButton_(new QPushButton(tr("Start"), this))
    , stopButton_(new QPushButton(tr("Stop"), this))
    , resumeButton_(new QPushButton(tr("Resume"), this))
    , bar_(new QProgressBar(this))
    , statusLabel_(new QLabel(this))
{
    startButton_->setToolTip(tr("Train the recipe into the run database"));
    stopButton_->setToolTip(tr("Write a checkpoint and stop"));
    resumeButton_->setToolTip(tr("Continue the run from its last checkpoint"));
    processes_->setObjectName(QStringLiteral("processes"));
    processes_->setRange(1, std::max(1, QThread::idealThreadCount()));
    processes_->setValue(QSettings().value(QLatin1String(kProcessesKey), 1).toInt());
    processes_->setToolTip(
        tr("Start and Resume train on this many local processes (ranks), data parallel: each process "
           "takes its share of every step's batch (optimizer.grad_accumulation and GRPO's "
           "prompts_per_step must be multiples of it) and runs the recipe's threads (all cores when 0), so "
           "processes × threads should not exceed the cores."));
    bar_->setRange(0, kBarSteps);
    bar_->setValue(0);
    statusLabel_->setWordWrap(true);
    statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusLabel_->setText(tr("Idle."));
    auto* buttons = new QHBoxLayout;
    auto* processesLabel = new QLabel(tr("Processes"), this);
    processesLabel->setBuddy(processes_);
    processesLabel->setToolTip(processes_->toolTip());
    buttons->addWidget(processesLabel);
    buttons->addWidget(processes_);
    buttons->addWidget(startButton_);
    buttons->addWidget(stopButton_);
    buttons->addWidget(resumeButton_);
    buttons->addWidget(bar_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(buttons);
    layout->addWidget(statusLabel_);

    process_->setProcessChannelMode(QProcess::SeparateChannels);
    connect(process_, &QProcess::readyReadStandardOutput, this, &RunControl::readOutput);
    connect(process_, &QProcess::readyReadStandardError, this, [this] {
        stderr_ += QString::fromUtf8(process_->readAllStandardError());
        if (stderr_.size() > kStderrKeep)
            stderr_ = stderr_.right(kStderrKeep);
    });
    connect(process_, &QProcess::finished, this, &RunControl::onFinished);
    connect(process_, &QProcess::errorOccurred, this, &RunControl::onError);
    connect(processes_, &QSpinBox::valueChanged, this,
            [](int n) { QSettings().setValue(QLatin1String(kProcessesKey), n); });
    connect(startButton_, &QPushButton::clicked, this, &RunControl::start);
    connect(stopButton_, &QPushButton::clicked, this, &RunControl::stop);
    connect(resumeButton_, &QPushButton::clicked, this, &RunControl::resume);
    updateButtons();
}

RunControl::~RunControl()
{
    if (!isRunning())
        return;
    process_->disconnect(this);
    process_->terminate();
    if (!process_->waitForFinished(5000)) {
        killAll();
        process_->waitForFinished(2000);
    }
}

void RunControl::setCliPath(const QString& path)
{
    cli_ = path;
}

void RunControl::setDatabasePath(const QString& path)
{
    db_ = path;
}

void RunControl::setRecipePath(const QString& path)
{
    recipe_ = path;
}

void RunControl::setProcesses(int processes)
{
    processes_->setValue(processes);
}

int RunControl::processes() const
{
    return processes_->value();
}

void RunControl::setResumeRun(qint64 run)
{
    resumeRun_ = run;
    updateButtons();
}

bool RunControl::isRunning() const
{
    return process_->state() != QProcess::NotRunning;
}

QString RunControl::statusText() const
{
    return statusLabel_->text();
}

bool RunControl::start()
{
    if (isRunning())
        return false;
    if (recipe_.isEmpty()) {
        setStatus(tr("Choose a recipe first."), true);
        return false;
    }
    // Checked here too, so a bad recipe shows its file:line at once instead of as a child's exit.
    try {
        stageCount_ = int(core::loadRecipe(recipe_.toStdString()).stages.size());
    } catch (const core::Error& e) {
        setStatus(QString::fromStdString(e.what()), true);
        return false;
    }
    return launch({QStringLiteral("train"), recipe_});
}

bool RunControl::resume()
{
    if (isRunning())
        return false;
    if (resumeRun_ <= 0) {
        setStatus(tr("No run to resume."), true);
        return false;
    }
    stageCount_ = 0;
    return launch({QStringLiteral("train"), QStringLiteral("--resume"), QString::number(resumeRun_)});
}

bool RunControl::launch(const QStringList& arguments)
{
    if (db_.isEmpty()) {
        setStatus(tr("Open or create a run database first."), true);
        return false;
    }
    if (!QFileInfo(cli_).isExecutable()) {
        setStatus(tr("The training program %1 is missing or not executable.").arg(cli_), true);
        return false;
    }
    run_ = 0;
    stageIndex_ = 0;
    stageName_.clear();
    stageKind_.clear();
    status_.clear();
    doneStatus_.clear();
    pending_.clear();
    stderr_.clear();
    stopping_ = false;
    bar_->setValue(0);
    QStringList all = arguments + QStringList{QStringLiteral("--db"), db_, QStringLiteral("--json")};
    const int ranks = processes_->value();
    if (ranks > 1)
        all << QStringLiteral("--nproc") << QString::number(ranks);
    process_->start(cli_, all);
    setStatus(ranks > 1 ? tr("Starting %1 processes…").arg(ranks) : tr("Starting…"));
    updateButtons();
    return true;
}

void RunControl::stop()
{
    if (!isRunning())
        return;
    if (stopping_) {
        killAll();
        return;
    }
    stopping_ = true;
    process_->terminate();
    setStatus(tr("Stopping: writing a checkpoint… (Stop again to kill)"));
    updateButtons();
}

void RunControl::killAll()
{
    for (int64_t rank : core::childProcesses(process_->processId()))
        ::kill(pid_t(rank), SIGKILL);
    process_->kill();
}

void RunControl::readOutput()
{
    pending_ += process_->readAllStandardOutput();
    qsizetype newline;
    while ((newline = pending_.indexOf('\n')) >= 0) {
        const QByteArray line = pending_.left(newline).trimmed();
        pending_.remove(0, newline + 1);
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            handle(doc.object());
    }
}

void RunControl::handle(const QJsonObject& e)
{
    const QString kind = e.value(QStringLiteral("event")).toString();
    const qint64 run = e.value(QStringLiteral("run")).toInteger();
    if (run > 0 && run_ == 0) {
        run_ = run;
        resumeRun_ = run;
        emit runStarted(run);
    }
    auto stageOf = [this] {
        return stageCount_ > 0 ? tr("Stage %1/%2").arg(stageIndex_ + 1).arg(stageCount_)
                               : tr("Stage %1").arg(stageIndex_ + 1);
    };
    if (kind == QLatin1String("stage_begin")) {
        stageIndex_ = e.value(QStringLiteral("stage_index")).toInt();
        stageName_ = e.value(QStringLiteral("stage")).toString();
        stageKind_ = e.value(QStringLiteral("kind")).toString();
        const qint64 total = e.value(QStringLiteral("total")).toInteger();
        emit stageStarted(run_, stageIndex_, stageName_, stageKind_, total);
        setStatus(tr("Run %1 · %2 %3 (%4)").arg(run_).arg(stageOf(), stageName_, stageKind_));
        if (stageCount_ > 0)
            bar_->setValue(kBarSteps * stageIndex_ / stageCount_);
    } else if (kind == QLatin1String("step")) {
        const qint64 step = e.value(QStringLiteral("step")).toInteger();
        const qint64 stageStep = e.value(QStringLiteral("stage_step")).toInteger();
        const qint64 total = e.value(QStringLiteral("total")).toInteger();
        const QJsonObject metrics = e.value(QStringLiteral("metrics")).toObject();
        // Overall progress when the stage count is known, the stage's own otherwise.
        const double inStage = total > 0 ? double(stageStep) / double(total) : 0;
        bar_->setValue(int(kBarSteps * (stageCount_ > 0 ? (stageIndex_ + inStage) / stageCount_ : inStage)));
        QString values;
        namespace m = core::metric;
        for (std::string_view name : {m::kLoss, m::kRewardMean, m::kAccuracy}) {
            const QLatin1String key(name.data(), qsizetype(name.size()));
            if (metrics.contains(key))
                values += QStringLiteral(" · %1 %2").arg(key).arg(metrics.value(key).toDouble(), 0, 'g', 4);
        }
        setStatus(tr("Run %1 · %2 %3: step %4/%5%6")
                      .arg(run_)
                      .arg(stageOf(), stageName_)
                      .arg(stageStep)
                      .arg(total)
                      .arg(values));
        emit progress(run_, step, stageStep, total, metrics);
    } else if (kind == QLatin1String("eval")) {
        const double pass1 = e.value(QStringLiteral("pass1")).toDouble();
        setStatus(tr("Run %1 · %2: pass@1 %3%")
                      .arg(run_)
                      .arg(e.value(QStringLiteral("stage")).toString())
                      .arg(100 * pass1, 0, 'f', 1));
        emit evaluated(run_, e.value(QStringLiteral("stage")).toString(), e.value(QStringLiteral("step")).toInteger(),
                       pass1);
    } else if (kind == QLatin1String("checkpoint")) {
        emit checkpointSaved(run_, e.value(QStringLiteral("step")).toInteger(),
                             e.value(QStringLiteral("path")).toString());
    } else if (kind == QLatin1String("done")) {
        doneStatus_ = e.value(QStringLiteral("status")).toString();
    }
    emit progressEvent(e);
}

void RunControl::onFinished(int exitCode, QProcess::ExitStatus exitStatus)
{
    readOutput();
    const QStringList lines = stderr_.trimmed().split('\n', Qt::SkipEmptyParts);
    const QString tail = lines.mid(std::max<qsizetype>(0, lines.size() - 3)).join('\n');
    if (!doneStatus_.isEmpty() && exitCode == 0 && exitStatus == QProcess::NormalExit) {
        status_ = doneStatus_;
        if (status_ == QLatin1String("stopped"))
            setStatus(tr("Run %1 stopped; Resume continues from its last checkpoint.").arg(run_));
        else if (status_ == QLatin1String("finished")) {
            bar_->setValue(kBarSteps);
            setStatus(tr("Run %1 finished.").arg(run_));
        } else
            setStatus(tr("Run %1 %2.\n%3").arg(run_).arg(status_, tail), status_ != QLatin1String("finished"));
    } else if (exitStatus == QProcess::CrashExit) {
        status_ = stopping_ ? QStringLiteral("stopped") : QStringLiteral("crashed");
        setStatus(stopping_ ? tr("Run %1 killed; Resume continues from its last checkpoint.").arg(run_)
                            : tr("The training process crashed.\n%1").arg(tail),
                  !stopping_);
    } else {
        status_ = QStringLiteral("failed");
        setStatus(tr("Training failed (exit code %1).\n%2").arg(exitCode).arg(tail), true);
    }
    stopping_ = false;
    updateButtons();
    emit finished(status_);
}

void RunControl::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return; // crashes arrive through finished()
    status_ = QStringLiteral("failed");
    setStatus(tr("Cannot start %1: %2").arg(cli_, process_->errorString()), true);
    updateButtons();
    emit finished(status_);
}

void RunControl::setStatus(const QString& text, bool error)
{
    statusLabel_->setText(text);
    statusLabel_->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

void RunControl::updateButtons()
{
    const bool running = isRunning();
    startButton_->setEnabled(!running);
    processes_->setEnabled(!running);
    resumeButton_->setEnabled(!running && resumeRun_ > 0);
    stopButton_->setEnabled(running);
    stopButton_->setText(stopping_ ? tr("Kill") : tr("Stop"));
}

} // namespace thinkbench::widgets
