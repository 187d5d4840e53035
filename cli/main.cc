// dcemu: one binary, a subcommand per job.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "live/cluster_command.h"
#include "live/hosts_process.h"
#include "live/node_process.h"
#include "scenario/validate.h"

namespace {

using namespace dcemu::cli;

int validate(const std::string& file) {
  dcemu::scenario::Validation validation = dcemu::scenario::validate(file);
  for (const std::string& error : validation.errors) fmt::print(stderr, "{}\n", error);
  if (!validation.errors.empty()) return 2;
  fmt::print("{}\n", validation.summary);
  return 0;
}

int emit(const CommandOutput& output) {
  fmt::print("{}", output.out);
  fmt::print(stderr, "{}", output.err);
  return output.exitCode;
}

// A seed as the user wrote it: digits only, up to 2^64 - 1. CLI11 would
// take "-1" as 18446744073709551615.
std::string checkSeed(const std::string& text) {
  bool digits = !text.empty() && text.size() <= 20 && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return "a seed is a whole number from 0 to 18446744073709551615";
  if (text.size() == 20 && text > "18446744073709551615") return "a seed is at most 18446744073709551615";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dcemu: an emulator of a replicated, multi-site Active Directory domain"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("dcemu ") + DCEMU_VERSION);

  std::string file;
  auto* validateCommand = app.add_subcommand("validate", "Load and check a topology file; print what it describes");
  validateCommand->add_option("FILE", file, "topology and scenario file (TOML)")->required();

  RunOptions run;
  uint64_t seed = 0;
  std::string until;
  auto* runCmd = app.add_subcommand("run",
                                    "Simulate a topology file and print the summary and the planning report; exit 1 "
                                    "when a step is refused, an expectation fails or the replicas do not converge, "
                                    "2 for bad input");
  runCmd->add_option("FILE", file, "topology and scenario file (TOML)")->required();
  auto* runSeed = runCmd->add_option("--seed", seed, "random seed (overrides [simulation] seed)")->check(checkSeed);
  auto* runUntil = runCmd->add_option("--until", until, "stop after this simulated duration, e.g. 3d12h");
  runCmd->add_option(
      "--trace", run.traceFile,
      "write pulls, steps, faults, logons, lost ACEs and dMSA states as Chrome trace-event JSON (Perfetto)");
  runCmd->add_option("--events", run.eventsFile, "write the events Windows would log (docs/events.md) as JSON Lines");
  runCmd->add_option("--store", run.storeDirectory,
                     "keep the DCs' stores in this directory (new or empty) instead of memory, for long soak runs");
  auto* whatIf = runCmd->add_option("--what-if", run.whatIfEvery,
                                    "what completing each started migration would break, at candidate moments this far "
                                    "apart (default 12h; on by default when the file starts a migration it never "
                                    "completes)");
  whatIf->expected(0, 1);
  runCmd->add_option("--complete-at", run.completeAt,
                     "one what-if moment: an offset from the start (3d12h) or a UTC time (2026-01-08T12:00:00Z)");
  runCmd->add_flag("--no-what-if", run.noWhatIf, "no what-if table, even in a planning run");
  runCmd->add_option("--jobs", run.jobs, "what-if forks run at once (default: one per core)")
      ->check(CLI::Range(1u, 1024u));
  runCmd->add_option("--json", run.jsonFile, "write the planning report as JSON (docs/report-format.md)");
  runCmd->add_option("--html", run.htmlFile, "write the planning report as one HTML page with charts");
  runCmd->add_option("--csv", run.csvDirectory, "write the report's tables as CSV files into this directory");
  bool quiet = false;
  runCmd->add_flag("--quiet", quiet, "no progress line on a terminal");
  std::string failOnRisk;
  runCmd->add_flag("--fail-on-risk{*}", failOnRisk,
                   "exit 1 when a migration is at risk (NO-GO, or an ACE lost for good); =DMSA,... for some only");

  bool dot = false;
  auto* topologyCmd = app.add_subcommand("topology", "Print the KCC's connections, or a Graphviz graph with --dot");
  topologyCmd->add_option("FILE", file, "topology file (TOML)")->required();
  topologyCmd->add_flag("--dot", dot, "Graphviz DOT of sites, site links and connections");

  RepadminOptions repadmin;
  auto* repadminCmd = app.add_subcommand("repadmin", "Simulate to a moment and print what repadmin would there");
  repadminCmd->add_option("VIEW", repadmin.view, "showrepl | replsummary | showobjmeta | showutdvec")
      ->required()
      ->check(CLI::IsMember({"showrepl", "replsummary", "showobjmeta", "showutdvec"}));
  repadminCmd->add_option("FILE", file, "topology and scenario file (TOML)")->required();
  repadminCmd
      ->add_option("--at", repadmin.at,
                   "the moment: an offset from the start (2d) or a UTC time (2026-01-07T00:00:00Z, or as repadmin "
                   "prints it)")
      ->required();
  repadminCmd->add_option("--dc", repadmin.dc, "the DC to ask (showrepl: default every DC)");
  repadminCmd->add_option("--object", repadmin.object, "showobjmeta: a DN or a topology name");
  repadminCmd->add_option("--nc", repadmin.namingContext, "showutdvec: domain, configuration or schema");
  repadminCmd->add_flag("--csv", repadmin.csv, "showrepl: repadmin's /csv layout");
  auto* repadminSeed =
      repadminCmd->add_option("--seed", seed, "random seed (overrides [simulation] seed)")->check(checkSeed);

  GetOptions get;
  auto* getCmd = app.add_subcommand(
      "get", "Simulate to a moment and print an object's attributes as one DC holds them (Get-ADObject -Properties)");
  getCmd->add_option("FILE", file, "topology and scenario file (TOML)")->required();
  getCmd->add_option("OBJECT", get.object, "a DN (whole or relative to the domain) or a name the file gives")
      ->required();
  getCmd->add_option("ATTR", get.attributes, "attributes to show (default: every attribute the object holds)");
  getCmd->add_option("--at", get.at, "the moment: an offset from the start (2d) or a UTC time")->required();
  getCmd->add_option("--dc", get.dc, "the DC whose replica to read")->required();
  auto* getSeed = getCmd->add_option("--seed", seed, "random seed (overrides [simulation] seed)")->check(checkSeed);

  SweepOptions sweep;
  uint64_t firstSeed = 1, seedCount = 100;
  auto* sweepCmd = app.add_subcommand(
      "sweep", "Run a file once per seed, in parallel, and aggregate each migration's risks over the seeds");
  sweepCmd->add_option("FILE", file, "topology and scenario file (TOML)")->required();
  sweepCmd->add_option("--seeds", seedCount, "how many seeds (default 100)")->check(checkSeed);
  sweepCmd->add_option("--first-seed", firstSeed, "the first seed (default 1)")->check(checkSeed);
  sweepCmd->add_option("--jobs", sweep.jobs, "seeds run at once (default: one per core)")->check(CLI::Range(1u, 1024u));
  sweepCmd->add_option("--shard", sweep.shard, "I/K: run only shard I of K (0 <= I < K), for dcemu merge");
  sweepCmd->add_option("--out", sweep.outDirectory,
                       "a new or empty directory for each seed's record, the manifest and the aggregate");
  auto* sweepWhatIf = sweepCmd->add_option("--what-if", sweep.whatIfEvery,
                                           "the what-if table per seed, at this spacing (default 12h; on by default "
                                           "when the file starts a migration it never completes)");
  sweepWhatIf->expected(0, 1);
  sweepCmd->add_flag("--no-what-if", sweep.noWhatIf, "no what-if table per seed");
  sweepCmd->add_option("--json", sweep.jsonFile, "write the aggregate as JSON");
  sweepCmd->add_option("--html", sweep.htmlFile, "write the aggregate as an HTML page with charts");
  bool sweepQuiet = false;
  sweepCmd->add_flag("--quiet", sweepQuiet, "no progress on stderr (a line on a terminal, every 5 s elsewhere)");

  ImportOptions importOptions;
  auto* importCmd =
      app.add_subcommand("import", "read a running DC over LDAP, or a domain's LDIF export, into a topology file");
  importCmd->add_option("URL", importOptions.url, "ldap://HOST[:PORT] or ldaps://HOST[:PORT] of a DC");
  importCmd->add_option("--bind", importOptions.bind, "the account to bind as (UPN, DOMAIN\\user or DN)");
  importCmd->add_option("--password-file", importOptions.passwordFile, "a file whose first line is its password");
  importCmd->add_flag("--tls", importOptions.startTls, "StartTLS before binding (ldap:// URLs)");
  importCmd->add_option("--ldif", importOptions.ldifFiles, "LDIF export (ldifde, ldapsearch, ldbsearch); repeatable");
  importCmd->add_option("--repadmin-csv", importOptions.repadminCsv,
                        "repadmin /showrepl * /csv output: connections failing now become faults");
  importCmd->add_option("--services", importOptions.servicesFile, "CSV of host,account[,site]: which host runs what");
  importCmd->add_option("--default-site", importOptions.defaultSite,
                        "the site of hosts the services file places nowhere (default: the site with the most DCs)");
  importCmd->add_option("--out", importOptions.out, "the topology file to write")->required();
  importCmd->add_flag("--anonymize", importOptions.anonymize,
                      "replace every name by a stable pseudonym, keeping structure, to share the file");
  AuditOptions audit;
  auto* auditCmd = app.add_subcommand(
      "audit", "BadSuccessor exposure: who can create or change dMSAs where, and which accounts they could take over");
  auditCmd->add_option("FILE", file, "topology and scenario file (TOML)")->required();
  auditCmd->add_option("--at", audit.at, "the moment to audit (default: time zero)");
  auditCmd->add_option("--dc", audit.dc, "the DC whose replica to read (default: the first)");
  auditCmd->add_flag("--like-script", audit.likeScript,
                     "list exactly what Akamai's Get-BadSuccessorOUPermissions.ps1 lists: per principal, its OUs");

  std::vector<std::string> mergeDirectories;
  MergeOptions merge;
  auto* mergeCmd =
      app.add_subcommand("merge", "Merge sweep shards' --out directories into the aggregate of the whole sweep");
  mergeCmd->add_option("DIR", mergeDirectories, "the shards' --out directories")->required();
  mergeCmd->add_option("--out", merge.outDirectory, "a new or empty directory for the aggregate")->required();
  mergeCmd->add_option("--json", merge.jsonFile, "write the aggregate as JSON");
  mergeCmd->add_option("--html", merge.htmlFile, "write the aggregate as an HTML page with charts");

  dcemu::live::NodeOptions node;
  auto* nodeCmd = app.add_subcommand(
      "node", "Run one DC of a topology file as a process: its store on disk, replicating over RPC (docs/live.md)");
  nodeCmd->add_option("FILE", node.file, "topology file (TOML)")->required();
  nodeCmd->add_option("--dc", node.dc, "the DC this process is")->required();
  nodeCmd->add_option("--data", node.dataDirectory, "its data directory (created on first start, reopened after)")
      ->required();
  nodeCmd->add_option("--peers", node.peersFile, "NAME HOST:PORT per DC: where the partners listen")->required();
  nodeCmd->add_option("--secret-file", node.secretFile, "the cluster secret (mode 600)")->required();
  nodeCmd->add_option("--listen", node.listen, "HOST:PORT of its replication service (default 127.0.0.1:0)");
  nodeCmd->add_option("--metrics", node.metricsListen, "HOST:PORT for /metrics and /healthz (default: none)");
  nodeCmd->add_option("--time-scale", node.timeScale, "simulated seconds per second (default 1)");
  nodeCmd->add_option("--epoch", node.epoch,
                      "the UTC instant the file's start maps to (default: the first start, kept in --data)");
  nodeCmd->add_option("--port-file", node.portFile, "write the ports it listens on here once serving");
  nodeCmd->add_option("--tls", node.tlsDirectory,
                      "RPC over TLS: the directory with ca.crt and this DC's NAME.crt and NAME.key");
  auto* nodeSeed =
      nodeCmd->add_option("--seed", seed, "random seed of the provisioning (default: the file's)")->check(checkSeed);

  dcemu::live::ClusterOptions cluster;
  std::string clusterAction;
  auto* clusterCmd = app.add_subcommand(
      "cluster", "Start, inspect and stop a topology file's DCs as processes on this machine (docs/live.md)");
  clusterCmd->add_option("ACTION", clusterAction, "up | status | report | down | check")
      ->required()
      ->check(CLI::IsMember({"up", "status", "report", "down", "check"}));
  clusterCmd->add_option("FILE", cluster.file, "topology file (TOML); up only");
  clusterCmd->add_option("--data", cluster.directory, "the cluster directory")->required();
  clusterCmd->add_option("--time-scale", cluster.timeScale, "simulated seconds per second (default 1)");
  clusterCmd->add_flag("--tls", cluster.tls, "up: RPC over TLS with certificates of the cluster's own CA");
  clusterCmd->add_option("--max-restarts", cluster.maxRestarts, "restarts of a DC that dies (default 10)")
      ->check(CLI::Range(0, 1000));
  auto* clusterSeed =
      clusterCmd->add_option("--seed", seed, "random seed of the provisioning (default: the file's)")->check(checkSeed);
  dcemu::live::ClusterReportOptions clusterReport;
  clusterCmd->add_option("--json", clusterReport.jsonFile, "report: write the planning report as JSON");
  clusterCmd->add_option("--html", clusterReport.htmlFile, "report: write the planning report as one HTML page");
  clusterCmd->add_option("--csv", clusterReport.csvDirectory, "report: write the report's tables as CSV files here");
  clusterCmd->add_option("--until", clusterReport.until,
                         "report: as of this simulated duration after the start, e.g. 28d (default: now)");
  clusterCmd->add_option("--hosts-journal", clusterReport.hostsJournal,
                         "report: the hosts' journal (default: hosts/hosts.journal in the cluster directory)");

  dcemu::live::HostsOptions hosts;
  auto* hostsCmd = app.add_subcommand(
      "hosts", "Run a topology file's hosts as Kerberos clients of a running cluster's DCs (docs/live.md)");
  hostsCmd->add_option("FILE", hosts.file, "topology file (TOML)")->required();
  hostsCmd->add_option("--cluster", hosts.clusterDirectory, "the cluster directory")->required();
  hostsCmd->add_option("--journal", hosts.journalFile,
                       "where to journal logons and events (default: hosts/hosts.journal in the cluster directory)");
  auto* hostsSeed =
      hostsCmd->add_option("--seed", seed, "random seed of the clients (default: the file's)")->check(checkSeed);

  std::string ctlCluster, ctlDc;
  std::vector<std::string> ctlArgs;
  auto* ctlCmd = app.add_subcommand("ctl", "One operation on one DC of a running cluster (docs/live.md)");
  ctlCmd->add_option("--cluster", ctlCluster, "the cluster directory")->required();
  ctlCmd->add_option("--dc", ctlDc, "the DC to ask")->required();
  ctlCmd->add_option("OPERATION", ctlArgs, "the operation and its arguments")->required();
  ctlCmd->positionals_at_end();

  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* command : app.get_subcommands({})) names.push_back(command->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      fmt::print(stderr, "dcemu: unknown command \"{}\" (use {} or {})\n", argv[1],
                 fmt::join(names.begin(), names.end() - 1, ", "), names.back());
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 2, with CLI11's one-line reason.
    fmt::print(stderr, "dcemu: {}\n", e.what());
    return 2;
  }
  if (sweepCmd->parsed()) {
    sweep.firstSeed = firstSeed;
    sweep.seeds = seedCount;
    if (sweepWhatIf->count() && !sweep.whatIfEvery) sweep.whatIfEvery = "";
    bool terminal = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
    if (!sweepQuiet && terminal) {
      sweep.progress = [](size_t done, size_t total) {
        fmt::print(stderr, "\r\033[Kseeds: {} of {} run", done, total);
        if (done == total) fmt::print(stderr, "\r\033[K");
      };
    } else if (!sweepQuiet) {
      // A log or a batch system's output file: a plain line every 5 s or
      // so (seeds end at their own pace) and one at the end.
      auto last = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
      sweep.progress = [last](size_t done, size_t total) {
        auto now = std::chrono::steady_clock::now();
        if (done < total && now - *last < std::chrono::seconds(5)) return;
        *last = now;
        fmt::print(stderr, "seeds: {} of {} run\n", done, total);
      };
    }
    return emit(sweepCommand(file, sweep));
  }
  if (mergeCmd->parsed()) return emit(mergeCommand(mergeDirectories, merge));
  if (nodeCmd->parsed()) {
    if (nodeSeed->count()) node.seed = seed;
    return dcemu::live::runNode(node);
  }
  if (hostsCmd->parsed()) {
    if (hostsSeed->count()) hosts.seed = seed;
    return dcemu::live::runHosts(hosts);
  }
  if (clusterCmd->parsed()) {
    if (clusterSeed->count()) cluster.seed = seed;
    bool reportOptions = !clusterReport.jsonFile.empty() || !clusterReport.htmlFile.empty() ||
                         !clusterReport.csvDirectory.empty() || !clusterReport.hostsJournal.empty() ||
                         !clusterReport.until.empty();
    if (reportOptions && clusterAction != "report") {
      fmt::print(stderr, "dcemu cluster {}: --json, --html, --csv, --hosts-journal and --until are for report\n",
                 clusterAction);
      return 2;
    }
    if (clusterAction == "up") {
      if (cluster.file.empty()) {
        fmt::print(stderr, "dcemu cluster up: FILE is required\n");
        return 2;
      }
      return dcemu::live::clusterUp(cluster);
    }
    if (!cluster.file.empty()) {
      fmt::print(stderr, "dcemu cluster {}: takes no FILE (the cluster directory has its own)\n", clusterAction);
      return 2;
    }
    if (clusterAction == "down") return dcemu::live::clusterDown(cluster.directory);
    if (clusterAction == "check") return dcemu::live::clusterCheck(cluster.directory);
    if (clusterAction == "report") {
      clusterReport.directory = cluster.directory;
      return dcemu::live::clusterReport(clusterReport);
    }
    return dcemu::live::clusterStatus(cluster.directory);
  }
  if (ctlCmd->parsed()) return dcemu::live::ctl(ctlCluster, ctlDc, ctlArgs);
  if (auditCmd->parsed()) return emit(auditCommand(file, audit));
  if (importCmd->parsed()) return emit(importCommand(importOptions));
  if (validateCommand->parsed()) return validate(file);
  if (runCmd->parsed()) {
    if (runSeed->count()) run.seed = seed;
    if (runUntil->count()) run.until = until;
    if (whatIf->count() && !run.whatIfEvery) run.whatIfEvery = "";
    run.progress = !quiet && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
    if (!failOnRisk.empty()) {
      // "*" (the bare flag): every migration; otherwise the dMSAs named.
      run.failOnRisk.emplace();
      for (size_t at = 0; failOnRisk != "*" && at <= failOnRisk.size();) {
        size_t comma = std::min(failOnRisk.find(',', at), failOnRisk.size());
        if (comma > at) run.failOnRisk->push_back(failOnRisk.substr(at, comma - at));
        at = comma + 1;
      }
    }
    return emit(runCommand(file, run));
  }
  if (topologyCmd->parsed()) return emit(topologyCommand(file, dot));
  if (getCmd->parsed()) {
    if (getSeed->count()) get.seed = seed;
    return emit(getCommand(file, get));
  }
  if (repadminCmd->parsed()) {
    if (repadminSeed->count()) repadmin.seed = seed;
    return emit(repadminCommand(file, repadmin));
  }
  return 2;
}
