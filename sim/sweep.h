// Sweeps: the same file run once per seed, each seed's planning report
// kept as its record (JSON, docs/sweep-format.md), and an aggregate per
// migration over all seeds: the spread of "safe from", how often a host
// fails after completion (with 95 % Wilson intervals), lost ACEs, which
// hosts fail in how many seeds, and the what-if table's failure
// probability per candidate moment.
// The aggregate is report/sweep_aggregate.h's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dc/status.h"
#include "scenario/scenario.h"

namespace dcemu::sim {

struct SweepPlan {
  uint64_t firstSeed = 1;
  uint64_t seeds = 100;
  unsigned shard = 0, shards = 1;  // this process runs seeds whose index % shards == shard
  unsigned jobs = 1;               // seeds at once
  // The what-if table per seed: only when asked for (`whatIf`), at a
  // spacing; a sweep of many seeds would otherwise multiply its cost.
  std::optional<int64_t> whatIfEvery;
  bool whatIf = false, noWhatIf = false;
};

// The seeds a shard runs, in order.
std::vector<uint64_t> shardSeeds(const SweepPlan& plan);

// Runs `seeds` of the scenario, `jobs` at once, and hands each seed's
// record (JSON text, one line) to `record` as the seed ends, so that a
// record is written while the others run and kept no longer than its call
// (a killed sweep keeps what it finished). `record` and `progress` are
// called from any thread, one call at a time. The first failing seed, in
// the order of `seeds`, ends it with its reason.
dc::Status runSeeds(const scenario::Scenario& scenario, const std::vector<uint64_t>& seeds, const SweepPlan& plan,
                    const std::function<dc::Status(uint64_t seed, std::string record)>& record,
                    const std::function<void(size_t done, size_t total)>& progress);

}  // namespace dcemu::sim
