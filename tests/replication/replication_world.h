// Several DCs of one domain in one memory Env, pulling from each other
// through the in-process transport on a manual timer, for tests.
#pragma once

#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "dc/rng.h"
#include "dc/store.h"
#include "replication/in_process_transport.h"
#include "replication/pull.h"

namespace dcemu::replication::testing {

// 2026-01-05T00:00:00Z, the reference examples' epoch.
inline constexpr int64_t kEpochMicros = 1767571200LL * 1000000;

// Runs delayed calls in (time, sequence) order, moving the clock to each.
class ManualTimer : public Timer {
 public:
  explicit ManualTimer(dc::ManualClock& clock) : clock_(clock) {}
  void after(int64_t micros, std::function<void()> fn) override;
  void runUntilIdle();

 private:
  struct Event {
    int64_t at;
    uint64_t sequence;
    std::function<void()> fn;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : sequence > o.sequence; }
  };
  dc::ManualClock& clock_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  uint64_t sequence_ = 0;
};

// Fail the test, with the refusal's message, unless an operation succeeded.
void require(const dc::Status& status);
template <typename T>
T require(dc::Result<T> result) {
  require(result.status());
  return std::move(result).value();
}

class ReplicationWorld {
 public:
  // DC 0 provisions the forest; the others join with a full pull from DC 0.
  // DCs listed in `readOnly` are RODCs.
  explicit ReplicationWorld(int dcs, uint64_t seed = 1, std::vector<int> readOnly = {});

  int size() const { return static_cast<int>(dcs_.size()); }
  dc::Directory& dc(int i) { return *dcs_[i].dir; }
  const dc::Guid& dsa(int i) const { return dcs_[i].dsa; }
  dc::ManualClock& clock() { return clock_; }
  InProcessTransport& transport() { return transport_; }
  std::string dn(const std::string& relative) const { return relative + ",DC=corp,DC=example,DC=com"; }

  // `destination` pulls `nc` from `source`; runs the timer until it ends.
  PullResult pull(int destination, int source, dc::NamingContext nc = dc::NamingContext::Domain,
                  const PullOptions& options = {});
  // `destination` pulls every naming context from `source`; fails the test on error.
  void pullAll(int destination, int source, const PullOptions& options = {});
  // Every writable-sourced pair pulls until a full round changes nothing;
  // returns the rounds taken.
  int syncUntilQuiet(int maxRounds = 10);

  // Empty when the two replicas hold the same objects, values, stamps and
  // linked values; otherwise the first difference.
  std::string firstDifference(int a, int b);
  // Everything every pull so far applied, lost and renamed.
  const ApplyCounts& totals() const { return totals_; }
  // Closes and reopens DC i's store and directory.
  void reopen(int i);

 private:
  struct Dc {
    dc::Guid dsa;
    bool readOnly = false;
    std::unique_ptr<dc::Xoshiro256> rng;
    std::unique_ptr<dc::Store> store;
    std::unique_ptr<dc::Directory> dir;
  };
  void open(int i);

  std::unique_ptr<dc::StoreEnv> env_;
  dc::ManualClock clock_{kEpochMicros};
  ManualTimer timer_{clock_};
  InProcessTransport transport_{timer_};
  std::vector<Dc> dcs_;
  ApplyCounts totals_;
};

}  // namespace dcemu::replication::testing
