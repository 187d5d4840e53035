#include "sim/risk.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>

#include "sim/loader_internal.h"
#include "sim/units.h"

namespace dcemu::sim {

using loader::lower;

void RiskTracker::track(const std::string& dmsa, const std::string& account, std::vector<TrackedHost> hosts) {
  Migration m;
  m.dmsa = dmsa;
  m.account = account;
  m.startArrived.resize(dcNames_.size());
  m.completionArrived.resize(dcNames_.size());
  m.missingAtCompletion.resize(dcNames_.size());
  for (TrackedHost& spec : hosts) {
    byHostService_[{lower(spec.host), lower(spec.service)}] = {migrations_.size(), m.hosts.size()};
    m.hosts.push_back({std::move(spec),
                       std::vector<std::optional<int64_t>>(dcNames_.size()),
                       std::vector<bool>(dcNames_.size()),
                       std::nullopt,
                       {}});
  }
  byName_[lower(dmsa)] = migrations_.size();
  migrations_.push_back(std::move(m));
}

void RiskTracker::identify(const std::string& dmsa, const dc::Guid& guid) {
  auto it = byName_.find(lower(dmsa));
  if (it != byName_.end()) byGuid_[guid] = it->second;
}

std::vector<dc::Guid> RiskTracker::watched() const {
  std::vector<dc::Guid> guids;
  for (const auto& [guid, index] : byGuid_) guids.push_back(guid);
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

void RiskTracker::observe(int dc, const dc::Guid& dmsa, const std::set<dc::Sid>& members, int64_t state,
                          bool replicated, int64_t at) {
  Migration* m = migrationOf(dmsa);
  if (!m) return;
  for (size_t h = 0; h < m->hosts.size(); ++h) {
    HostState& host = m->hosts[h];
    bool now = members.count(host.spec.machineSid) != 0;
    if (now && !host.firstSeen[dc]) host.firstSeen[dc] = at;
    if (!now && host.present[dc] && replicated) m->losses.push_back({at, dc, static_cast<int>(h)});
    host.present[dc] = now;
    bool everywhere = std::all_of(host.spec.locatorDcs.begin(), host.spec.locatorDcs.end(),
                                  [&](int d) { return static_cast<bool>(host.present[d]); });
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
}

void RiskTracker::migrationStep(const std::string& dmsa, const std::string& op, const std::string& dcName, int64_t at) {
  auto it = byName_.find(lower(dmsa));
  if (it == byName_.end()) return;
  Migration& m = migrations_[it->second];
  m.steps.push_back({op, dcName, at});
  if (op == "Start") m.startedAt = at;
  if (op == "Complete") m.completedAt = at;
  if (op == "Undo" || op == "Reset") m.completedAt.reset();
}

void RiskTracker::logon(const std::string& host, const std::string& service, const kdc::LogonOutcome& outcome) {
  auto it = byHostService_.find({lower(host), lower(service)});
  if (it == byHostService_.end()) return;
  Migration& m = migrations_[it->second.first];
  if (m.completedAt && outcome.at >= *m.completedAt) m.hosts[it->second.second].afterCompletion.push_back(outcome);
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

namespace {

// A report stays readable at enterprise scale: small topologies list every
// DC; larger ones list the DCs where something is missing and sum up the
// rest, and long lists stop after their first lines.
constexpr size_t kDcsListedInFull = 12;
constexpr size_t kLinesListed = 20;

std::string more(size_t listed, size_t total, std::string_view what) {
  return total > listed ? fmt::format("    ... and {} more {}\n", total - listed, what) : std::string();
}

}  // namespace

std::string RiskTracker::report(int64_t start) const {
  // Whole seconds: what an administrator reads.
  auto when = [&](int64_t at) { return formatDuration((at - start) / 1000000 * 1000000); };
  auto span = [&](int64_t first, int64_t last) {
    return first == last ? when(first) : fmt::format("{} to {}", when(first), when(last));
  };
  std::string out;
  for (const Migration& m : migrations_) {
    out += fmt::format("migration   {} superseding {}: {} host service{}\n", m.dmsa, m.account, m.hosts.size(),
                       m.hosts.size() == 1 ? "" : "s");
    for (const auto& step : m.steps)
      out += fmt::format("  step      {} on {} at {}\n", step.op, step.dc, when(step.at));
    // DCs where every ACE is present now and was at completion, with their
    // arrival times, summed up when the topology is large.
    size_t quiet = 0, listed = 0, unlisted = 0;
    std::optional<int64_t> startFirst, startLast, completionFirst, completionLast;
    for (size_t d = 0; d < dcNames_.size(); ++d) {
      size_t seen = static_cast<size_t>(std::count_if(
          m.hosts.begin(), m.hosts.end(), [&](const HostState& h) { return static_cast<bool>(h.present[d]); }));
      const auto& started = m.startArrived[d];
      const auto& completed = m.completionArrived[d];
      bool wrong = seen < m.hosts.size() || !m.missingAtCompletion[d].empty() || (m.startedAt && !started);
      if (dcNames_.size() > kDcsListedInFull && !wrong) {
        ++quiet;
        if (started) {
          startFirst = std::min(startFirst.value_or(*started), *started);
          startLast = std::max(startLast.value_or(*started), *started);
        }
        if (completed) {
          completionFirst = std::min(completionFirst.value_or(*completed), *completed);
          completionLast = std::max(completionLast.value_or(*completed), *completed);
        }
        continue;
      }
      if (dcNames_.size() > kDcsListedInFull && listed == kLinesListed) {
        ++unlisted;
        continue;
      }
      ++listed;
      std::string arrival;
      if (started) arrival = fmt::format("; start arrived at {}", when(*started));
      if (completed)
        arrival += fmt::format("; completion at {} with {} missing", when(*completed), m.missingAtCompletion[d].size());
      out += fmt::format("  {:<10}{} of {} hosts allowed now{}\n", dcNames_[d], seen, m.hosts.size(), arrival);
    }
    out += more(listed, listed + unlisted, "DCs with hosts not allowed");
    if (quiet > 0) {
      std::string arrival;
      if (startFirst) arrival = fmt::format("; start arrived {}", span(*startFirst, *startLast));
      if (completionFirst)
        arrival += fmt::format("; completion {} with none missing", span(*completionFirst, *completionLast));
      out += fmt::format("  {} {}DCs: all {} hosts allowed now{}\n", quiet, listed + unlisted ? "other " : "",
                         m.hosts.size(), arrival);
    }
    std::set<int> hit;
    for (const LostUpdate& loss : m.losses) hit.insert(loss.host);
    out += fmt::format("  lost      {} ACE{} lost to replication conflicts ({} host{})\n", m.losses.size(),
                       m.losses.size() == 1 ? "" : "s", hit.size(), hit.size() == 1 ? "" : "s");
    for (size_t i = 0; i < m.losses.size() && i < kLinesListed; ++i) {
      const LostUpdate& loss = m.losses[i];
      out += fmt::format("    {} lost its ACE on {} at {}\n", m.hosts[loss.host].spec.host, dcNames_[loss.dc],
                         when(loss.at));
    }
    out += more(kLinesListed, m.losses.size(), "lost ACEs");
    bool allSafe = !m.hosts.empty();
    int64_t safe = 0;
    for (const HostState& h : m.hosts) {
      if (!h.safeFrom)
        allSafe = false;
      else
        safe = std::max(safe, *h.safeFrom);
    }
    if (m.hosts.empty())
      out += fmt::format("  safe from the start: no host runs a service as {}, so no host has to learn\n", m.account);
    else if (allSafe)
      out += fmt::format("  safe from {} (every host allowed by the membership on every DC its locator may use)\n",
                         when(safe));
    else
      out += "  safe from never: some host is not allowed by the membership on a DC its locator may use\n";
    size_t ok = 0, failed = 0;
    for (const HostState& h : m.hosts)
      for (const kdc::LogonOutcome& o : h.afterCompletion) (o.ok ? ok : failed) += 1;
    if (!m.completedAt) continue;
    out += fmt::format("  logons    after completion: {} ok, {} failed\n", ok, failed);
    size_t failingHosts = 0;
    for (const HostState& h : m.hosts) {
      auto first = std::find_if(h.afterCompletion.begin(), h.afterCompletion.end(),
                                [](const kdc::LogonOutcome& o) { return !o.ok; });
      if (first == h.afterCompletion.end()) continue;
      if (++failingHosts > kLinesListed) continue;
      size_t failures = static_cast<size_t>(std::count_if(h.afterCompletion.begin(), h.afterCompletion.end(),
                                                          [](const kdc::LogonOutcome& o) { return !o.ok; }));
      out += fmt::format("    {} {} failed at {} ({} failure{}): {}\n", h.spec.host, h.spec.service, when(first->at),
                         failures, failures == 1 ? "" : "s", first->reason);
    }
    out += more(kLinesListed, failingHosts, "hosts whose logons failed");
  }
  return out;
}

}  // namespace dcemu::sim
