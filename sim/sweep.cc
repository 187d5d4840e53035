#include "sim/sweep.h"

#include <fmt/format.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "dc/parallel.h"
#include "sim/report_json.h"
#include "sim/what_if.h"
#include "sim/world.h"

namespace dcemu::sim {

namespace {

using Json = nlohmann::ordered_json;

// One seed: the run, its planning report (with the what-if table when the
// plan asks for it), its findings and whether the replicas converged.
dc::Result<std::string> runSeed(const Scenario& scenario, uint64_t seed, const SweepPlan& plan) {
  auto world = World::create(scenario, seed, false);
  if (!world) return world.status();
  int64_t end = scenario.effectiveDuration();
  (*world)->runUntil(end);
  PlanningReport report = (*world)->planningReport();
  if (!plan.noWhatIf && (plan.whatIf || isPlanningRun(scenario))) {
    auto table = buildWhatIfTable(scenario, seed, {plan.whatIfEvery, std::nullopt, end, 1, {}});
    if (!table) return table.status();
    report.whatIf = std::move(*table);
  }
  std::vector<std::string> divergence = (*world)->settleAndCheckConvergence();
  Json record;
  record["seed"] = seed;
  record["findings"] = Json::array();
  for (const Finding& f : (*world)->findings()) record["findings"].push_back(f.message);
  record["converged"] = divergence.empty();
  record["report"] = reportJson(report);
  return record.dump();
}

}  // namespace

uint64_t fileHash(const std::string& bytes) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

std::vector<uint64_t> shardSeeds(const SweepPlan& plan) {
  std::vector<uint64_t> seeds;
  for (uint64_t i = plan.shard; i < plan.seeds; i += plan.shards) seeds.push_back(plan.firstSeed + i);
  return seeds;
}

dc::Result<std::vector<std::string>> runSeeds(const Scenario& scenario, const std::vector<uint64_t>& seeds,
                                              const SweepPlan& plan,
                                              const std::function<void(size_t, size_t)>& progress) {
  std::vector<std::optional<dc::Result<std::string>>> results(seeds.size());
  std::mutex lock;
  size_t done = 0;
  dc::forEachIndexInParallel(seeds.size(), plan.jobs, [&](size_t i) {
    results[i] = runSeed(scenario, seeds[i], plan);
    std::lock_guard<std::mutex> guard(lock);
    ++done;
    if (progress) progress(done, seeds.size());
  });
  std::vector<std::string> records;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!*results[i])
      return dc::Status(results[i]->status().code(),
                        fmt::format("seed {}: {}", seeds[i], results[i]->status().message()));
    records.push_back(std::move(**results[i]));
  }
  return records;
}

std::string manifestJson(const ShardManifest& m) {
  Json out;
  out["format"] = "dcemu-sweep-shard";
  out["version"] = 1;
  out["file"] = m.file;
  out["file_hash"] = fmt::format("{:016x}", m.fileHash);
  out["first_seed"] = m.firstSeed;
  out["seeds"] = m.seeds;
  out["shard"] = m.shard;
  out["shards"] = m.shards;
  return out.dump(2) + "\n";
}

dc::Result<ShardManifest> parseManifest(const std::string& text, const std::string& where) {
  auto bad = [&](const std::string& why) {
    return dc::Status(dc::LdapResult::other, fmt::format("{}: {}", where, why));
  };
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return bad("not JSON");
  if (json.value("format", "") != "dcemu-sweep-shard" || json.value("version", 0) != 1)
    return bad("not a dcemu sweep shard manifest (version 1)");
  ShardManifest m;
  try {
    m.file = json.at("file").get<std::string>();
    m.fileHash = std::stoull(json.at("file_hash").get<std::string>(), nullptr, 16);
    m.firstSeed = json.at("first_seed").get<uint64_t>();
    m.seeds = json.at("seeds").get<uint64_t>();
    m.shard = json.at("shard").get<unsigned>();
    m.shards = json.at("shards").get<unsigned>();
  } catch (const std::exception& e) {
    return bad(std::string("a field is missing or of the wrong type: ") + e.what());
  }
  if (m.shards == 0 || m.shard >= m.shards) return bad(fmt::format("shard {}/{} is not a shard", m.shard, m.shards));
  return m;
}

}  // namespace dcemu::sim
