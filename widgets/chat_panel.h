#pragma once
// The chat panel: load a model folder or a served model (RemoteModelDialog), chat with the model's template over
// several turns, the reply streaming in with its reasoning in a collapsible section above the answer, tok/s, the
// sampling settings and think budget at hand, Stop. Each finished reply opens in the trace
// stepper. The model runs on a ModelWorker's thread.

#include "widgets/model_worker.h"
#include "widgets/trace_stepper.h"

#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QToolButton;
class QVBoxLayout;

namespace thinkbench::widgets {

class MessageBar;
class ReplyView;
class SamplingBar;

class ChatPanel : public QWidget {
    Q_OBJECT

public:
    explicit ChatPanel(QWidget* parent = nullptr);

    // Loads in the background; modelLoaded or modelFailed follows. folder: a model folder or an
    // endpoint URL#MODEL; apiKey: the endpoint's key (empty: $OPENAI_API_KEY).
    void loadModel(const QString& folder, const QString& apiKey = {});
    bool isLoaded() const { return worker_->isLoaded(); }
    bool busy() const { return worker_->busy(); }
    SamplingSettings settings() const;
    void setSettings(const SamplingSettings& settings);

    // The conversation as plain text, reasoning included.
    QString transcript() const;
    // What the tok/s line shows now.
    QString speedText() const;
    // The last error shown in the message bar; empty when none.
    QString errorText() const;
    int replyCount() const { return static_cast<int>(replies_.size()); }
    // The reply `index` as a trace; empty until that reply finished.
    TraceSample trace(int index) const;

public slots:
    // Sends a user message; false while a reply streams, without a model, or for empty text.
    bool send(const QString& text);
    void stop();
    void newChat();

signals:
    void modelLoaded(const QString& folder);
    void modelFailed(const QString& message);
    void replyStreamed();
    void replyFinished(const thinkbench::widgets::GenerationOutcome& outcome);
    // "Open in trace stepper" on a reply.
    void openTraceRequested(const thinkbench::widgets::TraceSample& sample);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Reply {
        QWidget* userTurn = nullptr;
        QWidget* turn = nullptr;
        ReplyView* view = nullptr;
        QLabel* footer = nullptr;
        QToolButton* traceButton = nullptr;
        GenerationOutcome outcome;
        bool finished = false;
    };

    QWidget* addUserTurn(const QString& text);
    void addReplyTurn(QWidget* userTurn);
    void updateButtons();

    ModelWorker* worker_;
    QList<ChatTurn> history_;
    std::vector<Reply> replies_;
    bool followTail_ = true;
    QString apiKey_; // the last remote model's key, never shown

    QLineEdit* path_;
    QPushButton* browseButton_;
    QPushButton* remoteButton_;
    QPushButton* loadButton_;
    QLabel* modelLabel_;
    MessageBar* messageBar_;
    SamplingBar* sampling_;
    QScrollArea* scroll_;
    QVBoxLayout* turns_;
    QPlainTextEdit* input_;
    QPushButton* sendButton_;
    QPushButton* stopButton_;
    QPushButton* newChatButton_;
    QLabel* speed_;
};

} // namespace thinkbench::widgets
