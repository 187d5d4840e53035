#include "sim/sweep.h"

#include <fmt/format.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "dc/parallel.h"
#include "report/report_json.h"
#include "sim/what_if.h"
#include "sim/world.h"

namespace dcemu::sim {

namespace {

using Json = nlohmann::ordered_json;

// One seed: the run, its planning report (with the what-if table when the
// plan asks for it), its findings and whether the replicas converged.
dc::Result<std::string> runSeed(const scenario::Scenario& scenario, uint64_t seed, const SweepPlan& plan) {
  auto world = World::create(scenario, seed, false);
  if (!world) return world.status();
  int64_t end = scenario.effectiveDuration();
  (*world)->runUntil(end);
  report::PlanningReport report = (*world)->planningReport();
  if (!plan.noWhatIf && plan.whatIf) {
    auto table = buildWhatIfTable(scenario, seed, {plan.whatIfEvery, std::nullopt, end, 1, {}});
    if (!table) return table.status();
    report.whatIf = std::move(*table);
    report::decideMigrations(report);
  }
  std::vector<std::string> divergence = (*world)->settleAndCheckConvergence();
  Json record;
  record["seed"] = seed;
  record["findings"] = Json::array();
  for (const Finding& f : (*world)->findings()) record["findings"].push_back(f.message);
  record["converged"] = divergence.empty();
  record["report"] = report::reportJson(report);
  return record.dump();
}

}  // namespace

std::vector<uint64_t> shardSeeds(const SweepPlan& plan) {
  std::vector<uint64_t> seeds;
  for (uint64_t i = plan.shard; i < plan.seeds; i += plan.shards) seeds.push_back(plan.firstSeed + i);
  return seeds;
}

dc::Result<std::vector<std::string>> runSeeds(const scenario::Scenario& scenario, const std::vector<uint64_t>& seeds,
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

}  // namespace dcemu::sim
