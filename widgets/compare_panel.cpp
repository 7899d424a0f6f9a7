#include "widgets/compare_panel.h"

#include "widgets/common/message_bar.h"
#include "widgets/common/reply_view.h"
#include "widgets/common/sampling_bar.h"
#include "widgets/compare/batch_evaluation.h"
#include "widgets/compare/model_line_up.h"
#include "widgets/compare/reply_column.h"
#include "widgets/compare/side_by_side.h"

#include <QTabWidget>
#include <QVBoxLayout>

namespace thinkbench::widgets {

static_assert(ComparePanel::kMinModels == ModelLineUp::kMinModels &&
              ComparePanel::kMaxModels == ModelLineUp::kMaxModels);

ComparePanel::ComparePanel(QWidget* parent)
    : QWidget(parent)
    , sampling_(new SamplingBar(this))
    , messageBar_(new MessageBar(this))
    , models_(new ModelLineUp(this))
    , tabs_(new QTabWidget(this))
    , sideBySide_(new SideBySide(models_, sampling_, this))
    , batch_(new BatchEvaluation(models_, sampling_, this))
{
    setObjectName(QStringLiteral("comparePanel"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(models_);
    layout->addWidget(sampling_);
    layout->addWidget(messageBar_);
    tabs_->addTab(sideBySide_, tr("Side by side"));
    tabs_->addTab(batch_, tr("Batch"));
    layout->addWidget(tabs_, 1);

    // Connected after the parts' own handlers: the parts settle first, then the panel reports.
    for (int i = 0; i < kMaxModels; ++i) {
        ModelWorker* worker = models_->worker(i);
        connect(worker, &ModelWorker::loaded, this, [this, i](const QString& folder) {
            updateControls();
            emit modelLoaded(i, folder);
        });
        connect(worker, &ModelWorker::failed, this, [this, i](const QString& message) {
            messageBar_->showMessage(tr("Model %1: %2").arg(i + 1).arg(message));
            updateControls();
            emit modelFailed(i, message);
        });
    }
    connect(models_, &ModelLineUp::loadStarted, this, &ComparePanel::updateControls);
    connect(models_, &ModelLineUp::countChanged, this, &ComparePanel::updateControls);

    connect(sideBySide_, &SideBySide::started, this, [this] {
        messageBar_->hide();
        tabs_->setCurrentWidget(sideBySide_);
        updateControls();
    });
    connect(sideBySide_, &SideBySide::errorOccurred, messageBar_, &MessageBar::showMessage);
    connect(sideBySide_, &SideBySide::columnStreamed, this, &ComparePanel::columnStreamed);
    connect(sideBySide_, &SideBySide::columnFinished, this, &ComparePanel::columnFinished);
    connect(sideBySide_, &SideBySide::comparisonFinished, this, [this] {
        updateControls();
        emit comparisonFinished();
    });
    connect(sideBySide_->blindVote(), &BlindVote::voted, this, &ComparePanel::voteRecorded);
    connect(sideBySide_, &SideBySide::openTraceRequested, this, &ComparePanel::openTraceRequested);

    connect(batch_, &BatchEvaluation::started, this, [this] {
        messageBar_->hide();
        tabs_->setCurrentWidget(batch_);
        updateControls();
    });
    connect(batch_, &BatchEvaluation::errorOccurred, messageBar_, &MessageBar::showMessage);
    connect(batch_, &BatchEvaluation::progress, this, &ComparePanel::batchProgress);
    connect(batch_, &BatchEvaluation::finished, this, [this] {
        updateControls();
        emit batchFinished();
    });
    connect(batch_, &BatchEvaluation::openTraceRequested, this, &ComparePanel::openTraceRequested);

    setModelCount(kMinModels);
}

void ComparePanel::setStore(core::RunStore* store)
{
    sideBySide_->blindVote()->setStore(store);
}

int ComparePanel::modelCount() const
{
    return models_->count();
}

void ComparePanel::setModelCount(int count)
{
    models_->setCount(count);
}

void ComparePanel::loadModel(int column, const QString& folder, const QString& apiKey)
{
    models_->load(column, folder, apiKey);
}

bool ComparePanel::isLoaded(int column) const
{
    return column >= 0 && column < kMaxModels && models_->worker(column)->isLoaded();
}

SamplingSettings ComparePanel::settings() const
{
    return sampling_->settings();
}

void ComparePanel::setSettings(const SamplingSettings& settings)
{
    sampling_->setSettings(settings);
}

void ComparePanel::setPrompt(const QString& prompt)
{
    sideBySide_->setPrompt(prompt);
}

void ComparePanel::setGroundTruth(const QString& truth)
{
    sideBySide_->setGroundTruth(truth);
}

void ComparePanel::setBlind(bool blind)
{
    sideBySide_->setBlind(blind);
}

bool ComparePanel::isBlind() const
{
    return sideBySide_->isBlind();
}

bool ComparePanel::busy() const
{
    return models_->busy();
}

QString ComparePanel::columnTitle(int column) const
{
    return sideBySide_->column(column)->title();
}

QString ComparePanel::columnReasoning(int column) const
{
    return sideBySide_->column(column)->reply()->reasoning();
}

QString ComparePanel::columnAnswer(int column) const
{
    return sideBySide_->column(column)->reply()->answer();
}

QString ComparePanel::columnStats(int column) const
{
    return sideBySide_->column(column)->stats();
}

QScrollArea* ComparePanel::columnView(int column) const
{
    return sideBySide_->column(column)->view();
}

TraceSample ComparePanel::columnTrace(int column) const
{
    return sideBySide_->columnTrace(column);
}

QString ComparePanel::errorText() const
{
    return messageBar_->message();
}

QString ComparePanel::revealText() const
{
    return sideBySide_->blindVote()->revealText();
}

void ComparePanel::setBatchTask(const QString& spec)
{
    batch_->setTask(spec);
}

void ComparePanel::setBatchDataset(const QString& path)
{
    batch_->setDataset(path);
}

void ComparePanel::setBatchProblems(int count)
{
    batch_->setProblems(count);
}

void ComparePanel::setBatchSamples(int k)
{
    batch_->setSamples(k);
}

QTableWidget* ComparePanel::batchTable() const
{
    return batch_->table();
}

TraceSample ComparePanel::batchTrace(int row, int problem) const
{
    return batch_->trace(row, problem);
}

bool ComparePanel::run()
{
    return sideBySide_->run();
}

bool ComparePanel::runBatch()
{
    return batch_->run();
}

void ComparePanel::stop()
{
    models_->stop();
}

bool ComparePanel::vote(Vote choice)
{
    return sideBySide_->blindVote()->vote(choice);
}

void ComparePanel::updateControls()
{
    models_->updateControls();
    sideBySide_->updateControls();
    batch_->updateControls();
}

} // namespace thinkbench::widgets
