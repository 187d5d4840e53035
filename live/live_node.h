// The running node's parts, shared by its composition (node_process.cc)
// and its `dcemu ctl` operations (node_commands.cc). Internal to live/.
#pragma once

#include <asio.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "dc/store.h"
#include "live/cluster_files.h"
#include "live/http_endpoint.h"
#include "live/journal.h"
#include "live/kj_asio.h"
#include "live/metrics.h"
#include "live/rpc_server.h"
#include "live/rpc_tls.h"
#include "live/rpc_transport.h"
#include "node/node.h"
#include "scenario/layout.h"
#include "scenario/network.h"
#include "scenario/scenario.h"

namespace dcemu::live {

// Simulated time on a live node: the cluster's clock (cluster_files.h),
// moved by a clock-skew fault.
class ScaledClock final : public dc::Clock {
 public:
  ScaledClock(int64_t start, int64_t epochUnixMicros, double scale)
      : start_(start), epoch_(epochUnixMicros), scale_(scale) {}
  int64_t nowMicros() override;
  double scale() const { return scale_; }
  void setSkew(int64_t micros) { skew_ = micros; }  // a clock-skew fault

 private:
  int64_t start_, epoch_;
  double scale_;
  int64_t skew_ = 0;
};

// What one partner's pulls and notifications have done, for /metrics.
struct PartnerStats {
  uint64_t pulls = 0, pullsFailed = 0, consecutiveFailures = 0;
  int64_t lastSuccess = 0;  // simulated time
  uint32_t lastResult = 0;
};

class LiveNode final : public node::Harness {
 public:
  LiveNode(const scenario::Scenario& scenario, uint64_t seed, int index, scenario::DomainLayout layout,
           int64_t epochUnixMicros, double scale, std::string secret);
  ~LiveNode() noexcept override;

  // Every RPC connection in and out is TLS with these certificates.
  void useTls(std::unique_ptr<RpcTls> tls) { tls_ = std::move(tls); }
  // Opens the store (provisioning it first when absent) and starts serving.
  dc::Status start(const std::string& dataDirectory, const std::string& listenHost, uint16_t listenPort,
                   const Peers& peers, const std::string& metricsHost, uint16_t metricsPort, bool metrics);
  uint16_t replicationPort() const { return replicationPort_; }
  uint16_t metricsPort() const { return metricsPort_; }
  // Runs until SIGTERM or SIGINT.
  void run();

  // node::Harness
  int64_t now() const override { return clock_.nowMicros(); }
  void at(int64_t when, std::function<void()> fn) override { after(when - now(), std::move(fn)); }
  void after(int64_t micros, std::function<void()> fn) override;
  dc::Guid dsaOf(int dc) const override { return layout_.dsaInfos[dc].dsa; }
  std::shared_ptr<replication::PullTransport> transportTo(int destination, int source, bool forced) override;
  void deliverNotification(int source, int destination, dc::NamingContext nc) override;
  void pullEnded(int destination, const node::PullEnded& ended) override;
  void pullRefused(int destination, int source, dc::NamingContext nc, const replication::PullResult& result) override;

 private:
  class NetworkTransport;
  // The KDC the hosts reach over RPC, and the watch over tracked dMSAs
  // (node_kdc.cc).
  class LocalKdc;
  KdcService& kdcService();
  dc::Status watchTrackedDmsas(const std::string& journalPath);
  void resolveWatchedDmsas();
  void observeDmsa(const dc::Object& dmsa, bool replicated);
  void journalMigrationStep(const std::string& dmsa, const std::string& op);
  std::pair<uint32_t, std::string> command(const std::vector<std::string>& args);  // node_commands.cc
  void originated(const std::string& dn, const std::vector<std::string>& attributes);
  std::string metricsText() const;
  void scheduleGarbageCollection(int64_t at);
  // The file's [[fault]]s and [[step]]s that concern this DC, at their
  // moments (node_timeline.cc).
  void scheduleTimeline();
  void runFault(const scenario::Fault& fault, int id, bool on);
  void runStep(const scenario::Step& step);
  std::optional<std::string> stepDn(const scenario::Step& step) const;
  // The file's [workload]: a description change on a random user, at
  // exponential intervals averaging the file's rate, as in the simulator.
  void scheduleWorkload();
  void log(const std::string& line) const;
  std::string nameOf(int dc) const { return scenario_.dcs[dc].name; }

  const scenario::Scenario& scenario_;
  uint64_t seed_;
  int index_;
  scenario::DomainLayout layout_;  // the topology, connections and DSAs every node computes alike
  mutable ScaledClock clock_;
  dc::Xoshiro256 rng_;
  std::string secret_;
  asio::io_context io_;
  KjAsioLoop loop_{io_};
  scenario::Network network_;
  std::unique_ptr<dc::StoreEnv> env_;
  replication::DsaNames names_;
  std::unique_ptr<node::Node> node_;
  class ScaledTimer;
  std::unique_ptr<ScaledTimer> timer_;
  std::unique_ptr<RpcTls> tls_;  // before the connections that use it
  std::unique_ptr<RpcPullTransport> rpc_;
  std::unique_ptr<ReplicationServer> server_;
  std::unique_ptr<HttpEndpoint> http_;
  uint16_t replicationPort_ = 0, metricsPort_ = 0;
  bool workloadOn_ = true;
  std::unique_ptr<LocalKdc> kdc_;
  struct WatchedDmsa {
    std::string name;               // as the file gives it
    std::vector<dc::Sid> machines;  // the tracked hosts' machine accounts
  };
  std::map<dc::Guid, WatchedDmsa> watched_;
  std::vector<WatchedDmsa> unresolved_;  // not in the replica yet
  JournalWriter journal_;
  std::string journalPath_;
  std::map<std::string, std::string> addedLabels_;  // ldap-add ids → the DN the step gave
  uint64_t workloadGeneration_ = 0;                 // bumps when the workload stops, so its pending change drops
  // Counters for /metrics.
  replication::ApplyCounts applied_;
  uint64_t originatingWrites_ = 0, notificationsSent_ = 0, notificationsReceived_ = 0;
  std::map<int, PartnerStats> partners_;
  std::map<std::pair<std::string, std::string>, uint64_t> kdcReplies_;  // (exchange, ok or KRB-ERROR name)
  std::map<std::string, uint64_t> membershipWrites_;                    // by LDAP result
  Histogram pullSeconds_{{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60}};
  std::map<std::string, Histogram, std::less<>> serveSeconds_;  // by RPC method
};

}  // namespace dcemu::live
