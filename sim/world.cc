#include "sim/world.h"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include "dc/garbage_collection.h"
#include "dc/parallel.h"
#include "dc/text.h"
#include "replication/convergence.h"
#include "replication/reps_from.h"
#include "replication/utd.h"
#include "scenario/layout.h"
#include "sim/host_access.h"

namespace dcemu::sim {

dc::Status checkFreshDirectory(const std::string& path, std::string_view what, std::string_view why) {
  auto refuse = [&](const std::string& reason) {
    return dc::Status(dc::LdapResult::unwillingToPerform, fmt::format("{} {}: {}", what, path, reason));
  };
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, error))
      return refuse(fmt::format("{} is not an existing directory", parent.string()));
    return dc::Status::ok();
  }
  if (!std::filesystem::is_directory(path, error)) return refuse("not a directory");
  if (!std::filesystem::is_empty(path, error) || error) return refuse(fmt::format("not empty; {}", why));
  return dc::Status::ok();
}

dc::Status checkStoreDirectory(const std::string& path) {
  return checkFreshDirectory(path, "store directory", "each run needs an empty or new directory");
}

dc::Result<std::unique_ptr<World>> World::create(const scenario::Scenario& scenario, uint64_t seed, bool keepTrace,
                                                 const std::string& storeDirectory) {
  if (!storeDirectory.empty()) DCEMU_RETURN_IF_ERROR(checkStoreDirectory(storeDirectory));
  std::unique_ptr<World> world(new World(scenario, seed, keepTrace, storeDirectory));
  DCEMU_RETURN_IF_ERROR(world->provision());
  world->createHosts();
  world->scheduleTimeline();
  return world;
}

World::World(const scenario::Scenario& scenario, uint64_t seed, bool keepTrace, const std::string& storeDirectory)
    : scenario_(scenario),
      seed_(seed),
      queue_(scenario.start),
      network_(scenario, seed),
      trace_(keepTrace),
      storeDirectory_(storeDirectory.empty() ? "/dcemu" : storeDirectory),
      env_(storeDirectory.empty() ? dc::StoreEnv::inMemory(64 << 20) : dc::StoreEnv::onDisk(64 << 20)),
      risk_([&] {
        std::vector<std::string> names;
        for (const scenario::DcSpec& dc : scenario.dcs) names.push_back(dc.name);
        return names;
      }()) {}

World::~World() {
  // Pending events hold pulls that refer to the directories.
  queue_.clear();
}

dc::Status World::openDc(int index, std::unique_ptr<dc::Store> opened) {
  node::Node& node = *dcs_[index].node;
  DCEMU_RETURN_IF_ERROR(opened ? node.open(std::move(opened)) : node.open(*env_, dcs_[index].storePath));
  // What a restarted or restored replica holds of the watched dMSAs.
  for (const dc::Guid& dmsa : risk_.watched()) watchDmsa(index, dmsa);
  return dc::Status::ok();
}

// Opens the stores of `dcs` on one thread per core. Opening a RocksDB
// store (reading its manifest, building a column family's caches and
// statistics, writing and re-reading its OPTIONS file) is most of the start
// of a run of thousands of DCs, and stores share nothing but the Env, the
// block cache and the write-buffer budget, which RocksDB makes safe to
// share between threads. Nothing an open does draws on a DC's random
// stream, so the order the threads finish in changes no output.
std::vector<dc::Result<std::unique_ptr<dc::Store>>> World::openStores(const std::vector<int>& dcs) {
  std::vector<std::optional<dc::Result<std::unique_ptr<dc::Store>>>> opened(dcs.size());
  dc::forEachIndexInParallel(dcs.size(), std::thread::hardware_concurrency(),
                             [&](size_t k) { opened[k] = dc::Store::open(*env_, dcs_[dcs[k]].storePath); });
  std::vector<dc::Result<std::unique_ptr<dc::Store>>> stores;
  for (auto& store : opened) stores.push_back(std::move(*store));
  return stores;
}

// The first writable DC provisions the forest and everything the file
// describes at the start (scenario/layout.h); every other DC starts as a
// copy of its store under an invocationID of its own, with repsFrom saying
// it is in sync with each partner. So every replica holds the same objects
// with the same stamps at time zero, and no DC needs a full sync first.
dc::Status World::provision() {
  const auto& specs = scenario_.dcs;
  const int first = scenario::originDc(scenario_);
  if (first < 0) return dc::Status(dc::LdapResult::unwillingToPerform, "the topology has no writable DC");
  for (const scenario::DcSpec& spec : specs) {
    SimDc d;
    d.site = spec.site;
    d.storePath = storeDirectory_ + "/" + dc::toLower(spec.name);
    d.clock = std::make_unique<DcClock>(queue_);
    dcs_.push_back(std::move(d));
  }

  // The origin provisions before the layout, and so the nodes, exist; its
  // node goes on from the random stream the provisioning drew from.
  auto origin = dc::Store::open(*env_, dcs_[first].storePath);
  if (!origin) return origin.status();
  dc::Xoshiro256 originRng = scenario::dcRandomStream(scenario_, seed_, first);
  {
    auto dir =
        dc::Directory::open(**origin, scenario::directoryOptions(scenario_, first), *dcs_[first].clock, originRng);
    if (!dir) return dir.status();
    auto layout = scenario::provisionDomain(scenario_, seed_, **origin, **dir, originRng);
    if (!layout) return layout.status();
    layout_ = std::move(*layout);
  }
  objects_ = layout_.objects;
  for (size_t i = 0; i < specs.size(); ++i) {
    const int index = static_cast<int>(i);
    dcs_[i].node = std::make_unique<node::Node>(
        node::DcSettings{index, specs[i].name, scenario::directoryOptions(scenario_, index), layout_.dsaInfos[i].dsa,
                         scenario::kerberosPolicy(scenario_, index), scenario::replicationSettings(scenario_)},
        static_cast<node::Harness&>(*this), layout_.connections, *dcs_[i].clock,
        index == first ? originRng : scenario::dcRandomStream(scenario_, seed_, index));
    // The risk tracker sees every write to a watched dMSA on this replica.
    dcs_[i].node->setWriteObserver(
        {[this](const dc::Guid& object) { return risk_.watches(object); },
         [this, index](const dc::Object& dmsa, bool replicated) { observeDmsa(index, dmsa, replicated); }});
  }
  DCEMU_RETURN_IF_ERROR(openDc(first, std::move(*origin)));

  std::vector<int> copies;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (static_cast<int>(i) == first) continue;
    DCEMU_RETURN_IF_ERROR(dcs_[first].node->store()->checkpoint(dcs_[i].storePath));
    copies.push_back(static_cast<int>(i));
  }
  std::vector<dc::Result<std::unique_ptr<dc::Store>>> stores = openStores(copies);
  for (size_t k = 0; k < copies.size(); ++k) {
    if (!stores[k]) return stores[k].status();
    DCEMU_RETURN_IF_ERROR(openDc(copies[k], std::move(*stores[k])));
  }
  for (size_t i = 0; i < specs.size(); ++i)
    DCEMU_RETURN_IF_ERROR(scenario::adoptReplica(scenario_, layout_, static_cast<int>(i), *dcs_[i].node->directory()));
  return dc::Status::ok();
}

void World::scheduleTimeline() {
  for (size_t i = 0; i < scenario_.faults.size(); ++i) scheduleFault(scenario_.faults[i], static_cast<int>(i));
  for (const scenario::Step& step : scenario_.steps)
    queue_.at(scenario_.start + step.at, [this, &step] { runStep(step); });
  // Each node polls its inbound connections; the first polls are taken in
  // the order of the topology's connections, whatever node holds them.
  std::vector<size_t> polled(dcs_.size());
  for (const replication::Connection& c : layout_.connections) {
    size_t i = polled[c.kcc.destination]++;
    int64_t first = scenario::seededFirstPoll(scenario_, seed_, c, scenario_.start);
    if (first != INT64_MAX) dcs_[c.kcc.destination].node->replication().startPolling(i, first);
  }
  for (int i = 0; i < dcCount(); ++i) scheduleGarbageCollection(i, scenario_.start + dc::kFirstCollectionMicros);
  startWorkload();
}

void World::runUntil(int64_t elapsedMicros) {
  queue_.runUntil(scenario_.start + elapsedMicros);
}

std::vector<std::string> World::settleAndCheckConvergence() {
  settling_ = true;
  queue_.clear();
  network_.healAll();
  for (size_t i = 0; i < dcs_.size(); ++i) {
    node::ReplicationScheduler& n = dcs_[i].node->replication();
    dcs_[i].clock->setSkew(0);
    n.quiesce();
    n.inboundDisabled = n.outboundDisabled = false;
    n.broken = 0;
    if (!n.up()) restartDc(static_cast<int>(i));
  }
  std::vector<std::string> problems;
  const size_t maxRounds = 2 * dcs_.size() + 2;
  uint64_t failedLastRound = 0;
  for (size_t round = 0;; ++round) {
    uint64_t before = counts_.applied.attributesApplied + counts_.applied.linksApplied + counts_.applied.objectsCreated;
    uint64_t failedBefore = counts_.pullsFailed;
    for (const replication::Connection& c : layout_.connections)
      for (dc::NamingContext nc : node::kNamingContexts)
        startPull(c.kcc.destination, c.kcc.source, nc, PullReason::Settle, true);
    queue_.runUntilEmpty();
    uint64_t after = counts_.applied.attributesApplied + counts_.applied.linksApplied + counts_.applied.objectsCreated;
    uint64_t failed = counts_.pullsFailed - failedBefore;
    // Quiet: nothing applied, and no pull failed, or the same ones failed
    // again (a partner past the tombstone lifetime, a lingering object: no
    // round will change them).
    if (after == before && (failed == 0 || (round > 0 && failed == failedLastRound))) break;
    failedLastRound = failed;
    if (round + 1 == maxRounds) {
      problems.push_back(fmt::format("replication did not quiesce in {} rounds after the faults healed", maxRounds));
      break;
    }
  }
  // What garbage collection would remove within 12 hours, every DC removes
  // now, so that collection's timing does not count as divergence.
  for (SimDc& d : dcs_) {
    if (auto collected = dc::collectGarbage(*d.node->directory(), d.clock->nowMicros()); !collected)
      problems.push_back(fmt::format("{}: {}", d.node->name(), collected.status().toString()));
  }
  int reference = -1;
  for (size_t i = 0; i < dcs_.size() && reference < 0; ++i)
    if (!dcs_[i].node->readOnly()) reference = static_cast<int>(i);
  replication::ReplicaComparison comparison(*dcs_[reference].node->directory());
  std::vector<size_t> compared;
  std::vector<const dc::Directory*> replicas;
  for (size_t i = 0; i < dcs_.size(); ++i) {
    if (static_cast<int>(i) == reference) continue;
    compared.push_back(i);
    replicas.push_back(dcs_[i].node->directory());
  }
  auto differences = comparison.firstDifferences(replicas, std::thread::hardware_concurrency());
  for (size_t k = 0; k < compared.size(); ++k) {
    const size_t i = compared[k];
    auto& difference = differences[k];
    if (!difference) {
      problems.push_back(fmt::format("{}: {}", dcs_[i].node->name(), difference.status().toString()));
    } else if (*difference) {
      const replication::ReplicaDifference& d = **difference;
      // The library says "the first" and "the second"; name the DCs.
      std::string what = d.what;
      for (auto [ordinal, name] :
           {std::pair{"the first", dcs_[reference].node->name()}, std::pair{"the second", dcs_[i].node->name()}})
        if (size_t at = what.find(ordinal); at != std::string::npos) what.replace(at, strlen(ordinal), name);
      problems.push_back(fmt::format("{} differs from {}: {} ({} NC): {}", dcs_[i].node->name(),
                                     dcs_[reference].node->name(), d.object, dc::namingContextName(d.namingContext),
                                     what));
    }
  }
  return problems;
}

std::vector<std::string> World::laneNames() const {
  std::vector<std::string> lanes;
  for (const SimDc& d : dcs_) lanes.push_back(fmt::format("{}\\{}", scenario_.sites[d.site].name, d.node->name()));
  return lanes;
}

replication::DsaNames World::dsaNames() const {
  return layout_.dsaNames();
}

}  // namespace dcemu::sim
