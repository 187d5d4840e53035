// What the dcemu commands share before their own work: loading the file
// (its mistakes are bad input: exit 2), reading duration and moment
// options (exit 2, naming the option), and building the world (exit 1 when
// the file cannot be simulated). Each adds its reason to `output` and
// returns nothing on failure.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "scenario/scenario.h"

namespace dcemu::sim {
class World;
}  // namespace dcemu::sim

namespace dcemu::cli {

std::optional<scenario::Scenario> loadForCommand(const std::string& file, CommandOutput& output);

// A duration ("3d12h").
std::optional<int64_t> durationOption(std::string_view option, const std::string& text, CommandOutput& output);
// A moment: an offset from `start` or a UTC instant (units.h parseMoment).
std::optional<int64_t> momentOption(std::string_view option, const std::string& text, int64_t start,
                                    CommandOutput& output);

std::unique_ptr<sim::World> worldForCommand(const std::string& file, const scenario::Scenario& scenario, uint64_t seed,
                                            CommandOutput& output, bool keepTrace = false,
                                            const std::string& storeDirectory = {});

}  // namespace dcemu::cli
