// The per-DC replication scheduler both harnesses drive: when it pulls and
// from whom. A harness here records what the scheduler asks of it, on a
// small virtual clock; the transport holds each request until the test
// answers it.
#include "node/replication_scheduler.h"

#include <catch2/catch.hpp>
#include <map>

#include "replication/win32.h"
#include "tests/dc/test_domain.h"

namespace dcemu::node {
namespace {

constexpr int64_t kSecond = 1'000'000;

class RecordingHarness final : public Harness {
 public:
  struct Held {
    int source;
    std::function<void(replication::TransportReply)> done;
  };
  class HeldTransport final : public replication::PullTransport {
   public:
    HeldTransport(RecordingHarness& harness, int source) : harness_(harness), source_(source) {}
    void getNcChanges(const dc::Guid&, std::string, std::function<void(replication::TransportReply)> done) override {
      harness_.held.push_back({source_, std::move(done)});
    }

   private:
    RecordingHarness& harness_;
    int source_;
  };

  int64_t now() const override { return now_; }
  void at(int64_t when, std::function<void()> fn) override {
    events_.emplace(std::pair(when, sequence_++), std::move(fn));
  }
  void after(int64_t micros, std::function<void()> fn) override { at(now_ + micros, std::move(fn)); }
  dc::Guid dsaOf(int dc) const override {
    dc::Guid guid;
    guid.bytes[0] = static_cast<uint8_t>(dc + 1);
    return guid;
  }
  std::shared_ptr<replication::PullTransport> transportTo(int, int source, bool) override {
    return std::make_shared<HeldTransport>(*this, source);
  }
  void deliverNotification(int source, int destination, dc::NamingContext) override {
    notifications.push_back({now_, source, destination});
  }
  void pullEnded(int, const PullEnded& ended) override { ended_.push_back(ended.result->win32); }
  void pullRefused(int, int source, dc::NamingContext, const replication::PullResult& result) override {
    refused.push_back({source, result.win32});
  }

  void runUntil(int64_t when) {
    while (!events_.empty() && events_.begin()->first.first <= when) {
      auto event = events_.extract(events_.begin());
      now_ = event.key().first;
      event.mapped()();
    }
    now_ = when;
  }
  // Fails the oldest held request with `win32`.
  void fail(uint32_t win32) {
    Held h = std::move(held.front());
    held.erase(held.begin());
    h.done({win32, {}, std::string(replication::win32::message(win32))});
  }

  struct Notification {
    int64_t at;
    int source, destination;
  };
  std::vector<Notification> notifications;
  std::vector<Held> held;
  std::vector<std::pair<int, uint32_t>> refused;
  std::vector<uint32_t> ended_;

 private:
  int64_t now_ = 0;
  uint64_t sequence_ = 0;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> events_;
};

// DC 0 with partners 1 (same site) and 2 (another site, no USE_NOTIFY):
// 0 replicates from both, and both replicate from 0.
std::vector<replication::Connection> threeDcs() {
  auto link = [](int destination, int source, bool interSite) {
    replication::Connection c;
    c.kcc = {destination, source, interSite, interSite ? 0 : -1};
    c.notify = !interSite;
    c.interval = interSite ? 3 * 3600 * kSecond : 0;
    return c;
  };
  return {link(0, 1, false), link(0, 2, true), link(1, 0, false), link(2, 0, true)};
}

replication::ReplicationSettings windowsDefaults() {
  return replication::ReplicationSettings{};
}

TEST_CASE("Changes within the first notification delay notify each intra-site partner once, 15 s after the first",
          "[node][notification]") {
  // MS-ADTS 3.1.1.4.5.2 / Windows Server 2003 and later: the first partner
  // hears 15 s after a change, each further partner 3 s after the one before.
  RecordingHarness harness;
  ReplicationScheduler node(0, harness, windowsDefaults(), threeDcs());
  node.changed(dc::NamingContext::Domain, false);
  harness.runUntil(5 * kSecond);
  node.changed(dc::NamingContext::Domain, false);
  harness.runUntil(60 * kSecond);
  REQUIRE(harness.notifications.size() == 1);  // DC 2 is across a link without USE_NOTIFY
  CHECK(harness.notifications[0].at == 15 * kSecond);
  CHECK(harness.notifications[0].destination == 1);
}

TEST_CASE("An urgent change notifies at once", "[node][notification]") {
  RecordingHarness harness;
  ReplicationScheduler node(0, harness, windowsDefaults(), threeDcs());
  node.changed(dc::NamingContext::Domain, true);
  harness.runUntil(0);
  REQUIRE(harness.notifications.size() == 1);
  CHECK(harness.notifications[0].at == 0);
}

TEST_CASE("A DC that stops before its notification delay ends never sends it", "[node][notification]") {
  RecordingHarness harness;
  ReplicationScheduler node(0, harness, windowsDefaults(), threeDcs());
  node.changed(dc::NamingContext::Domain, false);
  node.stop();
  node.start();
  harness.runUntil(60 * kSecond);
  CHECK(harness.notifications.empty());
}

TEST_CASE("A pull asked for while one runs runs once more after it, not twice at once", "[node][pull]") {
  dc::testing::TestDomain domain;
  RecordingHarness harness;
  ReplicationScheduler node(0, harness, windowsDefaults(), threeDcs());
  node.attach(&domain.dir(), harness.dsaOf(0));
  node.pull(1, dc::NamingContext::Domain, PullReason::Notification);
  node.pull(1, dc::NamingContext::Domain, PullReason::Notification);
  node.pull(1, dc::NamingContext::Domain, PullReason::Notification);
  REQUIRE(harness.held.size() == 1);
  harness.fail(replication::win32::kRpcServerUnavailable);
  REQUIRE(harness.held.size() == 1);  // the one asked for meanwhile
  harness.fail(replication::win32::kRpcServerUnavailable);
  CHECK(harness.held.empty());
  // The failure is reported when it starts, not at every retry.
  CHECK(harness.refused == std::vector<std::pair<int, uint32_t>>{{1, replication::win32::kRpcServerUnavailable}});
}

TEST_CASE("Inbound replication disabled refuses scheduled pulls but not forced ones", "[node][pull]") {
  // repadmin /options +DISABLE_INBOUND_REPL; /replicate /force still runs.
  dc::testing::TestDomain domain;
  RecordingHarness harness;
  ReplicationScheduler node(0, harness, windowsDefaults(), threeDcs());
  node.attach(&domain.dir(), harness.dsaOf(0));
  node.inboundDisabled = true;
  node.pull(1, dc::NamingContext::Domain, PullReason::Schedule);
  CHECK(harness.held.empty());
  node.pull(1, dc::NamingContext::Domain, PullReason::Step, {.forced = true});
  CHECK(harness.held.size() == 1);
}

TEST_CASE("Intra-site partners are polled hourly, inter-site ones at the path's interval", "[node][schedule]") {
  dc::testing::TestDomain domain;
  RecordingHarness harness;
  ReplicationScheduler node(0, harness, windowsDefaults(), threeDcs());
  node.attach(&domain.dir(), harness.dsaOf(0));
  node.startPolling(0, 0);
  node.startPolling(1, 0);
  harness.runUntil(0);
  CHECK(harness.held.size() == 6);  // three naming contexts from each partner
  while (!harness.held.empty()) harness.fail(replication::win32::kRpcServerUnavailable);
  harness.runUntil(3600 * kSecond);
  CHECK(harness.held.size() == 3);  // the intra-site partner again
  while (!harness.held.empty()) harness.fail(replication::win32::kRpcServerUnavailable);
  harness.runUntil(3 * 3600 * kSecond);
  CHECK(harness.held.size() == 6);  // hour three: both
}

}  // namespace
}  // namespace dcemu::node
