#include "live/cluster_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <asio.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "dc/store.h"
#include "dc/text.h"
#include "live/cluster_files.h"
#include "live/hosts_process.h"
#include "live/journal.h"
#include "live/kj_asio.h"
#include "live/rpc_tls.h"
#include "live/rpc_transport.h"
#include "replication/repadmin.h"
#include "replication/win32.h"
#include "scenario/layout.h"
#include "scenario/loader.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

namespace dcemu::live {
namespace {

namespace fs = std::filesystem;
using Reply = std::pair<uint32_t, std::string>;

constexpr auto kStartTimeout = std::chrono::seconds(120);
constexpr auto kCallTimeout = std::chrono::seconds(30);

int refuse(std::string_view command, const std::string& message) {
  fmt::print(stderr, "dcemu {}: {}\n", command, message);
  return 2;
}

std::string dataDirectoryOf(const std::string& cluster, const std::string& dc) {
  return cluster + "/dcs/" + dc::toLower(dc);
}

// The system's ephemeral port range, from which it gives every outgoing
// connection its local port (Linux's default when unreadable).
std::pair<int, int> ephemeralPortRange() {
  int low = 32768, high = 60999;
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  if (int l, h; range >> l >> h && 0 < l && l <= h && h <= 65535) low = l, high = h;
  return {low, high};
}

// `count` different ports free on loopback now; the nodes bind them
// moments later, after the stores are provisioned. They are drawn outside
// the ephemeral range: a port from there could be handed to another
// program's outgoing connection in the meantime, and the DC would fail to
// bind it on every restart. Each stays bound until all are chosen, so that
// none is chosen twice.
std::vector<uint16_t> freeLoopbackPorts(size_t count) {
  auto [low, high] = ephemeralPortRange();
  std::vector<uint16_t> candidates;
  for (int port = 10000; port <= 65535; ++port)
    if (port < low || port > high) candidates.push_back(static_cast<uint16_t>(port));
  std::shuffle(candidates.begin(), candidates.end(), std::mt19937(std::random_device{}()));
  asio::io_context io;
  std::vector<asio::ip::tcp::acceptor> held;
  std::vector<uint16_t> ports;
  for (uint16_t port : candidates) {
    if (ports.size() == count) break;
    asio::ip::tcp::acceptor acceptor(io);
    asio::error_code ec;
    acceptor.open(asio::ip::tcp::v4(), ec);
    if (!ec) acceptor.bind({asio::ip::address_v4::loopback(), port}, ec);
    if (ec) continue;
    held.push_back(std::move(acceptor));
    ports.push_back(port);
  }
  // With no room outside the ephemeral range, the system picks.
  while (ports.size() < count) {
    held.emplace_back(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    ports.push_back(held.back().local_endpoint().port());
  }
  return ports;
}

struct ClusterFiles {
  std::string secret;
  Peers peers;
  std::shared_ptr<RpcTls> tls;  // as "admin", when the cluster uses TLS (DIR/tls)
};

dc::Result<ClusterFiles> loadCluster(const std::string& directory) {
  auto secret = readSecret(directory + "/secret");
  if (!secret) return secret.status();
  auto peers = readPeers(directory + "/peers");
  if (!peers) return peers.status();
  ClusterFiles files{*secret, *peers, nullptr};
  if (std::error_code error; fs::exists(directory + "/tls", error)) {
    auto tls = RpcTls::load(directory + "/tls", "admin");
    if (!tls) return tls.status();
    files.tls = std::move(*tls);
  }
  return files;
}

// One Admin call to DC `dc` over an authenticated session; the reply or why
// there is none.
Reply adminCall(const ClusterFiles& files, const std::string& dc, const Address& address,
                const std::function<kj::Promise<Reply>(wire::Admin::Client)>& call) {
  asio::io_context io;
  KjAsioLoop loop(io);
  std::optional<Reply> result;
  auto task = RpcSession::open(loop, address.host, address.port, files.secret,
                               files.tls ? &files.tls->context() : nullptr, tlsName(dc))
                  .then([&](RpcSession::Opened&& opened) -> kj::Promise<Reply> {
                    if (!opened.session) return Reply{opened.win32, opened.error};
                    auto admin = opened.session->admin();
                    return call(admin).attach(kj::mv(opened.session));
                  })
                  .then([&](Reply reply) { result = std::move(reply); },
                        [&](kj::Exception&& e) {
                          result = Reply{1722, e.getDescription().cStr()};
                        })
                  .eagerlyEvaluate(nullptr);
  asio::steady_timer timeout(io, kCallTimeout);
  timeout.async_wait([&](const asio::error_code& ec) {
    if (!ec && !result) result = Reply{1722, "no answer within 30 s"};
  });
  loop.runUntil([&] { return result.has_value(); });
  return *result;
}

std::optional<ClusterFiles> readCluster(std::string_view command, const std::string& directory) {
  auto files = loadCluster(directory);
  if (!files) {
    fmt::print(stderr, "dcemu {}: {} (is {} a cluster directory?)\n", command, files.status().message(), directory);
    return std::nullopt;
  }
  return std::move(*files);
}

// One `dcemu ctl` operation on the DC `dc` of a cluster whose files are read.
Reply callDc(const ClusterFiles& files, const std::string& dc, const std::vector<std::string>& args) {
  auto peer = files.peers.find(dc);
  if (peer == files.peers.end())
    return {replication::win32::kInvalidParameter, fmt::format("--dc {}: no such DC in the peers file", dc)};
  return adminCall(files, dc, peer->second, [&](wire::Admin::Client admin) {
    auto request = admin.commandRequest();
    auto list = request.initArgs(static_cast<unsigned>(args.size()));
    for (size_t i = 0; i < args.size(); ++i) list.set(static_cast<unsigned>(i), args[i]);
    return request.send().then([](auto&& response) {
      auto result = response.getResult();
      return Reply{result.getWin32(), result.getWin32() == 0 ? response.getText().cStr() : result.getError().cStr()};
    });
  });
}

// The supervisor: starts each DC's node and restarts one that exits
// without being asked to, until SIGTERM.
volatile std::sig_atomic_t stopRequested = 0;

pid_t startNode(const std::vector<std::string>& argv, const std::string& logFile) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int log = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log >= 0) {
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    close(log);
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv("/proc/self/exe", args.data());
  _exit(127);
}

// One process the supervisor keeps running: a DC's node or the hosts.
struct Supervised {
  std::string name;
  std::vector<std::string> argv;
  std::string logFile;
};

[[noreturn]] void supervise(const std::string& directory, const std::vector<Supervised>& processes, int maxRestarts) {
  setsid();
  // Let go of the terminal or pipe `cluster up` was started from: whoever
  // waits for its output to end must not wait for the cluster to.
  int devNull = ::open("/dev/null", O_RDWR);
  int supervisorLog = ::open((directory + "/supervisor.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  dup2(devNull, STDIN_FILENO);
  dup2(supervisorLog >= 0 ? supervisorLog : devNull, STDOUT_FILENO);
  dup2(supervisorLog >= 0 ? supervisorLog : devNull, STDERR_FILENO);
  if (supervisorLog > STDERR_FILENO) close(supervisorLog);
  if (devNull > STDERR_FILENO) close(devNull);
  // Without SA_RESTART, so that SIGTERM interrupts the wait for a child.
  struct sigaction onTerm {};
  onTerm.sa_handler = [](int) { stopRequested = 1; };
  sigaction(SIGTERM, &onTerm, nullptr);
  std::signal(SIGINT, SIG_IGN);
  std::ofstream log(directory + "/supervisor.log", std::ios::app);
  auto note = [&](const std::string& line) {
    log << scenario::formatUtcInstant(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count())
        << ' ' << line << std::endl;
  };
  std::map<pid_t, size_t> running;
  std::vector<int> restarts(processes.size());
  for (size_t i = 0; i < processes.size(); ++i) running[startNode(processes[i].argv, processes[i].logFile)] = i;
  std::ofstream(directory + "/supervisor.pid") << getpid() << '\n';
  note(fmt::format("started {} processes", processes.size()));
  bool stopping = false;
  while (!running.empty()) {
    if (stopRequested && !stopping) {
      stopping = true;
      note("stopping every process");
      for (const auto& [pid, i] : running) kill(pid, SIGTERM);
    }
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) continue;  // EINTR: the loop looks at stopRequested
    auto it = running.find(pid);
    if (it == running.end()) continue;
    size_t i = it->second;
    running.erase(it);
    std::string how = WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                          : fmt::format("exited with {}", WEXITSTATUS(status));
    note(fmt::format("{} {}", processes[i].name, how));
    if (stopping || stopRequested) continue;
    if (restarts[i] >= maxRestarts) {
      note(fmt::format("{} not restarted: {} restarts already", processes[i].name, restarts[i]));
      continue;
    }
    ++restarts[i];
    note(fmt::format("restarting {} ({} of {})", processes[i].name, restarts[i], maxRestarts));
    running[startNode(processes[i].argv, processes[i].logFile)] = i;
  }
  fs::remove(directory + "/supervisor.pid");
  note("stopped");
  _exit(0);
}

}  // namespace

int clusterUp(const ClusterOptions& options) {
  scenario::LoadResult loaded = scenario::loadScenarioFile(options.file);
  for (const std::string& error : loaded.errors) fmt::print(stderr, "{}\n", error);
  if (!loaded.errors.empty()) return 2;
  const scenario::Scenario& scenario = *loaded.scenario;
  if (!(options.timeScale > 0) || options.timeScale > 1e6)
    return refuse("cluster up", "--time-scale: a number above 0 and at most 1000000");
  const std::string& dir = options.directory;
  std::error_code error;
  if (fs::exists(dir + "/supervisor.pid", error))
    return refuse("cluster up", fmt::format("{}: a cluster runs there already (dcemu cluster down first)", dir));
  // A directory `up` made before holds every one of these; then it starts
  // that cluster again.
  const char* kClusterFiles[] = {"secret", "peers", "metrics", "epoch", "time-scale", "topology.toml"};
  std::string missing;
  for (const char* name : kClusterFiles)
    if (missing.empty() && !fs::exists(fmt::format("{}/{}", dir, name), error)) missing = name;
  const bool existing = missing.empty();
  if (!existing) {
    if (fs::exists(dir, error) && !fs::is_empty(dir, error))
      return refuse("cluster up",
                    fmt::format("--data {}: not empty and not a cluster directory (no {})", dir, missing));
    fs::path parent = fs::path(dir).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, error))
      return refuse("cluster up", fmt::format("--data {}: {} is not an existing directory", dir, parent.string()));
    fs::create_directories(dir + "/dcs", error);
    if (dc::Status written = writeNewSecret(dir + "/secret"); !written.isOk())
      return refuse("cluster up", written.message());
    Peers peers, metrics;
    std::vector<uint16_t> ports = freeLoopbackPorts(2 * scenario.dcs.size());
    for (size_t i = 0; i < scenario.dcs.size(); ++i) {
      peers[scenario.dcs[i].name] = {"127.0.0.1", ports[2 * i]};
      metrics[scenario.dcs[i].name] = {"127.0.0.1", ports[2 * i + 1]};
    }
    if (dc::Status written = writePeers(dir + "/peers", peers, "where each node's replication service listens");
        !written.isOk())
      return refuse("cluster up", written.message());
    if (dc::Status written =
            writePeers(dir + "/metrics", metrics, "where each node serves /metrics and /healthz over HTTP");
        !written.isOk())
      return refuse("cluster up", written.message());
    std::ofstream(dir + "/seed") << options.seed.value_or(scenario.seed) << '\n';
    if (options.tls) {
      std::vector<std::string> parties = {"admin", "hosts"};
      for (const scenario::DcSpec& spec : scenario.dcs) parties.push_back(spec.name);
      if (dc::Status issued = issueClusterCertificates(dir + "/tls", parties); !issued.isOk()) {
        fmt::print(stderr, "dcemu cluster up: {}\n", issued.message());
        return 1;
      }
    }
    // Every store is provisioned before simulated time starts, so that at
    // a high time scale no DC misses its first simulated hours starting.
    for (int i = 0; i < static_cast<int>(scenario.dcs.size()); ++i) {
      std::string data = dataDirectoryOf(dir, scenario.dcs[i].name);
      fs::create_directories(data, error);
      dc::Status provisioned =
          scenario::createReplicaStore(scenario, options.seed.value_or(scenario.seed), i, data + "/store");
      if (!provisioned.isOk()) {
        fmt::print(stderr, "dcemu cluster up: {}: {}\n", scenario.dcs[i].name, provisioned.toString());
        return 1;
      }
    }
    // Simulated time starts at the second after next, whole as the epoch
    // is written: at a high time scale a second is hours, and the nodes and
    // hosts are serving by then.
    int64_t zero =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
        2;
    std::ofstream(dir + "/epoch") << scenario::formatUtcInstant(zero * 1'000'000) << '\n';
    std::ofstream(dir + "/time-scale") << options.timeScale << '\n';
    fs::copy_file(options.file, dir + "/topology.toml", error);
  }
  if (existing && options.tls && !fs::exists(dir + "/tls", error))
    return refuse("cluster up", fmt::format("--tls: the cluster in {} was made without TLS; use a new directory", dir));
  if (existing) {
    // The stores were provisioned from the file the directory keeps: a
    // different file would run other DCs, links or objects over them.
    std::ifstream kept(dir + "/topology.toml", std::ios::binary), given(options.file, std::ios::binary);
    std::string keptText((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
    std::string givenText((std::istreambuf_iterator<char>(given)), std::istreambuf_iterator<char>());
    if (keptText != givenText)
      return refuse("cluster up", fmt::format("--data {}: made from another file ({}/topology.toml differs from {}); "
                                              "use a new directory",
                                              dir, dir, options.file));
  }
  auto files = readCluster("cluster up", dir);
  if (!files) return 2;
  auto metrics = readPeers(dir + "/metrics");
  if (!metrics) return refuse("cluster up", metrics.status().message());
  std::string epoch;
  std::ifstream(dir + "/epoch") >> epoch;
  uint64_t seed = scenario.seed;
  std::ifstream(dir + "/seed") >> seed;
  if (options.seed && *options.seed != seed)
    return refuse("cluster up",
                  fmt::format("--seed {}: the cluster in {} was provisioned with seed {}", *options.seed, dir, seed));
  if (existing) {
    // A store this dcemu cannot read (one an older dcemu wrote) would make
    // its DC exit on every restart; say so once, before anything starts.
    auto env = dc::StoreEnv::onDisk(1 << 20);
    for (const scenario::DcSpec& spec : scenario.dcs) {
      auto store = dc::Store::open(*env, dataDirectoryOf(dir, spec.name) + "/store");
      if (!store) return refuse("cluster up", fmt::format("{}: {}", spec.name, store.status().message()));
    }
  }
  std::vector<Supervised> processes;
  std::vector<std::string> names;
  const std::string absolute = fs::absolute(dir).string();
  for (const scenario::DcSpec& spec : scenario.dcs) {
    std::string key = dc::toLower(spec.name);
    if (!files->peers.count(key) || !metrics->count(key))
      return refuse("cluster up", fmt::format("{}: the cluster directory has no address for {}", dir, spec.name));
    std::string data = dataDirectoryOf(absolute, spec.name);
    fs::create_directories(data, error);
    fs::remove(data + "/ports", error);
    const Address& self = files->peers.at(key);
    const Address& served = metrics->at(key);
    std::vector<std::string> argv = {"dcemu",
                                     "node",
                                     fs::absolute(options.file).string(),
                                     "--dc",
                                     spec.name,
                                     "--data",
                                     data,
                                     "--listen",
                                     fmt::format("{}:{}", self.host, self.port),
                                     "--peers",
                                     absolute + "/peers",
                                     "--secret-file",
                                     absolute + "/secret",
                                     "--metrics",
                                     fmt::format("{}:{}", served.host, served.port),
                                     "--epoch",
                                     epoch,
                                     "--time-scale",
                                     fmt::format("{}", options.timeScale),
                                     "--port-file",
                                     data + "/ports",
                                     "--seed",
                                     std::to_string(seed)};
    if (fs::exists(absolute + "/tls", error)) argv.insert(argv.end(), {"--tls", absolute + "/tls"});
    processes.push_back({spec.name, std::move(argv), data + "/node.log"});
    names.push_back(spec.name);
  }
  if (!scenario.hostGroups.empty()) {
    fs::create_directories(hostsDirectoryOf(absolute), error);
    processes.push_back(
        {"hosts",
         {"dcemu", "hosts", fs::absolute(options.file).string(), "--cluster", absolute, "--seed", std::to_string(seed)},
         hostsDirectoryOf(absolute) + "/hosts.log"});
  }
  std::fflush(stdout);
  pid_t supervisor = fork();
  if (supervisor < 0) return refuse("cluster up", "cannot start the supervisor");
  if (supervisor == 0) supervise(absolute, processes, options.maxRestarts);

  // Ready when every node has written its ports.
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  std::vector<std::string> waiting = names;
  while (!waiting.empty() && std::chrono::steady_clock::now() < deadline) {
    std::erase_if(waiting,
                  [&](const std::string& name) { return fs::exists(dataDirectoryOf(absolute, name) + "/ports"); });
    if (waitpid(supervisor, nullptr, WNOHANG) == supervisor) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!waiting.empty()) {
    fmt::print(stderr, "dcemu cluster up: {} did not start; see {}/dcs/<dc>/node.log\n", fmt::join(waiting, ", "), dir);
    return 1;
  }
  // The file's start is simulated time; the epoch is the wall-clock instant
  // the run's +0s fell on.
  fmt::print(
      "cluster of {} DCs up in {} at time scale {}: the run's +0s ({} in the file's time) was at {} wall-clock\n",
      names.size(), dir, options.timeScale, scenario::formatUtcInstant(scenario.start), epoch);
  for (const scenario::DcSpec& spec : scenario.dcs) {
    std::string key = dc::toLower(spec.name);
    fmt::print("  {:<16} replication {}:{}  metrics http://{}:{}/metrics\n", spec.name, files->peers.at(key).host,
               files->peers.at(key).port, metrics->at(key).host, metrics->at(key).port);
  }
  return 0;
}

int clusterDown(const std::string& directory) {
  pid_t pid = 0;
  if (!(std::ifstream(directory + "/supervisor.pid") >> pid) || pid <= 0)
    return refuse("cluster down", fmt::format("{}: no cluster runs there", directory));
  if (kill(pid, SIGTERM) != 0) {
    fs::remove(directory + "/supervisor.pid");
    return refuse("cluster down", fmt::format("{}: the supervisor (pid {}) is gone", directory, pid));
  }
  // The supervisor removes its pid file as it exits, once every DC has.
  // (Its exit alone is not seen where no init process reaps orphans.)
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto running = [&] { return fs::exists(directory + "/supervisor.pid") && kill(pid, 0) == 0; };
  while (running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (running()) {
    kill(-pid, SIGKILL);  // the supervisor leads the session its nodes are in
    fs::remove(directory + "/supervisor.pid");
  }
  fmt::print("cluster in {} stopped\n", directory);
  return 0;
}

int clusterStatus(const std::string& directory) {
  auto files = readCluster("cluster status", directory);
  if (!files) return 2;
  // In the file's order when the directory holds the file, as repadmin
  // /showrepl * lists DCs; else by name.
  std::vector<std::pair<std::string, Address>> order(files->peers.begin(), files->peers.end());
  scenario::LoadResult loaded = scenario::loadScenarioFile(directory + "/topology.toml");
  if (loaded.errors.empty()) {
    auto rank = [&](const std::string& name) { return loaded.scenario->dcIndex(name); };
    std::stable_sort(order.begin(), order.end(),
                     [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  }
  int exitCode = 0;
  for (const auto& [name, address] : order) {
    Reply reply = adminCall(*files, name, address, [](wire::Admin::Client admin) {
      auto request = admin.showReplRequest();
      return request.send().then([](auto&& response) { return Reply{0, response.getText().cStr()}; });
    });
    if (reply.first != 0) {
      fmt::print("{}: unreachable at {}:{}: error {}: {}\n\n", name, address.host, address.port, reply.first,
                 reply.second);
      exitCode = 1;
    } else {
      fmt::print("{}\n", reply.second);
    }
  }
  // repadmin /replsummary over the DCs that answer, at the latest clock.
  std::vector<replication::SummaryPartnership> partnerships;
  int64_t now = 0;
  size_t answered = 0;
  for (const auto& [name, address] : order) {
    Reply rows = callDc(*files, name, {"partnerships"});
    if (rows.first != 0) continue;
    ++answered;
    std::istringstream lines(rows.second);
    std::string line;
    if (std::getline(lines, line) && line.starts_with("now ")) now = std::max<int64_t>(now, std::stoll(line.substr(4)));
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      replication::SummaryPartnership p;
      p.destination = name;
      std::getline(fields, p.source, '\t');
      fields >> p.state.lastAttempt >> p.state.lastSuccess >> p.state.lastResult >> p.state.consecutiveFailures;
      if (fields) partnerships.push_back(std::move(p));
    }
  }
  if (answered > 0) fmt::print("{}", replication::formatReplSummary(partnerships, answered, now));
  // The hosts, as their journal has them.
  if (auto journal = readJournal(hostsDirectoryOf(directory) + "/hosts.journal"); journal && !journal->empty()) {
    size_t logons = 0, failed = 0;
    int64_t latest = 0;
    for (const std::vector<std::string>& fields : *journal) {
      if (fields.size() != 10 || fields[0] != "logon") continue;
      ++logons;
      if (fields[5] != "1") ++failed;
      latest = std::max<int64_t>(latest, std::strtoll(fields[1].c_str(), nullptr, 10));
    }
    std::string when = loaded.errors.empty() ? scenario::formatMoment(latest, loaded.scenario->start) : "";
    fmt::print("\nhosts: {} logons and renewals journalled, {} failed{}\n", logons, failed,
               when.empty() ? "" : ", the latest at " + when);
  }
  return exitCode;
}

std::pair<uint32_t, std::string> ctlCall(const std::string& directory, const std::string& dc,
                                         const std::vector<std::string>& args) {
  auto files = loadCluster(directory);
  if (!files) return {replication::win32::kInvalidParameter, files.status().message()};
  return callDc(*files, dc, args);
}

int ctl(const std::string& directory, const std::string& dc, const std::vector<std::string>& args) {
  auto files = readCluster("ctl", directory);
  if (!files) return 2;
  if (!files->peers.count(dc)) return refuse("ctl", fmt::format("--dc {}: no such DC in {}/peers", dc, directory));
  Reply reply = callDc(*files, dc, args);
  if (reply.first != 0) {
    fmt::print(stderr, "dcemu ctl: {}: {}\n", dc, reply.second);
    return reply.first == replication::win32::kInvalidParameter ? 2 : 1;
  }
  fmt::print("{}", reply.second);
  return 0;
}

}  // namespace dcemu::live
