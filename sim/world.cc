#include "sim/world.h"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include "dc/garbage_collection.h"
#include "dc/parallel.h"
#include "replication/convergence.h"
#include "replication/reps_from.h"
#include "replication/utd.h"
#include "sim/host_access.h"
#include "sim/loader_internal.h"

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

node::ReplicationSettings replicationSettings(const Scenario& scenario) {
  node::ReplicationSettings settings;
  settings.notifyFirst = scenario.notifyFirst;
  settings.notifySubsequent = scenario.notifySubsequent;
  settings.intraSitePoll = scenario.intraSitePoll;
  settings.pull.maxObjects = scenario.maxObjects;
  settings.pull.maxBytes = scenario.maxBytes;
  settings.pull.strictConsistency = scenario.strictConsistency;
  settings.pull.allowDivergentPartner = scenario.allowDivergentPartners;
  return settings;
}

namespace {

int64_t firstPoll(const node::Connection& c, int64_t start, int64_t intraSitePoll, dc::Rng& rng) {
  if (!c.kcc.interSite) return start + static_cast<int64_t>(uniformBelow(rng, static_cast<uint64_t>(intraSitePoll)));
  int64_t window = std::min<int64_t>(c.interval, int64_t{15} * 60 * 1'000'000);
  return node::nextOpenInstant(c.schedule,
                               start + static_cast<int64_t>(uniformBelow(rng, static_cast<uint64_t>(window))));
}

}  // namespace

int64_t seededFirstPoll(const Scenario& scenario, uint64_t seed, const node::Connection& c, int64_t start) {
  dc::Xoshiro256 phase = randomStream(
      seed, fmt::format("poll/{}/{}", scenario.dcs[c.kcc.destination].name, scenario.dcs[c.kcc.source].name));
  return firstPoll(c, start, scenario.intraSitePoll, phase);
}

dc::Status checkStoreDirectory(const std::string& path) {
  return checkFreshDirectory(path, "store directory", "each run needs an empty or new directory");
}

dc::Result<std::unique_ptr<World>> World::create(const Scenario& scenario, uint64_t seed, bool keepTrace,
                                                 const std::string& storeDirectory) {
  if (!storeDirectory.empty()) DCEMU_RETURN_IF_ERROR(checkStoreDirectory(storeDirectory));
  std::unique_ptr<World> world(new World(scenario, seed, keepTrace, storeDirectory));
  DCEMU_RETURN_IF_ERROR(world->provision());
  world->createHosts();
  world->scheduleTimeline();
  return world;
}

dc::Result<std::unique_ptr<World>> World::createForTopology(const Scenario& scenario, uint64_t seed) {
  std::unique_ptr<World> world(new World(scenario, seed, false, {}));
  DCEMU_RETURN_IF_ERROR(world->provision(false));
  return world;
}

World::World(const Scenario& scenario, uint64_t seed, bool keepTrace, const std::string& storeDirectory)
    : scenario_(scenario),
      seed_(seed),
      queue_(scenario.start),
      network_(scenario, seed),
      trace_(keepTrace),
      storeDirectory_(storeDirectory.empty() ? "/dcemu" : storeDirectory),
      env_(storeDirectory.empty() ? dc::StoreEnv::inMemory(64 << 20) : dc::StoreEnv::onDisk(64 << 20)),
      risk_([&] {
        std::vector<std::string> names;
        for (const DcSpec& dc : scenario.dcs) names.push_back(dc.name);
        return names;
      }()) {}

World::~World() {
  // Pending events hold pulls that refer to the directories.
  queue_.clear();
}

dc::Status World::openDc(int index, std::unique_ptr<dc::Store> opened) {
  SimDc& d = dcs_[index];
  if (!opened) {
    auto store = dc::Store::open(*env_, d.storePath);
    if (!store) return store.status();
    opened = std::move(*store);
  }
  d.store = std::move(opened);
  auto dir = dc::Directory::open(*d.store, dc::DirectoryOptions{scenario_.domain, d.readOnly}, *d.clock, *d.rng);
  if (!dir) return dir.status();
  d.dir = std::move(*dir);
  // The risk tracker sees every write to a watched dMSA on this replica,
  // and what a restarted or restored replica holds.
  if (static_cast<size_t>(index) < nodes_.size()) nodes_[index]->attach(d.dir.get(), d.dsa);
  d.dir->setWriteObserver(
      {[this](const dc::Guid& object) { return risk_.watches(object); },
       [this, index](const dc::Object& dmsa, bool replicated) { observeDmsa(index, dmsa, replicated); }});
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
// describes at the start; every other DC starts as a copy of its store (as
// a DC installed from media would) under an invocationID of its own, with
// repsFrom saying it is in sync with each partner. So every replica holds
// the same objects with the same stamps at time zero, and no DC needs a
// full sync first.
dc::Status World::provision(bool everyDc) {
  const auto& specs = scenario_.dcs;
  for (const DcSpec& spec : specs) {
    SimDc d;
    d.site = spec.site;
    d.readOnly = spec.rodc;
    d.name = spec.name;
    d.storePath = storeDirectory_ + "/" + loader::lower(spec.name);
    d.clock = std::make_unique<DcClock>(queue_);
    d.rng = std::make_unique<dc::Xoshiro256>(randomStream(seed_, "dc/" + spec.name));
    dcs_.push_back(std::move(d));
  }
  int first = -1;
  for (size_t i = 0; i < specs.size() && first < 0; ++i)
    if (!specs[i].rodc) first = static_cast<int>(i);
  if (first < 0) return dc::Status(dc::LdapResult::unwillingToPerform, "the topology has no writable DC");

  DCEMU_RETURN_IF_ERROR(openDc(first));
  std::vector<dc::Guid> invocationIds;
  for (size_t i = 0; i < specs.size(); ++i) {
    dc::Xoshiro256 ids = randomStream(seed_, "invocation/" + specs[i].name);
    invocationIds.push_back(static_cast<int>(i) == first ? dcs_[first].dir->invocationId() : dc::Guid::random(ids));
  }
  dc::Directory& origin = *dcs_[first].dir;
  DCEMU_RETURN_IF_ERROR(dcs_[first].store->beginBulkLoad());
  auto provisioned = provisionScenario(origin, scenario_, invocationIds, *dcs_[first].rng);
  if (!provisioned) return provisioned.status();
  names_ = std::move(*provisioned);

  replication::KccInput input = scenario_.siteGraph();
  for (size_t i = 0; i < specs.size(); ++i) {
    auto settings = origin.read(names_.ntdsSettings[i]);
    if (!settings) return settings.status();
    dcs_[i].dsa = settings->guid;
    input.dcs.push_back({specs[i].name, dcs_[i].dsa, specs[i].site, specs[i].rodc});
  }
  topology_ = replication::computeTopology(input);
  dc::Xoshiro256 connectionNames = randomStream(seed_, "connections");
  DCEMU_RETURN_IF_ERROR(provisionConnections(origin, scenario_, names_, topology_, connectionNames));
  std::vector<bool> linkNotifies;
  for (const SiteLink& link : scenario_.siteLinks) linkNotifies.push_back(link.notify);
  connections_ = node::planConnections(input, topology_, linkNotifies);
  const node::ReplicationSettings settings = replicationSettings(scenario_);
  for (size_t i = 0; i < specs.size(); ++i)
    nodes_.push_back(
        std::make_unique<node::Node>(static_cast<int>(i), static_cast<node::Harness&>(*this), settings, connections_));
  nodes_[first]->attach(dcs_[first].dir.get(), dcs_[first].dsa);

  DCEMU_RETURN_IF_ERROR(dcs_[first].store->compactToLastLevel());
  std::vector<int> copies;
  for (size_t i = 0; i < specs.size() && everyDc; ++i) {
    if (static_cast<int>(i) == first) continue;
    DCEMU_RETURN_IF_ERROR(dcs_[first].store->checkpoint(dcs_[i].storePath));
    copies.push_back(static_cast<int>(i));
  }
  std::vector<dc::Result<std::unique_ptr<dc::Store>>> stores = openStores(copies);
  for (size_t k = 0; k < copies.size(); ++k) {
    if (!stores[k]) return stores[k].status();
    DCEMU_RETURN_IF_ERROR(openDc(copies[k], std::move(*stores[k])));
    DCEMU_RETURN_IF_ERROR(replication::adoptInvocationId(*dcs_[copies[k]].dir, invocationIds[copies[k]]));
  }
  const uint64_t usn = origin.highestCommittedUsn();
  for (size_t i = 0; i < specs.size() && everyDc; ++i)
    DCEMU_RETURN_IF_ERROR(seedRepsFrom(*dcs_[i].dir, static_cast<int>(i), invocationIds, usn));

  for (const auto& [label, dn] : names_.objects)
    if (auto obj = origin.read(dn)) objects_[label] = obj->guid;
  for (size_t i = 0; i < specs.size(); ++i) {
    dsaInfos_.push_back(
        replication::DsaInfo{dcs_[i].dsa,
                             {invocationIds[i]},
                             scenario_.sites[specs[i].site].name,
                             specs[i].name,
                             fmt::format("{}.{}", loader::lower(specs[i].name), loader::lower(scenario_.domain)),
                             specs[i].rodc,
                             !specs[i].rodc});
  }
  const std::string domainDn = origin.namingContextDn(dc::NamingContext::Domain).toString();
  for (const UserSpec& user : scenario_.users)
    workloadUsers_.push_back(fmt::format("CN={},CN=Users,{}", user.name, domainDn));
  for (const UserBatch& batch : scenario_.userBatches)
    for (const std::string& user : batch.userNames())
      workloadUsers_.push_back(fmt::format("CN={},{},{}", user, batch.ou, domainDn));
  return dc::Status::ok();
}

dc::Status World::seedRepsFrom(dc::Directory& dir, int destination, const std::vector<dc::Guid>& invocationIds,
                               uint64_t usn) const {
  for (const node::Connection& c : connections_) {
    if (c.kcc.destination != destination) continue;
    for (dc::NamingContext nc : node::kNamingContexts) {
      replication::RepsFrom state;
      state.sourceDsa = dcs_[c.kcc.source].dsa;
      state.namingContext = nc;
      state.sourceInvocationId = invocationIds[c.kcc.source];
      state.highWaterMark = usn;
      state.lastAttempt = state.lastSuccess = scenario_.start;
      DCEMU_RETURN_IF_ERROR(replication::saveRepsFrom(dir, state));
    }
  }
  return dc::Status::ok();
}

void World::scheduleTimeline() {
  for (size_t i = 0; i < scenario_.faults.size(); ++i) scheduleFault(scenario_.faults[i], static_cast<int>(i));
  for (const Step& step : scenario_.steps) queue_.at(scenario_.start + step.at, [this, &step] { runStep(step); });
  // Each node polls its inbound connections; the first polls are taken in
  // the order of the topology's connections, whatever node holds them.
  std::vector<size_t> polled(nodes_.size());
  for (const node::Connection& c : connections_) {
    size_t i = polled[c.kcc.destination]++;
    int64_t first = seededFirstPoll(scenario_, seed_, c, scenario_.start);
    if (first != INT64_MAX) nodes_[c.kcc.destination]->startPolling(i, first);
  }
  for (int i = 0; i < dcCount(); ++i) scheduleGarbageCollection(i, scenario_.start + kFirstCollectionMicros);
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
    node::Node& n = *nodes_[i];
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
    for (const node::Connection& c : connections_)
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
    if (auto collected = dc::collectGarbage(*d.dir, d.clock->nowMicros()); !collected)
      problems.push_back(fmt::format("{}: {}", d.name, collected.status().toString()));
  }
  int reference = -1;
  for (size_t i = 0; i < dcs_.size() && reference < 0; ++i)
    if (!dcs_[i].readOnly) reference = static_cast<int>(i);
  replication::ReplicaComparison comparison(*dcs_[reference].dir);
  std::vector<size_t> compared;
  std::vector<const dc::Directory*> replicas;
  for (size_t i = 0; i < dcs_.size(); ++i) {
    if (static_cast<int>(i) == reference) continue;
    compared.push_back(i);
    replicas.push_back(dcs_[i].dir.get());
  }
  auto differences = comparison.firstDifferences(replicas, std::thread::hardware_concurrency());
  for (size_t k = 0; k < compared.size(); ++k) {
    const size_t i = compared[k];
    auto& difference = differences[k];
    if (!difference) {
      problems.push_back(fmt::format("{}: {}", dcs_[i].name, difference.status().toString()));
    } else if (*difference) {
      const replication::ReplicaDifference& d = **difference;
      // The library says "the first" and "the second"; name the DCs.
      std::string what = d.what;
      for (auto [ordinal, name] : {std::pair{"the first", dcs_[reference].name}, std::pair{"the second", dcs_[i].name}})
        if (size_t at = what.find(ordinal); at != std::string::npos) what.replace(at, strlen(ordinal), name);
      problems.push_back(fmt::format("{} differs from {}: {} ({} NC): {}", dcs_[i].name, dcs_[reference].name, d.object,
                                     dc::namingContextName(d.namingContext), what));
    }
  }
  return problems;
}

std::vector<std::string> World::laneNames() const {
  std::vector<std::string> lanes;
  for (const SimDc& d : dcs_) lanes.push_back(fmt::format("{}\\{}", scenario_.sites[d.site].name, d.name));
  return lanes;
}

replication::DsaNames World::dsaNames() const {
  replication::DsaNames names;
  for (const replication::DsaInfo& info : dsaInfos_) names.add(info);
  return names;
}

}  // namespace dcemu::sim
