#include "widgets/common/remote_model_dialog.h"

#include "inference/remote/endpoint.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace thinkbench::widgets {

RemoteModelDialog::RemoteModelDialog(const QString& spec, const QString& apiKey, QWidget* parent)
    : QDialog(parent)
    , url_(new QLineEdit(this))
    , model_(new QLineEdit(this))
    , apiKey_(new QLineEdit(this))
{
    setWindowTitle(tr("Remote model"));
    url_->setPlaceholderText(QStringLiteral("http://127.0.0.1:8080/v1"));
    model_->setPlaceholderText(tr("as the server lists it; empty: its only model"));
    apiKey_->setPlaceholderText(tr("empty: $OPENAI_API_KEY"));
    apiKey_->setEchoMode(QLineEdit::Password);
    apiKey_->setText(apiKey);
    if (inference::isEndpointSpec(spec.toStdString())) {
        const int hash = spec.indexOf(QLatin1Char('#'));
        url_->setText(hash < 0 ? spec : spec.left(hash));
        model_->setText(hash < 0 ? QString() : spec.mid(hash + 1));
    }

    auto* note = new QLabel(tr("An OpenAI-compatible server: vLLM, llama.cpp, Ollama, LM Studio or "
                               "thinkbench-cli serve. Reasoning is read from reasoning_content or from "
                               "<think> tags in the reply."),
                            this);
    note->setWordWrap(true);
    note->setTextFormat(Qt::PlainText);
    auto* form = new QFormLayout;
    form->addRow(tr("Base URL:"), url_);
    form->addRow(tr("Model:"), model_);
    form->addRow(tr("API key:"), apiKey_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton* ok = buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Load"));
    auto validate = [this, ok] { ok->setEnabled(inference::isEndpointSpec(url_->text().trimmed().toStdString())); };
    connect(url_, &QLineEdit::textChanged, this, validate);
    validate();
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addLayout(form);
    layout->addWidget(buttons);
    resize(480, sizeHint().height());
}

RemoteModel RemoteModelDialog::remoteModel() const
{
    const QString model = model_->text().trimmed();
    return {url_->text().trimmed() + (model.isEmpty() ? QString() : QLatin1Char('#') + model), apiKey_->text()};
}

std::optional<RemoteModel> RemoteModelDialog::ask(QWidget* parent, const QString& spec, const QString& apiKey)
{
    RemoteModelDialog dialog(spec, apiKey, parent);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return dialog.remoteModel();
}

} // namespace thinkbench::widgets
