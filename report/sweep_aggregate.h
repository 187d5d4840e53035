// The aggregate of a sweep per migration over all seeds: the spread of
// "safe from", how often a host fails after completion (with 95 % Wilson
// intervals), lost ACEs, which hosts fail in how many seeds, and the
// what-if table's failure probability per candidate moment
// (docs/sweep-format.md).
//
// The aggregate is computed from the records' JSON text, whether they were
// made in this process or read back from shards' directories, so a sweep
// split into shards and merged gives the same bytes as one sweep, whatever
// the number of jobs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dc/status.h"

namespace dcemu::report {

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

// The aggregate of every seed's record, as JSON text, the text summary and
// an HTML page; all three depend only on the records (in any order) and the
// manifest.
struct SweepAggregate {
  std::string json;
  std::string text;
  std::string html;
};

// Takes the records one at a time and keeps only the few facts of each
// that the aggregate needs, so that a sweep's memory does not grow with the
// size of its records.
class SweepAggregator {
 public:
  // One seed's record (JSON text); a record of a seed already added
  // replaces it.
  dc::Status add(std::string_view record);
  dc::Result<SweepAggregate> finish(const ShardManifest& manifest) const;
  size_t seeds() const { return seeds_.size(); }

 private:
  struct MigrationFacts {
    std::string dmsa;
    std::optional<int64_t> safeFrom;  // seconds since the start
    int64_t lost = 0;
    bool completed = false;
    std::vector<std::string> failed;  // "host service" of each failing after completion
  };
  struct WhatIfFact {
    std::string dmsa;
    int64_t at = 0;  // seconds since the start
    bool failed = false;
  };
  struct SeedFacts {
    int64_t start = 0;
    bool problem = false;
    std::vector<MigrationFacts> migrations;
    std::vector<WhatIfFact> whatIf;
  };
  std::map<uint64_t, SeedFacts> seeds_;  // by seed: the order the aggregate reads them in
};

uint64_t fileHash(const std::string& bytes);

}  // namespace dcemu::report
