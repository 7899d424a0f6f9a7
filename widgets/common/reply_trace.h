#pragma once
// A finished reply judged as the engine judges samples (the extracted answer and, given a ground
// truth, the verifier's verdict) and opened in the trace stepper as a trace.

#include "widgets/model_worker.h"
#include "widgets/trace_stepper.h"

#include <optional>

namespace thinkbench::widgets {

struct Judgement {
    QString extracted;
    std::optional<bool> correct; // empty without a ground truth
};

Judgement judge(const QString& answer, const QString& truth);

// The reply with its tokens and log-probs; `truth` (optional) decides `correct`.
TraceSample replyTrace(const GenerationOutcome& outcome, const QString& title, const QString& truth = {});

} // namespace thinkbench::widgets
