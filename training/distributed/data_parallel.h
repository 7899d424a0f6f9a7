#pragma once
// Data parallelism over a ProcessGroup: every rank holds the whole model, trains on its share of
// the global batch, and applies the same update. Parameters leave rank 0 at the start of a stage
// (and so after a resume); gradients are summed in flat buckets, one collective per bucket.

#include "training/distributed/process_group.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>

namespace thinkbench::training {

// Sums every gradient over the ranks. Each rank scales its loss by 1 / (the global batch's
// micro-batches), so the sum is the global batch's mean gradient. A parameter no rank has a
// gradient for keeps none (the optimizer then skips it, as it would on one rank).
void allReduceGradients(ProcessGroup& group, std::map<std::string, at::Tensor>& params,
                        int64_t bucketBytes = int64_t(25) << 20);

// Copies rank 0's values of every parameter into the other ranks'.
void broadcastParameters(ProcessGroup& group, std::map<std::string, at::Tensor>& params,
                         int64_t bucketBytes = int64_t(25) << 20);

// True on every rank when any rank was asked to stop, so all of them stop after the same step.
bool agreeOnStop(ProcessGroup* group, bool requested);

} // namespace thinkbench::training
