#include "widgets/curves/series_loader.h"

#include "core/store/metric_names.h"
#include "core/store/metric_series.h"

#include <QtConcurrent>

#include <algorithm>
#include <exception>

namespace thinkbench::widgets {

struct SeriesLoader::Worker {
    std::string database;
    std::unique_ptr<core::RunStore> reader;
    std::vector<RunEntry> runs;
    QHash<qint64, QStringList> keys;
    QHash<qint64, std::vector<core::StageInfo>> stages;
    quint64 selection = 0;
    QStringList metrics;
    std::vector<core::MetricSeries> series;
    std::vector<std::vector<core::SeriesPoint>> errors; // of each series, when stored

    CurvesSnapshot serve(const CurvesRequest& request);
    void readRuns(const QList<qint64>& chosen, bool all);
    void chooseMetrics(const CurvesRequest& request);
    void followSeries(const CurvesRequest& request);
    void zoom(core::MetricSeries& series, const CurvesRequest& request) const;
    CurvesSnapshot snapshot() const;
};

namespace {

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

} // namespace

CurvesSnapshot SeriesLoader::Worker::serve(const CurvesRequest& request)
{
    try {
        if (request.database != database) {
            *this = Worker();
            database = request.database;
        }
        if (database.empty()) {
            CurvesSnapshot none; // nothing to read: the choice stands as made
            none.selection = request.selection;
            none.metrics = request.metrics;
            return none;
        }
        if (!reader)
            reader = std::make_unique<core::RunStore>(database, core::OpenMode::ReadOnly);
        readRuns(request.runs, request.readRuns);
        chooseMetrics(request);
        followSeries(request);
        CurvesSnapshot out = snapshot();
        out.appendNew = request.appendNew;
        return out;
    } catch (const std::exception& e) {
        reader.reset(); // opened again by the next request
        series.clear();
        CurvesSnapshot out;
        out.error = QString::fromUtf8(e.what());
        return out;
    }
}

void SeriesLoader::Worker::readRuns(const QList<qint64>& chosen, bool all)
{
    if (all || runs.empty()) {
        runs.clear();
        for (const auto& run : reader->listRuns())
            runs.push_back({run.id, text(run.name), run.createdAt});
    }
    for (auto it = keys.begin(); it != keys.end();)
        it = chosen.contains(it.key()) ? std::next(it) : keys.erase(it);
    for (auto it = stages.begin(); it != stages.end();)
        it = chosen.contains(it.key()) ? std::next(it) : stages.erase(it);
    for (qint64 run : chosen) {
        if (!all && keys.contains(run))
            continue;
        QStringList names;
        for (const auto& key : reader->metricKeys(run))
            names << text(key);
        keys[run] = names;
        stages[run] = reader->stages(run);
    }
}

void SeriesLoader::Worker::chooseMetrics(const CurvesRequest& request)
{
    if (request.selection == selection && !metrics.isEmpty())
        return; // the user chose nothing since: keep a headline picked before
    selection = request.selection;
    metrics = request.metrics;
    if (!request.pickHeadline)
        return;
    QStringList available;
    for (qint64 run : request.runs)
        for (const QString& key : keys.value(run))
            if (!available.contains(key))
                available << key;
    if (std::any_of(metrics.begin(), metrics.end(), [&](const QString& k) { return available.contains(k); }))
        return;
    // A first run with nothing chosen yet shows the headline curve rather than an empty plot.
    available.sort();
    metrics.clear();
    for (std::string_view preferred : {core::metric::kRewardMean, core::metric::kLoss})
        if (available.contains(text(preferred))) {
            metrics = {text(preferred)};
            return;
        }
    if (!available.isEmpty())
        metrics = {available.first()};
}

void SeriesLoader::Worker::followSeries(const CurvesRequest& request)
{
    // Chosen pairs in display order; models of pairs still chosen are kept, new ones read.
    std::vector<core::MetricSeries> next;
    for (qint64 run : request.runs)
        for (const QString& key : metrics) {
            if (!keys.value(run).contains(key))
                continue;
            const std::string name = key.toStdString();
            const auto kept = std::find_if(series.begin(), series.end(),
                                           [&](const auto& s) { return s.run() == run && s.key() == name; });
            if (kept != series.end()) {
                next.push_back(std::move(*kept));
                if (request.appendNew)
                    next.back().appendNew(*reader, request.maxPoints);
            } else {
                next.emplace_back(run, name, request.smoothing);
                next.back().load(*reader, request.maxPoints);
            }
            // An evaluation is a handful of points, each its own estimate: drawn unsmoothed, so
            // the line runs through its points and the middle of its error band.
            const bool evaluation = keys.value(run).contains(key + text(core::metric::kStderrSuffix)) ||
                                    key.startsWith(text(core::metric::kHeldOutPrefix)) ||
                                    key.startsWith(text(core::metric::kEvalPrefix));
            next.back().setSmoothing(evaluation ? 0 : request.smoothing);
            zoom(next.back(), request);
        }
    series = std::move(next);
    // Error series belong to evaluations, a few points each: read whole at every request.
    errors.clear();
    for (const auto& s : series) {
        const std::string errorKey = s.key() + std::string(core::metric::kStderrSuffix);
        errors.push_back(keys.value(s.run()).contains(QString::fromStdString(errorKey))
                             ? reader->series(s.run(), errorKey)
                             : std::vector<core::SeriesPoint>{});
    }
}

void SeriesLoader::Worker::zoom(core::MetricSeries& s, const CurvesRequest& request) const
{
    if (!request.zoom) {
        s.unzoom(*reader);
        return;
    }
    const auto [lower, upper] = *request.zoom;
    double offset = 0;
    switch (request.axis) {
    case CurvesPanel::XAxis::Step:
        s.zoomToSteps(*reader, lower, upper, request.maxPoints);
        return;
    case CurvesPanel::XAxis::RelativeTime:
        for (const auto& run : runs)
            if (run.id == s.run())
                offset = run.start;
        break;
    case CurvesPanel::XAxis::WallTime:
        break;
    }
    s.zoomToWallTimes(*reader, lower + offset, upper + offset, request.maxPoints);
}

CurvesSnapshot SeriesLoader::Worker::snapshot() const
{
    CurvesSnapshot out;
    out.selection = selection;
    out.runs = runs;
    out.keys = keys;
    out.stages = stages;
    out.metrics = metrics;
    for (size_t i = 0; i < series.size(); ++i) {
        const auto& s = series[i];
        out.series.push_back(
            {s.run(), text(s.key()), s.revision(), s.zoomed(), s.points(), s.smoothed(), s.breaks(), errors[i]});
    }
    return out;
}

SeriesLoader::SeriesLoader(QObject* parent)
    : QObject(parent)
    , worker_(std::make_shared<Worker>())
{
    pool_.setMaxThreadCount(1);
}

SeriesLoader::~SeriesLoader()
{
    pool_.waitForDone();
}

void SeriesLoader::request(const CurvesRequest& request)
{
    auto answer = QtConcurrent::run(&pool_, [worker = worker_, request] { return worker->serve(request); });
    pending_.push_back(answer);
    // Queued even when the answer is ready already (then() would call back at once): answers
    // land from the event loop, never inside the call that asked.
    answer.then(this, [this](const QFuture<CurvesSnapshot>&) {
        QMetaObject::invokeMethod(this, &SeriesLoader::deliver, Qt::QueuedConnection);
    });
}

void SeriesLoader::wait()
{
    // Not QFuture::waitForFinished: it would run a request still queued on this thread, beside
    // the worker serving the one before it.
    pool_.waitForDone();
    deliver();
}

void SeriesLoader::deliver()
{
    // Answers leave in request order; a later one never overtakes an earlier.
    while (!pending_.empty() && pending_.front().isFinished()) {
        const QFuture<CurvesSnapshot> answer = pending_.front();
        pending_.pop_front();
        emit answered(answer.result());
    }
}

} // namespace thinkbench::widgets
