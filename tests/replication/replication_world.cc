#include "replication_world.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>

#include "dc/provision.h"
#include "replication/convergence.h"

namespace dcemu::replication::testing {

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
  auto difference = replication::firstDifference(*dcs_[a].dir, *dcs_[b].dir);
  if (!difference) return difference.status().toString();
  if (!*difference) return {};
  const ReplicaDifference& d = **difference;
  return fmt::format("{} ({}) differs between DC{} and DC{}: {}", d.object, dc::namingContextName(d.namingContext), a,
                     b, d.what);
}

}  // namespace dcemu::replication::testing
