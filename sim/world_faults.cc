// Faults: each kind of scenario-format.md's table, started at `from` and
// ended at `to` by events on the queue.
#include <fmt/format.h>

#include "dc/garbage_collection.h"
#include "dc/random_stream.h"
#include "sim/world.h"

namespace dcemu::sim {

namespace {
constexpr int64_t kDay = int64_t{24} * 3600 * 1'000'000;
constexpr int64_t kDefaultRandomPartitionMean = int64_t{3600} * 1'000'000;
}  // namespace

void World::scheduleFault(const scenario::Fault& fault, int id) {
  const int64_t start = scenario_.start;
  auto at = [&](int64_t when, std::function<void()> fn) { queue_.at(start + when, std::move(fn)); };
  auto mark = [this, &fault](bool begins, TraceArgs args = {}) {
    if (args.empty()) args = {{"line", std::to_string(fault.where.line)}};
    trace_.record(
        {elapsed(), 0, -1, "fault", fmt::format("{} {}", fault.kind, begins ? "begins" : "ends"), std::move(args)});
  };
  const std::string& kind = fault.kind;
  if (kind == "partition" || kind == "slow-link") {
    int link = scenario_.linkIndex(fault.link);
    bool slow = kind == "slow-link";
    at(fault.from, [this, link, slow, id, &fault, mark] {
      slow ? network_.slowLink(link, id, fault.latency) : network_.partitionLink(link, true);
      mark(true);
    });
    at(fault.to, [this, link, slow, id, mark] {
      slow ? network_.slowLink(link, id, std::nullopt) : network_.partitionLink(link, false);
      mark(false);
    });
  } else if (kind == "isolate-site") {
    int site = scenario_.siteIndex(fault.site);
    at(fault.from, [this, site, mark] { network_.isolateSite(site, true), mark(true); });
    at(fault.to, [this, site, mark] { network_.isolateSite(site, false), mark(false); });
  } else if (kind == "dc-down") {
    int dc = scenario_.dcIndex(fault.dc);
    at(fault.from, [this, dc, mark] { stopDc(dc), mark(true); });
    at(fault.to, [this, dc, mark] { restartDc(dc), mark(false); });
  } else if (kind == "replication-broken") {
    int dc = scenario_.dcIndex(fault.dc);
    at(fault.from, [this, dc, mark] { ++dcs_[dc].node->replication().broken, mark(true); });
    at(fault.to, [this, dc, mark] { --dcs_[dc].node->replication().broken, mark(false); });
  } else if (kind == "connection-broken") {
    std::pair<int, int> connection{scenario_.dcIndex(fault.dc), scenario_.dcIndex(fault.source)};
    at(fault.from, [this, connection, &fault, mark] {
      brokenConnections_[connection].push_back(fault.error);
      mark(true);
    });
    at(fault.to, [this, connection, mark] {
      auto& errors = brokenConnections_[connection];
      if (!errors.empty()) errors.erase(errors.begin());
      mark(false);
    });
  } else if (kind == "clock-skew") {
    int dc = scenario_.dcIndex(fault.dc);
    at(fault.from, [this, dc, &fault, mark] { dcs_[dc].clock->setSkew(fault.offset), mark(true); });
    at(fault.to, [this, dc, mark] { dcs_[dc].clock->setSkew(0), mark(false); });
  } else if (kind == "usn-rollback") {
    int dc = scenario_.dcIndex(fault.dc);
    std::string path = fmt::format("{}-snapshot-{}", dcs_[dc].storePath, id);
    at(fault.to, [this, dc, path, &fault] { takeSnapshot(dc, path, fault); });
    at(fault.from, [this, dc, path, &fault] { rollBack(dc, path, fault); });
  } else if (kind == "random-partitions") {
    // Per link, partitions start as a Poisson process of `rate` per day and
    // last an exponential time of mean `mean`, from the fault's own stream.
    std::vector<std::string> links = fault.links;
    if (links.empty())
      for (const scenario::SiteLink& link : scenario_.siteLinks) links.push_back(link.name);
    int64_t end = std::min(fault.to, scenario_.effectiveDuration());
    double mean = static_cast<double>(fault.mean > 0 ? fault.mean : kDefaultRandomPartitionMean);
    for (const std::string& name : links) {
      if (fault.rate <= 0) break;
      int link = scenario_.linkIndex(name);
      dc::Xoshiro256 rng = dc::randomStream(seed_, fmt::format("random-partitions/{}/{}", id, name));
      for (int64_t t = fault.from + dc::exponential(rng, kDay / fault.rate); t < end;
           t += dc::exponential(rng, kDay / fault.rate)) {
        int64_t length = std::max<int64_t>(1'000'000, dc::exponential(rng, mean));
        TraceArgs detail = {{"link", name}, {"line", std::to_string(fault.where.line)}};
        at(t, [this, link, mark, detail] { network_.partitionLink(link, true), mark(true, detail); });
        at(t + length, [this, link, mark, detail] { network_.partitionLink(link, false), mark(false, detail); });
      }
    }
  }
}

void World::stopDc(int index) {
  node::Node& node = *dcs_[index].node;
  if (!node.replication().up()) return;
  node.stop();
  node.close();
}

void World::restartDc(int index) {
  SimDc& d = dcs_[index];
  if (dcs_[index].node->replication().up()) return;
  dc::Status opened = openDc(index);
  if (!opened.isOk()) {
    findings_.push_back({elapsed(), fmt::format("{} cannot restart: {}", d.node->name(), opened.toString())});
    return;
  }
  dcs_[index].node->start();
  scheduleGarbageCollection(index, queue_.now() + dc::kFirstCollectionMicros);
  // A DC that starts replicates in from its partners before it settles
  // into its schedule (the initial synchronization).
  dcs_[index].node->replication().pullFromEveryPartner(PullReason::Restart);
}

void World::takeSnapshot(int index, const std::string& path, const scenario::Fault& fault) {
  SimDc& d = dcs_[index];
  bool up = dcs_[index].node->replication().up();
  dc::Status taken = up ? d.node->store()->checkpoint(path) : dc::Status::ok();
  if (!up) {
    // A DC that is off still has its database on disk: copy that.
    auto store = dc::Store::open(*env_, d.storePath);
    taken = store ? (*store)->checkpoint(path) : store.status();
  }
  if (!taken.isOk())
    findings_.push_back({elapsed(), fmt::format("{}: usn-rollback on {}: snapshot failed: {}", fault.where.toString(),
                                                d.node->name(), taken.toString())});
  trace_.record({elapsed(), 0, index, "fault", "usn-rollback snapshot", {{"line", std::to_string(fault.where.line)}}});
}

// The store becomes the snapshot, invocationID and all: what the DC wrote
// since, and the partners' changes it had taken in, are gone, while its
// partners' high-water marks and UTD vectors still say they saw its USNs.
void World::rollBack(int index, const std::string& path, const scenario::Fault& fault) {
  SimDc& d = dcs_[index];
  bool wasUp = dcs_[index].node->replication().up();
  stopDc(index);
  d.storePath = path;
  if (wasUp) restartDc(index);
  uint64_t usn = d.node->directory() ? d.node->directory()->highestCommittedUsn() : 0;
  trace_.record({elapsed(),
                 0,
                 index,
                 "fault",
                 "usn-rollback",
                 {{"line", std::to_string(fault.where.line)}, {"usn", std::to_string(usn)}}});
}

}  // namespace dcemu::sim
