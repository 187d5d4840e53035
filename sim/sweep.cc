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

dc::Status runSeeds(const scenario::Scenario& scenario, const std::vector<uint64_t>& seeds, const SweepPlan& plan,
                    const std::function<dc::Status(uint64_t seed, std::string record)>& record,
                    const std::function<void(size_t done, size_t total)>& progress) {
  std::vector<dc::Status> failures(seeds.size());
  std::mutex lock;
  size_t done = 0;
  dc::forEachIndexInParallel(seeds.size(), plan.jobs, [&](size_t i) {
    dc::Result<std::string> result = runSeed(scenario, seeds[i], plan);
    std::lock_guard<std::mutex> guard(lock);
    failures[i] = result ? record(seeds[i], std::move(*result)) : result.status();
    ++done;
    if (progress) progress(done, seeds.size());
  });
  for (size_t i = 0; i < failures.size(); ++i)
    if (!failures[i].isOk())
      return dc::Status(failures[i].code(), fmt::format("seed {}: {}", seeds[i], failures[i].message()));
  return dc::Status::ok();
}

}  // namespace dcemu::sim
