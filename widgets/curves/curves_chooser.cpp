#include "widgets/curves/curves_chooser.h"

#include "core/store/metric_names.h"

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
    using Family = CurvesPanel::Family;
    const std::pair<const char*, Family> families[] = {
        {QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "All metrics"), Family::All},
        {QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Reward parts"), Family::Reward},
        {QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Accuracy / pass@1"), Family::Accuracy},
        {QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Length"), Family::Length},
        {QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "KL / entropy / clip"), Family::KlEntropyClip},
        {QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Experts"), Family::Experts},
        {QT_TRANSLATE_NOOP("thinkbench::widgets::CurvesPanel", "Other"), Family::Other}};
    for (const auto& [name, family] : families)
        familyBox_->addItem(panelText(name), int(family));
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
    connect(familyBox_, &QComboBox::currentIndexChanged, this,
            [this] { setFamily(Family(familyBox_->currentData().toInt())); });
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

void CurvesChooser::setFamily(CurvesPanel::Family family)
{
    family_ = family;
    {
        const QSignalBlocker block(familyBox_);
        familyBox_->setCurrentIndex(familyBox_->findData(int(family)));
    }
    listMetrics();
}

void CurvesChooser::listMetrics()
{
    const QSignalBlocker block(metricList_);
    metricList_->clear();
    for (const QString& key : available_) {
        if (family_ != CurvesPanel::Family::All && CurvesPanel::metricFamily(key) != family_)
            continue;
        if (key.endsWith(QLatin1String(core::metric::kStderrSuffix.data(),
                                       qsizetype(core::metric::kStderrSuffix.size())))) // drawn as its metric's band
            continue;
        auto* item = new QListWidgetItem(key, metricList_);
        item->setCheckState(chosen_.contains(key) ? Qt::Checked : Qt::Unchecked);
    }
}

} // namespace thinkbench::widgets
