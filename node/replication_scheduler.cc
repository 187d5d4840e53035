#include "node/replication_scheduler.h"

#include <algorithm>
#include <map>
#include <set>

#include "dc/text.h"

namespace dcemu::node {

std::string_view pullReasonName(PullReason reason) {
  static constexpr std::string_view kNames[] = {"notification", "schedule", "step", "restart", "settle", "secret"};
  return kNames[static_cast<int>(reason)];
}

ReplicationScheduler::ReplicationScheduler(int index, Harness& harness,
                                           const replication::ReplicationSettings& settings,
                                           const std::vector<replication::Connection>& connections)
    : index_(index), harness_(harness), settings_(settings) {
  for (const replication::Connection& c : connections) {
    if (c.kcc.destination == index) inbound_.push_back(c);
    if (c.kcc.source == index) outbound_.emplace_back(c.kcc.destination, c.notify);
  }
}

void ReplicationScheduler::pull(int source, dc::NamingContext nc, PullReason reason, PullFlags flags,
                                std::function<void(const replication::PullResult&)> then) {
  if (!up_ || broken > 0 || (inboundDisabled && !flags.forced)) return;
  PullSlot& slot = pulls_[{source, static_cast<int>(nc)}];
  if (slot.running) {
    slot.again = true;
    return;
  }
  slot.running = true;
  int64_t started = harness_.now();
  std::shared_ptr<replication::PullTransport> transport = harness_.transportTo(index_, source, flags.forced);
  replication::PullOptions options = settings_.pull;
  options.fullSync = flags.full;
  replication::pullNamingContext(
      *dir_, dsa_, harness_.dsaOf(source), nc, *transport, options,
      [this, transport, source, nc, reason, started, then = std::move(then)](replication::PullResult result) {
        finish(source, nc, reason, started, result, then);
      });
}

void ReplicationScheduler::finish(int source, dc::NamingContext nc, PullReason reason, int64_t started,
                                  const replication::PullResult& r,
                                  const std::function<void(const replication::PullResult&)>& then) {
  harness_.pullEnded(index_, {source, nc, reason, started, &r});
  if (then) then(r);
  PullSlot& slot = pulls_[{source, static_cast<int>(nc)}];
  slot.running = false;
  if (r.win32 != 0 && r.win32 != slot.lastResult) harness_.pullRefused(index_, source, nc, r);
  slot.lastResult = r.win32;
  // What a DC takes in, it tells its own partners about, as AD notifies
  // after any committed change.
  if (r.counts.attributesApplied + r.counts.linksApplied > 0 && !quiet_) changed(nc, false);
  if (slot.again) {
    slot.again = false;
    pull(source, nc, reason);
  }
}

void ReplicationScheduler::changed(dc::NamingContext nc, bool urgent) {
  auto& pending = notifyPending_[static_cast<int>(nc)];
  if (pending && !urgent) return;
  pending = true;
  uint64_t generation = generation_;
  harness_.after(urgent ? 0 : settings_.notifyFirst, [this, nc, generation] {
    if (generation_ != generation || !notifyPending_[static_cast<int>(nc)]) return;
    notifyPending_[static_cast<int>(nc)] = false;
    sendNotifications(nc);
  });
}

void ReplicationScheduler::originated(const std::string& dn, const std::vector<std::string>& attributes) {
  if (!dir_) return;
  // The schema NC's DN ends with the configuration NC's: ask for it first.
  dc::NamingContext nc = dc::NamingContext::Domain;
  for (dc::NamingContext candidate : {dc::NamingContext::Schema, dc::NamingContext::Configuration}) {
    if (dc::toLower(dn).ends_with(dc::toLower(dir_->namingContextDn(candidate).toString()))) {
      nc = candidate;
      break;
    }
  }
  bool urgent = std::any_of(attributes.begin(), attributes.end(), [](const std::string& name) {
    const dc::AttributeDef* attr = dc::Schema::builtin().attribute(name);
    return attr && attr->urgent;
  });
  changed(nc, urgent);
}

void ReplicationScheduler::sendNotifications(dc::NamingContext nc) {
  if (!up_ || broken > 0 || outboundDisabled) return;
  int64_t delay = 0;
  for (auto [destination, notifies] : outbound_) {
    if (!notifies) continue;
    harness_.after(delay, [this, nc, destination] { harness_.deliverNotification(index_, destination, nc); });
    delay += settings_.notifySubsequent;
  }
}

void ReplicationScheduler::startPolling(size_t i, int64_t when) {
  harness_.at(when, [this, i] { poll(i); });
}

void ReplicationScheduler::poll(size_t i) {
  const replication::Connection& c = inbound_[i];
  for (dc::NamingContext nc : kNamingContexts) pull(c.kcc.source, nc, PullReason::Schedule);
  int64_t now = harness_.now();
  int64_t next =
      c.kcc.interSite ? replication::nextOpenInstant(c.schedule, now + c.interval) : now + settings_.intraSitePoll;
  if (next != INT64_MAX) startPolling(i, next);
}

void ReplicationScheduler::stop() {
  if (!up_) return;
  up_ = false;
  ++generation_;
  notifyPending_ = {};
  // Pulls it had running die with it; its store keeps every committed batch.
  for (auto& [key, slot] : pulls_) slot = PullSlot{};
  dir_ = nullptr;
}

void ReplicationScheduler::start() {
  up_ = true;
  ++generation_;
}

void ReplicationScheduler::pullFromEveryPartner(PullReason reason, PullFlags flags) {
  for (const replication::Connection& c : inbound_)
    for (dc::NamingContext nc : kNamingContexts) pull(c.kcc.source, nc, reason, flags);
}

void ReplicationScheduler::quiesce() {
  quiet_ = true;
  pulls_.clear();
  notifyPending_ = {};
}

}  // namespace dcemu::node
