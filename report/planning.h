// The planning report of a run: what the risk tracker saw, with the DCs'
// sites, and for a migration not yet safe to complete, every host whose ACE
// a DC its locator may use lacks, and why. The simulator's world and a live
// cluster's `cluster report` each answer the few questions the reasons need
// about the domain now (DomainFacts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdc/events.h"
#include "kdc/host_client.h"
#include "report/report.h"
#include "report/risk.h"
#include "scenario/scenario.h"

namespace dcemu::report {

class DomainFacts {
 public:
  virtual ~DomainFacts() = default;
  virtual int64_t now() const = 0;
  // The events the hosts logged (307, 308, 309), in order.
  virtual const std::vector<kdc::Event>& events() const = 0;
  // A host service's latest logon, and its next one when one is due.
  virtual std::optional<kdc::LogonOutcome> latestLogon(const std::string& host, const std::string& service) const = 0;
  virtual std::optional<int64_t> nextLogon(const std::string& host, const std::string& service) const = 0;
  virtual bool dcUp(int dc) const = 0;
  // Whether replication gets from site `from` to site `to` now.
  virtual bool reachable(int from, int to) const = 0;
  virtual bool inboundDisabled(int dc) const = 0;
};

PlanningReport planningReport(const scenario::Scenario& scenario, uint64_t seed, const RiskTracker& risk,
                              const DomainFacts& facts);

}  // namespace dcemu::report
