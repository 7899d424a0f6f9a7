#include "widgets/dashboard/metric_families.h"

#include "core/store/metric_names.h"
#include "core/store/run_store.h"

#include <QCoreApplication>

namespace thinkbench::widgets {

namespace {

bool startsWith(const QString& key, std::string_view prefix)
{
    return key.startsWith(QLatin1String(prefix.data(), qsizetype(prefix.size())));
}

bool is(const QString& key, std::string_view name)
{
    return key == QLatin1String(name.data(), qsizetype(name.size()));
}

} // namespace

MetricFamily metricFamily(const QString& key)
{
    namespace m = core::metric;
    // By prefix, so keys added to a group later land in its family ("reward/format").
    if (startsWith(key, m::kRewardPrefix) || is(key, m::kAdvantageStd) || is(key, m::kZeroAdvantageGroups))
        return MetricFamily::Reward;
    if (startsWith(key, m::kAccuracy) || is(key, m::kFormatRate) || startsWith(key, m::kHeldOutPrefix) ||
        startsWith(key, m::kEvalPrefix))
        return MetricFamily::Accuracy;
    if (startsWith(key, m::kLengthPrefix) || is(key, m::kReflectionRate))
        return MetricFamily::Length;
    if (startsWith(key, m::kKl) || startsWith(key, m::kEntropy) || startsWith(key, m::kClipPrefix) ||
        key.startsWith(QLatin1String("mismatch/"))) // mismatch/ and time/ have no prefix constant
        return MetricFamily::KlEntropyClip;
    if (startsWith(key, m::kMoePrefix))
        return MetricFamily::Experts;
    if (key.startsWith(QLatin1String("time/")) || is(key, m::kTokensPerSecond) || is(key, m::kMfu))
        return MetricFamily::Throughput;
    if (key.startsWith(QLatin1String("dist/")))
        return MetricFamily::Distributed;
    if (is(key, m::kLoss) || is(key, m::kLearningRate) || is(key, m::kGradNorm))
        return MetricFamily::Optimisation;
    if (key.startsWith(QLatin1String("rs/")))
        return MetricFamily::RejectionSampling;
    return MetricFamily::Other;
}

QString familyTitle(MetricFamily family)
{
    const char* title = "";
    switch (family) {
    case MetricFamily::Reward:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Rewards");
        break;
    case MetricFamily::Accuracy:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Accuracy / pass@1");
        break;
    case MetricFamily::Length:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Length");
        break;
    case MetricFamily::KlEntropyClip:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "KL / entropy / clip / mismatch");
        break;
    case MetricFamily::Experts:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Experts");
        break;
    case MetricFamily::Throughput:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Throughput / time");
        break;
    case MetricFamily::Distributed:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Distributed");
        break;
    case MetricFamily::Optimisation:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Loss / LR / grad norm");
        break;
    case MetricFamily::RejectionSampling:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Rejection sampling");
        break;
    case MetricFamily::Other:
        title = QT_TRANSLATE_NOOP("thinkbench::widgets::MetricFamily", "Other");
        break;
    }
    return QCoreApplication::translate("thinkbench::widgets::MetricFamily", title);
}

QList<MetricFamily> stageFamilies(const core::StageInfo& stage)
{
    using F = MetricFamily;
    const std::string_view kind = stage.kind;
    QList<F> families;
    if (kind == "grpo")
        families = {F::Reward, F::Accuracy, F::Length, F::KlEntropyClip};
    else if (kind == "pretrain" || kind == "sft" || kind == "distill")
        families = {F::Optimisation};
    else if (kind == "rejection_sampling")
        families = {F::RejectionSampling};
    else if (kind == "eval")
        families = {F::Accuracy};
    if (stage.worldSize > 1)
        families << F::Distributed;
    return families;
}

bool isErrorKey(const QString& key)
{
    const auto suffix = core::metric::kStderrSuffix;
    return key.endsWith(QLatin1String(suffix.data(), qsizetype(suffix.size())));
}

} // namespace thinkbench::widgets
