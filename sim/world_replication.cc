// Replication in the world: pulls over the simulated network, change
// notification, the scheduled intra- and inter-site pulls, and the
// background workload.
#include <fmt/format.h>

#include "replication/source.h"
#include "replication/win32.h"
#include "sim/world.h"

namespace dcemu::sim {

namespace {

constexpr int64_t kMinute = int64_t{60} * 1'000'000;
constexpr int64_t kQuarterHour = 15 * kMinute;
constexpr int64_t kDay = 24 * 60 * kMinute;
constexpr int64_t kWeek = 7 * kDay;
// How long an RPC to an unreachable partner takes to fail: Windows' TCP
// connect gives up after about 21 seconds (three SYNs).
constexpr int64_t kUnreachableAfter = 21'000'000;
// RPC_S_SERVER_UNAVAILABLE for a DC that is off or cut off;
// EPT_S_NOT_REGISTERED for one whose replication service is broken.
constexpr uint32_t kEndpointNotRegistered = 1753;

std::string_view reasonName(int reason) {
  static constexpr std::string_view kNames[] = {"notification", "schedule", "step", "restart", "settle", "secret"};
  return kNames[reason];
}

}  // namespace

int64_t nextOpenInstant(const replication::Schedule& schedule, int64_t unixMicros) {
  if (schedule.isAlways()) return unixMicros;
  // 1970-01-01 was a Thursday: three days after a Monday.
  int64_t sinceMonday = (unixMicros + 3 * kDay) % kWeek;
  int64_t slotStart = unixMicros - sinceMonday % kQuarterHour;
  int slot = static_cast<int>(sinceMonday / kQuarterHour);
  for (int i = 0; i <= replication::Schedule::kSlots; ++i) {
    if (schedule.open[(slot + i) % replication::Schedule::kSlots])
      return i == 0 ? unixMicros : slotStart + i * kQuarterHour;
  }
  return INT64_MAX;
}

// One destination's way to its sources for one pull: requests and replies
// cross the simulated network as their encoded bytes. When the destination
// stops or is restored while a message is on its way, the message is
// dropped and the pull with it, as a process that died would drop it.
class World::Transport final : public replication::PullTransport {
 public:
  Transport(World& world, int destination, bool forced)
      : world_(world), destination_(destination), forced_(forced), generation_(world.dcs_[destination].generation) {}

  void getNcChanges(const dc::Guid& sourceDsa, std::string request,
                    std::function<void(replication::TransportReply)> done) override {
    int source = world_.dcOfDsa(sourceDsa);
    int from = world_.dcs_[destination_].site, to = world_.dcs_[source].site;
    auto there = world_.network_.transferTime(from, to, request.size());
    if (!there) return failLater(kUnreachableAfter, std::move(done), replication::win32::kRpcServerUnavailable);
    world_.queue_.after(*there, [this, source, from, to, request = std::move(request),
                                 done = std::move(done)]() mutable {
      SimDc& s = world_.dcs_[source];
      replication::TransportReply answer;
      if (!s.up || !world_.network_.reachable(from, to)) {
        return failLater(kUnreachableAfter, std::move(done), replication::win32::kRpcServerUnavailable);
      } else if (s.broken > 0) {
        answer = {kEndpointNotRegistered, {}, fmt::format("{}: no replication endpoint", s.name)};
      } else if (s.outboundDisabled && !forced_) {
        answer = {replication::win32::kSourceDisabled, {}, fmt::format("{}: outbound replication is disabled", s.name)};
      } else {
        answer = replication::answerGetNcChanges(*s.dir, s.dsa, request);
      }
      auto back = world_.network_.transferTime(to, from, answer.bytes.size());
      if (!back) return failLater(kUnreachableAfter, std::move(done), replication::win32::kRpcServerUnavailable);
      deliverLater(*back, std::move(done), std::move(answer));
    });
  }

 private:
  void deliverLater(int64_t delay, std::function<void(replication::TransportReply)> done,
                    replication::TransportReply reply) {
    world_.queue_.after(delay, [this, done = std::move(done), reply = std::move(reply)]() mutable {
      if (world_.dcs_[destination_].generation == generation_) done(std::move(reply));
    });
  }
  void failLater(int64_t delay, std::function<void(replication::TransportReply)> done, uint32_t win32) {
    deliverLater(delay, std::move(done), {win32, {}, std::string(replication::win32::message(win32))});
  }

  World& world_;
  int destination_;
  bool forced_;
  uint64_t generation_;
};

int World::dcOfDsa(const dc::Guid& dsa) const {
  for (size_t i = 0; i < dcs_.size(); ++i)
    if (dcs_[i].dsa == dsa) return static_cast<int>(i);
  return -1;
}

void World::startPull(int destination, int source, dc::NamingContext nc, PullReason reason, bool forced, bool full,
                      const Step* step) {
  SimDc& d = dcs_[destination];
  if (!d.up || d.broken > 0 || (d.inboundDisabled && !forced)) return;
  PullSlot& slot = pulls_[{destination, source, static_cast<int>(nc)}];
  if (slot.running) {
    slot.again = true;
    return;
  }
  slot.running = true;
  int64_t started = queue_.now();
  auto transport = std::make_shared<Transport>(*this, destination, forced);
  replication::PullOptions options;
  options.maxObjects = scenario_.maxObjects;
  options.maxBytes = scenario_.maxBytes;
  options.fullSync = full;
  options.strictConsistency = scenario_.strictConsistency;
  options.allowDivergentPartner = scenario_.allowDivergentPartners;
  replication::pullNamingContext(
      *d.dir, d.dsa, dcs_[source].dsa, nc, *transport, options,
      [this, transport, destination, source, nc, reason, started, step](replication::PullResult result) {
        finishPull(destination, source, nc, reason, started, result, step);
      });
}

void World::finishPull(int destination, int source, dc::NamingContext nc, PullReason reason, int64_t started,
                       const replication::PullResult& r, const Step* step) {
  ++counts_.pulls;
  if (r.win32 != 0) ++counts_.pullsFailed;
  counts_.chunks += r.chunks;
  counts_.bytes += r.bytesSent + r.counts.bytesReceived;
  counts_.applied += r.counts;
  const replication::ApplyCounts& c = r.counts;
  trace_.record({started - scenario_.start,
                 queue_.now() - started,
                 destination,
                 "pull",
                 fmt::format("pull {} from {}", dc::namingContextName(nc), dcs_[source].name),
                 {{"reason", std::string(reasonName(static_cast<int>(reason)))},
                  {"result", std::to_string(r.win32)},
                  {"objects", std::to_string(c.objectsReceived)},
                  {"applied", std::to_string(c.attributesApplied)},
                  {"lost", std::to_string(c.attributesLost)},
                  {"links", std::to_string(c.linksApplied)},
                  {"linksLost", std::to_string(c.linksLost)},
                  {"conflicts", std::to_string(c.nameConflicts)}}});
  if (step && r.win32 != 0)
    findings_.push_back({elapsed(), fmt::format("{}: replicate {} from {} to {}: error {}: {}", step->where.toString(),
                                                dc::namingContextName(nc), dcs_[source].name, dcs_[destination].name,
                                                r.win32, r.error)});
  PullSlot& slot = pulls_[{destination, source, static_cast<int>(nc)}];
  slot.running = false;
  if (r.win32 != 0 && r.win32 != slot.lastResult) onPullRefused(destination, source, nc, r);
  slot.lastResult = r.win32;
  // What a DC takes in, it tells its own partners about, as AD notifies
  // after any committed change.
  if (c.attributesApplied + c.linksApplied > 0 && !settling_) notifyLater(destination, nc, false);
  if (slot.again) {
    slot.again = false;
    startPull(destination, source, nc, reason);
  }
}

void World::notifyLater(int index, dc::NamingContext nc, bool urgent) {
  SimDc& d = dcs_[index];
  auto& pending = d.notifyPending[static_cast<int>(nc)];
  if (pending && !urgent) return;
  pending = true;
  uint64_t generation = d.generation;
  queue_.after(urgent ? 0 : scenario_.notifyFirst, [this, index, nc, generation] {
    SimDc& notifier = dcs_[index];
    if (notifier.generation != generation || !notifier.notifyPending[static_cast<int>(nc)]) return;
    notifier.notifyPending[static_cast<int>(nc)] = false;
    sendNotifications(index, nc);
  });
}

void World::sendNotifications(int index, dc::NamingContext nc) {
  SimDc& d = dcs_[index];
  if (!d.up || d.broken > 0 || d.outboundDisabled) return;
  int64_t delay = 0;
  for (int connection : d.outbound) {
    const Connection& c = connections_[connection];
    if (!c.notify) continue;
    queue_.after(delay, [this, index, nc, destination = c.kcc.destination] {
      // A notification is an RPC to the partner: it must get there.
      if (!network_.reachable(dcs_[index].site, dcs_[destination].site)) return;
      ++counts_.notifications;
      startPull(destination, index, nc, PullReason::Notification);
    });
    delay += scenario_.notifySubsequent;
  }
}

void World::schedulePoll(int connection, int64_t at) {
  queue_.at(at, [this, connection] {
    const Connection& c = connections_[connection];
    for (dc::NamingContext nc : kNamingContexts) startPull(c.kcc.destination, c.kcc.source, nc, PullReason::Schedule);
    int64_t next = c.kcc.interSite ? nextInterSitePoll(c, queue_.now()) : queue_.now() + scenario_.intraSitePoll;
    if (next != INT64_MAX) schedulePoll(connection, next);
  });
}

int64_t World::nextInterSitePoll(const Connection& c, int64_t after) const {
  return nextOpenInstant(c.schedule, after + c.interval);
}

void World::startWorkload() {
  for (const SimDc& d : dcs_) workloadRngs_.push_back(randomStream(seed_, "workload/" + d.name));
  if (scenario_.changesPerDcPerHour <= 0 || workloadUsers_.empty()) return;
  for (size_t i = 0; i < dcs_.size(); ++i) {
    if (dcs_[i].readOnly) continue;
    queue_.after(exponential(workloadRngs_[i], 3600e6 / scenario_.changesPerDcPerHour),
                 [this, i] { backgroundChange(static_cast<int>(i)); });
  }
}

void World::backgroundChange(int index) {
  SimDc& d = dcs_[index];
  dc::Xoshiro256& rng = workloadRngs_[index];
  const std::string& user = workloadUsers_[uniformBelow(rng, workloadUsers_.size())];
  if (d.up) {
    dc::Status changed = d.dir->modify(
        user, {{dc::Change::Op::Replace, "description", {fmt::format("changed on {} at {}", d.name, elapsed())}}});
    if (changed.isOk()) originated(index, user, {"description"});
  }
  queue_.after(exponential(rng, 3600e6 / scenario_.changesPerDcPerHour), [this, index] { backgroundChange(index); });
}

}  // namespace dcemu::sim
