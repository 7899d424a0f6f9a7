#include "widgets/chat_panel.h"

#include "widgets/chat_model_worker.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace thinkbench::widgets {

namespace {
QString paragraphs(const QString& text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}
} // namespace

ChatPanel::ChatPanel(QWidget* parent) : QWidget(parent), worker_(new ChatModelWorker)
{
    setObjectName(QStringLiteral("chatPanel"));
    modelLabel_ = new QLabel(tr("No model loaded"), this);
    loadButton_ = new QPushButton(tr("Load model folder…"), this);
    temperature_ = new QDoubleSpinBox(this);
    temperature_->setRange(0, 2);
    temperature_->setSingleStep(0.1);
    temperature_->setValue(0.6);
    topP_ = new QDoubleSpinBox(this);
    topP_->setRange(0.01, 1);
    topP_->setSingleStep(0.05);
    topP_->setValue(0.95);
    maxTokens_ = new QSpinBox(this);
    maxTokens_->setRange(1, 32768);
    maxTokens_->setValue(256);
    thinkBudget_ = new QSpinBox(this);
    thinkBudget_->setRange(-1, 32768);
    thinkBudget_->setValue(-1);
    thinkBudget_->setSpecialValueText(tr("unlimited"));
    showReasoning_ = new QCheckBox(tr("Show reasoning"), this);
    showReasoning_->setChecked(true);
    view_ = new QTextBrowser(this);
    input_ = new QLineEdit(this);
    input_->setPlaceholderText(tr("Message (Enter to send)"));
    sendButton_ = new QPushButton(tr("Send"), this);
    stopButton_ = new QPushButton(tr("Stop"), this);
    stopButton_->setEnabled(false);
    speed_ = new QLabel(this);

    auto* top = new QHBoxLayout;
    top->addWidget(modelLabel_, 1);
    top->addWidget(loadButton_);
    auto* settingsRow = new QHBoxLayout;
    auto* form1 = new QFormLayout;
    form1->addRow(tr("Temperature:"), temperature_);
    form1->addRow(tr("Top-p:"), topP_);
    auto* form2 = new QFormLayout;
    form2->addRow(tr("Max tokens:"), maxTokens_);
    form2->addRow(tr("Think budget:"), thinkBudget_);
    settingsRow->addLayout(form1);
    settingsRow->addLayout(form2);
    settingsRow->addWidget(showReasoning_);
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(input_, 1);
    inputRow->addWidget(sendButton_);
    inputRow->addWidget(stopButton_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(settingsRow);
    layout->addWidget(view_, 1);
    layout->addLayout(inputRow);
    layout->addWidget(speed_);

    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(this, &ChatPanel::requestLoad, worker_, &ChatModelWorker::load);
    connect(this, &ChatPanel::requestGenerate, worker_, &ChatModelWorker::generate);
    connect(worker_, &ChatModelWorker::loaded, this, [this](const QString& description) {
        loaded_ = true;
        modelLabel_->setText(description);
        sendButton_->setEnabled(true);
        emit modelLoaded(description);
    });
    connect(worker_, &ChatModelWorker::failed, this, [this](const QString& message) {
        busy_ = false;
        stopButton_->setEnabled(false);
        modelLabel_->setText(tr("Error: %1").arg(message));
        emit modelFailed(message);
    });
    connect(worker_, &ChatModelWorker::delta, this, [this](const QString& text, bool inReasoning) {
        (inReasoning ? streamingReasoning_ : streamingAnswer_) += text;
        render();
    });
    connect(worker_, &ChatModelWorker::finished, this,
            [this](const QString& reasoning, const QString& answer, int tokens, double tokensPerSecond) {
                busy_ = false;
                lastReasoning_ = reasoning;
                lastAnswer_ = answer;
                lastTokensPerSecond_ = tokensPerSecond;
                messages_ << answer;
                streamingReasoning_.clear();
                streamingAnswer_.clear();
                stopButton_->setEnabled(false);
                speed_->setText(tr("%1 tokens · %2 tok/s").arg(tokens).arg(tokensPerSecond, 0, 'f', 1));
                render();
                emit replyFinished();
            });
    connect(loadButton_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Model folder"));
        if (!dir.isEmpty())
            loadModel(dir);
    });
    connect(sendButton_, &QPushButton::clicked, this, [this] { send(input_->text()); });
    connect(input_, &QLineEdit::returnPressed, this, [this] { send(input_->text()); });
    connect(stopButton_, &QPushButton::clicked, this, &ChatPanel::stop);
    connect(showReasoning_, &QCheckBox::toggled, this, &ChatPanel::render);
    thread_.start();
    render();
}

ChatPanel::~ChatPanel()
{
    worker_->cancel();
    thread_.quit();
    thread_.wait();
}

void ChatPanel::loadModel(const QString& folder)
{
    modelLabel_->setText(tr("Loading %1…").arg(folder));
    emit requestLoad(folder);
}

ChatSettings ChatPanel::settings() const
{
    ChatSettings s;
    s.temperature = float(temperature_->value());
    s.topP = float(topP_->value());
    s.maxNewTokens = maxTokens_->value();
    s.thinkBudget = thinkBudget_->value();
    return s;
}

void ChatPanel::setSettings(const ChatSettings& s)
{
    temperature_->setValue(s.temperature);
    topP_->setValue(s.topP);
    maxTokens_->setValue(s.maxNewTokens);
    thinkBudget_->setValue(s.thinkBudget);
}

void ChatPanel::send(const QString& text)
{
    if (busy_ || !loaded_ || text.trimmed().isEmpty())
        return;
    busy_ = true;
    messages_ << text.trimmed();
    input_->clear();
    stopButton_->setEnabled(true);
    speed_->setText(tr("Generating…"));
    render();
    emit requestGenerate(messages_, settings());
}

void ChatPanel::stop() { worker_->cancel(); }

void ChatPanel::clear()
{
    if (busy_)
        return;
    messages_.clear();
    render();
}

QString ChatPanel::transcript() const { return view_->toPlainText(); }

void ChatPanel::render()
{
    QString html;
    auto reasoningHtml = [this](const QString& reasoning) {
        if (reasoning.isEmpty())
            return QString();
        if (!showReasoning_->isChecked())
            return QStringLiteral("<p style=\"color:gray\"><i>%1</i></p>")
                .arg(tr("(reasoning hidden, %n character(s))", nullptr, reasoning.size()));
        return QStringLiteral("<p style=\"color:#888;border-left:2px solid #ccc\">%1</p>").arg(paragraphs(reasoning));
    };
    for (int i = 0; i < messages_.size(); ++i) {
        if (i % 2 == 0)
            html += QStringLiteral("<p><b>%1</b> %2</p>").arg(tr("You:"), paragraphs(messages_[i]));
        else
            html += QStringLiteral("<p><b>%1</b> %2</p>").arg(tr("Model:"), paragraphs(messages_[i]));
        if (i % 2 == 1 && i == messages_.size() - 1)
            html += reasoningHtml(lastReasoning_);
    }
    if (busy_)
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Model:")) + reasoningHtml(streamingReasoning_) +
                QStringLiteral("<p>%1</p>").arg(paragraphs(streamingAnswer_));
    view_->setHtml(html);
    view_->verticalScrollBar()->setValue(view_->verticalScrollBar()->maximum());
    sendButton_->setEnabled(loaded_ && !busy_);
}

} // namespace thinkbench::widgets
