// The simulated domain: one replica per DC (its own RocksDB in a shared
// memory Env), the KCC's connections, the network, and the event queue that
// drives change notification, scheduled pulls, steps and faults. Nothing in
// a run reads the wall clock or an unseeded random source; the same file and
// seed give the same events in the same order.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "dc/store.h"
#include "kdc/events.h"
#include "kdc/host_client.h"
#include "node/node.h"
#include "replication/apply.h"
#include "replication/kcc.h"
#include "replication/pull.h"
#include "replication/repadmin.h"
#include "report/membership.h"
#include "report/report.h"
#include "report/risk.h"
#include "scenario/host_plan.h"
#include "scenario/layout.h"
#include "scenario/network.h"
#include "scenario/provision.h"
#include "scenario/scenario.h"
#include "sim/event_queue.h"
#include "sim/trace.h"

namespace dcemu::sim {

struct RunCounts {
  uint64_t pulls = 0;  // one naming context from one partner, however many chunks
  uint64_t pullsFailed = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;  // requests and replies
  replication::ApplyCounts applied;
  uint64_t originatingWrites = 0;
  uint64_t notifications = 0;
  uint64_t stepsRun = 0;
  uint64_t stepsRefused = 0;  // refused steps that were meant to be refused included
  uint64_t expectationsPassed = 0;
  uint64_t expectationsFailed = 0;
  uint64_t logons = 0;  // AS exchanges and renewals of the hosts' services
  uint64_t logonsFailed = 0;
  uint64_t tombstonesCollected = 0;  // by garbage collection, past the tombstone lifetime
  uint64_t linkValuesCollected = 0;
  uint64_t lingeringRemoved = 0;  // by remove-lingering-objects steps
};

// Something that makes the run exit 1: a refused step, a failed expectation.
struct Finding {
  int64_t at = 0;  // since the simulated start
  std::string message;
};

// A directory a run fills must be new (in an existing directory: a
// mistyped parent is an error, not a tree of new directories) or empty:
// stores left by another run would be opened as they are, records of
// another sweep would be merged. `what` names it in the error, `why` says
// who needs it so.
dc::Status checkFreshDirectory(const std::string& path, std::string_view what, std::string_view why);
// The directory of a run's stores (--store).
dc::Status checkStoreDirectory(const std::string& path);

class World final : private node::Harness {
 public:
  // Builds the world at the scenario's start: provisions every DC and
  // schedules the steps, faults, polls and workload. Only steps the
  // simulator runs are accepted; the others are reported.
  // The DCs' stores live in memory unless `storeDirectory` names a
  // directory (absent or empty) to keep them in, one subdirectory per DC.
  static dc::Result<std::unique_ptr<World>> create(const scenario::Scenario& scenario, uint64_t seed, bool keepTrace,
                                                   const std::string& storeDirectory = {});
  ~World() override;

  const scenario::Scenario& scenario() const { return scenario_; }
  int64_t elapsed() const { return queue_.now() - scenario_.start; }
  uint64_t eventsRun() const { return queue_.eventsRun(); }
  // Runs every event up to `elapsed` after the start.
  void runUntil(int64_t elapsedMicros);
  // Heals every fault, stops the schedule and lets each connection pull
  // until a round applies nothing; then compares every replica with the
  // first writable DC's. Returns one line per difference (empty: converged).
  std::vector<std::string> settleAndCheckConvergence();

  const RunCounts& counts() const { return counts_; }
  const std::vector<Finding>& findings() const { return findings_; }
  const Trace& trace() const { return trace_; }
  // The events Windows would log (307, 308, 309, 2946, 3085), in order.
  const std::vector<kdc::Event>& events() const { return events_; }
  const report::RiskTracker& risk() const { return risk_; }
  // The migrations as the planning report shows them now, each not yet
  // safe with its blockers (sim/world_report.cc).
  report::PlanningReport planningReport() const;
  std::vector<std::string> laneNames() const;

  // For the repadmin and topology views.
  int dcCount() const { return static_cast<int>(dcs_.size()); }
  const dc::Directory* directory(int dc) const { return dcs_[dc].node->directory(); }
  const replication::DsaInfo& dsaInfo(int dc) const { return layout_.dsaInfos[dc]; }
  replication::DsaNames dsaNames() const;
  const replication::KccResult& topology() const { return layout_.topology; }
  const std::vector<replication::Connection>& connections() const { return layout_.connections; }
  // The object a step's `object` names (lowercased label), as provisioned.
  std::optional<dc::Guid> objectGuid(const std::string& label) const {
    auto found = objects_.find(label);
    return found == objects_.end() ? std::nullopt : std::optional<dc::Guid>(found->second);
  }
  // The DNs of the users the file describes: what the background workload modifies.
  const std::vector<std::string>& workloadUsers() const { return layout_.workloadUsers; }
  int dcIndex(std::string_view name) const { return scenario_.dcIndex(name); }
  int dcOfDsa(const dc::Guid& dsa) const;  // -1 when no DC has it
  // A DN given whole or relative to the domain, or a step object label /
  // topology name, as it is now on `dc`.
  dc::Result<std::string> objectDn(int dc, const std::string& nameOrDn) const;
  int64_t now() const override { return queue_.now(); }

 private:
  // A simulated DC: its node, and where the world keeps its store and
  // the clock its directory reads.
  struct SimDc {
    int site = 0;
    std::string storePath;
    std::unique_ptr<DcClock> clock;
    std::unique_ptr<node::Node> node;
  };
  using PullReason = node::PullReason;

  World(const scenario::Scenario& scenario, uint64_t seed, bool keepTrace, const std::string& storeDirectory);
  dc::Status provision();
  // Opens DC `dc`'s store, or takes `opened`, and its directory over it.
  dc::Status openDc(int dc, std::unique_ptr<dc::Store> opened = nullptr);
  std::vector<dc::Result<std::unique_ptr<dc::Store>>> openStores(const std::vector<int>& dcs);
  void scheduleTimeline();

  // Replication (world_replication.cc): the nodes' harness.
  class Transport;
  void at(int64_t when, std::function<void()> fn) override { queue_.at(when, std::move(fn)); }
  void after(int64_t micros, std::function<void()> fn) override { queue_.after(micros, std::move(fn)); }
  dc::Guid dsaOf(int dc) const override { return dcs_[dc].node->settings().dsa; }
  std::shared_ptr<replication::PullTransport> transportTo(int destination, int source, bool forced) override;
  void deliverNotification(int source, int destination, dc::NamingContext nc) override;
  void pullEnded(int destination, const node::PullEnded& ended) override;
  void pullRefused(int destination, int source, dc::NamingContext nc, const replication::PullResult& result) override;
  // `step`: the replicate step that asked, whose failures are findings.
  void startPull(int destination, int source, dc::NamingContext nc, PullReason reason, bool forced = false,
                 bool full = false, const scenario::Step* step = nullptr);
  void startWorkload();
  void backgroundChange(int dc);

  // Faults (world_faults.cc).
  void scheduleFault(const scenario::Fault& fault, int id);
  void stopDc(int dc);
  void restartDc(int dc);
  void takeSnapshot(int dc, const std::string& path, const scenario::Fault& fault);
  void rollBack(int dc, const std::string& path, const scenario::Fault& fault);

  // Hosts, the KDC and migrations (world_hosts.cc).
  class HostAccess;
  void createHosts();
  void scheduleClient(size_t client, int64_t at);
  // The host's `cycle`th reboot: its services log on afresh and renew from there.
  void scheduleReboot(size_t client, int cycle);
  kdc::LogonOutcome runClient(size_t client, bool forcedLogon);
  int clientIndex(const std::string& host, const std::string& service) const;
  // What DC `dc` holds of a watched dMSA, read (watchDmsa) or as a write
  // left it (observeDmsa), to the risk tracker.
  void watchDmsa(int dc, const dc::Guid& dmsa);
  void observeDmsa(int dc, const dc::Object& dmsa, bool replicated);
  dc::Status runMigrationStep(const scenario::Step& step, int dc, const dc::Principal& admin);
  void runExpectAuth(const scenario::Step& step);
  void runExpectEvent(const scenario::Step& step);
  void logEvent(kdc::Event event);
  class Facts;  // what the planning report asks of the world

  // Steps (world_steps.cc).
  void runStep(const scenario::Step& step);
  dc::Status runWriteStep(const scenario::Step& step, int dc);
  std::vector<std::string> qualifyValues(const std::string& attribute, const std::vector<std::string>& values) const;
  std::vector<dc::AttributeInput> attributeInputs(const scenario::AttributeValues& values) const;
  void runReplicate(const scenario::Step& step);
  // Tombstone lifetime: each DC's garbage collection, the events of a
  // partner past the lifetime (2042) and of a lingering object (1988), and
  // repadmin /removelingeringobjects (sim/world_lifetime.cc).
  void scheduleGarbageCollection(int index, int64_t at);
  dc::Status removeLingeringObjects(const scenario::Step& step, int index);
  dc::Status prepopulatePasswords(const scenario::Step& step, int rodc);
  void judgeOutcome(const scenario::Step& step, int index, const dc::Status& status, const char* okOutcome);
  void runExpect(const scenario::Step& step);
  std::optional<std::string> checkExpectation(const scenario::Step& step, const dc::Directory& dir);
  std::optional<std::string> checkLinkExpectation(const scenario::Step::LinkCheck& check, const dc::Directory& dir,
                                                  const std::string& dn, const dc::AttributeDef& attr,
                                                  const std::string& label) const;
  // The name of the DC that has had `invocationId`, or the GUID.
  std::string dcNameOfInvocation(const dc::Guid& invocationId) const;
  dc::Result<std::string> resolveDn(const scenario::Step& step, const dc::Directory& dir) const;
  std::string qualify(const std::string& dn) const;
  void originated(int dc, const std::string& dn, const std::vector<std::string>& attributes);
  void finding(const scenario::Step& step, const std::string& message);
  void recordStep(const scenario::Step& step, int lane, const std::string& outcome);

  const scenario::Scenario& scenario_;
  uint64_t seed_;
  EventQueue queue_;
  scenario::Network network_;
  Trace trace_;
  std::string storeDirectory_;  // the memory Env's own namespace when in memory
  std::unique_ptr<dc::StoreEnv> env_;
  std::vector<SimDc> dcs_;
  scenario::DomainLayout layout_;
  std::map<std::string, dc::Guid> objects_;   // lowercased step object labels → objectGUID, new ones included
  std::vector<dc::Xoshiro256> workloadRngs_;  // per DC
  RunCounts counts_;
  std::vector<Finding> findings_;
  // Active connection-broken faults: (destination, source) DC → the errors
  // its pulls fail with, the latest last.
  std::map<std::pair<int, int>, std::vector<uint32_t>> brokenConnections_;
  bool settling_ = false;
  std::unique_ptr<HostAccess> hostAccess_;
  std::vector<kdc::HostClient> clients_;
  std::vector<int64_t> nextLogon_;              // per client: its next logon or renewal
  std::vector<scenario::PlannedClient> plans_;  // per client: how the file planned it (site, service, reboots)
  std::vector<uint32_t> schedules_;             // per client: how often its schedule was set; an older renewal is stale
  std::map<std::string, int> laneOfDc_;         // a DC's name as outcomes spell it → its index
  report::RiskTracker risk_;
  report::MembershipAnswers membershipAnswers_;
  std::vector<kdc::Event> events_;
};

}  // namespace dcemu::sim
