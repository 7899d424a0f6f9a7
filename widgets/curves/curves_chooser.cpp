#include "widgets/curves/curves_chooser.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

namespace thinkbench::widgets {

namespace {

// The side bar was part of the panel: its strings stay in the panel's translation context,
// where their translations are.
QString panelText(const char* text)
{
    return QCoreApplication::translate("thinkbench::widgets::CurvesPanel", text);
}

} // namespace

CurvesChooser::CurvesChooser(QWidget* parent)
    : QWidget(parent)
    , runList_(new QListWidget(this))
    , familyBox_(new QComboBox(this))
    , metricList_(new QListWidget(this))
{
    familyBox_->addItem(panelText(QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "All metrics")), -1);
    for (MetricFamily family : kMetricFamilies)
        familyBox_->addItem(familyTitle(family), int(family));
    runList_->setObjectName(QStringLiteral("runList"));
    metricList_->setObjectName(QStringLiteral("metricList"));
    runList_->setToolTip(panelText(QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Runs to overlay")));
    metricList_->setToolTip(panelText(QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Metrics to plot")));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(panelText(QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Runs")), this));
    layout->addWidget(runList_, 1);
    layout->addWidget(familyBox_);
    layout->addWidget(metricList_, 2);

    connect(runList_, &QListWidget::itemChanged, this, [this] {
        QList<qint64> runs;
        for (int i = 0; i < runList_->count(); ++i)
            if (runList_->item(i)->checkState() == Qt::Checked)
                runs << runList_->item(i)->data(Qt::UserRole).toLongLong();
        emit runsChosen(runs);
    });
    connect(metricList_, &QListWidget::itemChanged, this,
            [this](QListWidgetItem* item) { emit metricToggled(item->text(), item->checkState() == Qt::Checked); });
    connect(familyBox_, &QComboBox::currentIndexChanged, this, [this] {
        const int family = familyBox_->currentData().toInt();
        setFamily(family < 0 ? std::nullopt : std::optional(MetricFamily(family)));
    });
}

void CurvesChooser::setStoreRuns(const QList<qint64>& ids, const QHash<qint64, QString>& names,
                                 const QList<qint64>& chosen)
{
    if (ids == ids_ && names == names_)
        return;
    ids_ = ids;
    names_ = names;
    const QSignalBlocker block(runList_);
    runList_->clear();
    for (qint64 id : ids) {
        auto* item = new QListWidgetItem(QStringLiteral("#%1 %2").arg(id).arg(names[id]), runList_);
        item->setData(Qt::UserRole, id);
        item->setCheckState(chosen.contains(id) ? Qt::Checked : Qt::Unchecked);
    }
}

void CurvesChooser::checkRuns(const QList<qint64>& chosen)
{
    const QSignalBlocker block(runList_);
    for (int i = 0; i < runList_->count(); ++i) {
        auto* item = runList_->item(i);
        item->setCheckState(chosen.contains(item->data(Qt::UserRole).toLongLong()) ? Qt::Checked : Qt::Unchecked);
    }
}

void CurvesChooser::setMetrics(const QStringList& available, const QStringList& chosen)
{
    available_ = available;
    chosen_ = chosen;
    listMetrics();
}

void CurvesChooser::setFamily(std::optional<MetricFamily> family)
{
    family_ = family;
    {
        const QSignalBlocker block(familyBox_);
        familyBox_->setCurrentIndex(familyBox_->findData(family ? int(*family) : -1));
    }
    listMetrics();
}

void CurvesChooser::setMetricsShown(bool on)
{
    familyBox_->setVisible(on);
    metricList_->setVisible(on);
}

void CurvesChooser::listMetrics()
{
    const QSignalBlocker block(metricList_);
    metricList_->clear();
    for (const QString& key : available_) {
        if ((family_ && metricFamily(key) != *family_) || isErrorKey(key)) // errors: drawn as bands
            continue;
        auto* item = new QListWidgetItem(key, metricList_);
        item->setCheckState(chosen_.contains(key) ? Qt::Checked : Qt::Unchecked);
    }
}

} // namespace thinkbench::widgets
