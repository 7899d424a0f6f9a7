#include "widgets/trace_stepper.h"

#include "core/store/run_store.h"
#include "core/text/reasoning_steps.h"
#include "core/text/reflection_markers.h"
#include "core/text/think_tags.h"
#include "widgets/text_positions.h"
#include "widgets/trace/group_view.h"
#include "widgets/trace/response_diff.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <cmath>

namespace thinkbench::widgets {

namespace {

QString toQ(const std::string& s)
{
    return QString::fromStdString(s);
}

// White for a likely token, red for an unlikely one (or a high-entropy position).
QString heatColour(double badness)
{
    const double t = std::clamp(badness, 0.0, 1.0);
    const int gb = static_cast<int>(255 - 175 * t);
    return QStringLiteral("#ff%1%1").arg(gb, 2, 16, QLatin1Char('0'));
}

// Text as HTML with its reflection markers highlighted. Cut at the engine's byte offsets before
// converting, so the marks land on the same characters the engine counted.
QString markedHtml(const std::string& text)
{
    QString html;
    size_t last = 0;
    for (const core::TextSpan& m : core::findReflections(text)) {
        html += toQ(text.substr(last, m.begin - last)).toHtmlEscaped();
        html += QStringLiteral("<span style=\"background:#ffd27f;color:#7a3b00;font-weight:bold\">") +
                toQ(text.substr(m.begin, m.end - m.begin)).toHtmlEscaped() + QStringLiteral("</span>");
        last = m.end;
    }
    html += toQ(text.substr(last)).toHtmlEscaped();
    return html.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

// Byte offset of the (trimmed) reasoning in the completion. It ends where the blanks before the
// thought's end begin, so search back from there: searching forward from the start could find a
// short reasoning inside the leading "<think>".
size_t reasoningStart(const std::string& completion, const core::ReasoningSplit& split)
{
    if (split.reasoning.empty())
        return 0;
    return completion.rfind(split.reasoning, split.reasoningEnd - split.reasoning.size());
}

} // namespace

TraceStepper::TraceStepper(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("traceStepper"));
    sampleCombo_ = new QComboBox(this);
    sampleCombo_->setToolTip(tr("Samples written at this step"));
    sampleCombo_->hide();
    header_ = new QLabel(tr("No trace open"), this);
    header_->setWordWrap(true);
    stepLabel_ = new QLabel(this);
    previousButton_ = new QPushButton(tr("Previous step"), this);
    previousButton_->setToolTip(tr("Previous step (K or Up)"));
    nextButton_ = new QPushButton(tr("Next step"), this);
    nextButton_->setToolTip(tr("Next step (J or Down)"));
    collapseButton_ = new QPushButton(tr("Collapse reasoning"), this);
    collapseButton_->setCheckable(true);
    for (auto* b : {previousButton_, nextButton_, collapseButton_})
        b->setFocusPolicy(Qt::NoFocus);

    searchBar_ = new QWidget(this);
    searchEdit_ = new QLineEdit(searchBar_);
    searchEdit_->setPlaceholderText(tr("Find in trace"));
    searchInfo_ = new QLabel(searchBar_);
    auto* searchLayout = new QHBoxLayout(searchBar_);
    searchLayout->setContentsMargins(0, 0, 0, 0);
    searchLayout->addWidget(new QLabel(tr("Find:"), searchBar_));
    searchLayout->addWidget(searchEdit_, 1);
    searchLayout->addWidget(searchInfo_);
    searchBar_->hide();

    text_ = new QTextBrowser(this);
    text_->setObjectName(QStringLiteral("traceText"));
    text_->setOpenLinks(false);
    tokenView_ = new QTextBrowser(this);
    tokenColour_ = new QComboBox(this);
    tokenColour_->addItem(tr("Colour by log-prob"));
    tokenColour_->addItem(tr("Colour by entropy"));
    auto* tokenPage = new QWidget(this);
    auto* tokenLayout = new QVBoxLayout(tokenPage);
    tokenLayout->setContentsMargins(0, 0, 0, 0);
    tokenLayout->addWidget(tokenColour_);
    tokenLayout->addWidget(tokenView_, 1);
    tabs_ = new QTabWidget(this);
    tabs_->addTab(text_, tr("Trace"));
    tabs_->addTab(tokenPage, tr("Tokens"));
    groupView_ = new GroupView(this);
    tabs_->addTab(groupView_, tr("Groups"));
    diff_ = new ResponseDiff(this);
    tabs_->addTab(diff_, tr("Diff"));

    details_ = new QTreeWidget(this);
    details_->setColumnCount(2);
    details_->setHeaderLabels({tr("Field"), tr("Value")});
    details_->setRootIsDecorated(false);
    details_->setMaximumHeight(150);
    details_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);

    auto* bar = new QHBoxLayout;
    bar->addWidget(previousButton_);
    bar->addWidget(nextButton_);
    bar->addWidget(stepLabel_, 1);
    bar->addWidget(collapseButton_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(sampleCombo_);
    layout->addWidget(header_);
    layout->addLayout(bar);
    layout->addWidget(searchBar_);
    layout->addWidget(tabs_, 1);
    layout->addWidget(details_);

    connect(previousButton_, &QPushButton::clicked, this, &TraceStepper::previousStep);
    connect(nextButton_, &QPushButton::clicked, this, &TraceStepper::nextStep);
    connect(collapseButton_, &QPushButton::toggled, this, &TraceStepper::setReasoningCollapsed);
    connect(tokenColour_, &QComboBox::currentIndexChanged, this, &TraceStepper::renderTokens);
    connect(text_, &QTextBrowser::selectionChanged, this, &TraceStepper::selectionChanged);
    connect(searchEdit_, &QLineEdit::returnPressed, this, [this] { find(searchEdit_->text()); });
    connect(sampleCombo_, &QComboBox::activated, this, [this](int index) {
        if (index >= 0 && index < stepSampleIds_.size())
            openSample(stepSampleIds_[index]);
    });
    // A response picked in the group view is the open trace, so annotations (Ctrl+1..) apply to it.
    connect(groupView_, &GroupView::sampleChosen, this, &TraceStepper::openSample);
    connect(groupView_, &GroupView::sampleOpened, this, [this](qint64 id) {
        if (openSample(id))
            tabs_->setCurrentWidget(text_);
    });
    connect(groupView_, &GroupView::diffRequested, this, &TraceStepper::showDiff);
    // The groups and the diff show every response's verdict and rewards themselves: give them the
    // room, and leave the arrow keys to their tables while the steps are not on show.
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        const bool onTrace = tabs_->currentWidget() != groupView_ && tabs_->currentWidget() != diff_;
        details_->setVisible(onTrace);
        for (QShortcut* key : stepKeys_)
            key->setEnabled(onTrace);
    });

    auto shortcut = [this](const QKeySequence& key, auto slot) {
        auto* s = new QShortcut(key, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
        return s;
    };
    for (const auto& key : {QKeySequence(Qt::Key_J), QKeySequence(Qt::Key_Down)})
        stepKeys_ << shortcut(key, &TraceStepper::nextStep);
    for (const auto& key : {QKeySequence(Qt::Key_K), QKeySequence(Qt::Key_Up)})
        stepKeys_ << shortcut(key, &TraceStepper::previousStep);
    shortcut(QKeySequence::Find, &TraceStepper::showSearch);
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), searchEdit_);
    escape->setContext(Qt::WidgetShortcut);
    connect(escape, &QShortcut::activated, searchBar_, &QWidget::hide);
    render();
}

void TraceStepper::setStore(core::RunStore* store)
{
    store_ = store;
    groupView_->setStore(store);
}

QWidget* TraceStepper::currentPage() const
{
    return tabs_->currentWidget();
}

bool TraceStepper::openSample(qint64 sampleId)
{
    if (!store_)
        return false;
    const auto record = store_->sample(sampleId);
    if (!record)
        return false;
    TraceSample t;
    t.sampleId = record->id;
    t.title = tr("Run %1 · stage %2 · step %3 · sample %4")
                  .arg(record->run)
                  .arg(record->stage)
                  .arg(record->step)
                  .arg(record->id);
    t.prompt = toQ(record->prompt);
    t.completion = toQ(record->completion);
    t.promptOpensThinking = core::promptOpensThinking(record->prompt);
    t.extracted = toQ(record->extracted);
    t.correct = record->correct;
    t.rewardPartsJson = toQ(record->rewardParts);
    for (const int32_t id : record->tokenIds)
        t.tokens << QStringLiteral("#%1").arg(id);
    t.tokenLogprobs = QVector<float>(record->tokenLogprobs.begin(), record->tokenLogprobs.end());
    t.tokenEntropies = QVector<float>(record->tokenEntropies.begin(), record->tokenEntropies.end());
    openTrace(t);
    if (const qsizetype at = stepSampleIds_.indexOf(sampleId); at >= 0)
        sampleCombo_->setCurrentIndex(int(at));
    return true;
}

bool TraceStepper::openEvalItem(qint64 itemId, int sampleIndex)
{
    if (!store_)
        return false;
    const auto item = store_->evalItem(itemId);
    if (!item)
        return false;
    const auto samples = nlohmann::json::parse(item->samples, nullptr, false);
    if (!samples.is_array() || sampleIndex < 0 || sampleIndex >= int(samples.size()))
        return false;
    const auto& s = samples[sampleIndex];
    TraceSample t;
    t.evalItemId = item->id;
    t.sampleIndex = sampleIndex;
    t.title = tr("Evaluation item %1 (%2) · sample %3").arg(item->id).arg(toQ(item->problemId)).arg(sampleIndex + 1);
    t.prompt = toQ(item->prompt);
    t.completion = toQ(s.value("completion", std::string()));
    t.promptOpensThinking = core::promptOpensThinking(item->prompt);
    t.extracted = toQ(s.value("extracted", std::string()));
    if (s.contains("correct") && s["correct"].is_boolean())
        t.correct = s["correct"].get<bool>();
    openTrace(t);
    return true;
}

void TraceStepper::openTrace(const TraceSample& sample)
{
    trace_ = sample;
    const std::string completion = sample.completion.toStdString();
    const auto split = core::splitReasoning(completion, sample.promptOpensThinking);
    reasoning_ = toQ(split.reasoning);
    answer_ = toQ(split.answer);
    // The engine's steps are bytes into the reasoning; the reader selects characters of the completion.
    const size_t start = reasoningStart(completion, split);
    Utf16Positions positions(completion);
    steps_.clear();
    for (const core::ReasoningStep& step : core::splitReasoningSteps(split.reasoning)) {
        const int begin = positions.at(start + step.begin);
        steps_.push_back({toQ(step.text), begin, positions.at(start + step.end)});
    }
    markerCount_ = int(core::findReflections(split.reasoning).size());
    current_ = steps_.isEmpty() ? -1 : 0;
    matchCount_ = 0;
    searchInfo_->clear();
    header_->setText(trace_.title.isEmpty() ? tr("Trace") : trace_.title);

    details_->clear();
    auto addRow = [this](const QString& field, const QString& value) { new QTreeWidgetItem(details_, {field, value}); };
    addRow(tr("Extracted answer"), trace_.extracted.isEmpty() ? tr("(none)") : trace_.extracted);
    addRow(tr("Verdict"), !trace_.correct ? tr("(not verified)") : *trace_.correct ? tr("correct") : tr("wrong"));
    addRow(tr("Reasoning"), tr("%n step(s), %1 reflection marker(s)", nullptr, steps_.size()).arg(markerCount_));
    const auto parts = QJsonDocument::fromJson(trace_.rewardPartsJson.toUtf8()).object();
    for (auto it = parts.begin(); it != parts.end(); ++it)
        addRow(tr("Reward: %1").arg(it.key()), QString::number(it.value().toDouble(), 'g', 4));
    render();
    renderTokens();
    emit traceOpened();
    emit currentStepChanged(current_);
}

void TraceStepper::render()
{
    const bool hasSteps = !steps_.isEmpty();
    previousButton_->setEnabled(hasSteps && current_ > 0);
    nextButton_->setEnabled(hasSteps && current_ + 1 < steps_.size());
    stepLabel_->setText(hasSteps ? tr("Step %1 of %2").arg(current_ + 1).arg(steps_.size()) : tr("No reasoning steps"));
    if (trace_.completion.isEmpty() && trace_.prompt.isEmpty()) {
        text_->setHtml(QStringLiteral("<p style=\"color:gray\">%1</p>")
                           .arg(tr("Open a sample from the runs, a curve point or an evaluation.")));
        return;
    }
    auto section = [](const QString& title) {
        return QStringLiteral("<h4 style=\"margin-top:10px;margin-bottom:4px\">%1</h4>").arg(title.toHtmlEscaped());
    };
    QString html;
    html += section(tr("Prompt"));
    html += QStringLiteral("<p style=\"color:#444\">%1</p>")
                .arg(trace_.prompt.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    html += section(tr("Reasoning"));
    if (collapsed_) {
        html += QStringLiteral("<p style=\"color:gray\"><i>%1</i></p>")
                    .arg(tr("%n step(s) hidden", nullptr, steps_.size()));
    } else {
        for (int i = 0; i < steps_.size(); ++i) {
            const bool current = i == current_;
            html += QStringLiteral("<a name=\"step-%1\"></a><table width=\"100%\" cellpadding=\"4\" "
                                   "style=\"margin-bottom:3px\"><tr><td width=\"28\" "
                                   "style=\"color:#888\">%2</td><td style=\"%3\">%4</td></tr></table>")
                        .arg(i)
                        .arg(i + 1)
                        .arg(current ? QStringLiteral("background:#dbe9ff;border-left:3px solid #2f6fd6") : QString())
                        .arg(markedHtml(steps_[i].text.toStdString()));
        }
    }
    html += section(tr("Answer"));
    html += QStringLiteral("<p>%1</p>")
                .arg(answer_.isEmpty() ? QStringLiteral("<i>%1</i>").arg(tr("(no answer)"))
                                       : markedHtml(answer_.toStdString()));
    text_->setHtml(html);
    if (current_ >= 0 && !collapsed_)
        text_->scrollToAnchor(QStringLiteral("step-%1").arg(current_));
}

void TraceStepper::renderTokens()
{
    const bool byEntropy = tokenColour_->currentIndex() == 1;
    const QVector<float>& values = byEntropy ? trace_.tokenEntropies : trace_.tokenLogprobs;
    if (trace_.tokens.isEmpty() || values.isEmpty()) {
        tokenView_->setHtml(QStringLiteral("<p style=\"color:gray\">%1</p>")
                                .arg(byEntropy ? tr("No token entropies stored for this trace.")
                                               : tr("No token log-probs stored for this trace.")));
        return;
    }
    QString html;
    const int n = std::min<int>(trace_.tokens.size(), values.size());
    for (int i = 0; i < n; ++i) {
        const double v = values[i];
        // log-prob: badness 1 - p; entropy: scaled so 3 nats is fully red.
        const double badness = byEntropy ? v / 3.0 : 1.0 - std::exp(v);
        html += QStringLiteral("<span style=\"background:%1\" title=\"%2\">%3</span> ")
                    .arg(heatColour(badness))
                    .arg(v, 0, 'f', 3)
                    .arg(trace_.tokens[i].toHtmlEscaped());
    }
    tokenView_->setHtml(html);
}

void TraceStepper::nextStep()
{
    setCurrentStep(current_ + 1);
}

void TraceStepper::previousStep()
{
    setCurrentStep(current_ - 1);
}

void TraceStepper::setCurrentStep(int step)
{
    if (steps_.isEmpty())
        return;
    step = std::clamp(step, 0, int(steps_.size()) - 1);
    if (step == current_)
        return;
    current_ = step;
    render();
    emit currentStepChanged(current_);
}

void TraceStepper::setReasoningCollapsed(bool collapsed)
{
    collapsed_ = collapsed;
    collapseButton_->setChecked(collapsed);
    collapseButton_->setText(collapsed ? tr("Expand reasoning") : tr("Collapse reasoning"));
    render();
}

void TraceStepper::showStepSamples(qint64 runId, qint64 step)
{
    if (!store_)
        return;
    core::SampleFilter filter;
    filter.run = runId;
    filter.step = step;
    const auto samples = store_->samples(filter);
    stepSampleIds_.clear();
    sampleCombo_->clear();
    for (const auto& s : samples) {
        stepSampleIds_.push_back(s.id);
        sampleCombo_->addItem(tr("Sample %1 · reward %2 · %3")
                                  .arg(s.id)
                                  .arg(s.reward, 0, 'g', 3)
                                  .arg(s.correct ? tr("correct") : tr("wrong")) +
                              (s.groupIndex ? tr(" · group %1").arg(*s.groupIndex + 1) : QString()));
    }
    sampleCombo_->setVisible(!samples.empty());
    const bool groups = groupView_->showStep(runId, step); // opens its first response when there are groups
    if (groups)
        tabs_->setCurrentWidget(groupView_);
    else if (tabs_->currentWidget() == groupView_ || tabs_->currentWidget() == diff_)
        tabs_->setCurrentWidget(text_);
    if (samples.empty()) {
        openTrace(TraceSample{});
        header_->setText(tr("No samples stored for run %1 at step %2").arg(runId).arg(step));
        return;
    }
    if (!groups)
        openSample(stepSampleIds_.front());
}

void TraceStepper::showDiff(qint64 leftSampleId, qint64 rightSampleId)
{
    if (!store_)
        return;
    const auto left = store_->sample(leftSampleId), right = store_->sample(rightSampleId);
    if (!left || !right)
        return;
    auto side = [this](const core::SampleRecord& s) {
        return DiffSide{tr("Sample %1 · reward %2 · %3")
                            .arg(s.id)
                            .arg(s.reward, 0, 'f', 2)
                            .arg(s.correct ? tr("correct") : tr("wrong")),
                        toQ(s.prompt), toQ(s.completion)};
    };
    diff_->compare(side(*left), side(*right));
    tabs_->setCurrentWidget(diff_);
}

void TraceStepper::showSearch()
{
    searchBar_->show();
    searchEdit_->setFocus();
    searchEdit_->selectAll();
}

bool TraceStepper::find(const QString& text)
{
    if (text.isEmpty())
        return false;
    if (searchEdit_->text() != text)
        searchEdit_->setText(text);
    matchCount_ = text_->toPlainText().count(text, Qt::CaseInsensitive);
    bool found = text_->find(text);
    if (!found) { // wrap around
        text_->moveCursor(QTextCursor::Start);
        found = text_->find(text);
    }
    searchInfo_->setText(found ? tr("%n match(es)", nullptr, matchCount_) : tr("Not found"));
    return found;
}

std::pair<int, int> TraceStepper::selectedSpan() const
{
    const QString selection = text_->textCursor().selectedText();
    if (!selection.isEmpty()) {
        const int from = current_ >= 0 ? steps_[current_].begin : 0;
        int at = trace_.completion.indexOf(selection, from);
        if (at < 0)
            at = trace_.completion.indexOf(selection);
        if (at >= 0)
            return {at, at + int(selection.size())};
    }
    if (current_ >= 0)
        return {steps_[current_].begin, steps_[current_].end};
    return {-1, -1};
}

QString TraceStepper::selectedText() const
{
    const auto [begin, end] = selectedSpan();
    return begin >= 0 ? trace_.completion.mid(begin, end - begin) : QString();
}

} // namespace thinkbench::widgets
