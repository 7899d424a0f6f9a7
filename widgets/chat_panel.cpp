#include "widgets/chat_panel.h"

#include "core/tasks/verifier.h"

#include <QAbstractTextDocumentLayout>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTextCursor>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtMath>

#include <limits>

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

SamplingBar::SamplingBar(QWidget* parent)
    : QWidget(parent)
    , temperature_(new QDoubleSpinBox(this))
    , topP_(new QDoubleSpinBox(this))
    , maxNewTokens_(new QSpinBox(this))
    , seed_(new QSpinBox(this))
    , thinkBudget_(new QSpinBox(this))
{
    temperature_->setRange(0, 2);
    temperature_->setSingleStep(0.1);
    temperature_->setToolTip(tr("0 samples greedily"));
    topP_->setRange(0.01, 1);
    topP_->setSingleStep(0.05);
    maxNewTokens_->setRange(1, 32768);
    seed_->setRange(0, std::numeric_limits<int>::max());
    thinkBudget_->setRange(-1, 32768);
    thinkBudget_->setSpecialValueText(tr("unlimited"));
    thinkBudget_->setToolTip(tr("Reasoning tokens before the thought is closed"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    const std::pair<QString, QWidget*> fields[] = {{tr("Temperature"), temperature_},
                                                   {tr("Top-p"), topP_},
                                                   {tr("Max new tokens"), maxNewTokens_},
                                                   {tr("Seed"), seed_},
                                                   {tr("Think budget"), thinkBudget_}};
    for (const auto& [name, field] : fields) {
        auto* label = new QLabel(name, this);
        label->setBuddy(field);
        layout->addWidget(label);
        layout->addWidget(field);
    }
    layout->addStretch(1);
    setSettings({});
}

SamplingSettings SamplingBar::settings() const
{
    return {temperature_->value(), topP_->value(), maxNewTokens_->value(), thinkBudget_->value(),
            static_cast<quint64>(seed_->value())};
}

void SamplingBar::setSettings(const SamplingSettings& settings)
{
    temperature_->setValue(settings.temperature);
    topP_->setValue(settings.topP);
    maxNewTokens_->setValue(settings.maxNewTokens);
    seed_->setValue(static_cast<int>(settings.seed));
    thinkBudget_->setValue(settings.thinkBudget);
}

StreamText::StreamText(QWidget* parent)
    : QTextEdit(parent)
{
    setReadOnly(true);
    setFrameShape(QFrame::NoFrame);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    viewport()->setAutoFillBackground(false);
    document()->setDocumentMargin(0);
    setFixedHeight(0);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            [this](const QSizeF& size) { setFixedHeight(qCeil(size.height())); });
}

void StreamText::setStreamText(const QString& text)
{
    if (!text_.isEmpty() && text.startsWith(text_)) {
        QTextCursor cursor(document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(text.mid(text_.size()));
    } else if (text != text_) {
        setPlainText(text);
    }
    text_ = text;
}

ReasoningSection::ReasoningSection(QWidget* parent)
    : QWidget(parent)
    , toggle_(new QToolButton(this))
    , body_(new QWidget(this))
    , text_(new StreamText(body_))
{
    toggle_->setAutoRaise(true);
    toggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // Dimmed, behind a rule: reasoning reads apart from the answer.
    QPalette dim = text_->palette();
    dim.setColor(QPalette::Text, dim.color(QPalette::PlaceholderText));
    text_->setPalette(dim);
    auto* rule = new QFrame(body_);
    rule->setFrameShape(QFrame::VLine);
    rule->setFrameShadow(QFrame::Plain);
    rule->setForegroundRole(QPalette::Mid);
    auto* bodyLayout = new QHBoxLayout(body_);
    bodyLayout->setContentsMargins(8, 0, 0, 0);
    bodyLayout->addWidget(rule);
    bodyLayout->addWidget(text_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(toggle_, 0, Qt::AlignLeft);
    layout->addWidget(body_);
    connect(toggle_, &QToolButton::clicked, this, [this] { setCollapsed(!collapsed_); });
    hide(); // until there is reasoning
}

void ReasoningSection::setReasoning(const QString& text, int tokens)
{
    text_->setStreamText(text);
    tokens_ = tokens;
    setVisible(!text.isEmpty());
    updateToggle();
}

QString ReasoningSection::reasoning() const
{
    return text_->streamText();
}

bool ReasoningSection::isCollapsed() const
{
    return collapsed_;
}

void ReasoningSection::setCollapsed(bool collapsed)
{
    collapsed_ = collapsed;
    body_->setVisible(!collapsed);
    updateToggle();
}

void ReasoningSection::updateToggle()
{
    toggle_->setArrowType(collapsed_ ? Qt::RightArrow : Qt::DownArrow);
    toggle_->setText(tr("Reasoning · %n token(s)", nullptr, tokens_));
}

ChatPanel::ChatPanel(QWidget* parent)
    : QWidget(parent)
    , worker_(new ModelWorker(this))
    , path_(new QLineEdit(this))
    , browseButton_(new QPushButton(tr("Browse…"), this))
    , loadButton_(new QPushButton(tr("Load"), this))
    , modelLabel_(new QLabel(tr("No model loaded"), this))
    , messageBar_(new QLabel(this))
    , sampling_(new SamplingBar(this))
    , scroll_(new QScrollArea(this))
    , input_(new QPlainTextEdit(this))
    , sendButton_(new QPushButton(tr("Send"), this))
    , stopButton_(new QPushButton(tr("Stop"), this))
    , newChatButton_(new QPushButton(tr("New chat"), this))
    , speed_(new QLabel(this))
{
    setObjectName(QStringLiteral("chatPanel"));
    path_->setPlaceholderText(tr("Model folder (config.json, *.safetensors, tokenizer.json)"));
    messageBar_->setObjectName(QStringLiteral("messageBar"));
    messageBar_->setWordWrap(true);
    messageBar_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    messageBar_->setStyleSheet(QStringLiteral("QLabel { background: #fde7e9; color: #8a1c24; "
                                              "border: 1px solid #e8a3a9; padding: 4px; }"));
    messageBar_->hide();
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
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Model folder"), path_->text());
        if (!dir.isEmpty()) {
            path_->setText(dir);
            loadModel(dir);
        }
    });
    connect(loadButton_, &QPushButton::clicked, this, [this] { loadModel(path_->text()); });
    connect(path_, &QLineEdit::returnPressed, this, [this] { loadModel(path_->text()); });
    connect(sendButton_, &QPushButton::clicked, this, [this] { send(input_->toPlainText()); });
    connect(stopButton_, &QPushButton::clicked, this, &ChatPanel::stop);
    connect(newChatButton_, &QPushButton::clicked, this, &ChatPanel::newChat);

    connect(worker_, &ModelWorker::loaded, this,
            [this](const QString& folder, const QString& chat) {
                modelLabel_->setText(
                    tr("%1 · %2 template").arg(ModelWorker::displayName(folder), chat));
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
            modelLabel_->setText(
                worker_->isLoaded()
                    ? tr("%1 · %2 template")
                          .arg(ModelWorker::displayName(worker_->folder()), worker_->templateName())
                    : tr("No model loaded"));
        }
        showError(message);
        updateButtons();
        emit modelFailed(message);
    });
    connect(worker_, &ModelWorker::streamed, this, [this](const StreamChunk& chunk) {
        Reply& reply = replies_.back();
        reply.reasoning->setReasoning(chunk.reasoning, chunk.reasoningTokens);
        reply.answer->setStreamText(chunk.answer);
        speed_->setText(tr("%n token(s) · %1 tok/s", nullptr, chunk.tokens)
                            .arg(chunk.tokensPerSecond, 0, 'f', 1));
        emit replyStreamed();
    });
    connect(worker_, &ModelWorker::generationFinished, this,
            [this](const GenerationOutcome& outcome) {
                Reply& reply = replies_.back();
                reply.outcome = outcome;
                reply.finished = true;
                reply.reasoning->setReasoning(outcome.reasoning, outcome.reasoningTokens);
                reply.answer->setStreamText(outcome.answer);
                const QString finish =
                    outcome.finishReason == QLatin1String("cancelled") ? tr("stopped")
                    : outcome.finishReason == QLatin1String("length")  ? tr("hit the token limit")
                                                                       : tr("done");
                reply.footer->setText(tr("%n token(s) · %1 tok/s · %2", nullptr, outcome.tokens)
                                          .arg(outcome.tokensPerSecond, 0, 'f', 1)
                                          .arg(finish));
                reply.footer->show();
                reply.traceButton->show();
                speed_->setText(tr("%n token(s) · %1 tok/s", nullptr, outcome.tokens)
                                    .arg(outcome.tokensPerSecond, 0, 'f', 1));
                // The template keeps what prior turns need (R1 templates drop their reasoning).
                history_.append({QStringLiteral("assistant"), outcome.text});
                updateButtons();
                emit replyFinished(outcome);
            });
    updateButtons();
}

void ChatPanel::loadModel(const QString& folder)
{
    if (folder.trimmed().isEmpty() || !worker_->load(folder.trimmed()))
        return;
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
        if (!r.reasoning->reasoning().isEmpty())
            lines << tr("Reasoning: %1").arg(r.reasoning->reasoning());
        lines << tr("Model: %1").arg(r.answer->streamText());
    }
    if (reply < replies_.size() && !replies_.back().finished) {
        const Reply& r = replies_.back();
        lines << tr("Reasoning: %1").arg(r.reasoning->reasoning())
              << tr("Model: %1").arg(r.answer->streamText());
    }
    return lines.join(QLatin1Char('\n'));
}

QString ChatPanel::speedText() const
{
    return speed_->text();
}

QString ChatPanel::errorText() const
{
    return messageBar_->isHidden() ? QString() : messageBar_->text();
}

TraceSample ChatPanel::trace(int index) const
{
    if (index < 0 || index >= replyCount() || !replies_[static_cast<size_t>(index)].finished)
        return {};
    const GenerationOutcome& o = replies_[static_cast<size_t>(index)].outcome;
    TraceSample sample;
    sample.title = tr("Chat with %1 · reply %2")
                       .arg(ModelWorker::displayName(worker_->folder()))
                       .arg(index + 1);
    sample.prompt = o.prompt;
    sample.completion = o.text;
    sample.promptOpensThinking = o.promptOpensThinking;
    sample.extracted = QString::fromStdString(core::extractAnswer(o.answer.toStdString()).answer);
    sample.tokens = o.tokenTexts;
    sample.tokenLogprobs = o.tokenLogprobs;
    return sample;
}

bool ChatPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == input_ && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
            !(key->modifiers() & Qt::ShiftModifier)) {
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
    reply.reasoning = new ReasoningSection(turn);
    reply.answer = new StreamText(turn);
    reply.footer = new QLabel(turn);
    reply.footer->setForegroundRole(QPalette::PlaceholderText);
    reply.footer->hide();
    reply.traceButton = new QToolButton(turn);
    reply.traceButton->setText(tr("Open in trace stepper"));
    reply.traceButton->setAutoRaise(true);
    reply.traceButton->hide();
    const int index = replyCount();
    connect(reply.traceButton, &QToolButton::clicked, this,
            [this, index] { emit openTraceRequested(trace(index)); });
    auto* footerRow = new QHBoxLayout;
    footerRow->addWidget(reply.footer);
    footerRow->addWidget(reply.traceButton);
    footerRow->addStretch(1);
    layout->addWidget(reply.reasoning);
    layout->addWidget(reply.answer);
    layout->addLayout(footerRow);
    auto* line = new QFrame(turn);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);
    turns_->insertWidget(turns_->count() - 1, turn);
    replies_.push_back(reply);
}

void ChatPanel::showError(const QString& message)
{
    messageBar_->setText(message);
    messageBar_->show();
}

void ChatPanel::updateButtons()
{
    const bool busy = worker_->busy();
    const bool loaded = worker_->isLoaded();
    loadButton_->setEnabled(!busy);
    browseButton_->setEnabled(!busy);
    sendButton_->setEnabled(loaded && !busy);
    stopButton_->setEnabled(busy && !replies_.empty() && !replies_.back().finished);
    newChatButton_->setEnabled(!busy && !history_.isEmpty());
}

} // namespace thinkbench::widgets
