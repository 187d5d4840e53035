// What the what-if completion table costs: for each topology, one plain
// run (the baseline, measured in the same process just before) against the
// same run followed by the table (every 12 hours), with the forks run one
// at a time and then on every core. Prints wall times, the number of forks,
// the cost of a fork against the plain run, and the parallel speed-up.
//
// Usage: what_if_bench [TOPOLOGY...]  (default: the seed-warning reference
// topology and migration-partitioned-branch)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "scenario/loader.h"
#include "sim/what_if.h"
#include "sim/world.h"

namespace {

using namespace dcemu::sim;
using namespace dcemu::scenario;

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The median of three timings of `work`.
template <typename Work>
double medianOfThree(Work work) {
  std::vector<double> times;
  for (int i = 0; i < 3; ++i) {
    auto began = std::chrono::steady_clock::now();
    work();
    times.push_back(seconds(began));
  }
  std::sort(times.begin(), times.end());
  return times[1];
}

int bench(const std::string& path) {
  LoadResult loaded = loadScenarioFile(path);
  if (!loaded.scenario) {
    for (const std::string& error : loaded.errors) fmt::print(stderr, "{}\n", error);
    return 1;
  }
  const Scenario& scenario = *loaded.scenario;
  int64_t end = scenario.effectiveDuration();
  double plain = medianOfThree([&] {
    auto world = World::create(scenario, scenario.seed, false);
    (*world)->runUntil(end);
    (void)(*world)->planningReport();
  });
  size_t forks = 0;
  auto table = [&](unsigned jobs) {
    return medianOfThree([&] {
      auto built = buildWhatIfTable(scenario, scenario.seed, {std::nullopt, std::nullopt, end, jobs, {}});
      forks = 0;  // one per moment and migration open there
      if (built)
        for (const auto& moment : built->moments) forks += moment.outcomes.size();
    });
  };
  double serial = table(1);
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double parallel = table(cores);
  fmt::print("{}\n", path);
  fmt::print("  plain run (baseline)            {:8.3f} s\n", plain);
  fmt::print(
      "  what-if table, {:2} forks, 1 job  {:8.3f} s  ({:.2f} plain runs; {:.3f} s a fork, {:.2f} of a plain run)\n",
      forks, serial, serial / plain, forks ? serial / forks : 0.0, forks ? serial / forks / plain : 0.0);
  fmt::print("  what-if table, {:2} forks, {} jobs {:8.3f} s  ({:.2f} plain runs; {:.2f}x faster than 1 job)\n", forks,
             cores, parallel, parallel / plain, serial / parallel);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) paths.push_back(argv[i]);
  if (paths.empty()) {
    paths = {std::string(DCEMU_TOPOLOGIES_DIR) + "/reference/two-sites-seed-warning.toml",
             std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-partitioned-branch.toml",
             std::string(DCEMU_TOPOLOGIES_DIR) + "/hospital-group.toml"};
  }
  fmt::print("dcemu what-if bench: median of 3 timings each, {} cores\n", std::thread::hardware_concurrency());
  for (const std::string& path : paths)
    if (int status = bench(path)) return status;
  return 0;
}
