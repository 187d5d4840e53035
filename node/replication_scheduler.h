// One DC's replication behaviour, driven by two harnesses: the
// simulator's world (virtual time, a simulated network) and a live process
// (scaled wall time, Cap'n Proto RPC). The scheduler decides when to pull
// and from whom: change notification with its first and subsequent
// delays, the intra-site poll, the inter-site schedule, one pull at a time
// per partner and naming context (a pull asked for while one runs follows
// it), the initial synchronisation after a start. It reads no clock, opens
// no socket and draws no random number: the harness gives it time, timers,
// a transport per pull and the delivery of its notifications.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "dc/directory.h"
#include "replication/connections.h"
#include "replication/kcc.h"
#include "replication/pull.h"
#include "replication/transport.h"

namespace dcemu::node {

// Why a pull ran (the trace names it).
enum class PullReason { Notification, Schedule, Step, Restart, Settle, Secret };
std::string_view pullReasonName(PullReason reason);

// The order a DC replicates naming contexts in: schema, configuration, domain.
inline constexpr dc::NamingContext kNamingContexts[] = {dc::NamingContext::Schema, dc::NamingContext::Configuration,
                                                        dc::NamingContext::Domain};

// What a finished pull reports to its harness.
struct PullEnded {
  int source = 0;
  dc::NamingContext namingContext = dc::NamingContext::Domain;
  PullReason reason = PullReason::Schedule;
  int64_t started = 0;
  const replication::PullResult* result = nullptr;
};

// What a node needs from the world it runs in. DCs are named by their index
// in the topology file, the same in every harness.
class Harness {
 public:
  virtual ~Harness() = default;
  virtual int64_t now() const = 0;
  virtual void at(int64_t when, std::function<void()> fn) = 0;
  virtual void after(int64_t micros, std::function<void()> fn) = 0;
  virtual dc::Guid dsaOf(int dc) const = 0;
  // The way to `source` for one pull; `forced` pulls (repadmin /force) are
  // answered even while the source's outbound replication is disabled.
  virtual std::shared_ptr<replication::PullTransport> transportTo(int destination, int source, bool forced) = 0;
  // Tells DC `destination` that `namingContext` changed on `source`.
  virtual void deliverNotification(int source, int destination, dc::NamingContext namingContext) = 0;
  virtual void pullEnded(int destination, const PullEnded& ended) = 0;
  // A pull from `source` failed with a result other than its last one.
  virtual void pullRefused(int destination, int source, dc::NamingContext namingContext,
                           const replication::PullResult& result) = 0;
};

// repadmin /replicate's /force (runs while inbound replication is disabled,
// and is answered while the source's outbound is) and /full (ignores the
// destination's UTD vector and high-water mark).
struct PullFlags {
  bool forced = false;
  bool full = false;
};

class ReplicationScheduler {
 public:
  // `connections` is the whole topology's; the node keeps its own.
  ReplicationScheduler(int index, Harness& harness, const replication::ReplicationSettings& settings,
                       const std::vector<replication::Connection>& connections);

  int index() const { return index_; }
  // The replica it replicates into; null while the DC is down.
  void attach(dc::Directory* directory, const dc::Guid& dsa) { dir_ = directory, dsa_ = dsa; }
  dc::Directory* directory() const { return dir_; }
  const std::vector<replication::Connection>& inbound() const { return inbound_; }

  // State an administrator or a fault changes.
  bool up() const { return up_; }
  bool inboundDisabled = false;
  bool outboundDisabled = false;
  int broken = 0;  // active replication-broken faults: no endpoint at all
  // Bumps whenever the DC stops or starts: what was under way dies with it.
  uint64_t generation() const { return generation_; }

  // Pulls `namingContext` from `source` unless a pull of it runs already
  // (then once more after it). `then` sees the result, after the harness.
  void pull(int source, dc::NamingContext namingContext, PullReason reason, PullFlags flags = {},
            std::function<void(const replication::PullResult&)> then = {});
  // An originating change in `namingContext`: notify the partners after the
  // first delay (urgent: now), once however many changes come meanwhile.
  void changed(dc::NamingContext namingContext, bool urgent);
  // An originating write to `dn` changing `attributes`: notify after the
  // first delay, or at once when one of them is urgent.
  void originated(const std::string& dn, const std::vector<std::string>& attributes);
  // Schedules inbound connection `i`'s first poll at `when`; each poll
  // schedules the next.
  void startPolling(size_t i, int64_t when);
  // Stops: pending notifications and running pulls die with the process.
  void stop();
  // Starts (again); then the harness calls pullFromEveryPartner(Restart),
  // the initial synchronisation a starting DC runs.
  void start();
  void pullFromEveryPartner(PullReason reason, PullFlags flags = {});
  // For the end-of-run settling: no pull runs, nothing is pending, and
  // applied changes no longer notify (the harness drives every pull).
  void quiesce();

 private:
  struct PullSlot {
    bool running = false;
    bool again = false;       // asked for while running: pull once more after
    uint32_t lastResult = 0;  // to report an error when it starts, not at every retry
  };
  void finish(int source, dc::NamingContext nc, PullReason reason, int64_t started,
              const replication::PullResult& result, const std::function<void(const replication::PullResult&)>& then);
  void sendNotifications(dc::NamingContext nc);
  void poll(size_t i);

  int index_;
  Harness& harness_;
  replication::ReplicationSettings settings_;
  dc::Directory* dir_ = nullptr;
  dc::Guid dsa_;
  bool up_ = true;
  bool quiet_ = false;
  uint64_t generation_ = 0;
  std::vector<replication::Connection> inbound_;
  std::vector<std::pair<int, bool>> outbound_;  // (destination, notifies)
  std::array<bool, dc::kNamingContextCount> notifyPending_{};
  std::map<std::pair<int, int>, PullSlot> pulls_;  // (source, naming context)
};

}  // namespace dcemu::node
