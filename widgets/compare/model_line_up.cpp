#include "widgets/compare/model_line_up.h"

#include "widgets/common/model_path_dialog.h"
#include "widgets/common/remote_model_dialog.h"
#include "widgets/model_worker.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkbench::widgets {

ModelLineUp::ModelLineUp(QWidget* parent)
    : QWidget(parent)
    , countBox_(new QSpinBox(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* countRow = new QHBoxLayout;
    auto* countLabel = new QLabel(tr("Models:"), this);
    countLabel->setBuddy(countBox_);
    countBox_->setRange(kMinModels, kMaxModels);
    countRow->addWidget(countLabel);
    countRow->addWidget(countBox_);
    countRow->addStretch(1);
    layout->addLayout(countRow);
    auto* grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    layout->addLayout(grid);
    for (int i = 0; i < kMaxModels; ++i) {
        Row& row = rows_.emplace_back();
        row.worker = new ModelWorker(this);
        row.number = new QLabel(tr("%1.").arg(i + 1), this);
        row.path = new QLineEdit(this);
        row.path->setPlaceholderText(tr("Model folder (Hugging Face checkpoint or a run's checkpoint), .gguf "
                                        "file, or endpoint URL#MODEL"));
        row.browse = new QPushButton(tr("Browse…"), this);
        row.remote = new QPushButton(tr("Remote…"), this);
        row.remote->setToolTip(tr("A model served by an OpenAI-compatible endpoint"));
        row.load = new QPushButton(tr("Load"), this);
        row.status = new QLabel(tr("not loaded"), this);
        int column = 0;
        for (QWidget* w : widgetsOf(row))
            grid->addWidget(w, i, column++);
        connect(row.browse, &QPushButton::clicked, this, [this, i] {
            const QString path = askModelPath(this, rows_[static_cast<size_t>(i)].path->text());
            if (!path.isEmpty())
                load(i, path);
        });
        connect(row.remote, &QPushButton::clicked, this, [this, i] {
            const Row& r = rows_[static_cast<size_t>(i)];
            if (const auto remote = RemoteModelDialog::ask(this, r.path->text(), r.apiKey))
                load(i, remote->spec, remote->apiKey);
        });
        auto loadTyped = [this, i] {
            const Row& r = rows_[static_cast<size_t>(i)];
            load(i, r.path->text(), r.apiKey);
        };
        connect(row.load, &QPushButton::clicked, this, loadTyped);
        connect(row.path, &QLineEdit::returnPressed, this, loadTyped);
        connectWorker(i);
    }
    connect(countBox_, &QSpinBox::valueChanged, this, &ModelLineUp::setCount);
}

std::vector<QWidget*> ModelLineUp::widgetsOf(const Row& row)
{
    return {row.number, row.path, row.browse, row.remote, row.load, row.status};
}

void ModelLineUp::connectWorker(int model)
{
    ModelWorker* worker = rows_[static_cast<size_t>(model)].worker;
    connect(worker, &ModelWorker::loaded, this, [this, model](const QString& folder) {
        Row& row = rows_[static_cast<size_t>(model)];
        row.loading = false;
        row.status->setText(row.worker->summary());
        row.status->setToolTip(folder);
    });
    connect(worker, &ModelWorker::failed, this, [this, model] {
        Row& row = rows_[static_cast<size_t>(model)];
        if (!row.loading)
            return; // a generation or evaluation: side by side or batch shows it
        row.loading = false;
        // A failed load keeps the model that was there.
        row.status->setText(row.worker->isLoaded() ? row.worker->summary() : tr("not loaded"));
    });
}

void ModelLineUp::setCount(int count)
{
    if (busy())
        return;
    count_ = std::clamp(count, kMinModels, kMaxModels);
    if (countBox_->value() != count_)
        countBox_->setValue(count_);
    for (int i = 0; i < kMaxModels; ++i)
        for (QWidget* w : widgetsOf(rows_[static_cast<size_t>(i)]))
            w->setVisible(i < count_);
    emit countChanged(count_);
}

void ModelLineUp::load(int model, const QString& folder, const QString& apiKey)
{
    if (model < 0 || model >= count_ || folder.trimmed().isEmpty())
        return;
    Row& row = rows_[static_cast<size_t>(model)];
    if (!row.worker->load(folder.trimmed(), apiKey))
        return;
    row.loading = true;
    row.apiKey = apiKey;
    row.path->setText(folder.trimmed());
    row.status->setText(tr("loading…"));
    emit loadStarted(model);
}

ModelWorker* ModelLineUp::worker(int model) const
{
    return rows_[static_cast<size_t>(model)].worker;
}

std::vector<int> ModelLineUp::loaded() const
{
    std::vector<int> models;
    for (int i = 0; i < count_; ++i)
        if (rows_[static_cast<size_t>(i)].worker->isLoaded())
            models.push_back(i);
    return models;
}

bool ModelLineUp::busy() const
{
    return std::any_of(rows_.begin(), rows_.end(), [](const Row& row) { return row.worker->busy(); });
}

QString ModelLineUp::name(int model) const
{
    const ModelWorker* w = worker(model);
    return w->isLoaded() ? ModelWorker::displayName(w->folder()) : tr("Model %1").arg(model + 1);
}

void ModelLineUp::updateControls()
{
    for (const Row& row : rows_) {
        const bool idle = !row.worker->busy();
        row.path->setEnabled(idle);
        row.browse->setEnabled(idle);
        row.remote->setEnabled(idle);
        row.load->setEnabled(idle);
    }
    countBox_->setEnabled(!busy());
}

void ModelLineUp::stop()
{
    for (const Row& row : rows_)
        row.worker->cancel();
}

} // namespace thinkbench::widgets
