// The simulator's speed and memory on the soak topology: enterprise-50
// (147 DCs, 50 sites, 70,000 accounts) for 28 simulated days with one
// originating change per writable DC per hour on random users. Prints the
// provisioning time, simulated seconds per wall second, events per second
// and the process's peak RSS. The aim (issue 4): at least 100,000 times
// faster than real time, within 2 GiB.
//
// Usage: sim_bench [TOPOLOGY] [DAYS]
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <string>

#include "sim/scenario_loader.h"
#include "sim/units.h"
#include "sim/world.h"

namespace {

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double peakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dcemu::sim;
  std::string file = argc > 1 ? argv[1] : DCEMU_TOPOLOGIES_DIR "/enterprise-50.toml";
  int days = argc > 2 ? std::stoi(argv[2]) : 28;
  LoadResult loaded = loadScenarioFile(file);
  for (const auto& error : loaded.errors) fmt::print(stderr, "{}\n", error);
  if (!loaded.scenario) return 1;
  const Scenario& scenario = *loaded.scenario;

  auto start = std::chrono::steady_clock::now();
  auto world = World::create(scenario, scenario.seed, false);
  if (!world) {
    fmt::print(stderr, "{}\n", world.status().toString());
    return 1;
  }
  double provisioning = seconds(start);
  fmt::print("sim_bench: {} ({} DCs, {} connections)\n", file, scenario.dcs.size(),
             (*world)->topology().connections.size());
  fmt::print("  provisioning: {:.1f} s wall, peak RSS {:.0f} MiB\n", provisioning, peakRssMiB());

  auto running = std::chrono::steady_clock::now();
  const int64_t day = kMicrosPerDay;
  for (int d = 1; d <= days; ++d) {
    (*world)->runUntil(d * day);
    if (d == 1 || d % 7 == 0 || d == days)
      fmt::print("  day {:2}: {:.1f} s wall, {} events, {} pulls, peak RSS {:.0f} MiB\n", d, seconds(running),
                 (*world)->eventsRun(), (*world)->counts().pulls, peakRssMiB());
  }
  double wall = seconds(running);
  double simulated = static_cast<double>(days) * 86400.0;
  const RunCounts& c = (*world)->counts();
  fmt::print("  simulated {} days in {:.1f} s wall: {:.0f}x real time (aim 100,000x)\n", days, wall, simulated / wall);
  fmt::print("  {} events: {:.0f} events/s; {} pulls ({} failed), {} originating writes, {} values applied\n",
             (*world)->eventsRun(), static_cast<double>((*world)->eventsRun()) / wall, c.pulls, c.pullsFailed,
             c.originatingWrites, c.applied.attributesApplied);
  fmt::print("  peak RSS {:.0f} MiB (aim 2,048 MiB)\n", peakRssMiB());
  return 0;
}
