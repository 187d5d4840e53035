// Sweeps: the same file run once per seed, each seed's planning report
// kept as its record (JSON, docs/sweep-format.md), and an aggregate per
// migration over all seeds: the spread of "safe from", how often a host
// fails after completion (with 95 % Wilson intervals), lost ACEs, which
// hosts fail in how many seeds, and the what-if table's failure
// probability per candidate moment.
//
// The aggregate is computed from the records' JSON text, whether they were
// made in this process or read back from shards' directories, so a sweep
// split into shards and merged gives the same bytes as one sweep, whatever
// the number of jobs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dc/status.h"
#include "sim/scenario.h"

namespace dcemu::sim {

struct SweepPlan {
  uint64_t firstSeed = 1;
  uint64_t seeds = 100;
  unsigned shard = 0, shards = 1;  // this process runs seeds whose index % shards == shard
  unsigned jobs = 1;               // seeds at once
  // The what-if table per seed: as `dcemu run` decides (on in a planning
  // run), forced on with a spacing, or off.
  std::optional<int64_t> whatIfEvery;
  bool whatIf = false, noWhatIf = false;
};

// The seeds a shard runs, in order.
std::vector<uint64_t> shardSeeds(const SweepPlan& plan);

// Runs `seeds` of the scenario, `jobs` at once; each seed's record as JSON
// text (one line), in the order of `seeds`. `progress` is called as seeds
// finish (from any thread, one call at a time).
dc::Result<std::vector<std::string>> runSeeds(const Scenario& scenario, const std::vector<uint64_t>& seeds,
                                              const SweepPlan& plan,
                                              const std::function<void(size_t done, size_t total)>& progress);

// What a sweep's shard wrote besides its records: enough for a merge to
// check that the shards belong together and cover every seed once.
struct ShardManifest {
  std::string file;       // the topology file's name as given
  uint64_t fileHash = 0;  // FNV-1a 64 of its bytes
  uint64_t firstSeed = 0, seeds = 0;
  unsigned shard = 0, shards = 1;
};
std::string manifestJson(const ShardManifest& manifest);
dc::Result<ShardManifest> parseManifest(const std::string& json, const std::string& where);

// The aggregate of every seed's record, as JSON text and as the text
// summary; both depend only on the records (any order) and the manifest.
struct SweepAggregate {
  std::string json;
  std::string text;
  std::string html;
};
dc::Result<SweepAggregate> aggregateSweep(const ShardManifest& manifest, std::vector<std::string> records);

uint64_t fileHash(const std::string& bytes);

}  // namespace dcemu::sim
