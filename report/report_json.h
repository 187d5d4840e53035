// The planning report as JSON (docs/report-format.md). Kept out of
// report.h so that nlohmann's header stays with the few files that write
// JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "report/report.h"

namespace dcemu::report {

nlohmann::ordered_json reportJson(const PlanningReport& report);

}  // namespace dcemu::report
