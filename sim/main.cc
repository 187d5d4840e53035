// dcemu: one binary, a subcommand per job.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "sim/commands.h"
#include "sim/scenario_loader.h"

namespace {

using namespace dcemu::sim;

int validate(const std::string& file) {
  LoadResult loaded = loadScenarioFile(file);
  for (const auto& error : loaded.errors) fmt::print(stderr, "{}\n", error);
  if (!loaded.errors.empty()) return 1;
  const Scenario& s = *loaded.scenario;
  fmt::print("{}: valid: {} sites, {} DCs, {} site links, {} steps, {} faults\n", file, s.sites.size(), s.dcs.size(),
             s.siteLinks.size(), s.steps.size(), s.faults.size());
  return 0;
}

int emit(const CommandOutput& output) {
  fmt::print("{}", output.out);
  fmt::print(stderr, "{}", output.err);
  return output.exitCode;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dcemu: an emulator of a replicated, multi-site Active Directory domain"};
  app.require_subcommand(1);

  std::string file;
  auto* validateCommand = app.add_subcommand("validate", "Load and check a topology file; print what it describes");
  validateCommand->add_option("FILE", file, "topology and scenario file (TOML)")->required();

  RunOptions run;
  uint64_t seed = 0;
  std::string until;
  auto* runCmd = app.add_subcommand("run",
                                    "Simulate a topology file and print a summary; exit 1 when a step is "
                                    "refused, an expectation fails or the replicas do not converge");
  runCmd->add_option("FILE", file, "topology and scenario file (TOML)")->required();
  auto* runSeed = runCmd->add_option("--seed", seed, "random seed (overrides [simulation] seed)");
  auto* runUntil = runCmd->add_option("--until", until, "stop after this simulated duration, e.g. 3d12h");
  runCmd->add_option("--trace", run.traceFile, "write replication activity as Chrome trace-event JSON (Perfetto)");
  runCmd->add_option("--events", run.eventsFile,
                     "write the events Windows would log (307, 308, 309, 2946, 3085) as JSON Lines");
  runCmd->add_option("--store", run.storeDirectory,
                     "keep the DCs' stores in this directory (new or empty) instead of memory, for long soak runs");

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
  repadminCmd->add_option("--at", repadmin.at, "simulated time after the start, e.g. 2d")->required();
  repadminCmd->add_option("--dc", repadmin.dc, "the DC to ask (showrepl: default every DC)");
  repadminCmd->add_option("--object", repadmin.object, "showobjmeta: a DN or a topology name");
  repadminCmd->add_option("--nc", repadmin.namingContext, "showutdvec: domain, configuration or schema");
  repadminCmd->add_flag("--csv", repadmin.csv, "showrepl: repadmin's /csv layout");
  auto* repadminSeed = repadminCmd->add_option("--seed", seed, "random seed (overrides [simulation] seed)");

  SweepOptions sweep;
  auto* sweepCmd = app.add_subcommand(
      "sweep", "Run a scenario once per seed and tabulate its migration risks (lost ACEs, failed logons)");
  sweepCmd->add_option("FILE", file, "topology and scenario file (TOML)")->required();
  sweepCmd->add_option("--first-seed", sweep.firstSeed, "the first seed (default 1)")->check(CLI::PositiveNumber);
  sweepCmd->add_option("--last-seed", sweep.lastSeed, "the last seed (default 100)")->check(CLI::PositiveNumber);

  CLI11_PARSE(app, argc, argv);
  if (sweepCmd->parsed()) return emit(sweepCommand(file, sweep));
  if (validateCommand->parsed()) return validate(file);
  if (runCmd->parsed()) {
    if (runSeed->count()) run.seed = seed;
    if (runUntil->count()) run.until = until;
    return emit(runCommand(file, run));
  }
  if (topologyCmd->parsed()) return emit(topologyCommand(file, dot));
  if (repadminCmd->parsed()) {
    if (repadminSeed->count()) repadmin.seed = seed;
    return emit(repadminCommand(file, repadmin));
  }
  return 2;
}
