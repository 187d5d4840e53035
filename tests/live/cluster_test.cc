// Live mode as a user runs it: `dcemu cluster up` starts each DC of a file
// as a process on loopback, `dcemu ctl` writes and reads, SIGKILL takes
// DCs down under load, and `dcemu cluster check` (the simulator's
// convergence check) compares the stores once the cluster is down.
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "dc/store.h"
#include "scenario/units.h"
#include "tests/live/cluster_support.h"

namespace dcemu::live::testing {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kDcs = {"HQ-DC1", "HQ-DC2", "HQ-DC3", "BR-DC1"};

TEST_CASE("A write on one live DC reaches its site partners by notification and the branch by its schedule",
          "[live][cluster]") {
  // At 600 simulated seconds a second the 15 s notification delay is 25 ms
  // and the branch's 15-minute poll 1.5 s.
  Cluster cluster("notify", 600);
  Ran added = cluster.ctl("HQ-DC1", "add CN=alice,CN=Users objectClass=user sAMAccountName=alice");
  INFO(added.out);
  REQUIRE(added.exitCode == 0);
  CHECK_THAT(added.out, Catch::Matchers::Contains("added CN=alice,CN=Users,DC=corp,DC=example,DC=com on HQ-DC1"));
  for (std::string dc : {"HQ-DC2", "HQ-DC3", "BR-DC1"}) {
    INFO(dc);
    CHECK(cluster.eventually(dc, "get CN=alice,CN=Users sAMAccountName", 20));
  }
  Ran alice = cluster.ctl("BR-DC1", "get CN=alice,CN=Users sAMAccountName");
  CHECK_THAT(alice.out, Catch::Matchers::Contains("sAMAccountName : alice"));
  // A name the file gives, as `dcemu get` takes it: here a DC's computer.
  Ran byName = cluster.ctl("BR-DC1", "get hq-dc1 sAMAccountName");
  INFO(byName.out);
  CHECK_THAT(byName.out, Catch::Matchers::Contains("sAMAccountName : HQ-DC1$"));

  // The same refusal the simulator's steps report.
  Ran again = cluster.ctl("HQ-DC2", "add CN=alice,CN=Users objectClass=user");
  CHECK(again.exitCode == 1);
  CHECK_THAT(again.out, Catch::Matchers::Contains("refused: entryAlreadyExists"));
  Ran nonsense = cluster.ctl("HQ-DC2", "frobnicate");
  CHECK(nonsense.exitCode == 2);

  Ran status = shell(dcemu("cluster status --data " + cluster.directory()));
  INFO(status.out);
  CHECK(status.exitCode == 0);
  CHECK_THAT(status.out, Catch::Matchers::Contains("HQ\\HQ-DC2 via RPC"));
  CHECK_THAT(status.out, Catch::Matchers::Contains("Branch\\BR-DC1 via RPC"));
  // And /replsummary over the four DCs: each is a source and a destination.
  CHECK_THAT(status.out, Catch::Matchers::Contains("Destination DSA     largest delta    fails/total"));
  CHECK(std::regex_search(status.out, std::regex(R"(\n BR-DC1 +[0-9]+[hms:]+[0-9]+s +[0-9]+ / +3 )")));

  REQUIRE(cluster.down().exitCode == 0);
  Ran checked = cluster.check();
  INFO(checked.out);
  CHECK(checked.exitCode == 0);
  CHECK_THAT(checked.out, Catch::Matchers::Contains("4 replicas converged"));
}

TEST_CASE("A cluster directory starts again only from the file it was made from", "[live][cluster]") {
  Cluster cluster("restart", 600);
  REQUIRE(cluster.ctl("HQ-DC1", "add CN=heidi,CN=Users objectClass=user").exitCode == 0);
  REQUIRE(cluster.down().exitCode == 0);
  Ran other = shell(dcemu(fmt::format(
      "cluster up {} --data {}", std::string(DCEMU_LIVE_SCENARIOS_DIR) + "/timeline-live.toml", cluster.directory())));
  CHECK(other.exitCode == 2);
  CHECK_THAT(other.out, Catch::Matchers::Contains("made from another file"));
  Ran same = shell(dcemu(fmt::format("cluster up {} --data {}", kTopology, cluster.directory())));
  INFO(same.out);
  REQUIRE(same.exitCode == 0);
  // The same stores, reopened: what was written before is there.
  CHECK(cluster.eventually("HQ-DC1", "get CN=heidi,CN=Users", 10));
}

TEST_CASE("A cluster directory whose stores this dcemu cannot read is refused in one line before any DC starts",
          "[live][cluster]") {
  Cluster cluster("old-store", 600);
  REQUIRE(cluster.down().exitCode == 0);
  // HQ-DC1's store as a dcemu of another store format left it.
  {
    auto env = dc::StoreEnv::onDisk();
    auto store = dc::Store::open(*env, cluster.directory() + "/dcs/hq-dc1/store");
    REQUIRE(store.isOk());
    dc::WriteBatch batch = (*store)->newBatch();
    batch.putState("storeFormat", "1");
    REQUIRE((*store)->write(batch).isOk());
  }
  Ran up = shell(dcemu(fmt::format("cluster up {} --data {}", kTopology, cluster.directory())));
  INFO(up.out);
  CHECK(up.exitCode == 2);
  CHECK_THAT(up.out, Catch::Matchers::Contains("HQ-DC1") && Catch::Matchers::Contains("older dcemu"));
  CHECK(std::count(up.out.begin(), up.out.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(cluster.directory() + "/supervisor.pid"));
}

TEST_CASE("Writes on both sides of a partition converge to Windows' conflict outcome once it heals",
          "[live][partition]") {
  // MS-DRSR 4.1.10.6.13 (attribute conflicts: the higher version wins, then
  // the later originating time) and MS-ADTS 3.1.1.5.3.7 / Windows' name
  // conflict rule (the object named most recently keeps the name; the other
  // becomes "<rdn>\0ACNF:<objectGUID>"). The partition is cut on every DC
  // through dcemu ctl, as each DC sees the link.
  Cluster cluster("partition", 600);
  REQUIRE(cluster.ctl("HQ-DC1", "add CN=frank,CN=Users objectClass=user description=v1").exitCode == 0);
  for (const std::string& dc : kDcs) REQUIRE(cluster.eventually(dc, "get CN=frank,CN=Users", 20));
  for (const std::string& dc : kDcs) REQUIRE(cluster.ctl(dc, "partition-link HQ-Branch on").exitCode == 0);

  // Each side changes frank's description once (version 2 on both); the
  // branch writes a simulated minute later, so its stamp wins.
  REQUIRE(cluster.ctl("HQ-DC2", "modify CN=frank,CN=Users replace:description=from-hq").exitCode == 0);
  Ran hqShared = cluster.ctl("HQ-DC1", "add CN=shared,CN=Users objectClass=user");
  REQUIRE(hqShared.exitCode == 0);
  std::smatch hqGuid;
  REQUIRE(std::regex_search(hqShared.out, hqGuid, std::regex("objectGUID ([0-9a-f-]+)")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(cluster.ctl("BR-DC1", "modify CN=frank,CN=Users replace:description=from-branch").exitCode == 0);
  REQUIRE(cluster.ctl("BR-DC1", "add CN=shared,CN=Users objectClass=user").exitCode == 0);
  // While cut, the branch's pulls from HQ fail as an unreachable partner's.
  REQUIRE(cluster.ctl("BR-DC1", "syncall").exitCode == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Ran cut = cluster.ctl("BR-DC1", "get CN=frank,CN=Users description");
  CHECK_THAT(cut.out, Catch::Matchers::Contains("from-branch"));

  for (const std::string& dc : kDcs) REQUIRE(cluster.ctl(dc, "partition-link HQ-Branch off").exitCode == 0);
  for (int round = 0; round < 3; ++round) {
    for (const std::string& dc : kDcs) cluster.ctl(dc, "syncall");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
  for (const std::string& dc : kDcs) {
    INFO(dc);
    Ran frank = cluster.ctl(dc, "get CN=frank,CN=Users description");
    CHECK_THAT(frank.out, Catch::Matchers::Contains("description : from-branch"));
    // The branch's add, made last, keeps the name; HQ's is renamed.
    Ran shared = cluster.ctl(dc, "get CN=shared,CN=Users objectGUID");
    CHECK(shared.exitCode == 0);
    CHECK_THAT(shared.out, !Catch::Matchers::Contains(hqGuid[1].str()));
    Ran renamed = cluster.ctl(dc, fmt::format("get 'CN=shared\\0ACNF:{},CN=Users' objectGUID", hqGuid[1].str()));
    INFO(renamed.out);
    CHECK(renamed.exitCode == 0);
  }
  REQUIRE(cluster.down().exitCode == 0);
  Ran checked = cluster.check();
  INFO(checked.out);
  CHECK(checked.exitCode == 0);
}

TEST_CASE("Bad live command-line values and files are refused in one line with exit 2, before anything starts",
          "[live][cli]") {
  const fs::path work = fs::temp_directory_path() / fmt::format("dcemu-live-cli-{}", getpid());
  fs::remove_all(work);
  fs::create_directories(work);
  auto write = [&](const std::string& name, const std::string& text,
                   fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
    std::ofstream(work / name) << text;
    fs::permissions(work / name, perms);
    return (work / name).string();
  };
  std::string peers = write("peers", "HQ-DC1 127.0.0.1:7001\nHQ-DC2 127.0.0.1:7002\n");
  std::string secret = write("secret", "0123456789abcdef0123456789abcdef\n");
  std::string node =
      fmt::format("node {} --peers {} --secret-file {} --data {}/data", kTopology, peers, secret, work.string());
  struct Case {
    std::string args, error;
  };
  const std::vector<Case> cases = {
      {node + " --dc NOPE", "--dc NOPE: no such DC"},
      {node + " --dc HQ-DC1 --time-scale 0", "--time-scale: a number above 0"},
      {node + " --dc HQ-DC1 --time-scale 2000000", "--time-scale: a number above 0 and at most 1000000"},
      {node + " --dc HQ-DC1 --listen localhost", "--listen: address \"localhost\": expected HOST:PORT"},
      {node + " --dc HQ-DC1 --listen 127.0.0.1:99999", "the port must be a number from 0 to 65535"},
      {node + " --dc HQ-DC1 --metrics 127.0.0.1:x", "--metrics: address \"127.0.0.1:x\""},
      {node + " --dc HQ-DC1 --epoch yesterday", "--epoch:"},
      {node + " --dc HQ-DC1 --tls " + work.string() + "/no-tls",
       "--tls " + work.string() + "/no-tls/ca.crt: cannot be read"},
      {fmt::format("node {} --dc HQ-DC1 --peers {}/missing --secret-file {} --data {}/data", kTopology, work.string(),
                   secret, work.string()),
       "peers file " + work.string() + "/missing: cannot be read"},
      {fmt::format("node {} --dc HQ-DC1 --peers {} --secret-file {} --data {}/data", kTopology,
                   write("bad-peers", "HQ-DC1 127.0.0.1:7001\nHQ-DC2\n"), secret, work.string()),
       "bad-peers:2: expected NAME HOST:PORT"},
      {fmt::format("node {} --dc HQ-DC1 --peers {} --secret-file {} --data {}/data", kTopology,
                   write("stranger-peers", "XX-DC9 127.0.0.1:7001\n"), secret, work.string()),
       "XX-DC9 is no DC of"},
      {fmt::format("node {} --dc HQ-DC1 --peers {} --secret-file {} --data {}/data", kTopology, peers,
                   write("open-secret", "0123456789abcdef0123456789abcdef\n",
                         fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read),
                   work.string()),
       "anyone may read it"},
      {fmt::format("node {} --dc HQ-DC1 --peers {} --secret-file {} --data {}/data", kTopology, peers,
                   write("short-secret", "short\n"), work.string()),
       "a secret is at least 16 bytes"},
      {fmt::format("node {} --dc HQ-DC1 --peers {} --secret-file {} --data {}/no/such/parent", kTopology, peers, secret,
                   work.string()),
       "is not an existing directory"},
      {fmt::format("cluster up {} --data {} --time-scale 0", kTopology, (work / "c1").string()),
       "--time-scale: a number above 0"},
      {fmt::format("cluster up {} --data {}", kTopology, work.string()),
       "not empty and not a cluster directory (no metrics)"},
      {fmt::format("cluster status --data {}", (work / "nothing").string()),
       "is " + (work / "nothing").string() + " a cluster directory?"},
      {fmt::format("cluster down --data {}", (work / "nothing").string()), "no cluster runs there"},
      {fmt::format("cluster check --data {}", (work / "nothing").string()), "not a cluster directory"},
      {fmt::format("ctl --cluster {} --dc HQ-DC1 usn", (work / "nothing").string()), "a cluster directory?"},
      {fmt::format("hosts {} --cluster {}", kTopology, (work / "nothing").string()), "a cluster directory?"},
      {fmt::format("hosts {} --cluster {} --seed x", kTopology, work.string()), "--seed"},
      {fmt::format("cluster report --data {}", (work / "nothing").string()),
       "not a cluster directory (no topology.toml)"},
      {fmt::format("cluster status --data {} --json {}/r.json", work.string(), work.string()),
       "--json, --html, --csv, --hosts-journal and --until are for report"},
  };
  for (const Case& c : cases) {
    Ran ran = shell(dcemu(c.args));
    INFO(c.args << "\n" << ran.out);
    CHECK(ran.exitCode == 2);
    CHECK(std::count(ran.out.begin(), ran.out.end(), '\n') == 1);
    CHECK_THAT(ran.out, Catch::Matchers::Contains(c.error));
  }
  // Nothing was started or made: no data directory, no cluster.
  CHECK_FALSE(fs::exists(work / "data"));
  CHECK_FALSE(fs::exists(work / "c1"));
  fs::remove_all(work);
}

TEST_CASE("The migration operations run on a live DC as in the simulator, refusals included, and replicate",
          "[live][migration]") {
  // Microsoft's Start-/Complete-ADServiceAccountMigration: Start sets the
  // dMSA's msDS-DelegatedMSAState to 1 and links the old account; a second
  // Start is refused (the dMSA is linked); Complete without Start too.
  Cluster cluster("migration", 600, 10, dcemu::testing::topology("reference/two-sites-seed-warning.toml"));
  Ran early = cluster.ctl("EAST-DC1", "complete-migration dmsa_web");
  CHECK(early.exitCode == 1);
  CHECK_THAT(early.out, Catch::Matchers::Contains("no migration from CN=svc_web,CN=Users"));
  Ran started = cluster.ctl("EAST-DC1", "start-migration dmsa_web");
  INFO(started.out);
  REQUIRE(started.exitCode == 0);
  CHECK_THAT(started.out, Catch::Matchers::Contains("dmsa_web now has msDS-DelegatedMSAState 1"));
  Ran again = cluster.ctl("EAST-DC1", "start-migration dmsa_web");
  CHECK(again.exitCode == 1);
  CHECK_THAT(again.out, Catch::Matchers::Contains("the dMSA is already linked (state 1)"));
  // The site link replicates every 12 hours; an administrator forces it.
  REQUIRE(cluster.ctl("WEST-DC1", "replicate EAST-DC1").exitCode == 0);
  const std::string dmsa = "'CN=dmsa_web,CN=Managed Service Accounts' msDS-DelegatedMSAState";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  Ran west;
  do {
    west = cluster.ctl("WEST-DC1", "get " + dmsa);
  } while (west.out.find("msDS-DelegatedMSAState : 1") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline);
  CHECK_THAT(west.out, Catch::Matchers::Contains("msDS-DelegatedMSAState : 1"));
  CHECK(cluster.ctl("WEST-DC1", "complete-migration dmsa_web").exitCode == 0);
  CHECK(cluster.ctl("EAST-DC1", "unknown-migration dmsa_web").exitCode == 2);
  CHECK(cluster.ctl("EAST-DC1", "start-migration no_such_dmsa").exitCode == 2);
}

TEST_CASE("Live DCs run the file's faults and steps at their moments", "[live][timeline]") {
  // tests/live/scenarios/timeline-live.toml at an hour in two seconds (wide
  // enough margins on a busy machine): grace is
  // added at 1h, the branch is cut from 30m to 6h, HQ-DC2 is down from 2h
  // to 4h while grace changes at 3h.
  const std::string file = std::string(DCEMU_LIVE_SCENARIOS_DIR) + "/timeline-live.toml";
  Cluster cluster("timeline", 1800, 10, file);
  // Simulated time zero is the cluster's epoch (a whole second, just after
  // `up`): hour h falls 2h seconds after it.
  std::tm epoch{};
  std::istringstream(readFile(cluster.directory() + "/epoch")) >> std::get_time(&epoch, "%Y-%m-%dT%H:%M:%SZ");
  const auto zero = std::chrono::system_clock::from_time_t(timegm(&epoch));
  auto waitUntilHour = [&](double hours) {
    std::this_thread::sleep_until(zero + std::chrono::milliseconds(static_cast<int>(hours * 2000)));
  };
  waitUntilHour(1.5);
  CHECK(cluster.ctl("HQ-DC2", "get CN=grace,CN=Users").exitCode == 0);  // by notification
  CHECK(cluster.ctl("BR-DC1", "get CN=grace,CN=Users").exitCode == 1);  // cut off
  waitUntilHour(3.0);
  Ran down = cluster.ctl("HQ-DC2", "usn");
  CHECK(down.exitCode == 1);
  CHECK_THAT(down.out, Catch::Matchers::Contains("HQ-DC2 is down"));
  waitUntilHour(5.0);
  // Back at 4h, HQ-DC2 pulled what changed while it was down.
  Ran back = cluster.ctl("HQ-DC2", "get CN=grace,CN=Users description");
  CHECK_THAT(back.out, Catch::Matchers::Contains("changed while HQ-DC2 was down"));
  CHECK(cluster.ctl("BR-DC1", "get CN=grace,CN=Users").exitCode == 1);
  // The link heals at 6h; the branch's next 15-minute poll brings grace.
  CHECK(cluster.eventually("BR-DC1", "get CN=grace,CN=Users", 15));
  std::string log = readFile(cluster.directory() + "/dcs/br-dc1/node.log");
  CHECK_THAT(log, Catch::Matchers::Contains("partition begins"));
  CHECK_THAT(log, Catch::Matchers::Contains("partition ends"));
  std::string hq = readFile(cluster.directory() + "/dcs/hq-dc1/node.log");
  CHECK_THAT(hq, Catch::Matchers::Contains("ldap-add: added CN=grace,CN=Users"));
}

TEST_CASE("A live node serves Prometheus metrics and its health over HTTP", "[live][metrics]") {
  Cluster cluster("metrics", 600);
  REQUIRE(cluster.ctl("HQ-DC1", "add CN=bob,CN=Users objectClass=user").exitCode == 0);
  REQUIRE(cluster.eventually("HQ-DC2", "get CN=bob,CN=Users", 20));
  std::regex line("HQ-DC2 ([0-9.]+):([0-9]+)");
  std::smatch address;
  std::string metricsFile = readFile(cluster.directory() + "/metrics");
  REQUIRE(std::regex_search(metricsFile, address, line));
  std::string base = fmt::format("http://{}:{}", address[1].str(), address[2].str());
  Ran metrics = shell("curl -sS --max-time 10 " + base + "/metrics");
  INFO(metrics.out);
  REQUIRE(metrics.exitCode == 0);
  CHECK_THAT(metrics.out, Catch::Matchers::Contains("# TYPE dcemu_usn_highest_committed gauge"));
  CHECK(
      std::regex_search(metrics.out, std::regex(R"(dcemu_changes_applied_total\{dc="HQ-DC2",kind="object"\} [1-9])")));
  CHECK(std::regex_search(metrics.out,
                          std::regex(R"(dcemu_pulls_total\{dc="HQ-DC2",partner="HQ-DC1",result="success"\} [1-9])")));
  Ran health = shell("curl -sS -o /dev/null -w '%{http_code}' --max-time 10 " + base + "/healthz");
  CHECK(health.out == "200");
  Ran missing = shell("curl -sS -o /dev/null -w '%{http_code}' --max-time 10 " + base + "/nothing");
  CHECK(missing.out == "404");
}

TEST_CASE("A wrong secret, garbage bytes and a flood of connections are refused while the node keeps replicating",
          "[live][rpc][flood]") {
  Cluster cluster("flood", 600);
  std::smatch address;
  std::string peers = readFile(cluster.directory() + "/peers");
  REQUIRE(std::regex_search(peers, address, std::regex("HQ-DC2 ([0-9.]+):([0-9]+)")));
  // 1,500 connections, every fourth one sending garbage, held for 20 s: the
  // idle ones alone are twice the node's limit of open connections.
  Ran flood =
      shell(fmt::format("python3 -c 'import socket, time\n"
                        "held = []\n"
                        "for i in range(1500):\n"
                        "    s = socket.create_connection((\"{}\", {}))\n"
                        "    if i % 4 == 0: s.send(bytes(range(256)) * 4)\n"
                        "    held.append(s)\n"
                        "time.sleep(20)' > /dev/null 2>&1 & echo $!",
                        address[1].str(), address[2].str()));
  pid_t flooder = std::stoi(flood.out);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  // The real partners still replicate: HQ-DC1's change reaches HQ-DC2.
  REQUIRE(cluster.ctl("HQ-DC1", "add CN=dave,CN=Users objectClass=user").exitCode == 0);
  CHECK(cluster.eventually("HQ-DC2", "get CN=dave,CN=Users", 15));
  CHECK(cluster.ctl("HQ-DC2", "usn").exitCode == 0);  // an administrator gets in too
  kill(flooder, SIGKILL);

  // A cluster directory with the right addresses and the wrong secret.
  const fs::path impostor = cluster.directory() + "-impostor";
  fs::create_directories(impostor);
  fs::copy_file(cluster.directory() + "/peers", impostor / "peers", fs::copy_options::overwrite_existing);
  std::ofstream(impostor / "secret") << "0123456789abcdef0123456789abcdef\n";
  fs::permissions(impostor / "secret", fs::perms::owner_read | fs::perms::owner_write);
  Ran refused = shell(dcemu(fmt::format("ctl --cluster {} --dc HQ-DC2 usn", impostor.string())));
  fs::remove_all(impostor);
  CHECK(refused.exitCode == 1);
  CHECK_THAT(refused.out, Catch::Matchers::Contains("proof"));

  std::string metricsFile = readFile(cluster.directory() + "/metrics");
  REQUIRE(std::regex_search(metricsFile, address, std::regex("HQ-DC2 ([0-9.]+:[0-9]+)")));
  Ran metrics = shell("curl -sS --max-time 10 http://" + address[1].str() + "/metrics");
  INFO(metrics.out);
  CHECK(std::regex_search(metrics.out, std::regex(R"(dcemu_rpc_authentication_failures_total\{dc="HQ-DC2"\} [1-9])")));
  CHECK(std::regex_search(metrics.out, std::regex(R"(dcemu_rpc_connections_evicted_total\{dc="HQ-DC2"\} [1-9])")));
}

int freePort();

// kubectl's dry run needs an API server; kubernetes-models (installed by
// scripts/setup) validates offline against Kubernetes' schema. Then each
// pod's own command line runs here, with the files Kubernetes would mount
// and loopback addresses, and the DCs replicate.
TEST_CASE("The live cluster's Kubernetes manifests validate offline, and the pods' command lines form a cluster",
          "[live][kubernetes]") {
  const fs::path root = fs::path(DCEMU_TOPOLOGIES_DIR).parent_path();
  const std::string manifest = (root / "deploy/kubernetes/live-cluster.yaml").string();
  const std::string tools = (root / "tests/kubernetes").string();
  Ran valid = shell(fmt::format("cd {} && node validate.mjs {}", tools, manifest));
  INFO(valid.out);
  REQUIRE(valid.exitCode == 0);
  CHECK_THAT(valid.out, Catch::Matchers::Contains("StatefulSet/dcemu-dc: valid"));
  CHECK_THAT(valid.out, Catch::Matchers::Contains("Deployment/dcemu-hosts: valid"));
  Ran commands = shell(fmt::format("cd {} && node commands.mjs {}", tools, manifest));
  std::map<std::string, std::string> commandOf;  // workload → its shell command
  std::istringstream workloads(commands.out);
  for (std::string line; std::getline(workloads, line);)
    commandOf[line.substr(0, line.find('\t'))] = line.substr(line.find('\t') + 1);
  REQUIRE(commandOf.count("dcemu-dc"));
  REQUIRE(commandOf.count("dcemu-hosts"));
  const std::string& command = commandOf["dcemu-dc"];
  Ran peers = shell(fmt::format("cd {} && node configmap.mjs {} dcemu-live peers", tools, manifest));
  REQUIRE(peers.exitCode == 0);

  // /etc/dcemu as the pods see it, with each pod's DNS name a loopback port.
  const fs::path etc = fs::temp_directory_path() / fmt::format("dcemu-k8s-{}", getpid());
  fs::remove_all(etc);
  fs::create_directories(etc / "data");
  std::istringstream lines(peers.out);
  std::vector<std::pair<std::string, int>> dcs;  // in pod order
  std::string localPeers;
  for (std::string line; std::getline(lines, line);) {
    std::string name = line.substr(0, line.find(' '));
    dcs.emplace_back(name, freePort());
    localPeers += fmt::format("{} 127.0.0.1:{}\n", name, dcs.back().second);
  }
  REQUIRE(dcs.size() == 4);
  std::ofstream(etc / "peers") << localPeers;
  // Time zero now, as `cluster up` sets it, so the hosts' first logons come.
  std::ofstream(etc / "epoch") << scenario::formatUtcInstant(std::chrono::duration_cast<std::chrono::seconds>(
                                                                 std::chrono::system_clock::now().time_since_epoch())
                                                                 .count() *
                                                             1'000'000)
                               << "\n";
  std::ofstream(etc / "time-scale") << "600\n";
  std::ofstream(etc / "secret") << "k8s-test-secret-0123456789abcdef\n";
  fs::permissions(etc / "secret", fs::perms::owner_read | fs::perms::group_read);
  fs::copy_file(root / "topologies/live-three-sites.toml", etc / "topology.toml");
  auto localise = [&](std::string text, int ordinal) {
    auto swap = [&](const std::string& from, const std::string& to) {
      for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    };
    swap("/etc/dcemu", etc.string());
    swap("/data", (etc / "data").string());
    swap("0.0.0.0:7000", fmt::format("127.0.0.1:{}", dcs[ordinal].second));
    swap("0.0.0.0:9100", "127.0.0.1:0");
    return text;
  };
  std::string path = fmt::format("PATH={}:$PATH", fs::path(DCEMU_BINARY).parent_path().string());
  std::vector<pid_t> pods;
  for (int ordinal = 0; ordinal < 4; ++ordinal) {
    std::ofstream(etc / fmt::format("pod-{}.sh", ordinal)) << localise(command, ordinal) << "\n";
    Ran started = shell(fmt::format("{} HOSTNAME=dcemu-dc-{} sh {} > {} 2>&1 & echo $!", path, ordinal,
                                    (etc / fmt::format("pod-{}.sh", ordinal)).string(),
                                    (etc / fmt::format("pod-{}.log", ordinal)).string()));
    pods.push_back(std::stoi(started.out));
  }
  auto ctl = [&](const std::string& dc, const std::string& args) {
    return shell(dcemu(fmt::format("ctl --cluster {} --dc {} {}", etc.string(), dc, args)));
  };
  auto eventually = [&](const std::string& dc, const std::string& args) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (ctl(dc, args).exitCode == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  // Pod N runs the DC on line N+1: each answers under its own name.
  for (const auto& [name, port] : dcs) CHECK(eventually(name, "usn"));
  CHECK(ctl("HQ-DC1", "add CN=erin,CN=Users objectClass=user").exitCode == 0);
  CHECK(eventually("HQ-DC2", "get CN=erin,CN=Users"));
  Ran status = shell(dcemu("cluster status --data " + etc.string()));
  CHECK(status.exitCode == 0);
  // The hosts' Deployment logs the file's eight services on to the DCs
  // (their first logons fall in the first simulated 12 seconds at 600).
  std::ofstream(etc / "hosts.sh") << localise(commandOf["dcemu-hosts"], 0) << "\n";
  Ran hostsStarted = shell(
      fmt::format("{} sh {} > {} 2>&1 & echo $!", path, (etc / "hosts.sh").string(), (etc / "hosts.log").string()));
  pods.push_back(std::stoi(hostsStarted.out));
  const std::string report = dcemu(
      fmt::format("cluster report --data {} --hosts-journal {}", etc.string(), (etc / "data/hosts.journal").string()));
  Ran reported;
  for (int attempt = 0; attempt < 300; ++attempt) {
    reported = shell(report);
    if (reported.out.find("logons      8 journalled") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The DCs' journals came over RPC: /etc/dcemu holds none of them.
  INFO(reported.out << readFile(etc / "hosts.log"));
  CHECK(reported.exitCode == 0);
  CHECK_THAT(reported.out, Catch::Matchers::Contains("(4 DCs, running)"));
  CHECK_THAT(reported.out, Catch::Matchers::Contains("logons      8 journalled, 0 failed"));
  CHECK_THAT(reported.out, Catch::Matchers::Contains("dmsa_app superseding svc_app: 8 host services in 3 sites"));
  for (pid_t pod : pods) kill(pod, SIGTERM);
  for (pid_t pod : pods) shell(fmt::format("timeout 10 tail --pid={} -f /dev/null", pod));
  INFO(readFile(etc / "pod-0.log"));
  CHECK(fs::exists(etc / "data/HQ-DC1/store"));
  CHECK(fs::exists(etc / "data/WEST-DC1/store"));
  fs::remove_all(etc);
}

// A port free on loopback now.
int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

TEST_CASE("A real Prometheus server scrapes a live node and answers a query for its USN",
          "[live][metrics][prometheus]") {
  // Debian's prometheus on loopback, with its own configuration and
  // storage in a temporary directory, stopped when the test ends.
  Cluster cluster("prometheus", 600);
  Ran added = cluster.ctl("HQ-DC1", "add CN=carol,CN=Users objectClass=user");
  REQUIRE(added.exitCode == 0);
  std::smatch written;
  REQUIRE(std::regex_search(added.out, written, std::regex(R"(USN ([0-9]+)\))")));
  std::smatch address;
  std::string metricsFile = readFile(cluster.directory() + "/metrics");
  REQUIRE(std::regex_search(metricsFile, address, std::regex("HQ-DC1 ([0-9.]+:[0-9]+)")));
  const fs::path work = cluster.directory() + "/prometheus";
  fs::create_directories(work);
  std::ofstream(work / "prometheus.yml") << "global:\n  scrape_interval: 1s\n"
                                         << "scrape_configs:\n  - job_name: dcemu\n    static_configs:\n"
                                         << "      - targets: ['" << address[1].str() << "']\n";
  int port = freePort();
  Ran started = shell(fmt::format(
      "prometheus --config.file={0}/prometheus.yml --storage.tsdb.path={0}/data --web.listen-address=127.0.0.1:{1} "
      "> {0}/prometheus.log 2>&1 & echo $!",
      work.string(), port));
  pid_t prometheus = std::stoi(started.out);
  std::string answer;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    Ran query = shell(fmt::format(
        "curl -sS --max-time 5 'http://127.0.0.1:{}/api/v1/query?query=dcemu_usn_highest_committed'", port));
    if (query.exitCode == 0 && query.out.find("\"HQ-DC1\"") != std::string::npos) {
      answer = query.out;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  kill(prometheus, SIGTERM);
  shell(fmt::format("timeout 10 tail --pid={} -f /dev/null", prometheus));
  INFO(readFile(work / "prometheus.log"));
  REQUIRE(!answer.empty());
  // The series as Prometheus stored it: the DC's label, the scrape's job,
  // and a USN at least that of the write above.
  CHECK_THAT(answer, Catch::Matchers::Contains("\"status\":\"success\""));
  CHECK_THAT(answer, Catch::Matchers::Contains("\"job\":\"dcemu\""));
  std::smatch usn;
  REQUIRE(std::regex_search(answer, usn, std::regex(R"(\"([0-9]+)\"\]\})")));
  CHECK(std::stoull(usn[1].str()) >= std::stoull(written[1].str()));
}

TEST_CASE(
    "Fifty SIGKILLs under write and logon load lose no acknowledged write, reuse no USN, and the replicas "
    "converge",
    "[live][crash]") {
  // tests/live/scenarios/crash-live.toml: 24 hosts renewing every 6 s.
  Cluster cluster("crash", 600, 100, std::string(DCEMU_LIVE_SCENARIOS_DIR) + "/crash-live.toml");
  std::mt19937 rng(20261201);
  struct Acknowledged {
    std::string dc, dn;
    uint64_t usn;
  };
  std::vector<Acknowledged> acknowledged;
  std::regex usnOf(R"(USN ([0-9]+)\))");
  int kills = 0, writes = 0;
  for (int round = 0; kills < 50; ++round) {
    for (int i = 0; i < 2; ++i) {
      const std::string& dc = kDcs[rng() % kDcs.size()];
      std::string dn = fmt::format("CN=crash-{}-{},CN=Users", round, i);
      Ran added = cluster.ctl(dc, fmt::format("add {} objectClass=user", dn));
      ++writes;
      std::smatch usn;
      if (added.exitCode == 0 && std::regex_search(added.out, usn, usnOf))
        acknowledged.push_back({dc, dn, std::stoull(usn[1].str())});
    }
    const std::string& victim = kDcs[rng() % kDcs.size()];
    // [-] keeps the pattern from matching the shell that runs pkill.
    Ran killed = shell(fmt::format("pkill -KILL -f -- '[-]-dc {} --data {}/'", victim, cluster.directory()));
    if (killed.exitCode == 0) ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 400));
  }
  // Every DC back (the supervisor restarts each), then every partner pulled
  // from until nothing is left.
  for (const std::string& dc : kDcs) REQUIRE(cluster.eventually(dc, "usn", 30));
  for (int round = 0; round < 3; ++round) {
    for (const std::string& dc : kDcs) cluster.ctl(dc, "syncall");
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  INFO(writes << " writes, " << acknowledged.size() << " acknowledged, " << kills << " kills");
  CHECK(acknowledged.size() > 20);
  // No USN reused: each DC's acknowledged writes took rising USNs, restarts
  // between them or not.
  std::map<std::string, uint64_t> lastUsn;
  for (const Acknowledged& write : acknowledged) {
    INFO(write.dc << " " << write.dn);
    CHECK(write.usn > lastUsn[write.dc]);
    lastUsn[write.dc] = write.usn;
  }
  // No acknowledged write lost, on any DC.
  for (const Acknowledged& write : acknowledged)
    for (const std::string& dc : kDcs) {
      INFO(write.dn << " on " << dc);
      CHECK(cluster.ctl(dc, "get " + write.dn + " objectGUID").exitCode == 0);
    }
  // The hosts logged on throughout, passing over the DC that was down.
  std::string journal = readFile(cluster.directory() + "/hosts/hosts.journal");
  size_t logons = 0, ok = 0;
  std::map<std::string, int> perHost;
  std::istringstream records(journal);
  for (std::string line; std::getline(records, line);) {
    if (!line.starts_with("logon\t")) continue;
    ++logons;
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (fields.size() > 5 && fields[5] == "1") ++ok;
    if (fields.size() > 2) ++perHost[fields[2]];
  }
  INFO(logons << " logons, " << ok << " ok");
  CHECK(perHost.size() == 24);
  CHECK(std::all_of(perHost.begin(), perHost.end(), [](const auto& host) { return host.second >= 2; }));
  CHECK(ok * 10 >= logons * 9);
  std::string log = readFile(cluster.directory() + "/supervisor.log");
  size_t killedLines = 0;
  for (size_t at = log.find("killed by signal 9"); at != std::string::npos; at = log.find("killed by signal 9", at + 1))
    ++killedLines;
  CHECK(killedLines == 50);
  REQUIRE(cluster.down().exitCode == 0);
  Ran checked = cluster.check();
  INFO(checked.out);
  CHECK(checked.exitCode == 0);
}

}  // namespace
}  // namespace dcemu::live::testing
