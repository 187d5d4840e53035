// dcemu: one binary, a subcommand per job.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "sim/scenario_loader.h"

namespace {

using namespace dcemu::sim;

// Prints every loading error, one per line, to stderr; true when none.
bool reportLoad(const LoadResult& loaded) {
  for (const auto& error : loaded.errors) fmt::print(stderr, "{}\n", error);
  return loaded.errors.empty();
}

int validate(const std::string& file) {
  LoadResult loaded = loadScenarioFile(file);
  if (!reportLoad(loaded)) return 1;
  const Scenario& s = *loaded.scenario;
  fmt::print("{}: valid: {} sites, {} DCs, {} site links, {} steps, {} faults\n", file, s.sites.size(), s.dcs.size(),
             s.siteLinks.size(), s.steps.size(), s.faults.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dcemu: an emulator of a replicated, multi-site Active Directory domain"};
  app.require_subcommand(1);

  std::string validateFile;
  auto* validateCommand = app.add_subcommand("validate", "Load and check a topology file; print what it describes");
  validateCommand->add_option("FILE", validateFile, "topology and scenario file (TOML)")->required();

  CLI11_PARSE(app, argc, argv);
  if (validateCommand->parsed()) return validate(validateFile);
  return 2;
}
