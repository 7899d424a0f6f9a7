#include "widgets/dashboard/chart_grid.h"

#include "widgets/dashboard/small_chart.h"

#include <QGridLayout>
#include <QResizeEvent>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkbench::widgets {

ChartGrid::ChartGrid(QWidget* parent)
    : QWidget(parent)
    , grid_(new QGridLayout)
{
    grid_->setContentsMargins(0, 0, 0, 0);
    grid_->setSpacing(4);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(grid_);
    layout->addStretch(1); // a short dashboard sits at the top
}

int ChartGrid::columnsFor(int width) const
{
    return std::max(1, width / kMinChartWidth);
}

void ChartGrid::setSections(const QList<Section>& sections)
{
    if (sections == sections_)
        return;
    sections_ = sections;
    place();
}

void ChartGrid::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (columnsFor(event->size().width()) != columns_)
        place();
}

void ChartGrid::place()
{
    columns_ = columnsFor(width());
    while (QLayoutItem* item = grid_->takeAt(0))
        delete item; // the widgets stay
    QList<SmallChart*> shown;
    QHash<QString, QToolButton*> headers;
    int row = 0;
    for (const Section& section : sections_) {
        QToolButton* header = headers_.take(section.id);
        if (!header) {
            header = new QToolButton(this);
            header->setAutoRaise(true);
            header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
            header->setObjectName(QStringLiteral("section:") + section.id);
            connect(header, &QToolButton::clicked, this, [this, id = section.id] { emit sectionToggled(id); });
        }
        headers[section.id] = header;
        header->setText(QStringLiteral("%1 (%2)").arg(section.title).arg(section.charts.size()));
        header->setArrowType(!section.foldable ? Qt::NoArrow : section.expanded ? Qt::DownArrow : Qt::RightArrow);
        header->setAttribute(Qt::WA_TransparentForMouseEvents, !section.foldable);
        header->show();
        grid_->addWidget(header, row++, 0, 1, columns_, Qt::AlignLeft);
        if (!section.expanded)
            continue;
        for (qsizetype i = 0; i < section.charts.size(); ++i) {
            SmallChart* chart = section.charts[i];
            chart->setFixedHeight(kChartHeight);
            grid_->addWidget(chart, row + int(i) / columns_, int(i) % columns_);
            chart->show();
            shown << chart;
        }
        row += int(section.charts.size() + columns_ - 1) / columns_;
    }
    for (QToolButton* gone : std::as_const(headers_))
        delete gone;
    headers_ = headers;
    for (SmallChart* chart : std::as_const(placed_))
        if (!shown.contains(chart))
            chart->hide();
    placed_ = shown;
    // Equal columns, also in a section's last, partly filled row.
    maxColumns_ = std::max(maxColumns_, columns_);
    for (int c = 0; c < maxColumns_; ++c)
        grid_->setColumnStretch(c, c < columns_ ? 1 : 0);
}

} // namespace thinkbench::widgets
