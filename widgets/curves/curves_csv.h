#pragma once
// The curves panel's CSV export: every plotted point of every curve, downsampled where the
// series is long, as step, wall time, run, metric, raw and smoothed value.

#include "widgets/curves/curve_painter.h"

#include <QString>

#include <vector>

namespace thinkbench::widgets {

bool writeCurvesCsv(const QString& path, const std::vector<CurvePainter::Curve>& curves);

} // namespace thinkbench::widgets
