#include "live/node_process.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "dc/garbage_collection.h"
#include "dc/random_stream.h"
#include "dc/text.h"
#include "live/cluster_files.h"
#include "live/live_node.h"
#include "live/node_kdc.h"
#include "replication/win32.h"
#include "scenario/loader.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

namespace dcemu::live {
namespace {

// How long an RPC to an unreachable partner takes to fail, as in the
// simulator: Windows' TCP connect gives up after about 21 seconds.
constexpr int64_t kUnreachableAfter = 21'000'000;
// A notification's size on the wire, for the link's transfer time.
constexpr uint64_t kNotificationBytes = 64;

}  // namespace

int64_t ScaledClock::nowMicros() {
  return ClusterClock{epoch_, scale_}.now(start_) + skew_;
}

// Delayed calls in simulated microseconds on the io_context's steady clock.
class LiveNode::ScaledTimer final : public replication::Timer {
 public:
  ScaledTimer(asio::io_context& io, double scale) : io_(io), scale_(scale) {}
  void after(int64_t micros, std::function<void()> fn) override {
    auto timer = std::make_shared<asio::steady_timer>(io_);
    timer->expires_after(
        std::chrono::microseconds(static_cast<int64_t>(static_cast<double>(std::max<int64_t>(micros, 0)) / scale_)));
    timer->async_wait([timer, fn = std::move(fn)](const asio::error_code& ec) {
      if (!ec) fn();
    });
  }

 private:
  asio::io_context& io_;
  double scale_;
};

// A pull's way to its source: the simulator's network model decides how
// long the request and the reply travel (or that no path is open), and the
// bytes go over RPC in between.
class LiveNode::NetworkTransport final : public replication::PullTransport {
 public:
  NetworkTransport(LiveNode& node, int source) : node_(node), source_(source) {}

  void getNcChanges(const dc::Guid& sourceDsa, std::string request,
                    std::function<void(replication::TransportReply)> done) override {
    int from = node_.scenario_.dcs[node_.index_].site, to = node_.scenario_.dcs[source_].site;
    auto there = node_.network_.transferTime(from, to, request.size());
    if (!there) return unreachable(std::move(done));
    node_.after(*there, [this, sourceDsa, from, to, request = std::move(request), done = std::move(done)]() mutable {
      node_.rpc_->getNcChanges(sourceDsa, std::move(request),
                               [this, from, to, done = std::move(done)](replication::TransportReply reply) mutable {
                                 // A DC that is down (a dc-down fault, or a
                                 // process not running) fails the pull after
                                 // the connect timeout, as in the simulator.
                                 if (reply.win32 == replication::win32::kRpcServerUnavailable)
                                   return unreachable(std::move(done));
                                 auto back = node_.network_.transferTime(to, from, reply.bytes.size());
                                 if (!back) return unreachable(std::move(done));
                                 node_.after(*back, [done = std::move(done), reply = std::move(reply)]() mutable {
                                   done(std::move(reply));
                                 });
                               });
    });
  }

 private:
  void unreachable(std::function<void(replication::TransportReply)> done) {
    node_.after(kUnreachableAfter, [done = std::move(done)] {
      done({replication::win32::kRpcServerUnavailable,
            {},
            std::string(replication::win32::message(replication::win32::kRpcServerUnavailable))});
    });
  }

  LiveNode& node_;
  int source_;
};

LiveNode::LiveNode(const scenario::Scenario& scenario, uint64_t seed, int index, scenario::DomainLayout layout,
                   int64_t epochUnixMicros, double scale, std::string secret)
    : scenario_(scenario),
      seed_(seed),
      index_(index),
      layout_(std::move(layout)),
      clock_(scenario.start, epochUnixMicros, scale),
      rng_(std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32)),
      secret_(std::move(secret)),
      network_(scenario, rng_.next()) {}

LiveNode::~LiveNode() noexcept {
  // The RPC objects hold promises and the node holds pulls over them: they
  // go before the loop and the store.
  http_.reset();
  server_.reset();
  kdc_.reset();
  rpc_.reset();
  node_.reset();
}

dc::Status LiveNode::start(const std::string& dataDirectory, const std::string& listenHost, uint16_t listenPort,
                           const Peers& peers, const std::string& metricsHost, uint16_t metricsPort, bool metrics) {
  const std::string storePath = dataDirectory + "/store";
  if (!std::filesystem::exists(storePath))
    DCEMU_RETURN_IF_ERROR(scenario::createReplicaStore(scenario_, seed_, index_, storePath));
  const scenario::DcSpec& self = scenario_.dcs[index_];
  node_ = std::make_unique<node::Node>(
      node::DcSettings{index_, self.name, scenario::directoryOptions(scenario_, index_), layout_.dsaInfos[index_].dsa,
                       scenario::kerberosPolicy(scenario_, index_), scenario::replicationSettings(scenario_)},
      *this, layout_.connections, clock_, dc::Xoshiro256(rng_.next()));
  env_ = dc::StoreEnv::onDisk(64 << 20);
  DCEMU_RETURN_IF_ERROR(node_->open(*env_, storePath));
  names_ = layout_.dsaNames();
  DCEMU_RETURN_IF_ERROR(watchTrackedDmsas(dataDirectory + "/risk.journal"));

  timer_ = std::make_unique<ScaledTimer>(io_, clock_.scale());
  rpc_ = std::make_unique<RpcPullTransport>(loop_, *timer_, secret_, tls_ ? &tls_->context() : nullptr);
  for (int dc = 0; dc < static_cast<int>(scenario_.dcs.size()); ++dc) {
    auto peer = peers.find(dc::toLower(scenario_.dcs[dc].name));
    if (peer != peers.end() && dc != index_)
      rpc_->addSource(dsaOf(dc), peer->second.host, peer->second.port, tlsName(nameOf(dc)));
  }
  server_ = std::make_unique<ReplicationServer>(loop_, *node_->directory(), layout_.dsaInfos[index_], names_, secret_);
  if (tls_) server_->requireTls(tls_->context());
  server_->setHooks(
      {[this](const dc::Guid& source, dc::NamingContext nc) {
         int dc = layout_.dcOfDsa(source);
         if (dc < 0) return;
         ++notificationsReceived_;
         node_->replication().pull(dc, nc, node::PullReason::Notification);
       },
       [this](const std::vector<std::string>& args) { return command(args); },
       [this]() -> std::pair<uint32_t, std::string> {
         // As the simulator answers: a DC that is off cannot be
         // reached; a broken endpoint is not registered.
         if (!node_->replication().up())
           return {replication::win32::kRpcServerUnavailable, nameOf(index_) + " is down"};
         if (node_->replication().broken > 0)
           return {replication::win32::kEndpointNotRegistered, nameOf(index_) + ": no replication endpoint"};
         return {0, ""};
       },
       &kdcService(),
       [this](std::string_view method, double seconds) {
         auto histogram = serveSeconds_.find(method);
         if (histogram == serveSeconds_.end())
           histogram =
               serveSeconds_
                   .emplace(std::string(method), Histogram({0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1}))
                   .first;
         histogram->second.observe(seconds);
       }});
  auto port = server_->listen(listenHost, listenPort);
  if (!port) return port.status();
  replicationPort_ = *port;
  if (metrics) {
    http_ = std::make_unique<HttpEndpoint>(loop_, HttpPages{[this] { return metricsText(); },
                                                            [this](std::string& text) {
                                                              text = fmt::format(
                                                                  "{} up; highest committed USN {}", nameOf(index_),
                                                                  node_->directory()->highestCommittedUsn());
                                                              return true;
                                                            }});
    auto served = http_->listen(metricsHost, metricsPort);
    if (!served) return served.status();
    metricsPort_ = *served;
  }

  // As in the simulator: each inbound connection polls from a phase in its
  // first interval drawn from the connection's seeded stream (the
  // simulator's phases), and a starting DC replicates in first. A node
  // started before simulated time zero (a cluster's DCs start just before
  // it) begins its schedule there, as the simulator's DCs all do.
  const int64_t start = std::max(now(), scenario_.start);
  for (size_t i = 0; i < node_->replication().inbound().size(); ++i) {
    int64_t first = scenario::seededFirstPoll(scenario_, seed_, node_->replication().inbound()[i], start);
    if (first != INT64_MAX) node_->replication().startPolling(i, first);
  }
  node_->replication().pullFromEveryPartner(node::PullReason::Restart);
  scheduleGarbageCollection(start + dc::kFirstCollectionMicros);
  scheduleTimeline();
  if (!self.rodc && scenario_.changesPerDcPerHour > 0 && !layout_.workloadUsers.empty()) scheduleWorkload();
  return dc::Status::ok();
}

void LiveNode::scheduleWorkload() {
  after(dc::exponential(rng_, 3600e6 / scenario_.changesPerDcPerHour), [this, generation = workloadGeneration_] {
    if (generation != workloadGeneration_) return;
    const std::vector<std::string>& users = layout_.workloadUsers;
    const std::string& user = users[dc::uniformBelow(rng_, users.size())];
    dc::Status changed = node_->directory()->modify(
        user,
        {{dc::Change::Op::Replace,
          "description",
          {fmt::format("changed on {} at {}", nameOf(index_), scenario::formatDuration(now() - scenario_.start))}}});
    if (changed.isOk()) originated(user, {"description"});
    scheduleWorkload();
  });
}

void LiveNode::run() {
  asio::signal_set signals(io_, SIGTERM, SIGINT);
  bool stopping = false;
  signals.async_wait([&](const asio::error_code& ec, int) {
    if (!ec) stopping = true;
  });
  log(fmt::format("{} serving replication on port {}{}", nameOf(index_), replicationPort_,
                  http_ ? fmt::format(", metrics on port {}", metricsPort_) : ""));
  loop_.runUntil([&] { return stopping; });
  log(fmt::format("{} stopping", nameOf(index_)));
}

void LiveNode::after(int64_t micros, std::function<void()> fn) {
  timer_->after(micros, std::move(fn));
}

std::shared_ptr<replication::PullTransport> LiveNode::transportTo(int, int source, bool) {
  return std::make_shared<NetworkTransport>(*this, source);
}

void LiveNode::deliverNotification(int source, int destination, dc::NamingContext nc) {
  int from = scenario_.dcs[source].site, to = scenario_.dcs[destination].site;
  auto delay = network_.transferTime(from, to, kNotificationBytes);
  if (!delay) return;  // a notification is an RPC: it must get there
  ++notificationsSent_;
  after(*delay, [this, destination, nc] { rpc_->notify(dsaOf(destination), dsaOf(index_), nc); });
}

void LiveNode::pullEnded(int, const node::PullEnded& ended) {
  const replication::PullResult& r = *ended.result;
  applied_ += r.counts;
  PartnerStats& partner = partners_[ended.source];
  ++partner.pulls;
  partner.lastResult = r.win32;
  if (r.win32 == 0) {
    partner.consecutiveFailures = 0;
    partner.lastSuccess = now();
  } else {
    ++partner.pullsFailed;
    ++partner.consecutiveFailures;
  }
  pullSeconds_.observe(static_cast<double>(now() - ended.started) / 1e6 / clock_.scale());
  if (r.counts.attributesApplied + r.counts.linksApplied + r.counts.objectsCreated > 0)
    log(fmt::format("pull {} from {}: {} objects, {} attributes applied, {} lost, {} links",
                    dc::namingContextName(ended.namingContext), nameOf(ended.source), r.counts.objectsReceived,
                    r.counts.attributesApplied, r.counts.attributesLost, r.counts.linksApplied));
}

void LiveNode::pullRefused(int, int source, dc::NamingContext nc, const replication::PullResult& result) {
  log(fmt::format("pull {} from {} failed: error {}: {}", dc::namingContextName(nc), nameOf(source), result.win32,
                  result.error));
}

void LiveNode::scheduleGarbageCollection(int64_t when) {
  at(when, [this] {
    int64_t t = now();
    if (t - dc::tombstoneLifetimeMicros(*node_->directory()) > scenario_.start) {
      if (auto collected = dc::collectGarbage(*node_->directory(), t); !collected)
        log(fmt::format("garbage collection failed: {}", collected.status().toString()));
    }
    scheduleGarbageCollection(now() + dc::garbageCollectionPeriodMicros(*node_->directory()));
  });
}

void LiveNode::log(const std::string& line) const {
  fmt::print("{} {}\n", scenario::formatMoment(clock_.nowMicros(), scenario_.start), line);
  std::fflush(stdout);
}

namespace {

int refuse(const std::string& message) {
  fmt::print(stderr, "dcemu node: {}\n", message);
  return 2;
}

}  // namespace

int runNode(const NodeOptions& options) {
  namespace fs = std::filesystem;
  scenario::LoadResult loaded = scenario::loadScenarioFile(options.file);
  for (const std::string& error : loaded.errors) fmt::print(stderr, "{}\n", error);
  if (!loaded.errors.empty()) return 2;
  const scenario::Scenario& scenario = *loaded.scenario;
  int index = scenario.dcIndex(options.dc);
  if (index < 0) return refuse(fmt::format("--dc {}: no such DC in {}", options.dc, options.file));
  if (!(options.timeScale > 0) || options.timeScale > 1e6)
    return refuse("--time-scale: a number above 0 and at most 1000000");
  auto listen = parseAddress(options.listen, true);
  if (!listen) return refuse("--listen: " + listen.status().message());
  Address metrics;
  if (!options.metricsListen.empty()) {
    auto parsed = parseAddress(options.metricsListen, true);
    if (!parsed) return refuse("--metrics: " + parsed.status().message());
    metrics = *parsed;
  }
  auto secret = readSecret(options.secretFile);
  if (!secret) return refuse(secret.status().message());
  auto peers = readPeers(options.peersFile);
  if (!peers) return refuse(peers.status().message());
  for (const auto& [name, address] : *peers)
    if (scenario.dcIndex(name) < 0)
      return refuse(fmt::format("{}: {} is no DC of {}", options.peersFile, name, options.file));
  std::unique_ptr<RpcTls> tls;
  if (!options.tlsDirectory.empty()) {
    auto certificates = RpcTls::load(options.tlsDirectory, options.dc);
    if (!certificates) return refuse("--tls " + certificates.status().message());
    tls = std::move(*certificates);
  }
  std::optional<int64_t> epoch;
  if (!options.epoch.empty()) {
    auto parsed = scenario::parseUtcInstant(options.epoch);
    if (auto* why = std::get_if<std::string>(&parsed)) return refuse("--epoch: " + *why);
    epoch = std::get<int64_t>(parsed);
  }
  std::error_code error;
  fs::path data(options.dataDirectory);
  if (!fs::exists(data, error)) {
    if (!data.parent_path().empty() && !fs::is_directory(data.parent_path(), error))
      return refuse(fmt::format("--data {}: {} is not an existing directory", options.dataDirectory,
                                data.parent_path().string()));
    fs::create_directory(data, error);
    if (error) return refuse(fmt::format("--data {}: {}", options.dataDirectory, error.message()));
  }
  const std::string epochFile = options.dataDirectory + "/epoch";
  if (int64_t kept = 0; !epoch && (std::ifstream(epochFile) >> kept)) epoch = kept;
  if (!epoch) {
    epoch = wallMicros();
    std::ofstream(epochFile) << *epoch << '\n';
  }
  uint64_t seed = options.seed.value_or(scenario.seed);

  auto layout = scenario::provisionOrigin(scenario, seed);
  if (!layout) {
    fmt::print(stderr, "dcemu node: {}\n", layout.status().toString());
    return 1;
  }
  LiveNode node(scenario, seed, index, std::move((*layout)->layout), *epoch, options.timeScale, *secret);
  if (tls) node.useTls(std::move(tls));
  dc::Status started = node.start(options.dataDirectory, listen->host, listen->port, *peers, metrics.host, metrics.port,
                                  !options.metricsListen.empty());
  if (!started.isOk()) {
    fmt::print(stderr, "dcemu node: {}: {}\n", options.dc, started.toString());
    return 1;
  }
  if (!options.portFile.empty()) {
    std::string temporary = options.portFile + ".new";
    std::ofstream(temporary) << "replication " << node.replicationPort() << "\nmetrics " << node.metricsPort() << "\n";
    fs::rename(temporary, options.portFile, error);
  }
  node.run();
  return 0;
}

}  // namespace dcemu::live
