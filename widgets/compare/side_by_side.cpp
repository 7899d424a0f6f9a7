#include "widgets/compare/side_by_side.h"

#include "widgets/common/reply_trace.h"
#include "widgets/common/reply_view.h"
#include "widgets/common/sampling_bar.h"
#include "widgets/compare/blind_vote.h"
#include "widgets/compare/model_line_up.h"
#include "widgets/compare/reply_column.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkbench::widgets {

SideBySide::SideBySide(ModelLineUp* models, SamplingBar* sampling, QWidget* parent)
    : QWidget(parent)
    , models_(models)
    , sampling_(sampling)
    , replies_(ModelLineUp::kMaxModels)
    , shown_(ModelLineUp::kMaxModels, -1)
    , prompt_(new QPlainTextEdit(this))
    , truth_(new QLineEdit(this))
    , blind_(new QCheckBox(tr("Blind"), this))
    , runButton_(new QPushButton(tr("Run"), this))
    , stopButton_(new QPushButton(tr("Stop"), this))
    , splitter_(new QSplitter(Qt::Horizontal, this))
    , vote_(new BlindVote(this))
{
    prompt_->setPlaceholderText(tr("Prompt"));
    prompt_->setMaximumHeight(prompt_->fontMetrics().lineSpacing() * 3 + 12);
    truth_->setPlaceholderText(tr("Ground-truth answer (optional)"));
    blind_->setToolTip(tr("Two of the models answer as anonymous A and B; vote, then see which"));
    splitter_->setChildrenCollapsible(false);
    for (int c = 0; c < ModelLineUp::kMaxModels; ++c) {
        auto* column = new ReplyColumn(splitter_);
        columns_.push_back(column);
        connect(column, &ReplyColumn::traceRequested, this, [this, c] { emit openTraceRequested(columnTrace(c)); });
        connect(column->view()->verticalScrollBar(), &QScrollBar::valueChanged, this, [this, c] { syncScroll(c); });
    }

    auto* promptRow = new QHBoxLayout;
    promptRow->addWidget(prompt_, 1);
    auto* side = new QVBoxLayout;
    side->addWidget(truth_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(blind_);
    buttons->addStretch(1);
    buttons->addWidget(runButton_);
    buttons->addWidget(stopButton_);
    side->addLayout(buttons);
    promptRow->addLayout(side, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(promptRow);
    layout->addWidget(splitter_, 1);
    layout->addWidget(vote_);

    connect(runButton_, &QPushButton::clicked, this, &SideBySide::run);
    connect(stopButton_, &QPushButton::clicked, models_, &ModelLineUp::stop);
    connect(blind_, &QCheckBox::toggled, this, [this] { updateControls(); });
    connect(vote_, &BlindVote::voted, this, [this] {
        for (int c = 0; c < 2; ++c)
            showOutcome(c);
        updateControls();
    });
    connect(vote_, &BlindVote::failed, this, &SideBySide::errorOccurred);
    connect(models_, &ModelLineUp::countChanged, this, &SideBySide::followLineUp);
    for (int i = 0; i < ModelLineUp::kMaxModels; ++i)
        connectWorker(i);
}

void SideBySide::connectWorker(int model)
{
    ModelWorker* worker = models_->worker(model);
    connect(worker, &ModelWorker::loaded, this, [this, model] {
        const int c = columnOf(model);
        if (c >= 0)
            updateColumnTitle(c);
    });
    connect(worker, &ModelWorker::failed, this, [this, model] {
        Reply& reply = replies_[static_cast<size_t>(model)];
        if (!reply.running)
            return;
        reply.running = false;
        reply.finished = true;
        const int c = columnOf(model);
        if (c >= 0)
            finishColumn(c);
    });
    connect(worker, &ModelWorker::streamed, this, [this, model](const StreamChunk& chunk) {
        const int c = columnOf(model);
        if (c < 0)
            return;
        ReplyColumn* column = columns_[static_cast<size_t>(c)];
        column->reply()->showChunk(chunk);
        if (!blindRun_ || vote_->isRevealed())
            column->setStats(tr("%1 tok/s · reasoning %n token(s)", nullptr, chunk.reasoningTokens)
                                 .arg(chunk.tokensPerSecond, 0, 'f', 1));
        emit columnStreamed(c);
    });
    connect(worker, &ModelWorker::generationFinished, this, [this, model](const GenerationOutcome& outcome) {
        Reply& reply = replies_[static_cast<size_t>(model)];
        reply.outcome = outcome;
        reply.running = false;
        reply.finished = true;
        const int c = columnOf(model);
        if (c >= 0)
            finishColumn(c);
    });
}

void SideBySide::setPrompt(const QString& prompt)
{
    prompt_->setPlainText(prompt);
}

void SideBySide::setGroundTruth(const QString& truth)
{
    truth_->setText(truth);
}

void SideBySide::setBlind(bool blind)
{
    blind_->setChecked(blind);
}

bool SideBySide::isBlind() const
{
    return blind_->isChecked();
}

ReplyColumn* SideBySide::column(int column) const
{
    return columns_[static_cast<size_t>(column)];
}

TraceSample SideBySide::columnTrace(int column) const
{
    const int model = shown_[static_cast<size_t>(column)];
    if (model < 0 || !replies_[static_cast<size_t>(model)].finished || (blindRun_ && !vote_->isRevealed()))
        return {};
    return replyTrace(replies_[static_cast<size_t>(model)].outcome, tr("%1 · side by side").arg(models_->name(model)),
                      runTruth_);
}

bool SideBySide::run()
{
    const QString prompt = prompt_->toPlainText().trimmed();
    if (models_->busy() || prompt.isEmpty())
        return false;
    std::vector<int> loaded = models_->loaded();
    const bool blind = blind_->isChecked();
    if (loaded.size() < (blind ? 2u : 1u)) {
        emit errorOccurred(blind ? tr("Blind comparison needs two loaded models.") : tr("Load a model first."));
        return false;
    }
    if (blind)
        loaded = BlindVote::drawPair(loaded);
    blindRun_ = blind;
    vote_->close();
    runPrompt_ = prompt;
    runTruth_ = truth_->text().trimmed();
    std::fill(replies_.begin(), replies_.end(), Reply{});
    for (size_t c = 0; c < shown_.size(); ++c)
        shown_[c] = blind ? (c < 2 ? loaded[c] : -1) : static_cast<int>(c);
    resetColumns();
    const SamplingSettings settings = sampling_->settings();
    for (int model : loaded)
        replies_[static_cast<size_t>(model)].running =
            models_->worker(model)->generate({{QStringLiteral("user"), prompt}}, settings);
    emit started();
    updateControls();
    return true;
}

void SideBySide::followLineUp()
{
    blindRun_ = false;
    vote_->close();
    resetColumns();
    updateControls();
}

int SideBySide::columnOf(int model) const
{
    const auto it = std::find(shown_.begin(), shown_.end(), model);
    return it == shown_.end() ? -1 : static_cast<int>(it - shown_.begin());
}

void SideBySide::resetColumns()
{
    const int count = models_->count();
    for (size_t c = 0; c < columns_.size(); ++c) {
        ReplyColumn* column = columns_[c];
        if (!blindRun_)
            shown_[c] = static_cast<int>(c) < count ? static_cast<int>(c) : -1;
        column->setVisible(blindRun_ ? c < 2 : static_cast<int>(c) < count);
        column->reply()->clear();
        column->setStats(blindRun_ ? tr("Names are revealed after your vote.") : QString());
        column->setTraceEnabled(false);
        updateColumnTitle(static_cast<int>(c));
    }
}

void SideBySide::updateColumnTitle(int column)
{
    const int model = shown_[static_cast<size_t>(column)];
    QString title;
    if (model >= 0 && blindRun_) {
        const QString letter = column == 0 ? tr("Model A") : tr("Model B");
        title = vote_->isRevealed() ? tr("%1: %2").arg(letter, models_->name(model)) : letter;
    } else if (model >= 0) {
        title = models_->name(model);
    }
    columns_[static_cast<size_t>(column)]->setTitle(title);
}

void SideBySide::finishColumn(int column)
{
    showOutcome(column);
    emit columnFinished(column);
    const bool running =
        std::any_of(replies_.begin(), replies_.end(), [](const Reply& reply) { return reply.running; });
    if (running)
        return;
    if (blindRun_) {
        const int a = shown_[0];
        const int b = shown_[1];
        core::VoteRecord comparison;
        comparison.prompt = runPrompt_.toStdString();
        comparison.modelA = models_->worker(a)->folder().toStdString();
        comparison.modelB = models_->worker(b)->folder().toStdString();
        comparison.completionA = replies_[static_cast<size_t>(a)].outcome.text.toStdString();
        comparison.completionB = replies_[static_cast<size_t>(b)].outcome.text.toStdString();
        vote_->open(comparison, models_->name(a), models_->name(b));
    }
    updateControls();
    emit comparisonFinished();
}

void SideBySide::showOutcome(int column)
{
    ReplyColumn* col = columns_[static_cast<size_t>(column)];
    const Reply& reply = replies_[static_cast<size_t>(shown_[static_cast<size_t>(column)])];
    updateColumnTitle(column);
    if (!reply.finished || reply.outcome.finishReason.isEmpty())
        return; // failed: the message bar tells why
    const GenerationOutcome& o = reply.outcome;
    col->reply()->showOutcome(o);
    const Judgement judgement = judge(o.answer, runTruth_);
    const QString verdict = !judgement.correct ? QString() : *judgement.correct ? tr(" · ✓ correct") : tr(" · ✗ wrong");
    const QString stats = tr("%1 tok/s · reasoning %n token(s) · answer: %2", nullptr, o.reasoningTokens)
                              .arg(o.tokensPerSecond, 0, 'f', 1)
                              .arg(judgement.extracted.isEmpty() ? tr("none") : judgement.extracted) +
                          verdict + (o.finishReason == QLatin1String("cancelled") ? tr(" · stopped") : QString());
    const bool hidden = blindRun_ && !vote_->isRevealed();
    col->setStats(hidden ? tr("Names are revealed after your vote.") : stats);
    col->setTraceEnabled(!hidden);
}

void SideBySide::syncScroll(int from)
{
    if (syncing_)
        return;
    syncing_ = true;
    const QScrollBar* source = columns_[static_cast<size_t>(from)]->view()->verticalScrollBar();
    const double fraction = source->maximum() > 0 ? static_cast<double>(source->value()) / source->maximum() : 0.0;
    for (size_t c = 0; c < columns_.size(); ++c)
        if (static_cast<int>(c) != from) {
            QScrollBar* bar = columns_[c]->view()->verticalScrollBar();
            bar->setValue(qRound(fraction * bar->maximum()));
        }
    syncing_ = false;
}

void SideBySide::updateControls()
{
    const bool busy = models_->busy();
    const bool generating =
        std::any_of(replies_.begin(), replies_.end(), [](const Reply& reply) { return reply.running; });
    runButton_->setEnabled(!busy && models_->loaded().size() >= (blind_->isChecked() ? 2u : 1u));
    stopButton_->setEnabled(generating);
    blind_->setEnabled(!busy);
    vote_->setVisible(blindRun_);
}

} // namespace thinkbench::widgets
