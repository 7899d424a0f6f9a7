#include "widgets/trace/response_diff.h"

#include "core/text/reasoning_steps.h"
#include "core/text/step_alignment.h"
#include "core/text/think_tags.h"

#include <QLabel>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkbench::widgets {

namespace {

QString toQ(const std::string& s)
{
    return QString::fromStdString(s);
}

const char* kChanged = "#fff0b3"; // both have a step here, and they differ
const char* kOnlyLeft = "#ffdcd7";
const char* kOnlyRight = "#d6f5dc";
const char* kChangedText = "#f5c542"; // the words that differ within a changed step

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber();
}

// The parts of two texts that differ: what lies between their common prefix and common suffix,
// widened to whole words, so "= 27." and "= 28." mark 27 and 28.
struct Middle {
    int begin = 0;
    int leftEnd = 0, rightEnd = 0;
};
Middle differingMiddle(const QString& a, const QString& b)
{
    int prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    while (prefix > 0 && isWordChar(a[prefix - 1]))
        --prefix;
    int suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    while (suffix > 0 && isWordChar(a[a.size() - suffix]))
        --suffix;
    return {prefix, int(a.size()) - suffix, int(b.size()) - suffix};
}

QString escaped(const QString& text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

QString marked(const QString& text, int begin, int end)
{
    return escaped(text.left(begin)) +
           QStringLiteral("<span style=\"background:%1\">%2</span>")
               .arg(kChangedText, escaped(text.mid(begin, end - begin))) +
           escaped(text.mid(end));
}

} // namespace

ResponseDiff::ResponseDiff(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("responseDiff"));
    summary_ = new QLabel(tr("Select two responses of a group and press Diff."), this);
    summary_->setWordWrap(true);
    view_ = new QTextBrowser(this);
    view_->setObjectName(QStringLiteral("diffView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(summary_);
    layout->addWidget(view_, 1);
}

void ResponseDiff::compare(const DiffSide& left, const DiffSide& right)
{
    const std::string leftText = left.completion.toStdString(), rightText = right.completion.toStdString();
    const auto leftSplit = core::splitReasoning(leftText, core::promptOpensThinking(left.prompt.toStdString()));
    const auto rightSplit = core::splitReasoning(rightText, core::promptOpensThinking(right.prompt.toStdString()));
    const auto leftSteps = core::splitReasoningSteps(leftSplit.reasoning);
    const auto rightSteps = core::splitReasoningSteps(rightSplit.reasoning);

    rows_.clear();
    int shared = 0;
    for (const core::AlignedSteps& r : core::alignSteps(leftSteps, rightSteps)) {
        // The step numbers are each response's own, as the stepper and annotations count them.
        Row row;
        row.label = QStringLiteral("%1 | %2").arg(r.left ? QString::number(*r.left + 1) : QStringLiteral("–"),
                                                  r.right ? QString::number(*r.right + 1) : QStringLiteral("–"));
        row.text[0] = r.left ? toQ(leftSteps[*r.left].text) : QString();
        row.text[1] = r.right ? toQ(rightSteps[*r.right].text) : QString();
        row.differs = !r.same;
        shared += r.same;
        rows_.push_back(row);
    }
    const bool sameAnswer = leftSplit.answer == rightSplit.answer;
    rows_.push_back({tr("Answer"), {toQ(leftSplit.answer), toQ(rightSplit.answer)}, !sameAnswer});

    QString html = QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"4\" border=\"0\">"
                                  "<tr><th width=\"64\"></th><th width=\"48%\" align=\"left\">%1</th>"
                                  "<th width=\"48%\" align=\"left\">%2</th></tr>")
                       .arg(left.title.toHtmlEscaped(), right.title.toHtmlEscaped());
    for (const Row& row : rows_) {
        const bool both = !row.text[0].isEmpty() && !row.text[1].isEmpty();
        const char* background = !row.differs            ? "#ffffff"
                                 : both                  ? kChanged
                                 : row.text[0].isEmpty() ? kOnlyRight
                                                         : kOnlyLeft;
        QString a = escaped(row.text[0]), b = escaped(row.text[1]);
        if (row.differs && both) {
            const Middle m = differingMiddle(row.text[0], row.text[1]);
            a = marked(row.text[0], m.begin, m.leftEnd);
            b = marked(row.text[1], m.begin, m.rightEnd);
        }
        html += QStringLiteral(
                    "<tr style=\"background:%1\"><td nowrap style=\"color:#888\">%2</td><td>%3</td><td>%4</td></tr>")
                    .arg(QLatin1String(background), row.label.toHtmlEscaped(), a, b);
    }
    view_->setHtml(html + QStringLiteral("</table>"));
    summary_->setText(tr("%1 and %2 reasoning steps; %3 shared, %4 row(s) differ; %5.")
                          .arg(leftSteps.size())
                          .arg(rightSteps.size())
                          .arg(shared)
                          .arg(differingRows())
                          .arg(sameAnswer ? tr("same answer") : tr("different answers")));
}

bool ResponseDiff::rowDiffers(int row) const
{
    return row >= 0 && row < rowCount() && rows_[size_t(row)].differs;
}

QString ResponseDiff::rowText(int row, int side) const
{
    return row >= 0 && row < rowCount() && (side == 0 || side == 1) ? rows_[size_t(row)].text[side] : QString();
}

int ResponseDiff::differingRows() const
{
    return int(std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return r.differs; }));
}

} // namespace thinkbench::widgets
