// The what-if completion table: for candidate moments, what completing each
// started migration there would break. Exact rather than estimated: each
// moment and migration open there is a fork of the run that completes that
// migration alone at that moment, the others going on as the file says (so
// one migration's failures are never another's), and runs on; a host
// service's failure in a fork counts against the
// moment only when the same host service was not failing at that time of
// the run without the completion (run once, to the longest fork's end):
// what happens anyway is told apart as failing regardless. A fork is a replay: the same file and seed with the
// completion added, which the simulator's determinism makes identical to
// the plain run up to that moment (the World holds closures, host Kerberos
// state and RocksDB instances whose background threads a process fork would
// not carry, so replaying is the fork that stays exact). Forks run in
// parallel, each single-threaded; the table does not depend on how many.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "dc/status.h"
#include "report/report.h"
#include "scenario/scenario.h"

namespace dcemu::sim {

struct WhatIfOptions {
  std::optional<int64_t> every;       // candidate spacing, from the simulated start
  std::optional<int64_t> completeAt;  // one moment instead (an offset from the start)
  int64_t runEnd = 0;                 // the plain run's span: candidates lie before it
  unsigned jobs = 1;                  // forks run at once
  // Called (from any fork's thread, one call at a time) as forks finish.
  std::function<void(size_t done, size_t total)> progress;
};

// The migrations a candidate moment completes: started by a step of the
// file before it and not completed by one at or before it.
std::vector<std::string> migrationsOpenAt(const scenario::Scenario& scenario, int64_t at);

// A planning run: the file starts a migration and never completes it; its
// what-if table is on by default.
bool isPlanningRun(const scenario::Scenario& scenario);

// The scenario of one fork: the file's own completions of `dmsas` removed,
// a complete-migration of each at `at` on the DC that started it.
scenario::Scenario forkCompletingAt(const scenario::Scenario& scenario, const std::vector<std::string>& dmsas,
                                    int64_t at);

// How long a fork completing at `at` runs: to the plain run's end, and at
// least until every host has had to log on afresh after the completion
// (its TGT's renewal limit plus one lifetime).
int64_t forkSpan(const scenario::Scenario& scenario, int64_t at, int64_t runEnd);

dc::Result<report::WhatIfTable> buildWhatIfTable(const scenario::Scenario& scenario, uint64_t seed,
                                                 const WhatIfOptions& options);

}  // namespace dcemu::sim
