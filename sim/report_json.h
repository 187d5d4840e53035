// The planning report as JSON (docs/report-format.md). Kept out of
// report.h so that nlohmann's header stays with the few files that write
// JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/report.h"

namespace dcemu::sim {

nlohmann::ordered_json reportJson(const PlanningReport& report);

}  // namespace dcemu::sim
