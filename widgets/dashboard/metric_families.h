#pragma once
// Which family a metric key belongs to, by the groups of core/store/metric_names.h, and which
// families a stage is watched by. The dashboard's sections and the curves chooser's
// filter both file keys here, so a key lands in the same family in both.

#include <QHashFunctions>
#include <QList>
#include <QString>

namespace thinkbench::core {
struct StageInfo;
}

namespace thinkbench::widgets {

enum class MetricFamily {
    Reward,        // reward/*, advantage spread, zero-advantage groups
    Accuracy,      // accuracy, format rate, held-out and evaluation pass@k
    Length,        // length/*, reflection rate
    KlEntropyClip, // kl, entropy, clip/*, sampler/trainer mismatch
    Experts,       // moe/*
    Throughput,    // time/*, tokens per second, MFU
    Distributed,   // dist/*: each rank's throughput, time in collectives
    Optimisation,  // loss, learning rate, gradient norm
    RejectionSampling,
    Other,
};

// Every family, in the order the dashboard shows them.
inline constexpr MetricFamily kMetricFamilies[] = {
    MetricFamily::Reward,        MetricFamily::Accuracy,     MetricFamily::Length,
    MetricFamily::KlEntropyClip, MetricFamily::Experts,      MetricFamily::Throughput,
    MetricFamily::Distributed,   MetricFamily::Optimisation, MetricFamily::RejectionSampling,
    MetricFamily::Other};

inline size_t qHash(MetricFamily family, size_t seed = 0)
{
    return ::qHash(int(family), seed);
}

MetricFamily metricFamily(const QString& key);
QString familyTitle(MetricFamily family);
// The families a stage is watched by, by its kind (none for an unknown kind), and Distributed
// where it ran on several processes.
QList<MetricFamily> stageFamilies(const core::StageInfo& stage);
// key + core::metric::kStderrSuffix: drawn as the band around its base key, not as a curve.
bool isErrorKey(const QString& key);

} // namespace thinkbench::widgets
