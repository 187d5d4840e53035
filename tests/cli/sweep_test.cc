// Sweeps: the same bytes whatever the number of jobs, shards merged equal
// to one sweep, merges that refuse shards that do not belong together, and
// the aggregate's numbers on files whose answer is known.
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "tests/support/test_support.h"

namespace dcemu::cli {
namespace {

using namespace dcemu::testing;

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

fs::path freshDirectory(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("dcemu-sweep-test-" + name);
  fs::remove_all(dir);
  return dir;
}

TEST_CASE("A sweep gives the same records and aggregate whatever the number of jobs", "[sim][sweep]") {
  std::string file = topology("reference/two-sites-seed-warning.toml");
  fs::path one = freshDirectory("jobs1"), three = freshDirectory("jobs3");
  cli::CommandOutput a = cli::sweepCommand(file, {.seeds = 12, .jobs = 1, .outDirectory = one.string()});
  cli::CommandOutput b = cli::sweepCommand(file, {.seeds = 12, .jobs = 3, .outDirectory = three.string()});
  INFO(a.err << b.err);
  REQUIRE(a.exitCode == 0);
  REQUIRE(b.exitCode == 0);
  CHECK(a.out == b.out);
  for (const char* name : {"aggregate.json", "summary.txt", "sweep.html"})
    CHECK(readFile(one / name) == readFile(three / name));
  for (int seed = 1; seed <= 12; ++seed) {
    std::string record = fmt::format("seeds/seed-{}.json", seed);
    CHECK(readFile(one / record) == readFile(three / record));
  }
  fs::remove_all(one);
  fs::remove_all(three);
}

TEST_CASE("Shards merged give the bytes of one sweep, and merge refuses shards that do not belong together",
          "[sim][sweep]") {
  std::string file = topology("reference/two-sites-seed-warning.toml");
  fs::path whole = freshDirectory("whole"), merged = freshDirectory("merged");
  REQUIRE(cli::sweepCommand(file, {.firstSeed = 5, .seeds = 10, .jobs = 2, .outDirectory = whole.string()}).exitCode ==
          0);
  std::vector<std::string> shards;
  for (int i = 0; i < 3; ++i) {
    fs::path dir = freshDirectory(fmt::format("shard{}", i));
    cli::CommandOutput shard = cli::sweepCommand(
        file, {.firstSeed = 5, .seeds = 10, .jobs = 1, .shard = fmt::format("{}/3", i), .outDirectory = dir.string()});
    INFO(shard.err);
    REQUIRE(shard.exitCode == 0);
    CHECK_THAT(shard.out, Contains(fmt::format("shard {}/3 ran", i)));
    shards.push_back(dir.string());
  }
  cli::CommandOutput merge = cli::mergeCommand(shards, {.outDirectory = merged.string()});
  INFO(merge.err);
  REQUIRE(merge.exitCode == 0);
  for (const char* name : {"aggregate.json", "summary.txt", "sweep.html"})
    CHECK(readFile(whole / name) == readFile(merged / name));

  // A shard missing, or given twice.
  cli::CommandOutput missing =
      cli::mergeCommand({shards[0], shards[1]}, {.outDirectory = freshDirectory("m1").string()});
  CHECK(missing.exitCode == 2);
  CHECK(missing.err == "merge: 2 of 3 shards given\n");
  cli::CommandOutput twice =
      cli::mergeCommand({shards[0], shards[1], shards[1]}, {.outDirectory = freshDirectory("m2").string()});
  CHECK(twice.exitCode == 2);
  CHECK_THAT(twice.err, Contains("shard 1/3 given twice"));
  // A shard of another file.
  fs::path other = freshDirectory("other");
  REQUIRE(cli::sweepCommand(topology("migration-partitioned-branch.toml"),
                            {.firstSeed = 5, .seeds = 10, .shard = "2/3", .outDirectory = other.string()})
              .exitCode == 0);
  cli::CommandOutput foreign =
      cli::mergeCommand({shards[0], shards[1], other.string()}, {.outDirectory = freshDirectory("m3").string()});
  CHECK(foreign.exitCode == 2);
  CHECK_THAT(foreign.err, Contains("a shard of another sweep"));
  for (const std::string& dir : shards) fs::remove_all(dir);
  fs::remove_all(whole);
  fs::remove_all(merged);
  fs::remove_all(other);
}

// two-sites-early-completion completes before the West site saw the start:
// in every seed all ten West hosts fail. With k = n = 20 the Wilson score
// interval's low end is n / (n + z^2) = 20 / 23.8415 = 0.838874 and its
// high end 1.
TEST_CASE("A failure in every seed is certain, with the Wilson interval worked by hand", "[sim][sweep]") {
  fs::path dir = freshDirectory("early");
  cli::CommandOutput sweep = cli::sweepCommand(topology("two-sites-early-completion.toml"),
                                               {.seeds = 20, .jobs = 2, .outDirectory = dir.string()});
  INFO(sweep.err);
  REQUIRE(sweep.exitCode == 0);
  auto aggregate = nlohmann::json::parse(readFile(dir / "aggregate.json"));
  const auto& m = aggregate["migrations"][0];
  CHECK(m["after_completion"]["seeds"] == 20);
  CHECK(m["after_completion"]["seeds_with_failure"] == 20);
  CHECK(m["after_completion"]["probability"] == 1.0);
  CHECK(m["after_completion"]["wilson95_low"].get<double>() == Approx(0.838874).margin(1e-6));
  CHECK(m["after_completion"]["wilson95_high"] == 1.0);
  // Every West host fails in every seed; no East host ever does.
  REQUIRE(m["hosts_failed"].size() == 10);
  for (const auto& host : m["hosts_failed"]) {
    CHECK(host["host"].get<std::string>().starts_with("west-web-"));
    CHECK(host["seeds"] == 20);
  }
  CHECK_THAT(sweep.out, Contains("after the file's completion a host failed in 20 of 20 seeds: 100.0 % (95 % "
                                 "interval 83.9 % to 100.0 %)"));
  fs::remove_all(dir);
}

// migration-partitioned-branch: the branch learns only after its link comes
// back at 3d, whatever the seed, so completing at 1d12h fails the branch
// hosts in every seed and completing at 4d in none.
TEST_CASE("The sweep's what-if probabilities follow the partition in every seed", "[sim][sweep][what-if]") {
  fs::path dir = freshDirectory("what-if");
  cli::CommandOutput sweep =
      cli::sweepCommand(topology("migration-partitioned-branch.toml"),
                        {.seeds = 6, .jobs = 2, .outDirectory = dir.string(), .whatIfEvery = "12h"});
  INFO(sweep.err);
  REQUIRE(sweep.exitCode == 0);
  auto aggregate = nlohmann::json::parse(readFile(dir / "aggregate.json"));
  std::map<int64_t, double> probability;
  for (const auto& row : aggregate["migrations"][0]["what_if"])
    probability[row["complete_at_s"].get<int64_t>()] = row["probability"].get<double>();
  CHECK(probability.at(36 * 3600) == 1.0);
  CHECK(probability.at(96 * 3600) == 0.0);
  // The link is back at 3d; in every seed the branch hosts learn at their
  // next renewal, within one 10-hour TGT lifetime, so from 3d12h on no
  // seed fails.
  CHECK(aggregate["migrations"][0]["what_if_clean_from_s"].get<int64_t>() == 84 * 3600);
  CHECK_THAT(sweep.out, Contains("what if completed at: seeds with a failing host"));
  // The page draws the safe-from distribution and the probability curve
  // with its band, in headless Chromium.
  auto [status, dom] =
      shell(fmt::format("timeout 120 chromium --headless=new --no-sandbox --disable-gpu "
                        "--user-data-dir={} --dump-dom file://{} 2>/dev/null",
                        (dir / "profile").string(), (dir / "sweep.html").string()));
  REQUIRE(status == 0);
  for (const char* chart : {"safe-from-dmsa_files", "what-if-dmsa_files"}) {
    std::smatch drawn;
    INFO(chart);
    REQUIRE(std::regex_search(dom, drawn,
                              std::regex(fmt::format("id=\"{}\"[^>]*data-drawn=\"([0-9]+)x([0-9]+)\"", chart))));
    CHECK(std::stoi(drawn[1].str()) > 100);
    CHECK(std::stoi(drawn[2].str()) > 20);
  }
  CHECK_THAT(dom, Contains("<polygon"));  // the interval band
  fs::remove_all(dir);
}

// Debian's slurm-wlm and munge as a one-node cluster on loopback, started
// and stopped by tests/slurm/cluster-sweep.sh; the sweep goes in through
// deploy/slurm/submit-sweep as a user submits it.
TEST_CASE("A sweep run as a Slurm array job and merged gives the local sweep's bytes", "[sim][sweep][slurm]") {
  fs::path root = fs::path(DCEMU_DOCS_DIR).parent_path();
  fs::path work = freshDirectory("slurm");
  std::string file = topology("reference/two-sites-seed-warning.toml");
  Ran cluster = shell(fmt::format("timeout 600 {} {} {} 6 3 {}", (root / "tests/slurm/cluster-sweep.sh").string(),
                                  DCEMU_BINARY, file, work.string()));
  INFO(cluster.out);
  REQUIRE(cluster.exitCode == 0);
  fs::path local = freshDirectory("slurm-local");
  REQUIRE(cli::sweepCommand(file, {.seeds = 6, .jobs = 2, .outDirectory = local.string()}).exitCode == 0);
  for (const char* name : {"aggregate.json", "summary.txt"})
    CHECK(readFile(local / name) == readFile(work / "out" / "merged" / name));
  // Three array tasks ran, one shard each.
  for (int shard = 0; shard < 3; ++shard)
    CHECK(fs::exists(work / "out" / fmt::format("shard-{}", shard) / "shard.json"));
  fs::remove_all(work);
  fs::remove_all(local);
}

// kubectl's dry run needs an API server; the kubernetes-models package
// (tests/kubernetes, installed by scripts/setup) validates offline against
// Kubernetes' OpenAPI schema. Then the pods' own command lines run here,
// one per completion index, and their merge equals the local sweep.
TEST_CASE("The Kubernetes manifests validate offline, and what their pods run merges to the local sweep",
          "[sim][sweep][kubernetes]") {
  fs::path root = fs::path(DCEMU_DOCS_DIR).parent_path();
  std::string manifests =
      (root / "deploy/kubernetes/sweep.yaml").string() + " " + (root / "deploy/kubernetes/merge.yaml").string();
  auto [valid, report] =
      shell(fmt::format("cd {} && node validate.mjs {}", (root / "tests/kubernetes").string(), manifests));
  INFO(report);
  CHECK(valid == 0);
  CHECK_THAT(report, Contains("Job/dcemu-sweep: valid"));
  // The validator does refuse a manifest Kubernetes would.
  fs::path broken = freshDirectory("k8s-broken.yaml");
  std::string text = readFile(root / "deploy/kubernetes/sweep.yaml");
  text.replace(text.find("completions: 4"), 14, "completions: four");
  std::ofstream(broken) << text;
  auto [invalid, complaint] =
      shell(fmt::format("cd {} && node validate.mjs {}", (root / "tests/kubernetes").string(), broken.string()));
  CHECK(invalid == 1);
  CHECK_THAT(complaint, Contains("completions must be integer"));

  // What the pods run, with the topology, seed count and volume moved here.
  auto [listed, commands] =
      shell(fmt::format("cd {} && node commands.mjs {}", (root / "tests/kubernetes").string(), manifests));
  REQUIRE(listed == 0);
  fs::path results = freshDirectory("k8s-results");
  fs::create_directories(results);
  std::string file = topology("reference/two-sites-seed-warning.toml");
  auto localise = [&](std::string command) {
    auto swap = [&](const std::string& from, const std::string& to) {
      for (size_t at = command.find(from); at != std::string::npos; at = command.find(from, at + to.size()))
        command.replace(at, from.size(), to);
    };
    swap("/topology/topology.toml", file);
    swap("--seeds 1000", "--seeds 8");
    swap("/results", results.string());
    return command;
  };
  std::string path = fmt::format("PATH={}:$PATH", fs::path(DCEMU_BINARY).parent_path().string());
  std::istringstream lines(commands);
  std::string sweepLine, mergeLine;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("dcemu-sweep\t")) sweepLine = line.substr(12);
    if (line.starts_with("dcemu-merge\t")) mergeLine = line.substr(12);
  }
  REQUIRE_FALSE(sweepLine.empty());
  REQUIRE_FALSE(mergeLine.empty());
  for (int index = 0; index < 4; ++index) {
    auto [status, out] = shell(fmt::format("{} JOB_COMPLETION_INDEX={} sh -c '{}'", path, index, localise(sweepLine)));
    INFO(out);
    REQUIRE(status == 0);
  }
  auto [merged, mergeOut] = shell(fmt::format("{} sh -c '{}'", path, localise(mergeLine)));
  INFO(mergeOut);
  REQUIRE(merged == 0);
  fs::path local = freshDirectory("k8s-local");
  REQUIRE(cli::sweepCommand(file, {.seeds = 8, .jobs = 2, .outDirectory = local.string()}).exitCode == 0);
  CHECK(readFile(local / "aggregate.json") == readFile(results / "merged" / "aggregate.json"));
  fs::remove_all(results);
  fs::remove_all(local);
  fs::remove(broken);
}

TEST_CASE("Bad sweep values are refused in one line before any seed runs", "[sim][sweep][cli]") {
  std::string file = topology("reference/two-sites-seed-warning.toml");
  CHECK(cli::sweepCommand(file, {.seeds = 0}).err == "--seeds: at least one seed\n");
  CHECK(cli::sweepCommand(file, {.shard = "3/3", .outDirectory = "/tmp/x"}).err ==
        "--shard \"3/3\": expected I/K with 0 <= I < K, e.g. 0/4\n");
  CHECK(cli::sweepCommand(file, {.shard = "0/2"}).err == "--shard: a shard needs --out DIR for its records\n");
  CHECK(cli::sweepCommand(file, {.firstSeed = UINT64_MAX, .seeds = 2}).exitCode == 2);
  CHECK(cli::sweepCommand(file, {.outDirectory = "/nonexistent/out"}).err ==
        "--out /nonexistent/out: /nonexistent is not an existing directory\n");
}

TEST_CASE("A sweep killed midway keeps the records of the seeds it finished, each whole", "[sim][sweep]") {
  fs::path dir = freshDirectory("killed");
  std::string file = topology("hospital-group.toml");
  std::fflush(nullptr);
  pid_t child = fork();
  if (child == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(DCEMU_BINARY, DCEMU_BINARY, "sweep", file.c_str(), "--seeds", "40", "--jobs", "1", "--out",
          dir.string().c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill it once two seeds are written (at most a minute of waiting).
  auto written = [&] {
    std::error_code error;
    size_t n = 0;
    for (auto it = fs::directory_iterator(dir / "seeds", error); !error && it != fs::directory_iterator(); ++it)
      n += it->path().extension() == ".json";
    return n;
  };
  for (int i = 0; i < 600 && written() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(written() >= 2);
  CHECK(written() < 40);
  for (const auto& entry : fs::directory_iterator(dir / "seeds")) {
    if (entry.path().extension() != ".json") continue;  // one it was writing when killed
    INFO(entry.path().string());
    nlohmann::json record = nlohmann::json::parse(readFile(entry.path()), nullptr, false);
    CHECK_FALSE(record.is_discarded());
    CHECK(record.contains("report"));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dcemu::cli
