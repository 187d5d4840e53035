// dcemu sweep and dcemu merge: run a file's seeds (all, or one shard of
// them, in parallel), keep each seed's record, and aggregate; merge
// shards' directories into the aggregate one sweep would have written.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "report/sweep_aggregate.h"
#include "scenario/units.h"
#include "sim/sweep.h"
#include "sim/world.h"

namespace dcemu::cli {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whole or not at all: written beside the path and renamed over it, so a
// sweep killed while writing leaves no half record for a merge to read.
bool writeText(const fs::path& path, const std::string& text) {
  fs::path partial = path;
  partial += ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code error;
  fs::rename(partial, path, error);
  return !error;
}

// An output directory: new (in an existing directory) or empty, so that a
// sweep never mixes its records with another's.
std::optional<std::string> outputDirectoryProblem(const std::string& dir) {
  dc::Status fresh = sim::checkFreshDirectory(dir, "--out", "a sweep needs a new or empty directory");
  return fresh.isOk() ? std::nullopt : std::optional<std::string>(fresh.message());
}

// Writes the aggregate's files where they were asked for.
void writeAggregate(const report::SweepAggregate& aggregate, const std::string& outDir, const std::string& jsonFile,
                    const std::string& htmlFile, CommandOutput& output) {
  std::vector<std::pair<fs::path, const std::string*>> files;
  if (!outDir.empty()) {
    files.push_back({fs::path(outDir) / "aggregate.json", &aggregate.json});
    files.push_back({fs::path(outDir) / "summary.txt", &aggregate.text});
    files.push_back({fs::path(outDir) / "sweep.html", &aggregate.html});
  }
  if (!jsonFile.empty()) files.push_back({jsonFile, &aggregate.json});
  if (!htmlFile.empty()) files.push_back({htmlFile, &aggregate.html});
  for (const auto& [path, text] : files) {
    if (!writeText(path, *text)) {
      output.err += fmt::format("{}: writing failed\n", path.string());
      output.exitCode = 1;
    }
  }
}

}  // namespace

CommandOutput sweepCommand(const std::string& file, const SweepOptions& options) {
  CommandOutput output;
  auto refuse = [&](const std::string& why) {
    output.err += why + "\n";
    output.exitCode = 2;
    return output;
  };
  if (options.seeds == 0) return refuse("--seeds: at least one seed");
  if (options.firstSeed > UINT64_MAX - (options.seeds - 1))
    return refuse(fmt::format("--first-seed {} with --seeds {} runs past the last seed, 18446744073709551615",
                              options.firstSeed, options.seeds));
  sim::SweepPlan plan;
  plan.firstSeed = options.firstSeed;
  plan.seeds = options.seeds;
  plan.jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  if (!options.shard.empty()) {
    unsigned shard = 0, shards = 0;
    char slash = 0, extra = 0;
    std::istringstream in(options.shard);
    if (!(in >> shard >> slash >> shards) || slash != '/' || (in >> extra) || shards == 0 || shard >= shards)
      return refuse(fmt::format("--shard \"{}\": expected I/K with 0 <= I < K, e.g. 0/4", options.shard));
    if (options.outDirectory.empty()) return refuse("--shard: a shard needs --out DIR for its records");
    plan.shard = shard;
    plan.shards = shards;
  }
  if (options.whatIfEvery) {
    plan.whatIf = true;
    if (!options.whatIfEvery->empty()) {
      if (!(plan.whatIfEvery = durationOption("--what-if", *options.whatIfEvery, output))) return output;
      if (*plan.whatIfEvery <= 0)
        return refuse(fmt::format("--what-if \"{}\": the spacing must be positive", *options.whatIfEvery));
    }
  }
  plan.noWhatIf = options.noWhatIf;
  if (!options.outDirectory.empty())
    if (auto problem = outputDirectoryProblem(options.outDirectory)) return refuse(*problem);
  std::optional<scenario::Scenario> scenario = loadForCommand(file, output);
  if (!scenario) return output;
  report::ShardManifest manifest{
      file, report::fileHash(readText(file).value_or("")), plan.firstSeed, plan.seeds, plan.shard, plan.shards};
  std::vector<uint64_t> seeds = sim::shardSeeds(plan);
  // Each record is written (and aggregated) as its seed ends.
  const fs::path out = options.outDirectory;
  if (!out.empty()) {
    fs::create_directories(out / "seeds");
    writeText(out / "shard.json", report::manifestJson(manifest));
  }
  report::SweepAggregator aggregator;
  dc::Status ran = sim::runSeeds(
      *scenario, seeds, plan,
      [&](uint64_t seed, std::string record) -> dc::Status {
        if (!out.empty() && !writeText(out / "seeds" / fmt::format("seed-{}.json", seed), record + "\n"))
          return dc::Status(dc::LdapResult::other, fmt::format("--out {}: writing its record failed", out.string()));
        return plan.shards > 1 ? dc::Status::ok() : aggregator.add(record);
      },
      options.progress);
  if (!ran.isOk()) {
    output.err += fmt::format("{}: cannot simulate: {}\n", file, ran.message());
    output.exitCode = 1;
    return output;
  }
  if (plan.shards > 1) {
    output.out = fmt::format(
        "dcemu sweep {}: shard {}/{} ran {} of {} seeds into {}; dcemu merge the shards' "
        "directories for the aggregate\n",
        file, plan.shard, plan.shards, seeds.size(), plan.seeds, options.outDirectory);
    return output;
  }
  auto aggregate = aggregator.finish(manifest);
  if (!aggregate) {
    output.err += aggregate.status().message() + "\n";
    output.exitCode = 1;
    return output;
  }
  writeAggregate(*aggregate, options.outDirectory, options.jsonFile, options.htmlFile, output);
  output.out = aggregate->text;
  return output;
}

CommandOutput mergeCommand(const std::vector<std::string>& directories, const MergeOptions& options) {
  CommandOutput output;
  auto refuse = [&](const std::string& why) {
    output.err += why + "\n";
    output.exitCode = 2;
    return output;
  };
  if (auto problem = outputDirectoryProblem(options.outDirectory)) return refuse(*problem);
  std::optional<report::ShardManifest> first;
  std::set<unsigned> shardsSeen;
  report::SweepAggregator aggregator;
  std::set<uint64_t> seedsSeen;
  for (const std::string& dir : directories) {
    auto text = readText(fs::path(dir) / "shard.json");
    if (!text) return refuse(fmt::format("{}: no shard.json (not a sweep's --out directory)", dir));
    auto manifest = report::parseManifest(*text, (fs::path(dir) / "shard.json").string());
    if (!manifest) return refuse(manifest.status().message());
    if (!first) first = *manifest;
    if (manifest->fileHash != first->fileHash || manifest->firstSeed != first->firstSeed ||
        manifest->seeds != first->seeds || manifest->shards != first->shards)
      return refuse(fmt::format("{}: a shard of another sweep (file, seeds or shard count differ from {})", dir,
                                directories.front()));
    if (!shardsSeen.insert(manifest->shard).second)
      return refuse(fmt::format("{}: shard {}/{} given twice", dir, manifest->shard, manifest->shards));
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(fs::path(dir) / "seeds", error)) {
      if (entry.path().extension() == ".partial") continue;  // a record a killed sweep did not finish
      auto record = readText(entry.path());
      if (!record) return refuse(fmt::format("{}: cannot read", entry.path().string()));
      std::string name = entry.path().stem().string();  // seed-<n>
      uint64_t seed = 0;
      if (name.rfind("seed-", 0) != 0 || std::sscanf(name.c_str() + 5, "%lu", &seed) != 1)
        return refuse(fmt::format("{}: not a seed's record", entry.path().string()));
      if (!seedsSeen.insert(seed).second) return refuse(fmt::format("seed {} is in two shards", seed));
      if (!record->empty() && record->back() == '\n') record->pop_back();
      if (dc::Status added = aggregator.add(*record); !added.isOk()) return refuse(added.message());
    }
    if (error) return refuse(fmt::format("{}/seeds: {}", dir, error.message()));
  }
  if (!first) return refuse("merge: no directories given");
  if (shardsSeen.size() != first->shards)
    return refuse(fmt::format("merge: {} of {} shards given", shardsSeen.size(), first->shards));
  if (seedsSeen.size() != first->seeds || *seedsSeen.begin() != first->firstSeed ||
      *seedsSeen.rbegin() != first->firstSeed + first->seeds - 1)
    return refuse(fmt::format("merge: the shards hold {} of the {} seeds", seedsSeen.size(), first->seeds));
  report::ShardManifest whole = *first;
  whole.shard = 0;
  whole.shards = 1;
  auto aggregate = aggregator.finish(whole);
  if (!aggregate) return refuse(aggregate.status().message());
  fs::create_directories(options.outDirectory);
  writeText(fs::path(options.outDirectory) / "shard.json", report::manifestJson(whole));
  writeAggregate(*aggregate, options.outDirectory, options.jsonFile, options.htmlFile, output);
  output.out = aggregate->text;
  return output;
}

}  // namespace dcemu::cli
