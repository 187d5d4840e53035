#include "live/hosts_process.h"

#include <fmt/format.h>

#include <algorithm>
#include <asio.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <queue>
#include <thread>

#include "dc/text.h"
#include "live/cluster_files.h"
#include "live/journal.h"
#include "live/kdc_wire.h"
#include "live/live_node.h"
#include "live/rpc_tls.h"
#include "live/rpc_transport.h"
#include "replication/win32.h"
#include "scenario/host_plan.h"
#include "scenario/loader.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

namespace dcemu::live {
namespace win32 = replication::win32;

namespace {

// A DC that has not answered a call by then is taken as not answering.
constexpr auto kCallTimeout = std::chrono::seconds(10);

volatile std::sig_atomic_t stopRequested = 0;

// The hosts' way to the DCs: one authenticated RPC session per DC, opened
// when first needed and again after it is lost. Each call waits for its
// answer; the hosts process has nothing else to do meanwhile.
class RemoteHostEnvironment final : public kdc::HostEnvironment {
 public:
  RemoteHostEnvironment(const scenario::Scenario& scenario, const Peers& peers, std::string secret, RpcTls* tls,
                        ScaledClock& clock, JournalWriter& journal)
      : scenario_(scenario), peers_(peers), secret_(std::move(secret)), tls_(tls), clock_(clock), journal_(journal) {}
  ~RemoteHostEnvironment() noexcept override = default;

  std::string site;  // the site of the host being served

  int64_t now() const override { return clock_.nowMicros(); }
  std::string domain() const override { return scenario_.domain; }
  bool answers(int dc) const override { return answersSite(dc, site); }
  bool readOnly(int dc) const override { return scenario_.dcs[dc].rodc; }
  std::string dcName(int dc) const override { return scenario_.dcs[dc].name; }
  int forwardTarget(int rodc) const override {
    // As the RODC forwards: the nearest writable DC its own site reaches.
    const std::string& rodcSite = scenario_.sites[scenario_.dcs[rodc].site].name;
    for (const std::vector<int>& tier : scenario::locatorTiers(scenario_, scenario_.dcs[rodc].site))
      for (int dc : tier)
        if (!scenario_.dcs[dc].rodc && answersSite(dc, rodcSite)) return dc;
    return -1;
  }
  void log(kdc::Event event) override {
    std::vector<std::string> fields = {"event", std::to_string(event.at), std::to_string(event.id), event.source};
    for (const auto& [name, value] : event.fields) fields.insert(fields.end(), {name, value});
    journal_.write(fields);
  }

  kdc::KdcReply asExchange(int dc, const kdc::AsRequest& request) override {
    return kdcCall(dc, [&](wire::Kdc::Client kdc) {
      auto call = kdc.asExchangeRequest();
      call.setSite(site);
      toWire(request, call.initRequest());
      return call.send().then([this, dc](auto&& response) { return replyOf(dc, response); });
    });
  }
  kdc::KdcReply renew(int dc, const kdc::Ticket& tgt, int64_t clientTime) override {
    return kdcCall(dc, [&](wire::Kdc::Client kdc) {
      auto call = kdc.renewRequest();
      call.setSite(site);
      toWire(tgt, call.initTgt());
      call.setClientTime(clientTime);
      return call.send().then([this, dc](auto&& response) { return replyOf(dc, response); });
    });
  }
  bool holdsSecret(int rodc, const std::string& account) override {
    return call<bool>(rodc,
                      [&](wire::Kdc::Client kdc) {
                        auto request = kdc.holdsSecretRequest();
                        request.setSite(site);
                        request.setAccount(account);
                        return request.send().then([](auto&& response) { return response.getHolds(); });
                      })
        .value_or(false);
  }
  void revealSecret(int rodc, int writable, const std::string& account) override {
    bool revealed = call<bool>(writable, [&](wire::Kdc::Client kdc) {
                      auto request = kdc.revealSecretRequest();
                      request.setSite(scenario_.sites[scenario_.dcs[rodc].site].name);
                      request.setRodc(scenario_.dcs[rodc].name);
                      request.setAccount(account);
                      return request.send().then([](auto&& response) {
                        return response.getResult().getWin32() == 0 && response.getRevealed();
                      });
                    }).value_or(false);
    if (!revealed) return;
    call<bool>(rodc, [&](wire::Kdc::Client kdc) {
      auto request = kdc.replicateSecretRequest();
      request.setSite(scenario_.sites[scenario_.dcs[writable].site].name);
      request.setWritable(scenario_.dcs[writable].name);
      return request.send().then([](auto&&) { return true; });
    });
  }
  kdc::MembershipCheck checkMembership(int dc, const std::string& dmsaDn, const std::string& machine) override {
    auto check = call<kdc::MembershipCheck>(dc, [&](wire::Kdc::Client kdc) {
      auto request = kdc.checkMembershipRequest();
      request.setSite(site);
      request.setDmsaDn(dmsaDn);
      request.setMachine(machine);
      return request.send().then([](auto&& response) {
        auto result = response.getResult();
        if (result.getWin32() != 0) return kdc::MembershipCheck{true, std::string(result.getError().cStr()), false};
        kdc::MembershipCheck answer{response.getMachineKnown(), std::nullopt, response.getMember()};
        if (response.hasUnreadable()) answer.unreadable = response.getUnreadable().cStr();
        return answer;
      });
    });
    return check ? *check : kdc::MembershipCheck{true, dcName(dc) + " did not answer", false};
  }
  dc::Status addToMembership(int dc, const std::string& dmsaDn, const std::string& machine,
                             const std::string& account) override {
    auto status = call<dc::Status>(dc, [&](wire::Kdc::Client kdc) {
      auto request = kdc.addToMembershipRequest();
      request.setSite(site);
      request.setDmsaDn(dmsaDn);
      request.setMachine(machine);
      request.setAccount(account);
      return request.send().then([](auto&& response) {
        auto result = response.getResult();
        if (result.getWin32() != 0) return dc::Status(dc::LdapResult::unavailable, result.getError().cStr());
        return dc::Status(static_cast<dc::LdapResult>(response.getLdapResult()), response.getError().cStr());
      });
    });
    return status ? *status : dc::Status(dc::LdapResult::unavailable, dcName(dc) + " did not answer");
  }

 private:
  bool answersSite(int dc, const std::string& from) const {
    return call<bool>(
               dc,
               [&](wire::Kdc::Client kdc) {
                 auto request = kdc.reachableRequest();
                 request.setSite(from);
                 return request.send().then([](auto&& response) { return response.getResult().getWin32() == 0; });
               })
        .value_or(false);
  }

  template <typename Response>
  kdc::KdcReply replyOf(int dc, Response& response) const {
    auto result = response.getResult();
    if (result.getWin32() != 0) return unanswered(dc, result.getError().cStr());
    auto reply = fromWire(response.getReply());
    return reply ? *reply : unanswered(dc, reply.status().message());
  }
  // A DC the locator found answering stopped answering before the request
  // (or answered what is no KDC reply): the client sees a failed exchange.
  kdc::KdcReply unanswered(int dc, const std::string& why) const {
    return {kdc::KrbError::Generic, fmt::format("{} did not answer: {}", dcName(dc), why), {}, {}, {}};
  }
  kdc::KdcReply kdcCall(int dc, const std::function<kj::Promise<kdc::KdcReply>(wire::Kdc::Client)>& send) const {
    auto reply = call<kdc::KdcReply>(dc, send);
    return reply ? *reply : unanswered(dc, "no connection");
  }

  // Runs `send` on DC `dc`'s session and waits for its value; none when the
  // DC cannot be reached or the call fails (the session is dropped then).
  template <typename T>
  std::optional<T> call(int dc, const std::function<kj::Promise<T>(wire::Kdc::Client)>& send) const {
    RpcSession* session = sessionOf(dc);
    if (!session) return std::nullopt;
    std::optional<T> result;
    bool finished = false;
    auto task = send(session->kdc())
                    .then([&](T value) { result = std::move(value); }, [](kj::Exception&&) {})
                    .then([&] { finished = true; })
                    .eagerlyEvaluate(nullptr);
    if (!waitFor([&] { return finished; }) || !result) sessions_.erase(dc);
    return result;
  }

  RpcSession* sessionOf(int dc) const {
    auto found = sessions_.find(dc);
    if (found != sessions_.end()) return found->second.get();
    auto peer = peers_.find(scenario_.dcs[dc].name);
    if (peer == peers_.end()) return nullptr;
    kj::Own<RpcSession> opened;
    bool finished = false;
    auto task = RpcSession::open(loop_, peer->second.host, peer->second.port, secret_,
                                 tls_ ? &tls_->context() : nullptr, tlsName(scenario_.dcs[dc].name))
                    .then([&](RpcSession::Opened&& result) {
                      opened = kj::mv(result.session);
                      finished = true;
                    })
                    .eagerlyEvaluate(nullptr);
    if (!waitFor([&] { return finished; }) || !opened) return nullptr;
    return (sessions_[dc] = kj::mv(opened)).get();
  }

  bool waitFor(const std::function<bool()>& done) const {
    bool timedOut = false;
    asio::steady_timer timeout(io_, kCallTimeout);
    timeout.async_wait([&](const asio::error_code& ec) { timedOut = !ec; });
    loop_.runUntil([&] { return done() || timedOut; });
    return done();
  }

  const scenario::Scenario& scenario_;
  const Peers& peers_;
  std::string secret_;
  RpcTls* tls_;
  ScaledClock& clock_;
  JournalWriter& journal_;
  // The connections are the environment's means, not its state: a const
  // query (does this DC answer?) may open one.
  mutable asio::io_context io_;
  mutable KjAsioLoop loop_{io_};
  mutable std::map<int, kj::Own<RpcSession>> sessions_;
};

int refuse(const std::string& message) {
  fmt::print(stderr, "dcemu hosts: {}\n", message);
  return 2;
}

}  // namespace

std::string hostsDirectoryOf(const std::string& clusterDirectory) {
  return clusterDirectory + "/hosts";
}

int runHosts(const HostsOptions& options) {
  scenario::LoadResult loaded = scenario::loadScenarioFile(options.file);
  for (const std::string& error : loaded.errors) fmt::print(stderr, "{}\n", error);
  if (!loaded.errors.empty()) return 2;
  const scenario::Scenario& scenario = *loaded.scenario;
  const std::string& dir = options.clusterDirectory;
  auto secret = readSecret(dir + "/secret");
  auto peers = secret ? readPeers(dir + "/peers") : dc::Result<Peers>(secret.status());
  if (!peers) return refuse(fmt::format("{} (is {} a cluster directory?)", peers.status().message(), dir));
  for (const scenario::DcSpec& spec : scenario.dcs)
    if (!peers->count(spec.name)) return refuse(fmt::format("{}/peers: no address for {}", dir, spec.name));
  std::unique_ptr<RpcTls> tls;
  if (std::error_code error; std::filesystem::exists(dir + "/tls", error)) {
    auto certificates = RpcTls::load(dir + "/tls", "hosts");
    if (!certificates) return refuse(certificates.status().message());
    tls = std::move(*certificates);
  }
  auto clusterClock = readClusterClock(dir);
  if (!clusterClock) return refuse(clusterClock.status().message());
  const double scale = clusterClock->scale;
  std::string journalFile = options.journalFile;
  if (journalFile.empty()) {
    std::error_code error;
    std::filesystem::create_directories(hostsDirectoryOf(dir), error);
    if (error) return refuse(fmt::format("{}: {}", hostsDirectoryOf(dir), error.message()));
    journalFile = hostsDirectoryOf(dir) + "/hosts.journal";
  }
  JournalWriter journal;
  if (dc::Status opened = journal.open(journalFile); !opened.isOk()) return refuse("--journal " + opened.message());

  ScaledClock clock(scenario.start, clusterClock->epochUnixMicros, scale);
  std::vector<scenario::PlannedClient> planned =
      scenario::planHostClients(scenario, options.seed.value_or(scenario.seed));
  std::vector<kdc::HostClient> clients;
  // What is due: the schedule's logon or renewal, a host-logon step's fresh
  // logon (which leaves the schedule as it was), or the `cycle`th reboot
  // (a fresh logon the schedule restarts from).
  enum class Kind { renewal, stepLogon, reboot };
  using Due = std::tuple<int64_t, size_t, Kind, int>;  // (when, client, kind, reboot cycle)
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  std::vector<int64_t> scheduled;  // per client: its next scheduled logon or renewal
  uint64_t seed = options.seed.value_or(scenario.seed);
  auto dueReboot = [&](size_t index, int cycle) {
    if (auto at = scenario::rebootAt(scenario, planned[index], seed, cycle))
      due.push({*at, index, Kind::reboot, cycle});
  };
  for (const scenario::PlannedClient& client : planned) {
    clients.emplace_back(client.spec, client.locatorSeed);
    due.push({client.firstLogon, clients.size() - 1, Kind::renewal, 0});
    scheduled.push_back(client.firstLogon);
    dueReboot(clients.size() - 1, 0);
  }
  for (const scenario::Step& step : scenario.steps) {
    if (step.action == "expect-auth" || step.action == "expect-event")
      fmt::print("line {}: {} steps are not run live\n", step.where.line, step.action);
    if (step.action != "host-logon") continue;
    auto client = std::find_if(planned.begin(), planned.end(), [&](const scenario::PlannedClient& c) {
      return dc::toLower(c.spec.host) == dc::toLower(step.host) && dc::toLower(c.service) == dc::toLower(step.service);
    });
    if (client == planned.end())
      fmt::print("line {}: host-logon refused: no service {} on host {}\n", step.where.line, step.service, step.host);
    else
      due.push({scenario.start + step.at, static_cast<size_t>(client - planned.begin()), Kind::stepLogon, 0});
  }
  RemoteHostEnvironment env(scenario, *peers, *secret, tls.get(), clock, journal);
  // The simulator renews a TGT the moment it ends, which the KDC still
  // accepts; a live renewal arrives a millisecond or two of wall time
  // later, minutes of simulated time at a high scale, and would find it
  // expired. So it renews 5 ms of wall time early (at least a simulated
  // second), while the TGT is still valid: each renewal then starts the
  // next lifetime that much sooner than the simulator's would. One that
  // still comes too late is refused and the host logs on afresh.
  const int64_t renewEarly =
      std::min(scenario.tgtLifetime / 2, std::max<int64_t>(1'000'000, static_cast<int64_t>(5'000 * scale)));
  std::signal(SIGTERM, [](int) { stopRequested = 1; });
  std::signal(SIGINT, [](int) { stopRequested = 1; });
  fmt::print("{} services on {} host groups, at time scale {}\n", clients.size(), scenario.hostGroups.size(), scale);
  std::fflush(stdout);
  // With nothing due (a file without hosts) it waits for SIGTERM all the
  // same, as a Deployment's pod should.
  while (!stopRequested) {
    if (due.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    auto [when, index, kind, cycle] = due.top();
    if (clock.nowMicros() < when) {
      // Waits in steps short enough to notice SIGTERM.
      auto wall =
          std::chrono::microseconds(static_cast<int64_t>(static_cast<double>(when - clock.nowMicros()) / scale));
      std::this_thread::sleep_for(std::min<std::chrono::microseconds>(wall, std::chrono::milliseconds(100)));
      continue;
    }
    due.pop();
    // A reboot since moved the schedule: this renewal is no longer due.
    if (kind == Kind::renewal && when != scheduled[index]) continue;
    const scenario::PlannedClient& plan = planned[index];
    env.site = scenario.sites[plan.site].name;
    bool wasOk = clients[index].latest() && clients[index].latest()->ok;
    kdc::LogonOutcome outcome = kind == Kind::renewal ? clients[index].renew(env) : clients[index].logon(env);
    if (kind != Kind::stepLogon) {
      scheduled[index] = outcome.at + (outcome.ok ? scenario.tgtLifetime - renewEarly : scenario::kRetryAfterFailure);
      due.push({scheduled[index], index, Kind::renewal, 0});
    }
    if (kind == Kind::reboot) dueReboot(index, cycle + 1);
    int64_t next = scheduled[index];
    // A renewal scheduled while the TGT was valid that found it expired
    // came too late: the machine could not keep up with the time scale,
    // and the simulator would have renewed it.
    bool late = kind == Kind::renewal && outcome.renewalFoundExpired && wasOk;
    journal.write({"logon", std::to_string(outcome.at), plan.spec.host, plan.service, outcome.renewal ? "1" : "0",
                   outcome.ok ? "1" : "0", outcome.identity, outcome.dc, outcome.reason, std::to_string(next),
                   late ? "1" : "0"});
    fmt::print("{} {} {} {}{}\n", scenario::formatMoment(outcome.at, scenario.start), plan.spec.host, plan.service,
               outcome.ok ? "logged on as " + outcome.identity : "failed: " + outcome.reason,
               outcome.dc.empty() ? "" : " (" + outcome.dc + ")");
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace dcemu::live
