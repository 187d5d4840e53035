// Loads a topology and scenario file (scenario-format.md) with toml++ and
// validates all of it before anything runs. Every mistake is reported as
// "file:line:col: reason", all of them in one pass; nothing is defaulted
// silently and nothing unknown is ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace dcemu::scenario {

struct LoadResult {
  std::optional<Scenario> scenario;  // set when `errors` is empty
  std::vector<std::string> errors;
};

LoadResult loadScenarioFile(const std::string& path);
// `fileName` names the text in messages.
LoadResult parseScenario(std::string_view text, const std::string& fileName);

}  // namespace dcemu::scenario
