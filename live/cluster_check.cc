// dcemu cluster check: the simulator's convergence check over a stopped
// cluster's stores. Each DC's store is opened from its data directory and
// compared with the first writable DC's, object by object, stamp by stamp;
// garbage collection first runs on each at the same simulated moment, so
// that when a tombstone was collected does not count as divergence.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "dc/garbage_collection.h"
#include "dc/text.h"
#include "live/cluster_command.h"
#include "replication/convergence.h"
#include "scenario/layout.h"
#include "scenario/loader.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

namespace dcemu::live {

int clusterCheck(const std::string& directory) {
  namespace fs = std::filesystem;
  auto refuse = [](const std::string& message) {
    fmt::print(stderr, "dcemu cluster check: {}\n", message);
    return 2;
  };
  if (fs::exists(directory + "/supervisor.pid"))
    return refuse(fmt::format("{}: the cluster is running; stop it first (dcemu cluster down)", directory));
  scenario::LoadResult loaded = scenario::loadScenarioFile(directory + "/topology.toml");
  if (!loaded.errors.empty())
    return refuse(fmt::format("{}: not a cluster directory: {}", directory, loaded.errors.front()));
  const scenario::Scenario& scenario = *loaded.scenario;
  std::string epochText;
  double scale = 0;
  std::ifstream(directory + "/epoch") >> epochText;
  std::ifstream(directory + "/time-scale") >> scale;
  auto epoch = scenario::parseUtcInstant(epochText);
  if (std::holds_alternative<std::string>(epoch) || !(scale > 0))
    return refuse(fmt::format("{}: its epoch or time-scale file is missing or damaged", directory));
  int64_t wall =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  dc::ManualClock clock(scenario.start +
                        static_cast<int64_t>(static_cast<double>(wall - std::get<int64_t>(epoch)) * scale));
  dc::Xoshiro256 rng(1);

  auto env = dc::StoreEnv::onDisk(64 << 20);
  struct Replica {
    std::string name;
    std::unique_ptr<dc::Store> store;
    std::unique_ptr<dc::Directory> dir;
  };
  std::vector<Replica> replicas;
  int problems = 0;
  for (const scenario::DcSpec& spec : scenario.dcs) {
    std::string path = directory + "/dcs/" + dc::toLower(spec.name) + "/store";
    if (!fs::exists(path)) {
      fmt::print("{}: never started (no store at {})\n", spec.name, path);
      ++problems;
      continue;
    }
    auto store = dc::Store::open(*env, path);
    auto dir = store ? dc::Directory::open(**store, scenario::directoryOptions(scenario, scenario.dcIndex(spec.name)),
                                           clock, rng)
                     : dc::Result<std::unique_ptr<dc::Directory>>(store.status());
    if (!dir) {
      fmt::print("{}: {}\n", spec.name, dir.status().toString());
      ++problems;
      continue;
    }
    if (auto collected = dc::collectGarbage(**dir, clock.nowMicros()); !collected) {
      fmt::print("{}: garbage collection: {}\n", spec.name, collected.status().toString());
      ++problems;
    }
    replicas.push_back({spec.name, std::move(*store), std::move(*dir)});
  }
  size_t reference = 0;
  while (reference < replicas.size() && scenario.dcs[scenario.dcIndex(replicas[reference].name)].rodc) ++reference;
  std::optional<replication::ReplicaComparison> comparison;
  if (reference < replicas.size()) comparison.emplace(*replicas[reference].dir);
  for (size_t i = 0; i < replicas.size() && reference < replicas.size(); ++i) {
    if (i == reference) continue;
    auto difference = comparison->firstDifference(*replicas[i].dir);
    if (!difference) {
      fmt::print("{}: {}\n", replicas[i].name, difference.status().toString());
      ++problems;
    } else if (*difference) {
      const replication::ReplicaDifference& d = **difference;
      fmt::print("{} differs from {}: {} ({} NC): {}\n", replicas[i].name, replicas[reference].name, d.object,
                 dc::namingContextName(d.namingContext), d.what);
      ++problems;
    }
  }
  for (Replica& replica : replicas) {
    replica.dir.reset();
    replica.store.reset();
  }
  if (problems == 0)
    fmt::print("{} replicas converged: every one holds what {} holds\n", replicas.size(),
               replicas.empty() ? "" : replicas[reference].name);
  return problems == 0 ? 0 : 1;
}

}  // namespace dcemu::live
