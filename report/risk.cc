#include "report/risk.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "dc/text.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

namespace dcemu::report {

void RiskTracker::track(const std::string& dmsa, const std::string& account, std::vector<TrackedHost> hosts) {
  Migration m;
  m.dmsa = dmsa;
  m.account = account;
  m.startArrived.resize(dcNames_.size());
  m.completionArrived.resize(dcNames_.size());
  m.missingAtCompletion.resize(dcNames_.size());
  m.state.resize(dcNames_.size());
  for (TrackedHost& spec : hosts) {
    byHostService_[{dc::toLower(spec.host), dc::toLower(spec.service)}] = {migrations_.size(), m.hosts.size()};
    HostState host;
    host.spec = std::move(spec);
    host.firstSeen.resize(dcNames_.size());
    host.present.resize(dcNames_.size());
    host.locatorMayUse.resize(dcNames_.size());
    for (int d : host.spec.locatorDcs) host.locatorMayUse.at(d) = true;
    host.locatorDcs = std::count(host.locatorMayUse.begin(), host.locatorMayUse.end(), true);
    m.hosts.push_back(std::move(host));
  }
  byName_[dc::toLower(dmsa)] = migrations_.size();
  migrations_.push_back(std::move(m));
}

void RiskTracker::identify(const std::string& dmsa, const dc::Guid& guid, int64_t at) {
  auto it = byName_.find(dc::toLower(dmsa));
  if (it == byName_.end()) return;
  byGuid_[guid] = it->second;
  migrations_[it->second].createdAt = at;
}

std::vector<dc::Guid> RiskTracker::watched() const {
  std::vector<dc::Guid> guids;
  for (const auto& [guid, index] : byGuid_) guids.push_back(guid);
  std::sort(guids.begin(), guids.end());  // the order a replica's watched dMSAs are first observed in
  return guids;
}

std::vector<dc::Sid> RiskTracker::machinesOf(const dc::Guid& dmsa) const {
  std::vector<dc::Sid> machines;
  auto it = byGuid_.find(dmsa);
  if (it == byGuid_.end()) return machines;
  for (const HostState& host : migrations_[it->second].hosts) machines.push_back(host.spec.machineSid);
  return machines;
}

RiskTracker::Migration* RiskTracker::migrationOf(const dc::Guid& guid) {
  auto it = byGuid_.find(guid);
  return it == byGuid_.end() ? nullptr : &migrations_[it->second];
}

RiskTracker::Observed RiskTracker::observe(int dc, const dc::Guid& dmsa, const std::set<dc::Sid>& members,
                                           int64_t state, bool replicated, int64_t at) {
  return observeByHost(dc, dmsa, byHost(machinesOf(dmsa), members), state, replicated, at);
}

std::vector<bool> RiskTracker::byHost(const std::vector<dc::Sid>& machines, const std::set<dc::Sid>& members) {
  std::vector<bool> authorised;
  authorised.reserve(machines.size());
  for (const dc::Sid& machine : machines) authorised.push_back(members.count(machine) != 0);
  return authorised;
}

RiskTracker::Observed RiskTracker::observeByHost(int dc, const dc::Guid& dmsa, const std::vector<bool>& authorised,
                                                 int64_t state, bool replicated, int64_t at) {
  Observed observed;
  Migration* m = migrationOf(dmsa);
  if (!m) return observed;
  if (authorised.size() != m->hosts.size()) throw std::logic_error("RiskTracker::observeByHost: one answer per host");
  observed.dmsa = m->dmsa;
  if (m->state[dc] != state) observed.newState = state;
  m->state[dc] = state;
  for (size_t h = 0; h < m->hosts.size(); ++h) {
    HostState& host = m->hosts[h];
    // A host that cannot run a dMSA fails after completion whatever the
    // membership says: it never counts as allowed.
    bool now = authorised[h] && host.spec.dmsaCapable;
    if (now && !host.firstSeen[dc]) host.firstSeen[dc] = at;
    bool lost = !now && host.present[dc] && replicated;
    if (lost) m->losses.push_back({at, dc, static_cast<int>(h)}), observed.lostHosts.push_back(host.spec.host);
    if (now != host.present[dc]) {
      host.history.push_back({dcNames_[dc], at, now, lost});
      if (host.locatorMayUse[dc]) now ? ++host.locatorDcsHolding : --host.locatorDcsHolding;
    }
    host.present[dc] = now;
    bool everywhere = host.locatorDcsHolding == host.locatorDcs;
    if (!everywhere) host.safeFrom.reset();
    if (everywhere && !host.safeFrom) host.safeFrom = at;
  }
  if (state == 1 && !m->startArrived[dc]) m->startArrived[dc] = at;
  if (state == 2 && !m->completionArrived[dc]) {
    m->completionArrived[dc] = at;
    for (const HostState& host : m->hosts)
      if (!host.present[dc]) m->missingAtCompletion[dc].push_back(host.spec.host);
  }
  if (state != 2) m->completionArrived[dc].reset();
  return observed;
}

void RiskTracker::migrationStep(const std::string& dmsa, const std::string& op, const std::string& dcName, int64_t at) {
  auto it = byName_.find(dc::toLower(dmsa));
  if (it == byName_.end()) return;
  Migration& m = migrations_[it->second];
  m.steps.push_back({op, dcName, at});
  if (op == "Start") m.startedAt = at;
  if (op == "Complete") m.completedAt = at;
  if (op == "Undo" || op == "Reset") m.completedAt.reset();
}

void RiskTracker::logon(const std::string& host, const std::string& service, const kdc::LogonOutcome& outcome) {
  logons_.record(host, service, outcome);
  auto it = byHostService_.find({dc::toLower(host), dc::toLower(service)});
  if (it == byHostService_.end()) return;
  Migration& m = migrations_[it->second.first];
  if (m.completedAt && outcome.at >= *m.completedAt) m.hosts[it->second.second].afterCompletion.push_back(outcome);
}

std::vector<ReportFailurePeriod> RiskTracker::failuresRegardless() const {
  auto migrationOfService = [&](const std::string& host, const std::string& service) -> const Migration* {
    auto it = byHostService_.find({dc::toLower(host), dc::toLower(service)});
    return it == byHostService_.end() ? nullptr : &migrations_[it->second.first];
  };
  std::vector<ReportFailurePeriod> periods =
      logons_.periods([&](const std::string& host, const std::string& service, int64_t at) {
        const Migration* m = migrationOfService(host, service);
        return !m || !m->completedAt || at < *m->completedAt;
      });
  for (ReportFailurePeriod& period : periods)
    if (const Migration* m = migrationOfService(period.host, period.service)) period.dmsa = m->dmsa;
  return periods;
}

size_t RiskTracker::lostUpdateCount() const {
  size_t n = 0;
  for (const Migration& m : migrations_) n += m.losses.size();
  return n;
}

std::optional<int64_t> RiskTracker::slowestStartArrival() const {
  std::optional<int64_t> slowest;
  for (const Migration& m : migrations_) {
    if (!m.startedAt) continue;
    for (const auto& arrived : m.startArrived) {
      if (!arrived) return std::nullopt;
      slowest = std::max(slowest.value_or(0), *arrived - *m.startedAt);
    }
  }
  return slowest;
}

bool RiskTracker::allPresentAtCompletion() const {
  for (const Migration& m : migrations_)
    for (const auto& missing : m.missingAtCompletion)
      if (!missing.empty()) return false;
  return true;
}

size_t RiskTracker::failedLogonsAfterCompletion() const {
  size_t n = 0;
  for (const Migration& m : migrations_)
    for (const HostState& h : m.hosts)
      n += static_cast<size_t>(std::count_if(h.afterCompletion.begin(), h.afterCompletion.end(),
                                             [](const kdc::LogonOutcome& o) { return !o.ok; }));
  return n;
}

std::vector<MigrationReport> RiskTracker::reports() const {
  std::vector<MigrationReport> out;
  for (const Migration& m : migrations_) {
    MigrationReport r;
    r.dmsa = m.dmsa;
    r.account = m.account;
    r.created = m.createdAt;
    r.started = m.startedAt;
    r.completed = m.completedAt;
    for (const auto& step : m.steps) r.steps.push_back({step.op, step.dc, step.at});
    for (size_t d = 0; d < dcNames_.size(); ++d) {
      ReportDc dc;
      dc.name = dcNames_[d];
      dc.startArrived = m.startArrived[d];
      dc.completionArrived = m.completionArrived[d];
      dc.hostsAllowed = static_cast<size_t>(std::count_if(
          m.hosts.begin(), m.hosts.end(), [&](const HostState& h) { return static_cast<bool>(h.present[d]); }));
      dc.missingAtCompletion = m.missingAtCompletion[d];
      r.dcs.push_back(std::move(dc));
    }
    bool allSafe = !m.hosts.empty();
    int64_t safe = 0;
    for (const HostState& h : m.hosts) {
      ReportHost host{h.spec.host, h.spec.service, h.spec.site, h.spec.dmsaCapable, std::nullopt, h.safeFrom, {}, {}};
      for (const auto& seen : h.firstSeen)
        if (seen) host.learned = std::min(host.learned.value_or(*seen), *seen);
      for (int d : h.spec.locatorDcs) host.locatorDcs.push_back(dcNames_[d]);
      host.aceHistory = h.history;
      r.hosts.push_back(std::move(host));
      if (!h.safeFrom)
        allSafe = false;
      else
        safe = std::max(safe, *h.safeFrom);
      ReportFailure failure;
      for (const kdc::LogonOutcome& o : h.afterCompletion) {
        ++r.logonsAfterCompletion;
        if (o.ok) continue;
        ++r.failedLogonsAfterCompletion;
        if (failure.count++ == 0) failure = {h.spec.host, h.spec.service, o.dc, o.reason, o.at, 1};
      }
      if (failure.count > 0) r.failures.push_back(std::move(failure));
    }
    if (allSafe) r.safeFrom = safe;
    if (m.hosts.empty() && m.startedAt) r.safeFrom = m.startedAt;
    for (const LostUpdate& loss : m.losses)
      r.losses.push_back({m.hosts[loss.host].spec.host, dcNames_[loss.dc], loss.at});
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<RiskTracker::HostView> RiskTracker::hostsOf(size_t migration) const {
  std::vector<HostView> views;
  for (const HostState& h : migrations_[migration].hosts)
    views.push_back({&h.spec, &h.present,
                     std::any_of(h.firstSeen.begin(), h.firstSeen.end(), [](const auto& seen) { return seen; }),
                     static_cast<bool>(h.safeFrom)});
  return views;
}

}  // namespace dcemu::report
