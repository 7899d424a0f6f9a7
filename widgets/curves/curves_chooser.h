#pragma once
// The curves panel's side bar: the store's runs to overlay, and the metrics of those runs to
// plot, narrowed to a family. It shows and reports choices; the panel keeps them.

#include "widgets/dashboard/metric_families.h"

#include <QHash>
#include <QList>
#include <QStringList>
#include <QWidget>

#include <optional>

class QComboBox;
class QListWidget;

namespace thinkbench::widgets {

class CurvesChooser : public QWidget {
    Q_OBJECT

public:
    explicit CurvesChooser(QWidget* parent = nullptr);

    // Lists the store's runs as "#id name", those in `chosen` checked; rebuilt only on a change.
    void setStoreRuns(const QList<qint64>& ids, const QHash<qint64, QString>& names, const QList<qint64>& chosen);
    void checkRuns(const QList<qint64>& chosen);
    // Offers `available` (sorted) within the family, those in `chosen` checked.
    void setMetrics(const QStringList& available, const QStringList& chosen);
    // Narrows the metric list to one family; none lists every metric.
    void setFamily(std::optional<MetricFamily> family);
    std::optional<MetricFamily> family() const { return family_; }
    // The metric list belongs to the single chart: the dashboard shows every metric.
    void setMetricsShown(bool on);

signals:
    void runsChosen(const QList<qint64>& runs);
    void metricToggled(const QString& key, bool on);

private:
    void listMetrics();

    QList<qint64> ids_;
    QHash<qint64, QString> names_;
    QStringList available_;
    QStringList chosen_;
    std::optional<MetricFamily> family_;
    QListWidget* runList_;
    QComboBox* familyBox_;
    QListWidget* metricList_;
};

} // namespace thinkbench::widgets
