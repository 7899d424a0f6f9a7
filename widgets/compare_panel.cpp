#include "widgets/compare_panel.h"

#include "core/error.h"
#include "core/store/run_store.h"
#include "core/tasks/task.h"
#include "core/tasks/verifier.h"
#include "widgets/chat_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

namespace thinkbench::widgets {

namespace {

QString toQ(const std::string& s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

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

struct Judgement {
    QString extracted;
    std::optional<bool> correct; // empty without a ground truth
};

// The answer extracted from a reply and, given a ground truth, the verifier's verdict.
Judgement judge(const QString& answer, const QString& truth)
{
    if (truth.isEmpty())
        return {toQ(core::extractAnswer(answer.toStdString()).answer), std::nullopt};
    const core::Verdict verdict = core::verify(answer.toStdString(), truth.toStdString());
    return {toQ(verdict.extracted), verdict.correct};
}

constexpr int kSummaryColumns = 6; // model, pass@1, cons@k, pass@k, mean length, format

} // namespace

ComparePanel::ComparePanel(QWidget* parent)
    : QWidget(parent)
    , sampling_(new SamplingBar(this))
    , messageBar_(new QLabel(this))
    , count_(new QSpinBox(this))
    , tabs_(new QTabWidget(this))
{
    setObjectName(QStringLiteral("comparePanel"));
    messageBar_->setObjectName(QStringLiteral("messageBar"));
    messageBar_->setWordWrap(true);
    messageBar_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    messageBar_->setStyleSheet(QStringLiteral("QLabel { background: #fde7e9; color: #8a1c24; "
                                              "border: 1px solid #e8a3a9; padding: 4px; }"));
    messageBar_->hide();

    for (int i = 0; i < kMaxModels; ++i)
        models_.emplace_back().worker = new ModelWorker(this);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildModelList());
    layout->addWidget(sampling_);
    layout->addWidget(messageBar_);
    tabs_->addTab(buildSideBySide(), tr("Side by side"));
    tabs_->addTab(buildBatch(), tr("Batch"));
    layout->addWidget(tabs_, 1);
    for (int i = 0; i < kMaxModels; ++i)
        connectWorker(i);
    setModelCount(kMinModels);
}

QWidget* ComparePanel::buildModelList()
{
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* countRow = new QHBoxLayout;
    auto* countLabel = new QLabel(tr("Models:"), box);
    countLabel->setBuddy(count_);
    count_->setRange(kMinModels, kMaxModels);
    countRow->addWidget(countLabel);
    countRow->addWidget(count_);
    countRow->addStretch(1);
    layout->addLayout(countRow);
    auto* grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    layout->addLayout(grid);
    for (int i = 0; i < kMaxModels; ++i) {
        Model& m = models_[static_cast<size_t>(i)];
        m.number = new QLabel(tr("%1.").arg(i + 1), box);
        m.path = new QLineEdit(box);
        m.path->setPlaceholderText(
            tr("Model folder: Hugging Face checkpoint or a run's checkpoint"));
        m.browse = new QPushButton(tr("Browse…"), box);
        m.load = new QPushButton(tr("Load"), box);
        m.status = new QLabel(tr("not loaded"), box);
        int column = 0;
        for (QWidget* w : rowOf(m))
            grid->addWidget(w, i, column++);
        connect(m.browse, &QPushButton::clicked, this, [this, i] {
            const QString dir = QFileDialog::getExistingDirectory(
                this, tr("Model folder"), models_[static_cast<size_t>(i)].path->text());
            if (!dir.isEmpty())
                loadModel(i, dir);
        });
        connect(m.load, &QPushButton::clicked, this,
                [this, i] { loadModel(i, models_[static_cast<size_t>(i)].path->text()); });
        connect(m.path, &QLineEdit::returnPressed, this,
                [this, i] { loadModel(i, models_[static_cast<size_t>(i)].path->text()); });
    }
    connect(count_, &QSpinBox::valueChanged, this, &ComparePanel::setModelCount);
    return box;
}

QWidget* ComparePanel::buildSideBySide()
{
    auto* page = new QWidget(this);
    prompt_ = new QPlainTextEdit(page);
    prompt_->setPlaceholderText(tr("Prompt"));
    prompt_->setMaximumHeight(prompt_->fontMetrics().lineSpacing() * 3 + 12);
    truth_ = new QLineEdit(page);
    truth_->setPlaceholderText(tr("Ground-truth answer (optional)"));
    blind_ = new QCheckBox(tr("Blind"), page);
    blind_->setToolTip(tr("Two of the models answer as anonymous A and B; vote, then see which"));
    runButton_ = new QPushButton(tr("Run"), page);
    stopButton_ = new QPushButton(tr("Stop"), page);
    splitter_ = new QSplitter(Qt::Horizontal, page);
    splitter_->setChildrenCollapsible(false);
    for (int c = 0; c < kMaxModels; ++c) {
        Column& col = columns_.emplace_back();
        auto* frame = new QFrame(splitter_);
        frame->setFrameShape(QFrame::StyledPanel);
        col.frame = frame;
        col.title = new QLabel(frame);
        QFont bold = col.title->font();
        bold.setBold(true);
        col.title->setFont(bold);
        col.stats = new QLabel(frame);
        col.stats->setWordWrap(true);
        col.stats->setTextInteractionFlags(Qt::TextSelectableByMouse);
        col.view = new QScrollArea(frame);
        col.view->setWidgetResizable(true);
        col.view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        col.view->setFrameShape(QFrame::NoFrame);
        auto* content = new QWidget(col.view);
        content->setBackgroundRole(QPalette::Base);
        content->setAutoFillBackground(true);
        col.reasoning = new ReasoningSection(content);
        col.answer = new StreamText(content);
        auto* contentLayout = new QVBoxLayout(content);
        contentLayout->addWidget(col.reasoning);
        contentLayout->addWidget(col.answer);
        contentLayout->addStretch(1);
        col.view->setWidget(content);
        col.traceButton = new QPushButton(tr("Open in trace stepper"), frame);
        col.traceButton->setEnabled(false);
        auto* frameLayout = new QVBoxLayout(frame);
        frameLayout->setContentsMargins(4, 4, 4, 4);
        frameLayout->addWidget(col.title);
        frameLayout->addWidget(col.stats);
        frameLayout->addWidget(col.view, 1);
        frameLayout->addWidget(col.traceButton, 0, Qt::AlignRight);
        connect(col.traceButton, &QPushButton::clicked, this,
                [this, c] { emit openTraceRequested(columnTrace(c)); });
        connect(col.view->verticalScrollBar(), &QScrollBar::valueChanged, this,
                [this, c] { syncScroll(c); });
    }

    voteBar_ = new QWidget(page);
    auto* voteRow = new QHBoxLayout(voteBar_);
    voteRow->setContentsMargins(0, 0, 0, 0);
    voteRow->addWidget(new QLabel(tr("Which reply is better?"), voteBar_));
    const std::pair<QString, Vote> choices[] = {{tr("A is better"), Vote::A},
                                                {tr("B is better"), Vote::B},
                                                {tr("Tie"), Vote::Tie},
                                                {tr("Both are bad"), Vote::BothBad}};
    for (const auto& [text, choice] : choices) {
        auto* button = new QPushButton(text, voteBar_);
        connect(button, &QPushButton::clicked, this, [this, choice] { vote(choice); });
        voteRow->addWidget(button);
        voteButtons_.push_back(button);
    }
    reveal_ = new QLabel(voteBar_);
    reveal_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    voteRow->addWidget(reveal_, 1);

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
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(promptRow);
    layout->addWidget(splitter_, 1);
    layout->addWidget(voteBar_);

    connect(runButton_, &QPushButton::clicked, this, &ComparePanel::run);
    connect(stopButton_, &QPushButton::clicked, this, &ComparePanel::stop);
    connect(blind_, &QCheckBox::toggled, this, [this] { updateControls(); });
    return page;
}

QWidget* ComparePanel::buildBatch()
{
    auto* page = new QWidget(this);
    fromTask_ = new QRadioButton(tr("Task"), page);
    fromTask_->setChecked(true);
    fromDataset_ = new QRadioButton(tr("Dataset"), page);
    task_ = new QComboBox(page);
    task_->setEditable(true);
    task_->addItems({QStringLiteral("arithmetic:digits=1-2,ops=+-"),
                     QStringLiteral("arithmetic:digits=1-3,ops=+-*"),
                     QStringLiteral("countdown:numbers=3,max_target=50"),
                     QStringLiteral("linear:coef=1-9"), QStringLiteral("knights:people=2-3")});
    task_->setToolTip(tr("A built-in task family; its held-out split is used"));
    dataset_ = new QLineEdit(page);
    dataset_->setPlaceholderText(tr("JSONL or JSON problems"));
    datasetBrowse_ = new QPushButton(tr("Browse…"), page);
    problems_ = new QSpinBox(page);
    problems_->setRange(1, 10000);
    problems_->setValue(20);
    samples_ = new QSpinBox(page);
    samples_->setRange(1, 64);
    samples_->setValue(4);
    batchButton_ = new QPushButton(tr("Run batch"), page);
    batchStopButton_ = new QPushButton(tr("Stop"), page);
    progress_ = new QProgressBar(page);
    progress_->setFormat(tr("%v / %m problems × models"));
    progress_->setValue(0);
    table_ = new QTableWidget(page);
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
    const std::pair<QString, QSpinBox*> fields[] = {{tr("Problems"), problems_},
                                                    {tr("Samples per problem (k)"), samples_}};
    for (const auto& [name, field] : fields) {
        auto* label = new QLabel(name, page);
        label->setBuddy(field);
        runRow->addWidget(label);
        runRow->addWidget(field);
    }
    runRow->addWidget(progress_, 1);
    runRow->addWidget(batchButton_);
    runRow->addWidget(batchStopButton_);
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(sourceRow);
    layout->addLayout(runRow);
    layout->addWidget(table_, 1);

    connect(datasetBrowse_, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Dataset"), dataset_->text(), tr("Problems (*.jsonl *.json);;All files (*)"));
        if (!file.isEmpty())
            setBatchDataset(file);
    });
    connect(fromDataset_, &QRadioButton::toggled, this, [this] { updateControls(); });
    connect(batchButton_, &QPushButton::clicked, this, &ComparePanel::runBatch);
    connect(batchStopButton_, &QPushButton::clicked, this, &ComparePanel::stop);
    connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int column) {
        if (column >= kSummaryColumns)
            emit openTraceRequested(batchTrace(row, column - kSummaryColumns));
    });
    return page;
}

std::vector<QWidget*> ComparePanel::rowOf(const Model& m)
{
    return {m.number, m.path, m.browse, m.load, m.status};
}

void ComparePanel::connectWorker(int index)
{
    Model& m = models_[static_cast<size_t>(index)];
    connect(m.worker, &ModelWorker::loaded, this,
            [this, index](const QString& folder, const QString& chat) {
                Model& m = models_[static_cast<size_t>(index)];
                m.status->setText(
                    tr("%1 · %2 template").arg(ModelWorker::displayName(folder), chat));
                m.status->setToolTip(folder);
                const int c = columnOf(index);
                if (c >= 0)
                    updateColumnTitle(c);
                updateControls();
                emit modelLoaded(index, folder);
            });
    connect(m.worker, &ModelWorker::failed, this, [this, index](const QString& message) {
        Model& m = models_[static_cast<size_t>(index)];
        if (m.running) {
            m.running = false;
            m.finished = true;
            const int c = columnOf(index);
            if (c >= 0)
                finishColumn(c);
        } else if (m.inBatch && !m.evaluation) {
            m.evaluation = EvaluationOutcome{{}, false, true};
            fillBatchTable();
        } else {
            // A failed load keeps the model that was there.
            m.status->setText(m.worker->isLoaded()
                                  ? tr("%1 · %2 template")
                                        .arg(ModelWorker::displayName(m.worker->folder()),
                                             m.worker->templateName())
                                  : tr("not loaded"));
        }
        showError(tr("Model %1: %2").arg(index + 1).arg(message));
        updateControls();
        emit modelFailed(index, message);
    });
    connect(m.worker, &ModelWorker::streamed, this, [this, index](const StreamChunk& chunk) {
        const int c = columnOf(index);
        if (c < 0)
            return;
        Column& col = columns_[static_cast<size_t>(c)];
        col.reasoning->setReasoning(chunk.reasoning, chunk.reasoningTokens);
        col.answer->setStreamText(chunk.answer);
        if (!blindRun_ || revealed_)
            col.stats->setText(
                tr("%1 tok/s · reasoning %n token(s)", nullptr, chunk.reasoningTokens)
                    .arg(chunk.tokensPerSecond, 0, 'f', 1));
        emit columnStreamed(c);
    });
    connect(m.worker, &ModelWorker::generationFinished, this,
            [this, index](const GenerationOutcome& outcome) {
                Model& m = models_[static_cast<size_t>(index)];
                m.outcome = outcome;
                m.running = false;
                m.finished = true;
                const int c = columnOf(index);
                if (c >= 0)
                    finishColumn(c);
            });
    connect(m.worker, &ModelWorker::evaluationProgress, this, [this, index](int done, int) {
        models_[static_cast<size_t>(index)].batchDone = done;
        int sum = 0;
        for (const Model& m : models_)
            sum += m.batchDone;
        progress_->setValue(sum);
        emit batchProgress(sum, batchTotal_);
    });
    connect(m.worker, &ModelWorker::evaluationFinished, this,
            [this, index](const EvaluationOutcome& outcome) {
                models_[static_cast<size_t>(index)].evaluation = outcome;
                fillBatchTable();
            });
}

void ComparePanel::setStore(core::RunStore* store)
{
    store_ = store;
}

void ComparePanel::setModelCount(int count)
{
    if (busy())
        return;
    modelCount_ = std::clamp(count, kMinModels, kMaxModels);
    blindRun_ = false; // a new line-up: a blind comparison still waiting for its vote is dropped
    voteOpen_ = false;
    if (count_->value() != modelCount_)
        count_->setValue(modelCount_);
    for (int i = 0; i < kMaxModels; ++i) {
        const Model& m = models_[static_cast<size_t>(i)];
        for (QWidget* w : rowOf(m))
            w->setVisible(i < modelCount_);
    }
    resetColumns();
    updateControls();
}

void ComparePanel::loadModel(int column, const QString& folder)
{
    if (column < 0 || column >= modelCount_ || folder.trimmed().isEmpty())
        return;
    Model& m = models_[static_cast<size_t>(column)];
    if (!m.worker->load(folder.trimmed()))
        return;
    m.path->setText(folder.trimmed());
    m.status->setText(tr("loading…"));
    updateControls();
}

bool ComparePanel::isLoaded(int column) const
{
    return column >= 0 && column < kMaxModels &&
           models_[static_cast<size_t>(column)].worker->isLoaded();
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
    prompt_->setPlainText(prompt);
}

void ComparePanel::setGroundTruth(const QString& truth)
{
    truth_->setText(truth);
}

void ComparePanel::setBlind(bool blind)
{
    blind_->setChecked(blind);
}

bool ComparePanel::isBlind() const
{
    return blind_->isChecked();
}

bool ComparePanel::busy() const
{
    return std::any_of(models_.begin(), models_.end(),
                       [](const Model& m) { return m.worker->busy(); });
}

QString ComparePanel::columnTitle(int column) const
{
    return columns_[static_cast<size_t>(column)].title->text();
}

QString ComparePanel::columnReasoning(int column) const
{
    return columns_[static_cast<size_t>(column)].reasoning->reasoning();
}

QString ComparePanel::columnAnswer(int column) const
{
    return columns_[static_cast<size_t>(column)].answer->streamText();
}

QString ComparePanel::columnStats(int column) const
{
    return columns_[static_cast<size_t>(column)].stats->text();
}

QScrollArea* ComparePanel::columnView(int column) const
{
    return columns_[static_cast<size_t>(column)].view;
}

TraceSample ComparePanel::columnTrace(int column) const
{
    const int model = columns_[static_cast<size_t>(column)].model;
    if (model < 0 || !models_[static_cast<size_t>(model)].finished || (blindRun_ && !revealed_))
        return {};
    const GenerationOutcome& o = models_[static_cast<size_t>(model)].outcome;
    TraceSample sample;
    sample.title = tr("%1 · side by side").arg(modelName(model));
    sample.prompt = o.prompt;
    sample.completion = o.text;
    sample.promptOpensThinking = o.promptOpensThinking;
    const Judgement judgement = judge(o.answer, runTruth_);
    sample.extracted = judgement.extracted;
    sample.correct = judgement.correct;
    sample.tokens = o.tokenTexts;
    sample.tokenLogprobs = o.tokenLogprobs;
    return sample;
}

QString ComparePanel::errorText() const
{
    return messageBar_->isHidden() ? QString() : messageBar_->text();
}

QString ComparePanel::revealText() const
{
    return reveal_->text();
}

void ComparePanel::setBatchTask(const QString& spec)
{
    task_->setCurrentText(spec);
    fromTask_->setChecked(true);
}

void ComparePanel::setBatchDataset(const QString& path)
{
    dataset_->setText(path);
    fromDataset_->setChecked(true);
}

void ComparePanel::setBatchProblems(int count)
{
    problems_->setValue(count);
}

void ComparePanel::setBatchSamples(int k)
{
    samples_->setValue(k);
}

bool ComparePanel::run()
{
    const QString prompt = prompt_->toPlainText().trimmed();
    if (busy() || prompt.isEmpty())
        return false;
    std::vector<int> loaded;
    for (int i = 0; i < modelCount_; ++i)
        if (models_[static_cast<size_t>(i)].worker->isLoaded())
            loaded.push_back(i);
    const bool blind = blind_->isChecked();
    if (loaded.size() < (blind ? 2u : 1u)) {
        showError(blind ? tr("Blind comparison needs two loaded models.")
                        : tr("Load a model first."));
        return false;
    }
    if (blind) {
        // Two of the loaded models, in random order: the first is A.
        std::shuffle(loaded.begin(), loaded.end(), *QRandomGenerator::global());
        loaded.resize(2);
    }
    messageBar_->hide();
    blindRun_ = blind;
    voteOpen_ = false;
    revealed_ = false;
    runPrompt_ = prompt;
    runTruth_ = truth_->text().trimmed();
    for (Model& m : models_) {
        m.running = false;
        m.finished = false;
        m.outcome = {};
    }
    for (size_t c = 0; c < columns_.size(); ++c)
        columns_[c].model = blind ? (c < 2 ? loaded[c] : -1) : static_cast<int>(c);
    resetColumns();
    const SamplingSettings settings = sampling_->settings();
    for (int model : loaded) {
        Model& m = models_[static_cast<size_t>(model)];
        m.running = m.worker->generate({{QStringLiteral("user"), prompt}}, settings);
    }
    tabs_->setCurrentIndex(0);
    updateControls();
    return true;
}

bool ComparePanel::runBatch()
{
    if (busy())
        return false;
    std::vector<int> loaded;
    for (int i = 0; i < modelCount_; ++i)
        if (models_[static_cast<size_t>(i)].worker->isLoaded())
            loaded.push_back(i);
    if (loaded.empty()) {
        showError(tr("Load a model first."));
        return false;
    }
    const SamplingSettings settings = sampling_->settings();
    std::vector<core::Problem> problems;
    try {
        if (fromTask_->isChecked()) {
            problems =
                core::generateProblems(*core::makeTask(task_->currentText().toStdString()),
                                       core::Split::HeldOut, problems_->value(), settings.seed + 1);
        } else {
            core::DatasetReport report;
            problems = core::loadDataset(dataset_->text().toStdString(), report);
            if (static_cast<int>(problems.size()) > problems_->value())
                problems.resize(static_cast<size_t>(problems_->value()));
        }
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    if (problems.empty()) {
        showError(tr("No problems to evaluate."));
        return false;
    }
    inference::EvalOptions options;
    options.k = samples_->value();
    options.temperature = static_cast<float>(settings.temperature);
    options.topP = static_cast<float>(settings.topP);
    options.maxNewTokens = settings.maxNewTokens;
    options.seed = settings.seed;
    messageBar_->hide();
    batchProblems_ = problems;
    batchTotal_ = static_cast<int>(problems.size() * loaded.size());
    for (Model& m : models_) {
        m.batchDone = 0;
        m.inBatch = false;
        m.evaluation.reset();
    }
    for (int model : loaded) {
        Model& m = models_[static_cast<size_t>(model)];
        m.inBatch = m.worker->evaluate(problems, options);
    }
    batchRunning_ = true;
    progress_->setRange(0, batchTotal_);
    progress_->setValue(0);
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    tabs_->setCurrentIndex(1);
    updateControls();
    return true;
}

void ComparePanel::stop()
{
    for (Model& m : models_)
        m.worker->cancel();
}

bool ComparePanel::vote(Vote choice)
{
    if (!voteOpen_)
        return false;
    static const char* const names[] = {"a", "b", "tie", "both_bad"};
    const QString name = QString::fromLatin1(names[static_cast<int>(choice)]);
    const Model& a = models_[static_cast<size_t>(columns_[0].model)];
    const Model& b = models_[static_cast<size_t>(columns_[1].model)];
    qint64 id = -1;
    if (store_) {
        core::VoteRecord record;
        record.prompt = runPrompt_.toStdString();
        record.modelA = a.worker->folder().toStdString();
        record.modelB = b.worker->folder().toStdString();
        record.completionA = a.outcome.text.toStdString();
        record.completionB = b.outcome.text.toStdString();
        record.vote = name.toStdString();
        try {
            id = store_->addVote(record);
        } catch (const std::exception& e) {
            showError(QString::fromUtf8(e.what()));
            return false;
        }
    }
    voteOpen_ = false;
    revealed_ = true;
    for (int c = 0; c < 2; ++c)
        showOutcome(c);
    reveal_->setText(
        (store_ ? tr("A was %1, B was %2.")
                : tr("A was %1, B was %2. No run database is open: the vote was not kept."))
            .arg(modelName(columns_[0].model), modelName(columns_[1].model)));
    updateControls();
    emit voteRecorded(name, id);
    return true;
}

int ComparePanel::columnOf(int model) const
{
    for (size_t c = 0; c < columns_.size(); ++c)
        if (columns_[c].model == model)
            return static_cast<int>(c);
    return -1;
}

QString ComparePanel::modelName(int model) const
{
    const ModelWorker* worker = models_[static_cast<size_t>(model)].worker;
    return worker->isLoaded() ? ModelWorker::displayName(worker->folder())
                              : tr("Model %1").arg(model + 1);
}

void ComparePanel::resetColumns()
{
    for (size_t c = 0; c < columns_.size(); ++c) {
        Column& col = columns_[c];
        if (!blindRun_)
            col.model = static_cast<int>(c) < modelCount_ ? static_cast<int>(c) : -1;
        col.frame->setVisible(blindRun_ ? c < 2 : static_cast<int>(c) < modelCount_);
        col.reasoning->setReasoning({}, 0);
        col.answer->setStreamText({});
        col.stats->setText(blindRun_ ? tr("Names are revealed after your vote.") : QString());
        col.traceButton->setEnabled(false);
        updateColumnTitle(static_cast<int>(c));
    }
    reveal_->clear();
}

void ComparePanel::updateColumnTitle(int column)
{
    const Column& col = columns_[static_cast<size_t>(column)];
    if (blindRun_) {
        const QString letter = column == 0 ? tr("Model A") : tr("Model B");
        col.title->setText(revealed_ ? tr("%1: %2").arg(letter, modelName(col.model)) : letter);
    } else {
        col.title->setText(col.model >= 0 ? modelName(col.model) : QString());
    }
}

void ComparePanel::finishColumn(int column)
{
    showOutcome(column);
    emit columnFinished(column);
    const bool running = std::any_of(models_.begin(), models_.end(),
                                     [](const Model& model) { return model.running; });
    if (!running) {
        voteOpen_ = blindRun_;
        updateControls();
        emit comparisonFinished();
    }
}

void ComparePanel::showOutcome(int column)
{
    Column& col = columns_[static_cast<size_t>(column)];
    const Model& m = models_[static_cast<size_t>(col.model)];
    updateColumnTitle(column);
    if (m.finished && !m.outcome.finishReason.isEmpty()) {
        const GenerationOutcome& o = m.outcome;
        col.reasoning->setReasoning(o.reasoning, o.reasoningTokens);
        col.answer->setStreamText(o.answer);
        const Judgement judgement = judge(o.answer, runTruth_);
        const QString verdict = !judgement.correct   ? QString()
                                : *judgement.correct ? tr(" · ✓ correct")
                                                     : tr(" · ✗ wrong");
        const QString stats =
            tr("%1 tok/s · reasoning %n token(s) · answer: %2", nullptr, o.reasoningTokens)
                .arg(o.tokensPerSecond, 0, 'f', 1)
                .arg(judgement.extracted.isEmpty() ? tr("none") : judgement.extracted) +
            verdict + (o.finishReason == QLatin1String("cancelled") ? tr(" · stopped") : QString());
        col.stats->setText(blindRun_ && !revealed_ ? tr("Names are revealed after your vote.")
                                                   : stats);
        col.traceButton->setEnabled(!blindRun_ || revealed_);
    }
}

void ComparePanel::syncScroll(int from)
{
    if (syncing_)
        return;
    syncing_ = true;
    const QScrollBar* source = columns_[static_cast<size_t>(from)].view->verticalScrollBar();
    const double fraction =
        source->maximum() > 0 ? static_cast<double>(source->value()) / source->maximum() : 0.0;
    for (size_t c = 0; c < columns_.size(); ++c)
        if (static_cast<int>(c) != from) {
            QScrollBar* bar = columns_[c].view->verticalScrollBar();
            bar->setValue(qRound(fraction * bar->maximum()));
        }
    syncing_ = false;
}

void ComparePanel::showError(const QString& message)
{
    messageBar_->setText(message);
    messageBar_->show();
}

void ComparePanel::fillBatchTable()
{
    const bool waiting = std::any_of(models_.begin(), models_.end(),
                                     [](const Model& m) { return m.inBatch && !m.evaluation; });
    if (waiting)
        return;
    batchRunning_ = false;
    batchRows_.clear();
    for (int i = 0; i < kMaxModels; ++i) {
        const auto& e = models_[static_cast<size_t>(i)].evaluation;
        if (e && !e->result.items.empty())
            batchRows_.push_back(i);
    }
    const int k = samples_->value();
    QStringList headers = {tr("Model"),          tr("pass@1"),      tr("cons@%1").arg(k),
                           tr("pass@%1").arg(k), tr("Mean length"), tr("Format")};
    for (size_t p = 0; p < batchProblems_.size(); ++p)
        headers << QString::number(p + 1);
    table_->clear();
    table_->setColumnCount(static_cast<int>(headers.size()));
    table_->setHorizontalHeaderLabels(headers);
    for (size_t p = 0; p < batchProblems_.size(); ++p)
        table_->horizontalHeaderItem(kSummaryColumns + static_cast<int>(p))
            ->setToolTip(toQ(batchProblems_[p].prompt + "\n= " + batchProblems_[p].truth));
    table_->setRowCount(static_cast<int>(batchRows_.size()));
    bool cancelled = false;
    for (size_t row = 0; row < batchRows_.size(); ++row) {
        const int model = batchRows_[row];
        const EvaluationOutcome& e = *models_[static_cast<size_t>(model)].evaluation;
        const inference::EvalSummary& s = e.result.summary;
        cancelled = cancelled || e.cancelled;
        const int r = static_cast<int>(row);
        auto percent = [](double v) { return QStringLiteral("%1%").arg(100 * v, 0, 'f', 1); };
        QTableWidgetItem* name = cell(modelName(model));
        name->setToolTip(models_[static_cast<size_t>(model)].worker->folder());
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
            QTableWidgetItem* c =
                cell(QStringLiteral("%1/%2").arg(correct).arg(item.samples.size()), item.pass1);
            c->setBackground(scoreColour(item.pass1));
            c->setForeground(QColor(Qt::black));
            c->setToolTip(
                tr("consensus: %1").arg(item.consensus.empty() ? tr("none") : toQ(item.consensus)));
            table_->setItem(r, kSummaryColumns + static_cast<int>(p), c);
        }
    }
    table_->resizeColumnsToContents();
    if (cancelled)
        showError(tr("Batch stopped: the table covers the problems finished before Stop."));
    updateControls();
    emit batchFinished();
}

TraceSample ComparePanel::batchTrace(int row, int problem) const
{
    if (row < 0 || row >= static_cast<int>(batchRows_.size()))
        return {};
    const int model = batchRows_[static_cast<size_t>(row)];
    const EvaluationOutcome& e = *models_[static_cast<size_t>(model)].evaluation;
    if (problem < 0 || problem >= static_cast<int>(e.result.items.size()))
        return {};
    const inference::ItemResult& item = e.result.items[static_cast<size_t>(problem)];
    if (item.samples.empty())
        return {};
    const inference::SampleOutcome& s = item.samples.front();
    TraceSample sample;
    sample.title = tr("%1 · problem %2 (%3) · sample 1 of %4")
                       .arg(modelName(model))
                       .arg(problem + 1)
                       .arg(toQ(item.problem.id))
                       .arg(item.samples.size());
    sample.prompt = toQ(item.problem.prompt);
    sample.completion = toQ(s.completion);
    sample.promptOpensThinking = e.promptOpensThinking;
    sample.extracted = toQ(s.extracted);
    sample.correct = s.correct;
    return sample;
}

void ComparePanel::updateControls()
{
    const bool isBusy = busy();
    int loaded = 0;
    for (int i = 0; i < kMaxModels; ++i) {
        const Model& m = models_[static_cast<size_t>(i)];
        loaded += i < modelCount_ && m.worker->isLoaded();
        m.path->setEnabled(!m.worker->busy());
        m.browse->setEnabled(!m.worker->busy());
        m.load->setEnabled(!m.worker->busy());
    }
    count_->setEnabled(!isBusy);
    const bool generating =
        std::any_of(models_.begin(), models_.end(), [](const Model& m) { return m.running; });
    runButton_->setEnabled(!isBusy && loaded >= (blind_->isChecked() ? 2 : 1));
    stopButton_->setEnabled(generating);
    blind_->setEnabled(!isBusy);
    voteBar_->setVisible(blindRun_);
    for (QPushButton* button : voteButtons_)
        button->setEnabled(voteOpen_);
    batchButton_->setEnabled(!isBusy && loaded >= 1);
    batchStopButton_->setEnabled(batchRunning_);
    task_->setEnabled(fromTask_->isChecked());
    dataset_->setEnabled(fromDataset_->isChecked());
    datasetBrowse_->setEnabled(fromDataset_->isChecked());
}

} // namespace thinkbench::widgets
