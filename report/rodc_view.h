// Each RODC's password replication policy as `repadmin /prp view` shows it
// (allowed, denied, cached), and what it means through a WAN outage for the
// host services whose site has the RODC and no writable DC: which survive,
// which do not and why, and what to allow or prepopulate, the dMSA of an
// open migration included (after completion the hosts log on as it).
// Microsoft's RODC guidance: an RODC answers alone only for the accounts
// whose secrets it holds; the others need a writable DC.
#pragma once

#include <functional>

#include "dc/directory.h"
#include "report/report.h"
#include "scenario/scenario.h"

namespace dcemu::report {

// Fills in `report.rodcs`. `directoryOf(dc)` is the DC's replica, or null
// while it is down (then the first writable DC's answers for it).
void addRodcViews(PlanningReport& report, const scenario::Scenario& scenario,
                  const std::function<const dc::Directory*(int dc)>& directoryOf);

}  // namespace dcemu::report
