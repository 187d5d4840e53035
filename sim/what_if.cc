#include "sim/what_if.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "dc/parallel.h"
#include "dc/text.h"
#include "scenario/scenario.h"
#include "scenario/units.h"
#include "sim/world.h"

namespace dcemu::sim {

namespace {

constexpr const char* kForkLocation = "(what-if completion)";

bool isMigrationStep(const scenario::Step& step, const std::string& action, const std::string& dmsa) {
  return step.action == action && dc::toLower(step.dmsa) == dc::toLower(dmsa);
}

// Adds `failure` to the host service's entry of `list` (its first failure
// and how many).
void countFailure(std::vector<report::ReportFailure>& list, const report::ReportHost& host,
                  const kdc::LogonOutcome& failure) {
  if (list.empty() || list.back().host != host.host || list.back().service != host.service)
    list.push_back({host.host, host.service, failure.dc, failure.reason, failure.at, 0});
  ++list.back().count;
}

// One fork: what completing `dmsa` alone at `at` did to it, the file's
// other migrations going on as the file says. A host service's failure
// after the completion counts against it unless the same host service was
// failing at that time of the run without it (`baseline`).
dc::Result<report::WhatIfMoment::Outcome> runFork(const scenario::Scenario& scenario, uint64_t seed,
                                                  const std::string& dmsa, int64_t at, int64_t runEnd,
                                                  const report::LogonLog& baseline) {
  scenario::Scenario fork = forkCompletingAt(scenario, {dmsa}, at);
  auto world = World::create(fork, seed, false);
  if (!world) return world.status();
  (*world)->runUntil(forkSpan(fork, at, runEnd));
  report::PlanningReport report = (*world)->planningReport();
  report::WhatIfMoment::Outcome outcome;
  outcome.dmsa = dmsa;
  for (const report::MigrationReport& m : report.migrations) {
    if (dc::toLower(m.dmsa) != dc::toLower(dmsa)) continue;
    outcome.dmsa = m.dmsa;
    outcome.refused = !m.completed;
    if (outcome.refused) continue;
    for (const report::ReportHost& host : m.hosts) {
      for (const kdc::LogonOutcome& failure :
           (*world)->risk().logons().failuresSince(host.host, host.service, *m.completed)) {
        bool anyway = baseline.failingAt(host.host, host.service, failure.at);
        countFailure(anyway ? outcome.failsRegardless : outcome.failures, host, failure);
      }
    }
  }
  if (outcome.refused) {
    for (const Finding& f : (*world)->findings())
      if (f.at == at && f.message.starts_with(kForkLocation) && f.message.find(dmsa) != std::string::npos)
        outcome.refusal = f.message.substr(f.message.find(": ") + 2);
    if (outcome.refusal.empty()) outcome.refusal = "it did not take effect";
  }
  return outcome;
}

}  // namespace

std::vector<std::string> migrationsOpenAt(const scenario::Scenario& scenario, int64_t at) {
  std::vector<std::string> open;
  for (const scenario::DmsaSpec& dmsa : scenario.dmsas) {
    bool started = false, completed = false;
    for (const scenario::Step& step : scenario.steps) {
      if (step.at >= at) break;  // steps are in time order
      if (isMigrationStep(step, "start-migration", dmsa.name)) started = true, completed = false;
      if (isMigrationStep(step, "complete-migration", dmsa.name)) completed = true;
      if (isMigrationStep(step, "reset-migration", dmsa.name)) started = completed = false;
    }
    for (const scenario::Step& step : scenario.steps)
      if (step.at == at && isMigrationStep(step, "complete-migration", dmsa.name)) completed = true;
    if (started && !completed) open.push_back(dmsa.name);
  }
  return open;
}

bool isPlanningRun(const scenario::Scenario& scenario) {
  // After the file's last step: what it leaves started (--until does not
  // make a run that completes later a planning run).
  int64_t last = scenario.steps.empty() ? 0 : scenario.steps.back().at;
  return !migrationsOpenAt(scenario, last + 1).empty();
}

scenario::Scenario forkCompletingAt(const scenario::Scenario& scenario, const std::vector<std::string>& dmsas,
                                    int64_t at) {
  scenario::Scenario fork = scenario;
  for (const std::string& dmsa : dmsas) {
    std::string startDc;
    for (const scenario::Step& step : scenario.steps)
      if (step.at < at && isMigrationStep(step, "start-migration", dmsa)) startDc = step.dc;
    std::erase_if(fork.steps, [&](const scenario::Step& step) {
      return step.at > at && isMigrationStep(step, "complete-migration", dmsa);
    });
    scenario::Step complete;
    complete.where = {kForkLocation, 0, 0};
    complete.at = at;
    complete.action = "complete-migration";
    complete.dmsa = dmsa;
    complete.dc = startDc;
    fork.steps.push_back(std::move(complete));
  }
  // As the loader orders them: by time, file order at the same moment.
  std::stable_sort(fork.steps.begin(), fork.steps.end(),
                   [](const scenario::Step& a, const scenario::Step& b) { return a.at < b.at; });
  fork.duration = std::nullopt;
  return fork;
}

int64_t forkSpan(const scenario::Scenario& scenario, int64_t at, int64_t runEnd) {
  return std::max(runEnd, at + scenario.renewMax + scenario.tgtLifetime);
}

dc::Result<report::WhatIfTable> buildWhatIfTable(const scenario::Scenario& scenario, uint64_t seed,
                                                 const WhatIfOptions& options) {
  report::WhatIfTable table;
  std::vector<int64_t> candidates;
  if (options.completeAt) {
    candidates.push_back(*options.completeAt);
  } else {
    table.every = options.every.value_or(12 * scenario::kMicrosPerHour);
    if (scenario.changeWindows) {
      // Each window's opening, then every `every` while it stays open: the
      // moments an administrator may complete in.
      table.changeWindows = scenario::describeSchedule(*scenario.changeWindows);
      for (auto [open, close] :
           scenario::openPeriods(*scenario.changeWindows, scenario.start, scenario.start + options.runEnd))
        for (int64_t at = open - scenario.start; at < close - scenario.start; at += table.every)
          if (!migrationsOpenAt(scenario, at).empty()) candidates.push_back(at);
    } else {
      for (int64_t at = table.every; at < options.runEnd; at += table.every)
        if (!migrationsOpenAt(scenario, at).empty()) candidates.push_back(at);
    }
  }
  // The run without a completion, to the end of the longest fork: what
  // fails anyway.
  report::LogonLog baseline;
  if (!candidates.empty()) {
    auto world = World::create(scenario, seed, false);
    if (!world) return world.status();
    (*world)->runUntil(forkSpan(scenario, candidates.back(), options.runEnd));
    baseline = (*world)->risk().logons();
  }
  // One fork per moment and migration open there.
  struct Fork {
    size_t moment;
    std::string dmsa;
  };
  std::vector<Fork> forks;
  for (size_t i = 0; i < candidates.size(); ++i) {
    table.moments.push_back(
        {scenario.start + candidates[i], {}, scenario.start + forkSpan(scenario, candidates[i], options.runEnd)});
    for (std::string& dmsa : migrationsOpenAt(scenario, candidates[i])) forks.push_back({i, std::move(dmsa)});
  }
  std::vector<std::optional<dc::Result<report::WhatIfMoment::Outcome>>> results(forks.size());
  size_t done = 0;
  std::mutex progress;
  dc::forEachIndexInParallel(forks.size(), options.jobs, [&](size_t i) {
    results[i] = runFork(scenario, seed, forks[i].dmsa, candidates[forks[i].moment], options.runEnd, baseline);
    std::lock_guard<std::mutex> lock(progress);
    ++done;
    if (options.progress) options.progress(done, forks.size());
  });
  for (size_t i = 0; i < forks.size(); ++i) {
    if (!*results[i]) return results[i]->status();
    table.moments[forks[i].moment].outcomes.push_back(std::move(**results[i]));
  }
  // Per migration, the earliest moment with no failing host service.
  std::vector<std::string> names;
  for (const report::WhatIfMoment& moment : table.moments)
    for (const auto& outcome : moment.outcomes)
      if (std::find(names.begin(), names.end(), outcome.dmsa) == names.end()) names.push_back(outcome.dmsa);
  for (const std::string& name : names) {
    report::WhatIfTable::Earliest earliest{name, std::nullopt, std::nullopt, true};
    for (const report::WhatIfMoment& moment : table.moments) {
      for (const auto& outcome : moment.outcomes) {
        if (outcome.dmsa != name) continue;
        bool clean = !outcome.refused && outcome.failures.empty();
        if (clean && !earliest.at) earliest.at = moment.at;
        if (!clean && !earliest.at) earliest.lastFailing = moment.at;
        if (!clean && earliest.at) earliest.staysSafe = false;
      }
    }
    table.earliest.push_back(std::move(earliest));
  }
  return table;
}

}  // namespace dcemu::sim
