// Sweeps: N seeds (default 1,000) of a topology (default the seed-warning
// reference) with one job, the baseline, then with one job per core, in
// the same run; prints wall time, seeds per second and the parallel
// efficiency (the speed-up over the number of jobs). The aim: 1,000 seeds
// of two-sites-seed-warning in under 20 s on 2 cores.
//
// Usage: sweep_bench [SEEDS [TOPOLOGY]]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "cli/commands.h"

namespace {

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dcemu::cli;
  uint64_t seeds = argc > 1 ? std::stoull(argv[1]) : 1000;
  std::string file = argc > 2 ? argv[2] : std::string(DCEMU_TOPOLOGIES_DIR) + "/reference/two-sites-seed-warning.toml";
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  fmt::print("dcemu sweep bench: {} seeds of {}, {} cores\n", seeds, file, cores);
  double baseline = 0;
  std::string first;
  for (unsigned jobs : {1u, cores}) {
    auto began = std::chrono::steady_clock::now();
    CommandOutput out = sweepCommand(file, {.seeds = seeds, .jobs = jobs});
    double wall = seconds(began);
    if (out.exitCode != 0) {
      fmt::print(stderr, "{}", out.err);
      return 1;
    }
    if (jobs == 1) baseline = wall, first = out.out;
    fmt::print("  --jobs {}: {:7.2f} s, {:6.1f} seeds/s{}\n", jobs, wall, static_cast<double>(seeds) / wall,
               jobs == 1 ? "  (baseline)"
                         : fmt::format(", {:.2f}x the baseline, parallel efficiency {:.0f} %{}", baseline / wall,
                                       100 * baseline / wall / jobs,
                                       out.out == first ? "; same aggregate" : "; AGGREGATE DIFFERS"));
  }
  return 0;
}
