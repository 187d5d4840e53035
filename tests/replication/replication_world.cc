#include "replication_world.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>

#include "dc/provision.h"

namespace dcemu::replication::testing {
namespace {

std::string describeStamp(const dc::Stamp& s) {
  return fmt::format("v{} t{} {} usn{}", s.version, s.originatingTime,
                     s.originatingInvocationId.toString().substr(0, 8), s.originatingUsn);
}

std::string describeDifference(const dc::Object& x, const dc::Object& y) {
  if (x.parent != y.parent) return "parent";
  const dc::Schema& schema = dc::Schema::builtin();
  for (const auto& a : x.attributes) {
    const dc::AttributeEntry* b = y.find(a.id);
    std::string name = schema.attributeById(a.id) ? schema.attributeById(a.id)->name : std::to_string(a.id);
    if (!b) return name + " missing on the second";
    if (a.values != b->values || a.stamp != b->stamp)
      return fmt::format("{}: {} values [{}] vs {} values [{}]", name, describeStamp(a.stamp), a.values.size(),
                         describeStamp(b->stamp), b->values.size());
  }
  for (const auto& l : x.links) {
    const dc::LinkEntry* m = y.findLink(l.attributeId, l.target);
    if (!m) return "link to " + l.target.toString() + " missing on the second";
    if (!(l.active == m->active && l.stamp == m->stamp && l.timeCreated == m->timeCreated))
      return fmt::format("link to {}: active {} {} vs active {} {}", l.target.toString().substr(0, 8), l.active,
                         describeStamp(l.stamp), m->active, describeStamp(m->stamp));
  }
  return "attribute or link count";
}

}  // namespace

void ManualTimer::after(int64_t micros, std::function<void()> fn) {
  queue_.push(Event{clock_.nowMicros() + std::max<int64_t>(micros, 0), sequence_++, std::move(fn)});
}

void ManualTimer::runUntilIdle() {
  while (!queue_.empty()) {
    Event next = queue_.top();
    queue_.pop();
    if (next.at > clock_.nowMicros()) clock_.set(next.at);
    next.fn();
  }
}

void require(const dc::Status& status) {
  INFO(status.toString());
  REQUIRE(status.isOk());
}

ReplicationWorld::ReplicationWorld(int dcs, uint64_t seed, std::vector<int> readOnly)
    : env_(dc::StoreEnv::inMemory(16 << 20)) {
  dc::Xoshiro256 ids(seed);
  for (int i = 0; i < dcs; ++i) {
    Dc d;
    d.dsa = dc::Guid::random(ids);
    d.readOnly = std::find(readOnly.begin(), readOnly.end(), i) != readOnly.end();
    d.rng = std::make_unique<dc::Xoshiro256>(seed * 1000003 + static_cast<uint64_t>(i));
    dcs_.push_back(std::move(d));
    open(i);
    transport_.addSource(dcs_[i].dsa, *dcs_[i].dir);
  }
  dc::Status provisioned = dc::provisionForest(*dcs_[0].dir, *dcs_[0].rng);
  INFO(provisioned.toString());
  REQUIRE(provisioned.isOk());
  for (int i = 1; i < dcs; ++i) pullAll(i, 0);
}

void ReplicationWorld::open(int i) {
  Dc& d = dcs_[i];
  d.dir.reset();
  d.store.reset();
  auto store = dc::Store::open(*env_, fmt::format("/dc{}", i));
  REQUIRE(store.isOk());
  d.store = std::move(*store);
  auto dir = dc::Directory::open(*d.store, dc::DirectoryOptions{"corp.example.com", d.readOnly}, clock_, *d.rng);
  REQUIRE(dir.isOk());
  d.dir = std::move(*dir);
}

void ReplicationWorld::reopen(int i) {
  open(i);
  transport_.addSource(dcs_[i].dsa, *dcs_[i].dir);
}

PullResult ReplicationWorld::pull(int destination, int source, dc::NamingContext nc, const PullOptions& options) {
  std::optional<PullResult> result;
  pullNamingContext(*dcs_[destination].dir, dcs_[destination].dsa, dcs_[source].dsa, nc, transport_, options,
                    [&](PullResult r) { result = std::move(r); });
  timer_.runUntilIdle();
  REQUIRE(result.has_value());
  totals_ += result->counts;
  return std::move(*result);
}

void ReplicationWorld::pullAll(int destination, int source, const PullOptions& options) {
  for (auto nc : {dc::NamingContext::Configuration, dc::NamingContext::Schema, dc::NamingContext::Domain}) {
    PullResult r = pull(destination, source, nc, options);
    INFO(fmt::format("DC{} pulling {} from DC{}: {} {}", destination, dc::namingContextName(nc), source, r.win32,
                     r.error));
    REQUIRE(r.win32 == 0);
  }
}

int ReplicationWorld::syncUntilQuiet(int maxRounds) {
  for (int round = 1; round <= maxRounds; ++round) {
    uint64_t applied = 0;
    for (int d = 0; d < size(); ++d) {
      for (int s = 0; s < size(); ++s) {
        if (s == d || dcs_[s].readOnly) continue;
        for (auto nc : {dc::NamingContext::Configuration, dc::NamingContext::Schema, dc::NamingContext::Domain}) {
          PullResult r = pull(d, s, nc);
          INFO(fmt::format("DC{} pulling from DC{}: {} {}", d, s, r.win32, r.error));
          REQUIRE(r.win32 == 0);
          applied += r.counts.attributesApplied + r.counts.linksApplied;
        }
      }
    }
    if (applied == 0) return round;
  }
  FAIL("replication did not quiesce in " << maxRounds << " rounds");
  return maxRounds;
}

std::string ReplicationWorld::firstDifference(int a, int b) {
  for (auto nc : {dc::NamingContext::Schema, dc::NamingContext::Configuration, dc::NamingContext::Domain}) {
    std::map<dc::Guid, dc::Object> objects[2];
    for (int side = 0; side < 2; ++side) {
      dc::Status s = dcs_[side == 0 ? a : b].store->forEachChangeSince(nc, 0, [&](const dc::Object& obj) {
        objects[side].emplace(obj.guid, obj);
        return true;
      });
      if (!s.isOk()) return s.toString();
    }
    for (const auto& [guid, obj] : objects[0]) {
      auto other = objects[1].find(guid);
      std::string name = dcs_[a].dir->dnOf(guid).valueOr(guid.toString());
      if (other == objects[1].end()) return fmt::format("{} is on DC{} only", name, a);
      if (!obj.sameReplicaAs(other->second))
        return fmt::format("{} differs between DC{} and DC{}: {}", name, a, b, describeDifference(obj, other->second));
    }
    for (const auto& [guid, obj] : objects[1]) {
      if (!objects[0].count(guid)) return fmt::format("{} is on DC{} only", guid.toString(), b);
    }
  }
  return {};
}

}  // namespace dcemu::replication::testing
