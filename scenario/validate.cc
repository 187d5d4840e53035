#include "scenario/validate.h"

#include <fmt/format.h>

#include "scenario/loader.h"

namespace dcemu::scenario {

Validation validate(const std::string& path) {
  LoadResult loaded = loadScenarioFile(path);
  if (!loaded.errors.empty()) return {std::move(loaded.errors), ""};
  const Scenario& s = *loaded.scenario;
  return {{},
          fmt::format("{}: valid: {} sites, {} DCs, {} site links, {} steps, {} faults", path, s.sites.size(),
                      s.dcs.size(), s.siteLinks.size(), s.steps.size(), s.faults.size())};
}

}  // namespace dcemu::scenario
