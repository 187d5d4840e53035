// Hosts, the KDC and migrations: every service on every host gets a
// Kerberos client that logs on at a seeded moment in its first hours and
// renews every TGT lifetime; migration steps run the dc's operations and
// log event 3085; the risk tracker watches each tracked dMSA on every DC.
#include <fmt/format.h>

#include <algorithm>

#include "dc/migration.h"
#include "dc/text.h"
#include "report/membership.h"
#include "report/planning.h"
#include "report/rodc_view.h"
#include "scenario/host_plan.h"
#include "scenario/scenario.h"
#include "scenario/units.h"
#include "sim/host_access.h"

namespace dcemu::sim {

namespace {

const scenario::DmsaSpec* findDmsa(const scenario::Scenario& s, const std::string& name) {
  for (const scenario::DmsaSpec& d : s.dmsas)
    if (dc::toLower(d.name) == dc::toLower(name)) return &d;
  return nullptr;
}

// Event 3085's Operation, as Windows writes it: START-MIGRATION ...
std::string migrationOperationName(dc::MigrationOp op) {
  switch (op) {
    case dc::MigrationOp::Start: return "START-MIGRATION";
    case dc::MigrationOp::Complete: return "COMPLETE-MIGRATION";
    case dc::MigrationOp::Undo: return "UNDO-MIGRATION";
    case dc::MigrationOp::Reset: return "RESET-MIGRATION";
  }
  return "?";
}

}  // namespace

void World::createHosts() {
  hostAccess_ = std::make_unique<HostAccess>(*this);
  for (int i = 0; i < dcCount(); ++i) laneOfDc_[dcs_[i].node->name()] = i;
  std::vector<scenario::PlannedClient> planned = scenario::planHostClients(scenario_, seed_);
  std::map<std::string, std::vector<report::TrackedHost>> tracked =
      report::trackedHostsByService(scenario_, planned, report::machineSidsOf(*dcs_[0].node->directory()));
  for (scenario::PlannedClient& client : planned) {
    clients_.emplace_back(client.spec, client.locatorSeed);
    nextLogon_.push_back(0);
    schedules_.push_back(0);
    plans_.push_back(std::move(client));
    scheduleClient(clients_.size() - 1, plans_.back().firstLogon);
    scheduleReboot(clients_.size() - 1, 0);
  }
  for (const scenario::DmsaSpec& dmsa : scenario_.dmsas) {
    if (dmsa.supersedes.empty()) continue;
    risk_.track(dmsa.name, dmsa.supersedes, tracked[dc::toLower(dmsa.supersedes)]);
    auto guid = objects_.find(dc::toLower(dmsa.name));
    if (guid == objects_.end()) continue;  // created later by new-dmsa
    risk_.identify(dmsa.name, guid->second, scenario_.start);
    for (int i = 0; i < dcCount(); ++i) watchDmsa(i, guid->second);
  }
}

void World::watchDmsa(int index, const dc::Guid& dmsa) {
  if (!risk_.watches(dmsa) || !dcs_[index].node->directory()) return;
  auto obj = dcs_[index].node->directory()->viewByGuid(dmsa);
  if (obj) observeDmsa(index, **obj, false);
}

void World::observeDmsa(int index, const dc::Object& dmsa, bool replicated) {
  const dc::Directory& dir = *dcs_[index].node->directory();
  auto answer = membershipAnswers_.find(index, dir, dmsa, [&] { return risk_.machinesOf(dmsa.guid); });
  report::RiskTracker::Observed observed =
      risk_.observeByHost(index, dmsa.guid, answer->authorised, dir.integer(dmsa, "msDS-DelegatedMSAState").value_or(0),
                          replicated, queue_.now());
  if (observed.newState)
    trace_.record({elapsed(),
                   0,
                   index,
                   "migration",
                   "dMSA state",
                   {{"dmsa", observed.dmsa}, {"state", std::to_string(*observed.newState)}}});
  for (const std::string& host : observed.lostHosts)
    trace_.record({elapsed(), 0, index, "migration", "ACE lost", {{"dmsa", observed.dmsa}, {"host", host}}});
}

void World::scheduleClient(size_t client, int64_t at) {
  nextLogon_[client] = at;
  uint32_t schedule = ++schedules_[client];
  queue_.at(at, [this, client, schedule] {
    // A reboot since moved the schedule: this renewal is no longer due.
    if (settling_ || schedules_[client] != schedule) return;
    kdc::LogonOutcome outcome = runClient(client, false);
    scheduleClient(client, queue_.now() + (outcome.ok ? scenario_.tgtLifetime : scenario::kRetryAfterFailure));
  });
}

void World::scheduleReboot(size_t client, int cycle) {
  std::optional<int64_t> at = scenario::rebootAt(scenario_, plans_[client], seed_, cycle);
  if (!at) return;
  queue_.at(*at, [this, client, cycle] {
    if (settling_) return;
    // A reboot drops the host's tickets: its service logs on afresh, and
    // renews a lifetime later.
    kdc::LogonOutcome outcome = runClient(client, true);
    scheduleClient(client, queue_.now() + (outcome.ok ? scenario_.tgtLifetime : scenario::kRetryAfterFailure));
    scheduleReboot(client, cycle + 1);
  });
}

kdc::LogonOutcome World::runClient(size_t client, bool forcedLogon) {
  kdc::HostClient& c = clients_[client];
  hostAccess_->site = plans_[client].site;
  kdc::LogonOutcome outcome = forcedLogon ? c.logon(*hostAccess_) : c.renew(*hostAccess_);
  ++counts_.logons;
  if (!outcome.ok) ++counts_.logonsFailed;
  TraceArgs args = {
      {"host", c.service().host}, {"service", plans_[client].service}, {"renewal", outcome.renewal ? "1" : "0"}};
  if (outcome.ok) args.push_back({"as", outcome.identity});
  if (!outcome.ok) args.push_back({"reason", outcome.reason});
  auto lane = laneOfDc_.find(outcome.dc);
  trace_.record({elapsed(), 0, lane == laneOfDc_.end() ? -1 : lane->second, "logon",
                 outcome.ok ? "logon" : "logon failed", std::move(args)});
  risk_.logon(c.service().host, plans_[client].service, outcome);
  return outcome;
}

class World::Facts final : public report::DomainFacts {
 public:
  explicit Facts(const World& world) : world_(world) {}
  int64_t now() const override { return world_.queue_.now(); }
  const std::vector<kdc::Event>& events() const override { return world_.events_; }
  std::optional<kdc::LogonOutcome> latestLogon(const std::string& host, const std::string& service) const override {
    int client = world_.clientIndex(host, service);
    return client < 0 ? std::nullopt : world_.clients_[client].latest();
  }
  std::optional<int64_t> nextLogon(const std::string& host, const std::string& service) const override {
    int client = world_.clientIndex(host, service);
    if (client < 0 || world_.nextLogon_[client] < now()) return std::nullopt;
    return world_.nextLogon_[client];
  }
  bool dcUp(int dc) const override { return world_.dcs_[dc].node->directory() != nullptr; }
  bool reachable(int from, int to) const override { return world_.network_.reachable(from, to); }
  bool inboundDisabled(int dc) const override { return world_.dcs_[dc].node->replication().inboundDisabled; }

 private:
  const World& world_;
};

report::PlanningReport World::planningReport() const {
  report::PlanningReport report = report::planningReport(scenario_, seed_, risk_, Facts(*this));
  report::addRodcViews(report, scenario_, [this](int dc) { return directory(dc); });
  report::decideMigrations(report);  // again: the RODCs' policies add to the decisions' notes
  return report;
}

int World::clientIndex(const std::string& host, const std::string& service) const {
  for (size_t i = 0; i < clients_.size(); ++i)
    if (dc::toLower(clients_[i].service().host) == dc::toLower(host) &&
        dc::toLower(plans_[i].service) == dc::toLower(service))
      return static_cast<int>(i);
  return -1;
}

void World::logEvent(kdc::Event event) {
  events_.push_back(std::move(event));
}

dc::Status World::runMigrationStep(const scenario::Step& step, int index, const dc::Principal& admin) {
  DCEMU_RETURN_IF_ERROR(dc::refuseMigrationOnOlderDc(scenario_.dcs[index].name, scenario_.dcs[index].os));
  dc::Directory& dir = *dcs_[index].node->directory();
  const scenario::DmsaSpec* spec = findDmsa(scenario_, step.dmsa);
  std::string accountName = step.superseded.empty() ? spec->supersedes : step.superseded;
  dc::MigrationOp op = step.action == "start-migration"      ? dc::MigrationOp::Start
                       : step.action == "complete-migration" ? dc::MigrationOp::Complete
                       : step.action == "undo-migration"     ? dc::MigrationOp::Undo
                                                             : dc::MigrationOp::Reset;
  auto dmsaDn = objectDn(index, spec->name);
  auto accountDn = accountName.empty()
                       ? dc::Result<std::string>(dc::Status(dc::LdapResult::noSuchObject,
                                                            fmt::format("{} supersedes no account", spec->name)))
                       : objectDn(index, accountName);
  dc::MigrationOutcome outcome;
  if (!dmsaDn) {
    outcome.status = dmsaDn.status();
  } else if (!accountDn) {
    outcome.status = accountDn.status();
  } else {
    outcome = dc::migrateServiceAccount(dir, {*dmsaDn, *accountDn, op}, admin);
  }
  // An account never in a migration has no state attribute: Windows writes
  // its state as 0, the attribute's "none" value.
  auto state = [](const std::optional<int64_t>& s) { return std::to_string(s.value_or(0)); };
  logEvent({queue_.now(),
            kdc::event_id::kMigrationOperation,
            dcs_[index].node->name(),
            {{"Operation", migrationOperationName(op)},
             {"ServiceAccount", accountDn ? *accountDn : accountName},
             {"ServiceAccountOriginalState", state(outcome.accountStateBefore)},
             {"DMSAAccount", dmsaDn ? *dmsaDn : spec->name},
             {"DMSAAccountOriginalState", state(outcome.dmsaStateBefore)},
             {"RequestedBy", "Administrator"},
             {"ErrorCode", outcome.status.isOk() ? "0" : std::to_string(dc::kErrorUnableToProceed)},
             {"ErrorMessage", outcome.status.isOk() ? "No Error." : outcome.status.message()}}});
  if (!outcome.status.isOk()) return outcome.status;
  originated(index, *dmsaDn, {"msDS-DelegatedMSAState"});
  risk_.migrationStep(spec->name, std::string(dc::migrationOpName(op)), dcs_[index].node->name(), queue_.now());
  return dc::Status::ok();
}

void World::runExpectAuth(const scenario::Step& step) {
  int client = clientIndex(step.host, step.service);
  std::optional<std::string> failure;
  const auto& latest = client >= 0 ? clients_[client].latest() : std::nullopt;
  if (client < 0) {
    failure = fmt::format("no service {} on host {}", step.service, step.host);
  } else if (!latest) {
    failure = "it has not logged on yet";
  } else if ((step.result == "ok") != latest->ok) {
    failure =
        fmt::format("expected {}, found {} at {} on {}{}", step.result, latest->ok ? "ok" : "failed",
                    scenario::formatDuration(latest->at - scenario_.start), latest->dc.empty() ? "no DC" : latest->dc,
                    latest->ok ? " as " + latest->identity : ": " + latest->reason);
  } else {
    // The PAC's SIDs by name, as the first DC that is up resolves them.
    std::vector<std::string> names;
    for (const SimDc& d : dcs_) {
      if (!d.node->directory()) continue;
      dc::TrusteeResolver resolver = d.node->directory()->trusteeResolver();
      for (const dc::Sid& sid : latest->pac) names.push_back(dc::toLower(dc::trusteeDisplayName(sid, resolver)));
      break;
    }
    auto holds = [&](const std::string& name) {
      std::string n = dc::toLower(name);
      return std::find(names.begin(), names.end(), n) != names.end() ||
             std::find(names.begin(), names.end(), n + "$") != names.end();
    };
    for (const std::string& name : step.pacIncludes)
      if (!failure && !holds(name)) failure = fmt::format("the PAC of {} lacks {}", latest->identity, name);
    for (const std::string& name : step.pacExcludes)
      if (!failure && holds(name)) failure = fmt::format("the PAC of {} holds {}", latest->identity, name);
  }
  recordStep(step, 0, failure ? "failed" : "passed");
  if (!failure) {
    ++counts_.expectationsPassed;
    return;
  }
  ++counts_.expectationsFailed;
  finding(step, fmt::format("expect-auth {} {} failed: {}", step.host, step.service, *failure));
}

// How many events of the step's id its host or DC logged in the window,
// with the field values it names (names and values compared ignoring case).
void World::runExpectEvent(const scenario::Step& step) {
  int64_t from = scenario_.start + step.eventFrom.value_or(0);
  int64_t to = scenario_.start + step.eventTo.value_or(step.at);
  size_t matched = 0;
  for (const kdc::Event& e : events_) {
    if (e.id != step.eventId || e.at < from || e.at > to || dc::toLower(e.source) != dc::toLower(step.eventOn))
      continue;
    bool fieldsMatch = std::all_of(step.eventFields.begin(), step.eventFields.end(), [&](const auto& wanted) {
      return std::any_of(e.fields.begin(), e.fields.end(), [&](const auto& field) {
        return dc::toLower(field.first) == dc::toLower(wanted.first) &&
               dc::toLower(field.second) == dc::toLower(wanted.second);
      });
    });
    if (fieldsMatch) ++matched;
  }
  std::optional<std::string> failure;
  std::string window = fmt::format("between {} and {}", scenario::formatDuration(from - scenario_.start),
                                   scenario::formatDuration(to - scenario_.start));
  if (step.count && matched != *step.count)
    failure = fmt::format("expected {} event(s) {} on {} {}, found {}", *step.count, step.eventId, step.eventOn, window,
                          matched);
  else if (!step.count && step.eventLogged.value_or(true) && matched == 0)
    failure = fmt::format("expected event {} on {} {}, found none", step.eventId, step.eventOn, window);
  else if (!step.count && !step.eventLogged.value_or(true) && matched > 0)
    failure = fmt::format("expected no event {} on {} {}, found {}", step.eventId, step.eventOn, window, matched);
  recordStep(step, 0, failure ? "failed" : "passed");
  if (!failure) {
    ++counts_.expectationsPassed;
    return;
  }
  ++counts_.expectationsFailed;
  finding(step, "expect-event failed: " + *failure);
}

}  // namespace dcemu::sim
