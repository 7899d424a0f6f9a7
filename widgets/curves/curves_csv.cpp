#include "widgets/curves/curves_csv.h"

#include <QFile>
#include <QTextStream>

namespace thinkbench::widgets {

bool writeCurvesCsv(const QString& path, const std::vector<CurvePainter::Curve>& curves)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return false;
    QTextStream out(&file);
    out << "step,time,run,metric,raw,smoothed\n";
    for (const auto& curve : curves) {
        const SeriesView& s = curve.data;
        for (size_t i = 0; i < s.points.size(); ++i)
            out << s.points[i].step << ',' << QString::number(s.points[i].wallTime, 'f', 3) << ',' << s.run << ','
                << s.key << ',' << QString::number(s.points[i].value, 'g', 10) << ','
                << QString::number(s.smoothed[i], 'g', 10) << '\n';
    }
    out.flush();
    return file.error() == QFileDevice::NoError;
}

} // namespace thinkbench::widgets
