// The simulator's speed and memory on the soak topology: enterprise-50
// (147 DCs, 50 sites, 70,000 accounts) for 28 simulated days with one
// originating change per writable DC per hour on random users, first as it
// is (replication and the hosts' logons with their old accounts), then with
// all 200 service accounts migrating to dMSAs (started on day 1, completed
// on day 15). Prints the provisioning time, simulated seconds per wall
// second, events per second and memory for each, then both side by side.
// The aims: at least 100,000 times faster than real time within 2 GiB
// (issue 4); the migrating run under 10 s and 2 GiB (issue 5).
//
// Each run is a child process, so that each one's peak RSS is its own.
//
// Usage: sim_bench [DAYS [--store DIR] [--rocksdb-time] [TOPOLOGY...]]
// With --store the stores live on disk under DIR/1, DIR/2, ... (which must
// not hold stores already) instead of in memory. With --rocksdb-time each
// run also prints how much of the simulator's thread went inside RocksDB
// (its timers slow the run, so time the run without them).
#include <fmt/format.h>
#include <jemalloc/jemalloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench/rocksdb_time.h"
#include "scenario/loader.h"
#include "scenario/units.h"
#include "sim/world.h"

namespace {

using namespace dcemu::sim;
using namespace dcemu::scenario;

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double peakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double mib(uint64_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

// What the run's memory is made of: RocksDB's memtables and table readers,
// the table files (kept in the process by the memory Env; a file every
// replica shares since provisioning counts once per replica here), and the
// heap as malloc sees it.
void printMemory(const Scenario& scenario, const World& world) {
  uint64_t rocksdb = 0, tableFiles = 0;
  for (size_t i = 0; i < scenario.dcs.size(); ++i) {
    const dcemu::dc::Store& store = world.directory(static_cast<int>(i))->store();
    rocksdb += store.memoryUsage();
    tableFiles += store.tableFileBytes();
  }
  // jemalloc's figures are as of its last epoch: advance it first.
  uint64_t epoch = 1;
  size_t size = sizeof(epoch);
  mallctl("epoch", &epoch, &size, &epoch, size);
  size_t allocated = 0;
  size = sizeof(size_t);
  mallctl("stats.allocated", &allocated, &size, nullptr, 0);
  fmt::print(
      "          memtables and table readers {:.0f} MiB, table files {:.0f} MiB (shared ones per replica), "
      "heap in use {:.0f} MiB\n",
      mib(rocksdb), mib(tableFiles), mib(allocated));
}

struct Figures {
  double provisioning = 0, wall = 0, peakRss = 0;
  uint64_t events = 0, pulls = 0, logons = 0, logonsFailed = 0, originating = 0, windowsEvents = 0;
};

// Runs `file` for `days` simulated days, printing progress; fills `out`.
int runOne(const std::string& file, int days, const std::string& storeDirectory, bool rocksdbTime, Figures& out) {
  LoadResult loaded = loadScenarioFile(file);
  for (const auto& error : loaded.errors) fmt::print(stderr, "{}\n", error);
  if (!loaded.scenario) return 1;
  const Scenario& scenario = *loaded.scenario;

  auto start = std::chrono::steady_clock::now();
  auto world = World::create(scenario, scenario.seed, false, storeDirectory);
  if (!world) {
    fmt::print(stderr, "{}\n", world.status().toString());
    return 1;
  }
  out.provisioning = seconds(start);
  fmt::print("sim_bench: {} ({} DCs, {} connections, {} steps)\n", file, scenario.dcs.size(),
             (*world)->topology().connections.size(), scenario.steps.size());
  fmt::print("  provisioning: {:.1f} s wall, peak RSS {:.0f} MiB\n", out.provisioning, peakRssMiB());

  if (rocksdbTime) dcemu::bench::startRocksdbTimers();
  auto running = std::chrono::steady_clock::now();
  for (int d = 1; d <= days; ++d) {
    auto day = std::chrono::steady_clock::now();
    (*world)->runUntil(d * kMicrosPerDay);
    const RunCounts& counts = (*world)->counts();
    fmt::print(
        "  day {:2}: {:.1f} s wall ({:.1f} s this day), {} events, {} pulls, {} objects applied, peak RSS {:.0f} "
        "MiB\n",
        d, seconds(running), seconds(day), (*world)->eventsRun(), counts.pulls,
        counts.applied.objectsUpdated + counts.applied.objectsCreated, peakRssMiB());
    if (d == 1 || d % 7 == 0 || d == days) printMemory(scenario, **world);
  }
  out.wall = seconds(running);
  if (rocksdbTime)
    fmt::print("  inside RocksDB, this thread, in {:.1f} s: {}\n", out.wall,
               dcemu::bench::rocksdbTimeBreakdown(1, 1, "s"));
  const RunCounts& c = (*world)->counts();
  out.events = (*world)->eventsRun();
  out.pulls = c.pulls;
  out.logons = c.logons;
  out.logonsFailed = c.logonsFailed;
  out.originating = c.originatingWrites;
  out.windowsEvents = (*world)->events().size();
  out.peakRss = peakRssMiB();
  if (!(*world)->risk().watched().empty()) {
    fmt::print(
        "  migrations: {} lost updates, {} failed logons after completion, every ACE on every DC at "
        "completion: {}\n",
        (*world)->risk().lostUpdateCount(), (*world)->risk().failedLogonsAfterCompletion(),
        (*world)->risk().allPresentAtCompletion() ? "yes" : "no");
  }
  return 0;
}

// Runs `file` in a child process, which writes its figures to a pipe.
bool runInChild(const std::string& file, int days, const std::string& storeDirectory, bool rocksdbTime, Figures& out) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  std::fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    Figures figures;
    int rc = runOne(file, days, storeDirectory, rocksdbTime, figures);
    std::fflush(stdout);
    if (rc == 0 && write(fds[1], &figures, sizeof figures) != static_cast<ssize_t>(sizeof figures)) rc = 1;
    _exit(rc);
  }
  close(fds[1]);
  bool ok = read(fds[0], &out, sizeof out) == static_cast<ssize_t>(sizeof out);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress of a long run shows as it happens, even in a file
  int days = 28;
  if (argc > 1) {
    std::string_view text = argv[1];
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), days);
    if (error != std::errc() || end != text.data() + text.size() || days < 1) {
      fmt::print(stderr, "sim_bench: DAYS \"{}\": not a whole number of days above 0\n", text);
      return 2;
    }
  }
  std::vector<std::string> files(argv + std::min(argc, 2), argv + argc);
  std::string storeDirectory;
  bool rocksdbTime = false;
  while (!files.empty() && files[0].starts_with("--")) {
    if (files[0] == "--store" && files.size() >= 2) {
      storeDirectory = files[1];
      files.erase(files.begin(), files.begin() + 2);
    } else if (files[0] == "--rocksdb-time") {
      rocksdbTime = true;
      files.erase(files.begin());
    } else {
      fmt::print(stderr, "sim_bench: {}: not an option (--store DIR, --rocksdb-time)\n", files[0]);
      return 2;
    }
  }
  if (files.empty()) {
    files = {DCEMU_TOPOLOGIES_DIR "/enterprise-50.toml", DCEMU_TOPOLOGIES_DIR "/enterprise-50-migration.toml"};
  }
  std::vector<Figures> results(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    std::string store = storeDirectory.empty() ? "" : fmt::format("{}/{}", storeDirectory, i + 1);
    if (!runInChild(files[i], days, store, rocksdbTime, results[i])) {
      fmt::print(stderr, "sim_bench: {}: the run failed\n", files[i]);
      return 1;
    }
  }
  double simulated = days * 86400.0;
  fmt::print(
      "\n{} simulated days | wall s | x real time (aim 100,000) | events/s | pulls | logons (failed) | "
      "Windows events | peak RSS MiB (aim 2,048)\n",
      days);
  for (size_t i = 0; i < files.size(); ++i) {
    const Figures& f = results[i];
    fmt::print("{} | {:.1f} | {:.0f} | {:.0f} | {} | {} ({}) | {} | {:.0f}\n", files[i].substr(files[i].rfind('/') + 1),
               f.wall, simulated / f.wall, static_cast<double>(f.events) / f.wall, f.pulls, f.logons, f.logonsFailed,
               f.windowsEvents, f.peakRss);
  }
  return 0;
}
