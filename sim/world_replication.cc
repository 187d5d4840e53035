// Replication in the world: pulls over the simulated network, change
// notification, the scheduled intra- and inter-site pulls, and the
// background workload.
#include <fmt/format.h>

#include "dc/random_stream.h"
#include "replication/source.h"
#include "replication/win32.h"
#include "sim/world.h"

namespace dcemu::sim {

namespace {

// How long an RPC to an unreachable partner takes to fail: Windows' TCP
// connect gives up after about 21 seconds (three SYNs).
constexpr int64_t kUnreachableAfter = 21'000'000;

}  // namespace

// One destination's way to its sources for one pull: requests and replies
// cross the simulated network as their encoded bytes. When the destination
// stops or is restored while a message is on its way, the message is
// dropped and the pull with it, as a process that died would drop it.
class World::Transport final : public replication::PullTransport {
 public:
  Transport(World& world, int destination, bool forced)
      : world_(world),
        destination_(destination),
        forced_(forced),
        generation_(world.dcs_[destination].node->replication().generation()) {}

  void getNcChanges(const dc::Guid& sourceDsa, std::string request,
                    std::function<void(replication::TransportReply)> done) override {
    int source = world_.dcOfDsa(sourceDsa);
    int from = world_.dcs_[destination_].site, to = world_.dcs_[source].site;
    auto there = world_.network_.transferTime(from, to, request.size());
    if (!there) return failLater(kUnreachableAfter, std::move(done), replication::win32::kRpcServerUnavailable);
    // A connection that fails today (imported from repadmin): its pulls fail
    // with its error, an unreachable server's after the RPC timeout.
    if (auto broken = world_.brokenConnections_.find({destination_, source});
        broken != world_.brokenConnections_.end() && !broken->second.empty()) {
      uint32_t error = broken->second.back();
      return failLater(error == replication::win32::kRpcServerUnavailable ? kUnreachableAfter : 2 * *there,
                       std::move(done), error);
    }
    world_.queue_.after(*there, [this, source, from, to, request = std::move(request),
                                 done = std::move(done)]() mutable {
      SimDc& s = world_.dcs_[source];
      const node::ReplicationScheduler& sourceNode = world_.dcs_[source].node->replication();
      replication::TransportReply answer;
      if (!sourceNode.up() || !world_.network_.reachable(from, to)) {
        return failLater(kUnreachableAfter, std::move(done), replication::win32::kRpcServerUnavailable);
      } else if (sourceNode.broken > 0) {
        answer = {
            replication::win32::kEndpointNotRegistered, {}, fmt::format("{}: no replication endpoint", s.node->name())};
      } else if (sourceNode.outboundDisabled && !forced_) {
        answer = {replication::win32::kSourceDisabled,
                  {},
                  fmt::format("{}: outbound replication is disabled", s.node->name())};
      } else {
        answer = replication::answerGetNcChanges(*s.node->directory(), s.node->settings().dsa, request);
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
      if (world_.dcs_[destination_].node->replication().generation() == generation_) done(std::move(reply));
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
    if (dcs_[i].node->settings().dsa == dsa) return static_cast<int>(i);
  return -1;
}

std::shared_ptr<replication::PullTransport> World::transportTo(int destination, int, bool forced) {
  return std::make_shared<Transport>(*this, destination, forced);
}

void World::startPull(int destination, int source, dc::NamingContext nc, PullReason reason, bool forced, bool full,
                      const scenario::Step* step) {
  std::function<void(const replication::PullResult&)> then;
  if (step) {
    then = [this, destination, source, nc, step](const replication::PullResult& r) {
      if (r.win32 != 0)
        findings_.push_back(
            {elapsed(), fmt::format("{}: replicate {} from {} to {}: error {}: {}", step->where.toString(),
                                    dc::namingContextName(nc), dcs_[source].node->name(),
                                    dcs_[destination].node->name(), r.win32, r.error)});
    };
  }
  dcs_[destination].node->replication().pull(source, nc, reason, {forced, full}, std::move(then));
}

void World::pullEnded(int destination, const node::PullEnded& ended) {
  const replication::PullResult& r = *ended.result;
  ++counts_.pulls;
  if (r.win32 != 0) ++counts_.pullsFailed;
  counts_.chunks += r.chunks;
  counts_.bytes += r.bytesSent + r.counts.bytesReceived;
  counts_.applied += r.counts;
  const replication::ApplyCounts& c = r.counts;
  trace_.record(
      {ended.started - scenario_.start,
       queue_.now() - ended.started,
       destination,
       "pull",
       fmt::format("pull {} from {}", dc::namingContextName(ended.namingContext), dcs_[ended.source].node->name()),
       {{"reason", std::string(node::pullReasonName(ended.reason))},
        {"result", std::to_string(r.win32)},
        {"objects", std::to_string(c.objectsReceived)},
        {"applied", std::to_string(c.attributesApplied)},
        {"lost", std::to_string(c.attributesLost)},
        {"links", std::to_string(c.linksApplied)},
        {"linksLost", std::to_string(c.linksLost)},
        {"conflicts", std::to_string(c.nameConflicts)}}});
}

void World::deliverNotification(int source, int destination, dc::NamingContext nc) {
  // A notification is an RPC to the partner: it must get there.
  if (!network_.reachable(dcs_[source].site, dcs_[destination].site)) return;
  ++counts_.notifications;
  startPull(destination, source, nc, PullReason::Notification);
}

void World::startWorkload() {
  for (const SimDc& d : dcs_) workloadRngs_.push_back(dc::randomStream(seed_, "workload/" + d.node->name()));
  if (scenario_.changesPerDcPerHour <= 0 || layout_.workloadUsers.empty()) return;
  for (size_t i = 0; i < dcs_.size(); ++i) {
    if (dcs_[i].node->readOnly()) continue;
    queue_.after(dc::exponential(workloadRngs_[i], 3600e6 / scenario_.changesPerDcPerHour),
                 [this, i] { backgroundChange(static_cast<int>(i)); });
  }
}

void World::backgroundChange(int index) {
  SimDc& d = dcs_[index];
  dc::Xoshiro256& rng = workloadRngs_[index];
  const std::string& user = layout_.workloadUsers[dc::uniformBelow(rng, layout_.workloadUsers.size())];
  if (dcs_[index].node->replication().up()) {
    dc::Status changed = d.node->directory()->modify(
        user,
        {{dc::Change::Op::Replace, "description", {fmt::format("changed on {} at {}", d.node->name(), elapsed())}}});
    if (changed.isOk()) originated(index, user, {"description"});
  }
  queue_.after(dc::exponential(rng, 3600e6 / scenario_.changesPerDcPerHour),
               [this, index] { backgroundChange(index); });
}

}  // namespace dcemu::sim
