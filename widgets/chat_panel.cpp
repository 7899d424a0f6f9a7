#include "widgets/chat_panel.h"

#include "widgets/common/message_bar.h"
#include "widgets/common/model_path_dialog.h"
#include "widgets/common/remote_model_dialog.h"
#include "widgets/common/reply_trace.h"
#include "widgets/common/reply_view.h"
#include "widgets/common/sampling_bar.h"
#include "widgets/common/stream_text.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace thinkbench::widgets {

namespace {

QLabel* roleLabel(const QString& role, QWidget* parent)
{
    auto* label = new QLabel(role, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

ChatPanel::ChatPanel(QWidget* parent)
    : QWidget(parent)
    , worker_(new ModelWorker(this))
    , path_(new QLineEdit(this))
    , browseButton_(new QPushButton(tr("Browse…"), this))
    , remoteButton_(new QPushButton(tr("Remote…"), this))
    , loadButton_(new QPushButton(tr("Load"), this))
    , modelLabel_(new QLabel(tr("No model loaded"), this))
    , messageBar_(new MessageBar(this))
    , sampling_(new SamplingBar(this))
    , scroll_(new QScrollArea(this))
    , input_(new QPlainTextEdit(this))
    , sendButton_(new QPushButton(tr("Send"), this))
    , stopButton_(new QPushButton(tr("Stop"), this))
    , newChatButton_(new QPushButton(tr("New chat"), this))
    , speed_(new QLabel(this))
{
    setObjectName(QStringLiteral("chatPanel"));
    path_->setPlaceholderText(
        tr("Model folder (config.json, *.safetensors, tokenizer.json), .gguf file or endpoint URL#MODEL"));
    remoteButton_->setToolTip(tr("A model served by an OpenAI-compatible endpoint"));
    speed_->setObjectName(QStringLiteral("speedLabel"));

    auto* content = new QWidget(scroll_);
    turns_ = new QVBoxLayout(content);
    turns_->addStretch(1);
    scroll_->setWidget(content);
    scroll_->setWidgetResizable(true);
    scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    content->setBackgroundRole(QPalette::Base);
    content->setAutoFillBackground(true);
    // Follow the stream while the reader is at the bottom; stay put when they scrolled up.
    QScrollBar* bar = scroll_->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this,
            [this, bar](int value) { followTail_ = value >= bar->maximum() - 4; });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int maximum) {
        if (followTail_)
            bar->setValue(maximum);
    });

    input_->setPlaceholderText(tr("Message (Enter sends, Shift+Enter starts a new line)"));
    input_->setMaximumHeight(input_->fontMetrics().lineSpacing() * 4 + 12);
    input_->installEventFilter(this);

    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(new QLabel(tr("Model:"), this));
    modelRow->addWidget(path_, 1);
    modelRow->addWidget(browseButton_);
    modelRow->addWidget(remoteButton_);
    modelRow->addWidget(loadButton_);
    modelRow->addWidget(modelLabel_);
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(input_, 1);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(sendButton_);
    buttons->addWidget(stopButton_);
    buttons->addWidget(newChatButton_);
    inputRow->addLayout(buttons);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(modelRow);
    layout->addWidget(messageBar_);
    layout->addWidget(sampling_);
    layout->addWidget(scroll_, 1);
    layout->addLayout(inputRow);
    layout->addWidget(speed_);

    connect(browseButton_, &QPushButton::clicked, this, [this] {
        const QString path = askModelPath(this, path_->text());
        if (!path.isEmpty()) {
            path_->setText(path);
            loadModel(path);
        }
    });
    connect(remoteButton_, &QPushButton::clicked, this, [this] {
        if (const auto remote = RemoteModelDialog::ask(this, path_->text(), apiKey_))
            loadModel(remote->spec, remote->apiKey);
    });
    connect(loadButton_, &QPushButton::clicked, this, [this] { loadModel(path_->text(), apiKey_); });
    connect(path_, &QLineEdit::returnPressed, this, [this] { loadModel(path_->text(), apiKey_); });
    connect(sendButton_, &QPushButton::clicked, this, [this] { send(input_->toPlainText()); });
    connect(stopButton_, &QPushButton::clicked, this, &ChatPanel::stop);
    connect(newChatButton_, &QPushButton::clicked, this, &ChatPanel::newChat);

    connect(worker_, &ModelWorker::loaded, this, [this](const QString& folder) {
        modelLabel_->setText(worker_->summary());
        modelLabel_->setToolTip(folder);
        messageBar_->hide();
        updateButtons();
        emit modelLoaded(folder);
    });
    connect(worker_, &ModelWorker::failed, this, [this](const QString& message) {
        if (!replies_.empty() && !replies_.back().finished) {
            // The reply failed: the turn goes, its message returns to the input to try again.
            input_->setPlainText(history_.takeLast().content);
            delete replies_.back().userTurn;
            delete replies_.back().turn;
            replies_.pop_back();
        } else {
            modelLabel_->setText(worker_->isLoaded() ? worker_->summary() : tr("No model loaded"));
        }
        messageBar_->showMessage(message);
        updateButtons();
        emit modelFailed(message);
    });
    connect(worker_, &ModelWorker::streamed, this, [this](const StreamChunk& chunk) {
        replies_.back().view->showChunk(chunk);
        speed_->setText(tr("%n token(s) · %1 tok/s", nullptr, chunk.tokens).arg(chunk.tokensPerSecond, 0, 'f', 1));
        emit replyStreamed();
    });
    connect(worker_, &ModelWorker::generationFinished, this, [this](const GenerationOutcome& outcome) {
        Reply& reply = replies_.back();
        reply.outcome = outcome;
        reply.finished = true;
        reply.view->showOutcome(outcome);
        const QString finish = outcome.finishReason == QLatin1String("cancelled") ? tr("stopped")
                               : outcome.finishReason == QLatin1String("length")  ? tr("hit the token limit")
                                                                                  : tr("done");
        reply.footer->setText(tr("%n token(s) · %1 tok/s · %2", nullptr, outcome.tokens)
                                  .arg(outcome.tokensPerSecond, 0, 'f', 1)
                                  .arg(finish));
        reply.footer->show();
        reply.traceButton->show();
        speed_->setText(tr("%n token(s) · %1 tok/s", nullptr, outcome.tokens).arg(outcome.tokensPerSecond, 0, 'f', 1));
        // The template keeps what prior turns need (R1 templates drop their reasoning).
        history_.append({QStringLiteral("assistant"), outcome.text});
        updateButtons();
        emit replyFinished(outcome);
    });
    updateButtons();
}

void ChatPanel::loadModel(const QString& folder, const QString& apiKey)
{
    if (folder.trimmed().isEmpty() || !worker_->load(folder.trimmed(), apiKey))
        return;
    apiKey_ = apiKey;
    path_->setText(folder.trimmed());
    modelLabel_->setText(tr("Loading %1…").arg(ModelWorker::displayName(folder.trimmed())));
    messageBar_->hide();
    updateButtons();
}

SamplingSettings ChatPanel::settings() const
{
    return sampling_->settings();
}

void ChatPanel::setSettings(const SamplingSettings& settings)
{
    sampling_->setSettings(settings);
}

bool ChatPanel::send(const QString& text)
{
    const QString message = text.trimmed();
    if (message.isEmpty() || !worker_->isLoaded() || worker_->busy())
        return false;
    history_.append({QStringLiteral("user"), message});
    if (!worker_->generate(history_, sampling_->settings())) {
        history_.removeLast();
        return false;
    }
    input_->clear();
    messageBar_->hide();
    addReplyTurn(addUserTurn(message));
    speed_->setText(tr("Generating…"));
    followTail_ = true;
    updateButtons();
    return true;
}

void ChatPanel::stop()
{
    worker_->cancel();
}

void ChatPanel::newChat()
{
    if (worker_->busy())
        return;
    history_.clear();
    replies_.clear();
    while (turns_->count() > 1) { // the stretch at the end stays
        QLayoutItem* item = turns_->takeAt(0);
        delete item->widget();
        delete item;
    }
    speed_->clear();
    updateButtons();
}

QString ChatPanel::transcript() const
{
    QStringList lines;
    size_t reply = 0;
    for (const ChatTurn& turn : history_) {
        if (turn.role == QLatin1String("user")) {
            lines << tr("You: %1").arg(turn.content);
            continue;
        }
        const Reply& r = replies_[reply++];
        if (!r.view->reasoning().isEmpty())
            lines << tr("Reasoning: %1").arg(r.view->reasoning());
        lines << tr("Model: %1").arg(r.view->answer());
    }
    if (reply < replies_.size() && !replies_.back().finished) {
        const Reply& r = replies_.back();
        lines << tr("Reasoning: %1").arg(r.view->reasoning()) << tr("Model: %1").arg(r.view->answer());
    }
    return lines.join(QLatin1Char('\n'));
}

QString ChatPanel::speedText() const
{
    return speed_->text();
}

QString ChatPanel::errorText() const
{
    return messageBar_->message();
}

TraceSample ChatPanel::trace(int index) const
{
    if (index < 0 || index >= replyCount() || !replies_[static_cast<size_t>(index)].finished)
        return {};
    return replyTrace(replies_[static_cast<size_t>(index)].outcome,
                      tr("Chat with %1 · reply %2").arg(ModelWorker::displayName(worker_->folder())).arg(index + 1));
}

bool ChatPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == input_ && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && !(key->modifiers() & Qt::ShiftModifier)) {
            send(input_->toPlainText());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QWidget* ChatPanel::addUserTurn(const QString& text)
{
    auto* turn = new QWidget;
    auto* layout = new QVBoxLayout(turn);
    layout->setContentsMargins(0, 0, 0, 6);
    layout->addWidget(roleLabel(tr("You"), turn));
    auto* body = new StreamText(turn);
    body->setStreamText(text);
    layout->addWidget(body);
    turns_->insertWidget(turns_->count() - 1, turn);
    return turn;
}

void ChatPanel::addReplyTurn(QWidget* userTurn)
{
    auto* turn = new QWidget;
    auto* layout = new QVBoxLayout(turn);
    layout->setContentsMargins(0, 0, 0, 10);
    layout->addWidget(roleLabel(tr("Model"), turn));
    Reply reply;
    reply.userTurn = userTurn;
    reply.turn = turn;
    reply.view = new ReplyView(turn);
    reply.footer = new QLabel(turn);
    reply.footer->setForegroundRole(QPalette::PlaceholderText);
    reply.footer->hide();
    reply.traceButton = new QToolButton(turn);
    reply.traceButton->setText(tr("Open in trace stepper"));
    reply.traceButton->setAutoRaise(true);
    reply.traceButton->hide();
    const int index = replyCount();
    connect(reply.traceButton, &QToolButton::clicked, this, [this, index] { emit openTraceRequested(trace(index)); });
    auto* footerRow = new QHBoxLayout;
    footerRow->addWidget(reply.footer);
    footerRow->addWidget(reply.traceButton);
    footerRow->addStretch(1);
    layout->addWidget(reply.view);
    layout->addLayout(footerRow);
    auto* line = new QFrame(turn);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);
    turns_->insertWidget(turns_->count() - 1, turn);
    replies_.push_back(reply);
}

void ChatPanel::updateButtons()
{
    const bool busy = worker_->busy();
    const bool loaded = worker_->isLoaded();
    loadButton_->setEnabled(!busy);
    browseButton_->setEnabled(!busy);
    remoteButton_->setEnabled(!busy);
    sendButton_->setEnabled(loaded && !busy);
    stopButton_->setEnabled(busy && !replies_.empty() && !replies_.back().finished);
    newChatButton_->setEnabled(!busy && !history_.isEmpty());
}

} // namespace thinkbench::widgets
