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
#include <string>
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

// The aggregate of every seed's record, as JSON text and as the text
// summary; both depend only on the records (any order) and the manifest.
struct SweepAggregate {
  std::string json;
  std::string text;
  std::string html;
};
dc::Result<SweepAggregate> aggregateSweep(const ShardManifest& manifest, std::vector<std::string> records);

uint64_t fileHash(const std::string& bytes);

}  // namespace dcemu::report
