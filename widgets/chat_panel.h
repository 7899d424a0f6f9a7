#pragma once
// The chat panel: load a model folder, chat with its template, the reply streaming in with its
// reasoning shown dimmed (collapsible), tok/s, sampling settings and think budget at hand, Stop.
// The model runs on a worker thread (ChatModelWorker); tokens arrive through queued signals.

#include <QStringList>
#include <QThread>
#include <QWidget>

#include "widgets/chat_model_worker.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTextBrowser;

namespace thinkbench::widgets {

class ChatPanel : public QWidget {
    Q_OBJECT

public:
    explicit ChatPanel(QWidget* parent = nullptr);
    ~ChatPanel() override;

    // Loads in the background; modelLoaded or modelFailed follows.
    void loadModel(const QString& folder);
    bool busy() const { return busy_; }
    QString transcript() const;
    QString lastReasoning() const { return lastReasoning_; }
    QString lastAnswer() const { return lastAnswer_; }
    double lastTokensPerSecond() const { return lastTokensPerSecond_; }
    void setSettings(const ChatSettings& settings);

public slots:
    void send(const QString& text);
    void stop();
    void clear();

signals:
    void modelLoaded(const QString& description);
    void modelFailed(const QString& message);
    void replyFinished();
    void requestLoad(const QString& folder);
    void requestGenerate(const QStringList& messages, const thinkbench::widgets::ChatSettings& settings);

private:
    void render();
    ChatSettings settings() const;

    QThread thread_;
    ChatModelWorker* worker_;
    QStringList messages_; // user, assistant, user, ...
    QString streamingReasoning_;
    QString streamingAnswer_;
    QString lastReasoning_;
    QString lastAnswer_;
    double lastTokensPerSecond_ = 0;
    bool busy_ = false;
    bool loaded_ = false;

    QLabel* modelLabel_;
    QPushButton* loadButton_;
    QDoubleSpinBox* temperature_;
    QDoubleSpinBox* topP_;
    QSpinBox* maxTokens_;
    QSpinBox* thinkBudget_;
    QCheckBox* showReasoning_;
    QTextBrowser* view_;
    QLineEdit* input_;
    QPushButton* sendButton_;
    QPushButton* stopButton_;
    QLabel* speed_;
};

} // namespace thinkbench::widgets
