#include "scenario/layout.h"

#include <fmt/format.h>

#include <filesystem>

#include "dc/random_stream.h"
#include "dc/text.h"
#include "replication/reps_from.h"
#include "replication/utd.h"

namespace dcemu::scenario {

replication::ReplicationSettings replicationSettings(const Scenario& scenario) {
  replication::ReplicationSettings settings;
  settings.notifyFirst = scenario.notifyFirst;
  settings.notifySubsequent = scenario.notifySubsequent;
  settings.intraSitePoll = scenario.intraSitePoll;
  settings.pull.maxObjects = scenario.maxObjects;
  settings.pull.maxBytes = scenario.maxBytes;
  settings.pull.strictConsistency = scenario.strictConsistency;
  settings.pull.allowDivergentPartner = scenario.allowDivergentPartners;
  return settings;
}

int64_t seededFirstPoll(const Scenario& scenario, uint64_t seed, const replication::Connection& c, int64_t start) {
  dc::Xoshiro256 phase = dc::randomStream(
      seed, fmt::format("poll/{}/{}", scenario.dcs[c.kcc.destination].name, scenario.dcs[c.kcc.source].name));
  if (!c.kcc.interSite)
    return start + static_cast<int64_t>(dc::uniformBelow(phase, static_cast<uint64_t>(scenario.intraSitePoll)));
  int64_t window = std::min<int64_t>(c.interval, int64_t{15} * 60 * 1'000'000);
  return replication::nextOpenInstant(
      c.schedule, start + static_cast<int64_t>(dc::uniformBelow(phase, static_cast<uint64_t>(window))));
}

int originDc(const Scenario& scenario) {
  for (size_t i = 0; i < scenario.dcs.size(); ++i)
    if (!scenario.dcs[i].rodc) return static_cast<int>(i);
  return -1;
}

dc::Xoshiro256 dcRandomStream(const Scenario& scenario, uint64_t seed, int dc) {
  return dc::randomStream(seed, "dc/" + scenario.dcs[dc].name);
}

replication::DsaNames DomainLayout::dsaNames() const {
  replication::DsaNames byDsa;
  for (const replication::DsaInfo& info : dsaInfos) byDsa.add(info);
  return byDsa;
}

int DomainLayout::dcOfDsa(const dc::Guid& dsa) const {
  for (size_t i = 0; i < dsaInfos.size(); ++i)
    if (dsaInfos[i].dsa == dsa) return static_cast<int>(i);
  return -1;
}

dc::Result<DomainLayout> provisionDomain(const Scenario& scenario, uint64_t seed, dc::Store& store,
                                         dc::Directory& origin, dc::Xoshiro256& originRng) {
  const auto& specs = scenario.dcs;
  DomainLayout layout;
  layout.origin = originDc(scenario);
  if (layout.origin < 0) return dc::Status(dc::LdapResult::unwillingToPerform, "the topology has no writable DC");
  for (size_t i = 0; i < specs.size(); ++i) {
    dc::Xoshiro256 ids = dc::randomStream(seed, "invocation/" + specs[i].name);
    layout.invocationIds.push_back(static_cast<int>(i) == layout.origin ? origin.invocationId()
                                                                        : dc::Guid::random(ids));
  }
  DCEMU_RETURN_IF_ERROR(store.beginBulkLoad());
  auto provisioned = provisionScenario(origin, scenario, layout.invocationIds, originRng, seed);
  if (!provisioned) return provisioned.status();
  layout.names = std::move(*provisioned);

  replication::KccInput input = scenario.siteGraph();
  std::vector<dc::Guid> dsas;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto settings = origin.read(layout.names.ntdsSettings[i]);
    if (!settings) return settings.status();
    dsas.push_back(settings->guid);
    input.dcs.push_back({specs[i].name, settings->guid, specs[i].site, specs[i].rodc});
  }
  layout.topology = replication::computeTopology(input);
  dc::Xoshiro256 connectionNames = dc::randomStream(seed, "connections");
  DCEMU_RETURN_IF_ERROR(provisionConnections(origin, scenario, layout.names, layout.topology, connectionNames));
  std::vector<bool> linkNotifies;
  for (const SiteLink& link : scenario.siteLinks) linkNotifies.push_back(link.notify);
  layout.connections = replication::planConnections(input, layout.topology, linkNotifies);
  DCEMU_RETURN_IF_ERROR(store.compactToLastLevel());
  layout.provisionedUsn = origin.highestCommittedUsn();

  for (const auto& [label, dn] : layout.names.objects)
    if (auto obj = origin.read(dn)) layout.objects[label] = obj->guid;
  for (size_t i = 0; i < specs.size(); ++i) {
    layout.dsaInfos.push_back(
        replication::DsaInfo{dsas[i],
                             {layout.invocationIds[i]},
                             scenario.sites[specs[i].site].name,
                             specs[i].name,
                             fmt::format("{}.{}", dc::toLower(specs[i].name), dc::toLower(scenario.domain)),
                             specs[i].rodc,
                             !specs[i].rodc});
  }
  const std::string domainDn = origin.namingContextDn(dc::NamingContext::Domain).toString();
  for (const UserSpec& user : scenario.users)
    layout.workloadUsers.push_back(fmt::format("CN={},CN=Users,{}", user.name, domainDn));
  for (const UserBatch& batch : scenario.userBatches)
    for (const std::string& user : batch.userNames())
      layout.workloadUsers.push_back(fmt::format("CN={},{},{}", user, batch.ou, domainDn));
  return layout;
}

dc::DirectoryOptions directoryOptions(const Scenario& scenario, int dc) {
  dc::DirectoryOptions options{scenario.domain, scenario.dcs[dc].rodc};
  uint32_t writable = 0;
  for (int d = 0; d < static_cast<int>(scenario.dcs.size()); ++d) {
    if (scenario.dcs[d].rodc) continue;
    if (d == dc) options.ridPoolIndex = writable;
    ++writable;
  }
  options.ridPoolCount = std::max<uint32_t>(writable, 1);
  options.dmsaClass = schemaHasDmsaClass(scenario);
  return options;
}

dc::Status adoptReplica(const Scenario& scenario, const DomainLayout& layout, int dc, dc::Directory& replica) {
  if (dc != layout.origin) DCEMU_RETURN_IF_ERROR(replication::adoptInvocationId(replica, layout.invocationIds[dc]));
  for (const replication::Connection& c : layout.connections) {
    if (c.kcc.destination != dc) continue;
    for (dc::NamingContext nc :
         {dc::NamingContext::Schema, dc::NamingContext::Configuration, dc::NamingContext::Domain}) {
      replication::RepsFrom state;
      state.sourceDsa = layout.dsaInfos[c.kcc.source].dsa;
      state.namingContext = nc;
      state.sourceInvocationId = layout.invocationIds[c.kcc.source];
      state.highWaterMark = layout.provisionedUsn;
      state.lastAttempt = state.lastSuccess = scenario.start;
      DCEMU_RETURN_IF_ERROR(replication::saveRepsFrom(replica, state));
    }
  }
  return dc::Status::ok();
}

ProvisionedOrigin::~ProvisionedOrigin() {
  directory.reset();
  store.reset();
}

namespace {

dc::Result<std::unique_ptr<ProvisionedOrigin>> provisionOriginIn(const Scenario& scenario, uint64_t seed,
                                                                 std::unique_ptr<dc::StoreEnv> env,
                                                                 const std::string& directory) {
  auto origin = std::make_unique<ProvisionedOrigin>();
  int first = originDc(scenario);
  if (first < 0) return dc::Status(dc::LdapResult::unwillingToPerform, "the topology has no writable DC");
  origin->env = std::move(env);
  origin->clock = std::make_unique<dc::ManualClock>(scenario.start);
  origin->rng = std::make_unique<dc::Xoshiro256>(dcRandomStream(scenario, seed, first));
  auto store = dc::Store::open(*origin->env, directory + "/" + dc::toLower(scenario.dcs[first].name));
  if (!store) return store.status();
  origin->store = std::move(*store);
  auto dir = dc::Directory::open(*origin->store, directoryOptions(scenario, first), *origin->clock, *origin->rng);
  if (!dir) return dir.status();
  origin->directory = std::move(*dir);
  auto layout = provisionDomain(scenario, seed, *origin->store, *origin->directory, *origin->rng);
  if (!layout) return layout.status();
  origin->layout = std::move(*layout);
  return origin;
}

}  // namespace

dc::Result<std::unique_ptr<ProvisionedOrigin>> provisionOrigin(const Scenario& scenario, uint64_t seed) {
  return provisionOriginIn(scenario, seed, dc::StoreEnv::inMemory(64 << 20), "/dcemu");
}

dc::Status createReplicaStore(const Scenario& scenario, uint64_t seed, int dc, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string scratch = path + ".provisioning", fresh = path + ".new";
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  fs::remove_all(fresh, ignored);
  {
    auto origin = provisionOriginIn(scenario, seed, dc::StoreEnv::onDisk(64 << 20), scratch);
    if (!origin) return origin.status();
    DCEMU_RETURN_IF_ERROR((*origin)->store->checkpoint(fresh));
    auto store = dc::Store::open(*(*origin)->env, fresh);
    if (!store) return store.status();
    dc::ManualClock clock(scenario.start);
    dc::Xoshiro256 rng = dcRandomStream(scenario, seed, dc);
    auto replica = dc::Directory::open(**store, directoryOptions(scenario, dc), clock, rng);
    if (!replica) return replica.status();
    DCEMU_RETURN_IF_ERROR(adoptReplica(scenario, (*origin)->layout, dc, **replica));
  }
  // The store appears whole or not at all: a node killed while
  // provisioning starts over.
  fs::rename(fresh, path);
  fs::remove_all(scratch, ignored);
  return dc::Status::ok();
}

}  // namespace dcemu::scenario
