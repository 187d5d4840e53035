#include "cli/command_support.h"

#include <fmt/format.h>

#include "scenario/loader.h"
#include "scenario/units.h"
#include "sim/world.h"

namespace dcemu::cli {

std::optional<scenario::Scenario> loadForCommand(const std::string& file, CommandOutput& output) {
  scenario::LoadResult loaded = scenario::loadScenarioFile(file);
  for (const std::string& error : loaded.errors) output.err += error + "\n";
  if (!loaded.scenario) output.exitCode = 2;
  return std::move(loaded.scenario);
}

namespace {

std::optional<int64_t> option(std::string_view name, const std::string& text, const scenario::Parsed<int64_t>& parsed,
                              CommandOutput& output) {
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    output.err += fmt::format("{} \"{}\": {}\n", name, text, *reason);
    output.exitCode = 2;
    return std::nullopt;
  }
  return std::get<int64_t>(parsed);
}

}  // namespace

std::optional<int64_t> durationOption(std::string_view name, const std::string& text, CommandOutput& output) {
  return option(name, text, scenario::parseDuration(text), output);
}

std::optional<int64_t> momentOption(std::string_view name, const std::string& text, int64_t start,
                                    CommandOutput& output) {
  return option(name, text, scenario::parseMoment(text, start), output);
}

std::unique_ptr<sim::World> worldForCommand(const std::string& file, const scenario::Scenario& scenario, uint64_t seed,
                                            CommandOutput& output, bool keepTrace, const std::string& storeDirectory) {
  auto world = sim::World::create(scenario, seed, keepTrace, storeDirectory);
  if (world) return std::move(*world);
  output.err += fmt::format("{}: cannot simulate: {}\n", file, world.status().message());
  output.exitCode = 1;
  return nullptr;
}

}  // namespace dcemu::cli
