#pragma once
// The dashboard's grid: sections (pinned charts, then one per metric family), each a header that
// folds it and its charts in rows. As many columns as charts of the minimum width fit the
// grid's width; a resize that changes that count places the charts again.

#include <QHash>
#include <QList>
#include <QWidget>

class QGridLayout;
class QToolButton;

namespace thinkbench::widgets {

class SmallChart;

class ChartGrid : public QWidget {
    Q_OBJECT

public:
    static constexpr int kMinChartWidth = 300;
    static constexpr int kChartHeight = 180;

    struct Section {
        QString id;
        QString title;
        bool foldable = true;
        bool expanded = true;
        QList<SmallChart*> charts;
        bool operator==(const Section&) const = default;
    };

    explicit ChartGrid(QWidget* parent = nullptr);

    // Shows these sections in order; charts of no section, or of a folded one, are hidden. The
    // charts stay owned by their parent.
    void setSections(const QList<Section>& sections);
    const QList<Section>& sections() const { return sections_; }
    int columns() const { return columns_; }

signals:
    void sectionToggled(const QString& id);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    int columnsFor(int width) const;
    void place();

    QList<Section> sections_;
    QList<SmallChart*> placed_;
    QHash<QString, QToolButton*> headers_;
    QGridLayout* grid_;
    int columns_ = 1;
    int maxColumns_ = 1; // columns given a stretch so far
};

} // namespace thinkbench::widgets
