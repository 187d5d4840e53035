// Sweeps: N seeds (default 1,000) of a topology (default the seed-warning
// reference) with one job, the baseline, then with one job per core, in
// the same run; prints wall time, seeds per second and the parallel
// efficiency (the speed-up over the number of jobs). The aim: 1,000 seeds
// of two-sites-seed-warning in under 20 s on 2 cores.
//
// With --memory SMALL LARGE [TOPOLOGY] it runs `dcemu sweep` as a process
// for SMALL seeds (the baseline) and then LARGE seeds (default 20 and 200
// of topologies/hospital-group.toml, without the what-if) and prints each
// one's wall time and peak RSS, to show that memory does not grow with the
// number of seeds.
//
// Usage: sweep_bench [SEEDS [TOPOLOGY]]
//        sweep_bench --memory [SMALL LARGE [TOPOLOGY]]
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "cli/commands.h"

namespace {

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Runs `dcemu sweep FILE --seeds N` in a child process; its wall time and
// peak RSS (MiB), or a negative time when it failed.
std::pair<double, double> sweepProcess(const std::string& file, uint64_t seeds) {
  auto out = std::filesystem::temp_directory_path() / fmt::format("dcemu-sweep-bench-{}-{}", getpid(), seeds);
  std::filesystem::remove_all(out);
  std::string seedText = std::to_string(seeds), outText = out.string();
  auto began = std::chrono::steady_clock::now();
  std::fflush(stdout);  // or the child's freopen prints this bench's buffered lines again
  pid_t child = fork();
  if (child == 0) {
    freopen("/dev/null", "w", stdout);  // the aggregate's text: not this bench's output
    execl(DCEMU_BINARY, DCEMU_BINARY, "sweep", file.c_str(), "--seeds", seedText.c_str(), "--out", outText.c_str(),
          "--quiet", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  double wall = seconds(began);
  std::filesystem::remove_all(out);
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return {ok ? wall : -1, static_cast<double>(usage.ru_maxrss) / 1024};
}

int memoryBench(int argc, char** argv) {
  uint64_t small = argc > 2 ? std::stoull(argv[2]) : 20, large = argc > 3 ? std::stoull(argv[3]) : 200;
  std::string file = argc > 4 ? argv[4] : std::string(DCEMU_TOPOLOGIES_DIR) + "/hospital-group.toml";
  fmt::print("dcemu sweep memory bench: {} and {} seeds of {}, no what-if, as processes\n", small, large, file);
  double baseline = 0;
  for (uint64_t seeds : {small, large}) {
    auto [wall, rss] = sweepProcess(file, seeds);
    if (wall < 0) {
      fmt::print(stderr, "dcemu sweep of {} seeds failed\n", seeds);
      return 1;
    }
    if (seeds == small) baseline = rss;
    fmt::print("  {:5} seeds: {:8.2f} s, {:6.3f} s a seed, peak RSS {:7.1f} MiB{}\n", seeds, wall,
               wall / static_cast<double>(seeds), rss,
               seeds == small ? "  (baseline)" : fmt::format(", {:.2f}x the baseline's", rss / baseline));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dcemu::cli;
  if (argc > 1 && std::string(argv[1]) == "--memory") return memoryBench(argc, argv);
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
