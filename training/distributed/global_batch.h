#pragma once
// What a data-parallel rank needs of the global batch it holds a share of: which items are its
// own, the batch's totals, every rank's groups, and the step's metrics over the whole batch. With
// no group (one process) each is the identity, so a stage calls them unconditionally.

#include "training/distributed/process_group.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace thinkbench::training {

// Item `index` of a step's global batch belongs to rank index % ranks.
bool ownsShare(const ProcessGroup* group, int64_t index);

// How many of the global batch's first `count` items are this rank's.
int ownShareOf(const ProcessGroup* group, int count);

// Sums over the ranks, in place.
void sumOverRanks(ProcessGroup* group, std::initializer_list<double*> values);
// Sums of the ranks' token and sequence counts, in place.
void globalTotals(ProcessGroup* group, double& tokens, double& sequences);

// Every rank's groups of `groupSize` values (this rank's are its share, rank-strided, all ranks
// with as many) in the order of the global batch, as doubles.
at::Tensor gatherGroups(ProcessGroup* group, const at::Tensor& local, int64_t groupSize);

// Every rank's 1-D `local` values (any count each), joined in rank order, as doubles on the CPU.
at::Tensor gatherValues(ProcessGroup* group, const at::Tensor& local);

// The step's metrics of the global batch, on every rank: `sums` are shares of global totals and
// add up, `maxima` take the largest, `globals` are already the global batch's (equal on every
// rank) and stay, every other key is the mean of the ranks' values (each rank's share of the batch
// is the same size). The ranks must report the same keys.
void reduceStepMetrics(ProcessGroup& group, std::map<std::string, double>& metrics,
                       const std::set<std::string_view>& sums, const std::set<std::string_view>& maxima,
                       const std::set<std::string_view>& globals = {});

} // namespace thinkbench::training
