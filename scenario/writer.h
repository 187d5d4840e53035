// A Scenario written back as a topology file (docs/topology-format.md):
// sections in the format's order, each entry preceded by the comment lines
// the caller gives for it (the importer names the DN it came from), and
// defaults left out. What it writes loads back to the same Scenario.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace dcemu::scenario {

struct WriteOptions {
  std::vector<std::string> header;  // comment lines at the top of the file
  // Comment lines before the entry of `kind` ("site", "dc", "site_link",
  // ...) named `name`.
  std::function<std::vector<std::string>(std::string_view kind, std::string_view name)> commentsFor;
};

std::string writeScenario(const Scenario& scenario, const WriteOptions& options = {});

// A TOML basic string: quoted, with TOML's escapes.
std::string tomlString(std::string_view text);

}  // namespace dcemu::scenario
