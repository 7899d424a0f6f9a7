#include "widgets/compare/batch_evaluation.h"

#include "core/tasks/held_out_set.h"
#include "widgets/common/sampling_bar.h"
#include "widgets/compare/model_line_up.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkbench::widgets {

namespace {

constexpr int kSummaryColumns = 6; // model, pass@1, cons@k, pass@k, mean length, format

// Red (0) through yellow to green (1), light enough to read text on.
QColor scoreColour(double score)
{
    return QColor::fromHsvF(static_cast<float>(score) / 3.0f, 0.35f, 1.0f);
}

QTableWidgetItem* cell(const QString& text, const QVariant& sortValue = {})
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (sortValue.isValid())
        item->setData(Qt::UserRole, sortValue);
    return item;
}

} // namespace

BatchEvaluation::BatchEvaluation(ModelLineUp* models, SamplingBar* sampling, QWidget* parent)
    : QWidget(parent)
    , models_(models)
    , sampling_(sampling)
    , jobs_(ModelLineUp::kMaxModels)
    , fromTask_(new QRadioButton(tr("Task"), this))
    , fromDataset_(new QRadioButton(tr("Dataset"), this))
    , task_(new QComboBox(this))
    , dataset_(new QLineEdit(this))
    , datasetBrowse_(new QPushButton(tr("Browse…"), this))
    , problemCount_(new QSpinBox(this))
    , samples_(new QSpinBox(this))
    , runButton_(new QPushButton(tr("Run batch"), this))
    , stopButton_(new QPushButton(tr("Stop"), this))
    , progressBar_(new QProgressBar(this))
    , table_(new QTableWidget(this))
{
    fromTask_->setChecked(true);
    task_->setEditable(true);
    task_->addItems({QStringLiteral("arithmetic:digits=1-2,ops=+-"), QStringLiteral("arithmetic:digits=1-3,ops=+-*"),
                     QStringLiteral("countdown:numbers=3,max_target=50"), QStringLiteral("linear:coef=1-9"),
                     QStringLiteral("knights:people=2-3")});
    task_->setToolTip(tr("A built-in task family; its held-out split is used"));
    dataset_->setPlaceholderText(tr("JSONL or JSON problems"));
    problemCount_->setRange(1, 10000);
    problemCount_->setValue(20);
    samples_->setRange(1, 64);
    samples_->setValue(4);
    progressBar_->setFormat(tr("%v / %m problems × models"));
    progressBar_->setValue(0);
    table_->setObjectName(QStringLiteral("batchTable"));
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->setToolTip(tr("Double-click a problem's cell to open its first sample"));

    auto* sourceRow = new QHBoxLayout;
    sourceRow->addWidget(fromTask_);
    sourceRow->addWidget(task_, 1);
    sourceRow->addWidget(fromDataset_);
    sourceRow->addWidget(dataset_, 1);
    sourceRow->addWidget(datasetBrowse_);
    auto* runRow = new QHBoxLayout;
    const std::pair<QString, QSpinBox*> fields[] = {{tr("Problems"), problemCount_},
                                                    {tr("Samples per problem (k)"), samples_}};
    for (const auto& [name, field] : fields) {
        auto* label = new QLabel(name, this);
        label->setBuddy(field);
        runRow->addWidget(label);
        runRow->addWidget(field);
    }
    runRow->addWidget(progressBar_, 1);
    runRow->addWidget(runButton_);
    runRow->addWidget(stopButton_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(sourceRow);
    layout->addLayout(runRow);
    layout->addWidget(table_, 1);

    connect(datasetBrowse_, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Dataset"), dataset_->text(),
                                                          tr("Problems (*.jsonl *.json);;All files (*)"));
        if (!file.isEmpty())
            setDataset(file);
    });
    connect(fromDataset_, &QRadioButton::toggled, this, [this] { updateControls(); });
    connect(runButton_, &QPushButton::clicked, this, &BatchEvaluation::run);
    connect(stopButton_, &QPushButton::clicked, models_, &ModelLineUp::stop);
    connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int column) {
        if (column >= kSummaryColumns)
            emit openTraceRequested(trace(row, column - kSummaryColumns));
    });
    for (int i = 0; i < ModelLineUp::kMaxModels; ++i)
        connectWorker(i);
}

void BatchEvaluation::connectWorker(int model)
{
    ModelWorker* worker = models_->worker(model);
    connect(worker, &ModelWorker::failed, this, [this, model] {
        Job& job = jobs_[static_cast<size_t>(model)];
        if (!job.running || job.evaluation)
            return;
        job.evaluation = EvaluationOutcome{{}, false, true};
        fillTable();
    });
    connect(worker, &ModelWorker::evaluationProgress, this, [this, model](int done) {
        jobs_[static_cast<size_t>(model)].done = done;
        int sum = 0;
        for (const Job& job : jobs_)
            sum += job.done;
        progressBar_->setValue(sum);
        emit progress(sum, total_);
    });
    connect(worker, &ModelWorker::evaluationFinished, this, [this, model](const EvaluationOutcome& outcome) {
        jobs_[static_cast<size_t>(model)].evaluation = outcome;
        fillTable();
    });
}

void BatchEvaluation::setTask(const QString& spec)
{
    task_->setCurrentText(spec);
    fromTask_->setChecked(true);
}

void BatchEvaluation::setDataset(const QString& path)
{
    dataset_->setText(path);
    fromDataset_->setChecked(true);
}

void BatchEvaluation::setProblems(int count)
{
    problemCount_->setValue(count);
}

void BatchEvaluation::setSamples(int k)
{
    samples_->setValue(k);
}

std::vector<core::Problem> BatchEvaluation::drawProblems() const
{
    core::HeldOutSet set;
    if (fromTask_->isChecked())
        set.tasks = {task_->currentText().toStdString()};
    else
        set.dataset = dataset_->text().toStdString();
    set.limit = problemCount_->value();
    return core::drawHeldOut(set, sampling_->settings().seed);
}

bool BatchEvaluation::run()
{
    if (models_->busy())
        return false;
    const std::vector<int> loaded = models_->loaded();
    if (loaded.empty()) {
        emit errorOccurred(tr("Load a model first."));
        return false;
    }
    std::vector<core::Problem> problems;
    try {
        problems = drawProblems();
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
        return false;
    }
    if (problems.empty()) {
        emit errorOccurred(tr("No problems to evaluate."));
        return false;
    }
    const SamplingSettings settings = sampling_->settings();
    inference::EvalOptions options;
    options.k = samples_->value();
    options.temperature = static_cast<float>(settings.temperature);
    options.topP = static_cast<float>(settings.topP);
    options.maxNewTokens = settings.maxNewTokens;
    options.seed = settings.seed;
    problems_ = problems;
    total_ = static_cast<int>(problems.size() * loaded.size());
    std::fill(jobs_.begin(), jobs_.end(), Job{});
    for (int model : loaded)
        jobs_[static_cast<size_t>(model)].running = models_->worker(model)->evaluate(problems, options);
    running_ = true;
    progressBar_->setRange(0, total_);
    progressBar_->setValue(0);
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    emit started();
    updateControls();
    return true;
}

void BatchEvaluation::fillTable()
{
    const bool waiting =
        std::any_of(jobs_.begin(), jobs_.end(), [](const Job& job) { return job.running && !job.evaluation; });
    if (waiting)
        return;
    running_ = false;
    rows_.clear();
    for (int i = 0; i < ModelLineUp::kMaxModels; ++i) {
        const auto& e = jobs_[static_cast<size_t>(i)].evaluation;
        if (e && !e->result.items.empty())
            rows_.push_back(i);
    }
    const int k = samples_->value();
    QStringList headers = {tr("Model"),          tr("pass@1"),      tr("cons@%1").arg(k),
                           tr("pass@%1").arg(k), tr("Mean length"), tr("Format")};
    for (size_t p = 0; p < problems_.size(); ++p)
        headers << QString::number(p + 1);
    table_->clear();
    table_->setColumnCount(static_cast<int>(headers.size()));
    table_->setHorizontalHeaderLabels(headers);
    for (size_t p = 0; p < problems_.size(); ++p)
        table_->horizontalHeaderItem(kSummaryColumns + static_cast<int>(p))
            ->setToolTip(QString::fromStdString(problems_[p].prompt + "\n= " + problems_[p].truth));
    table_->setRowCount(static_cast<int>(rows_.size()));
    bool cancelled = false;
    for (size_t row = 0; row < rows_.size(); ++row) {
        const int model = rows_[row];
        const EvaluationOutcome& e = *jobs_[static_cast<size_t>(model)].evaluation;
        const inference::EvalSummary& s = e.result.summary;
        cancelled = cancelled || e.cancelled;
        const int r = static_cast<int>(row);
        auto percent = [](double v) { return QStringLiteral("%1%").arg(100 * v, 0, 'f', 1); };
        QTableWidgetItem* name = cell(models_->name(model));
        name->setToolTip(models_->worker(model)->folder());
        table_->setItem(r, 0, name);
        table_->setItem(r, 1, cell(percent(s.pass1), s.pass1));
        table_->setItem(r, 2, cell(percent(s.consAtK), s.consAtK));
        table_->setItem(r, 3, cell(percent(s.passAtK), s.passAtK));
        table_->setItem(r, 4, cell(QString::number(s.meanLength, 'f', 1), s.meanLength));
        table_->setItem(r, 5, cell(percent(s.formatRate), s.formatRate));
        for (size_t p = 0; p < e.result.items.size(); ++p) {
            const inference::ItemResult& item = e.result.items[p];
            int correct = 0;
            for (const auto& sample : item.samples)
                correct += sample.correct;
            QTableWidgetItem* c = cell(QStringLiteral("%1/%2").arg(correct).arg(item.samples.size()), item.pass1);
            c->setBackground(scoreColour(item.pass1));
            c->setForeground(QColor(Qt::black));
            c->setToolTip(
                tr("consensus: %1").arg(item.consensus.empty() ? tr("none") : QString::fromStdString(item.consensus)));
            table_->setItem(r, kSummaryColumns + static_cast<int>(p), c);
        }
    }
    table_->resizeColumnsToContents();
    if (cancelled)
        emit errorOccurred(tr("Batch stopped: the table covers the problems finished before Stop."));
    updateControls();
    emit finished();
}

TraceSample BatchEvaluation::trace(int row, int problem) const
{
    if (row < 0 || row >= static_cast<int>(rows_.size()))
        return {};
    const int model = rows_[static_cast<size_t>(row)];
    const EvaluationOutcome& e = *jobs_[static_cast<size_t>(model)].evaluation;
    if (problem < 0 || problem >= static_cast<int>(e.result.items.size()))
        return {};
    const inference::ItemResult& item = e.result.items[static_cast<size_t>(problem)];
    if (item.samples.empty())
        return {};
    const inference::SampleOutcome& s = item.samples.front();
    TraceSample sample;
    sample.title = tr("%1 · problem %2 (%3) · sample 1 of %4")
                       .arg(models_->name(model))
                       .arg(problem + 1)
                       .arg(QString::fromStdString(item.problem.id))
                       .arg(item.samples.size());
    sample.prompt = QString::fromStdString(item.problem.prompt);
    sample.completion = QString::fromStdString(s.completion);
    sample.promptOpensThinking = e.promptOpensThinking;
    sample.extracted = QString::fromStdString(s.extracted);
    sample.correct = s.correct;
    return sample;
}

void BatchEvaluation::updateControls()
{
    runButton_->setEnabled(!models_->busy() && !models_->loaded().empty());
    stopButton_->setEnabled(running_);
    task_->setEnabled(fromTask_->isChecked());
    dataset_->setEnabled(fromDataset_->isChecked());
    datasetBrowse_->setEnabled(fromDataset_->isChecked());
}

} // namespace thinkbench::widgets
