#pragma once
// Reads the curves panel's series off the GUI thread. A request states what the panel wants to
// show (runs, metrics, smoothing, zoom); a worker thread brings the engine's series models
// (core::MetricSeries) up to it and answers with a snapshot of everything the panel draws.
// Requests are served one at a time, in order, through a read-only connection of the loader's
// own: the panel's store serves the other panels on the GUI thread, and a SQLite connection
// serves one thread at a time.

#include "core/store/run_store.h"
#include "widgets/curves_panel.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace thinkbench::widgets {

struct CurvesRequest {
    std::string database; // empty: nothing to read
    QList<qint64> runs;
    QStringList metrics;
    // Bumped by the user's every choice of runs or metrics. While it stays, the headline metric
    // the loader picked stands in for an unchosen one.
    quint64 selection = 0;
    bool pickHeadline = false; // none of `metrics` is available: show the headline metric
    bool readRuns = false;     // re-read the runs, their metric keys and stages
    bool appendNew = false;    // follow the series: append the points written since
    double smoothing = 0;
    size_t maxPoints = 0;
    CurvesPanel::XAxis axis = CurvesPanel::XAxis::Step;
    std::optional<std::pair<double, double>> zoom; // the visible x-range; none: whole series
};

struct RunEntry {
    qint64 id = 0;
    QString name;
    double start = 0; // seconds since the epoch
};

// One (run, metric) series as the panel draws it.
struct SeriesView {
    qint64 run = 0;
    QString key;
    quint64 revision = 0; // as core::MetricSeries::revision()
    bool zoomed = false;
    std::vector<core::SeriesPoint> points;
    std::vector<double> smoothed;
    std::vector<size_t> breaks; // the line breaks before these points
    // The standard error stored beside the metric (key + core::metric::kStderrSuffix), by step
    std::vector<core::SeriesPoint> errors;
};

struct CurvesSnapshot {
    QString error; // the store could not be read; the rest is empty
    quint64 selection = 0;
    bool appendNew = false;
    std::vector<RunEntry> runs;      // every run of the store
    QHash<qint64, QStringList> keys; // of the chosen runs, sorted
    QHash<qint64, std::vector<core::StageInfo>> stages;
    QStringList metrics;            // as chosen, or the headline picked
    std::vector<SeriesView> series; // in order of runs, then metrics
};

class SeriesLoader : public QObject {
    Q_OBJECT

public:
    explicit SeriesLoader(QObject* parent = nullptr);
    ~SeriesLoader() override; // waits for the request being served

    void request(const CurvesRequest& request);
    bool busy() const { return !pending_.empty(); }
    // Blocks until every request is answered and delivers the answers.
    void wait();

signals:
    // Every answer, in request order, on the loader's thread.
    void answered(const CurvesSnapshot& snapshot);

private:
    struct Worker;
    void deliver();

    std::shared_ptr<Worker> worker_; // touched only by the request being served
    QThreadPool pool_;               // one thread: requests in order
    std::deque<QFuture<CurvesSnapshot>> pending_;
};

} // namespace thinkbench::widgets
