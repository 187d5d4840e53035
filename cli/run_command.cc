// dcemu run: load, check every option and output path, simulate with a
// progress line on a terminal, then the summary, the planning report (with
// its what-if table in a planning run) in every format asked for, and the
// convergence check.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "dc/text.h"
#include "scenario/machine_memory.h"
#include "scenario/units.h"
#include "sim/what_if.h"
#include "sim/world.h"

namespace dcemu::cli {

namespace {

std::string bytesText(uint64_t bytes) {
  if (bytes < 10 * 1024) return fmt::format("{} B", bytes);
  if (bytes < 10 * 1024 * 1024) return fmt::format("{} KiB", bytes / 1024);
  return fmt::format("{} MiB", bytes / (1024 * 1024));
}

std::string summary(const sim::World& world, const std::string& file, uint64_t seed, uint64_t traceHash,
                    uint64_t events) {
  const scenario::Scenario& s = world.scenario();
  const sim::RunCounts& c = world.counts();
  std::string out;
  out += fmt::format("dcemu run {} (seed {})\n", file, seed);
  auto count = [](size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); };
  out += fmt::format("simulated   {} from {} to {}: {} in {}, {}\n", scenario::formatDuration(world.elapsed()),
                     scenario::formatUtcInstant(s.start), scenario::formatUtcInstant(world.now()),
                     count(s.dcs.size(), "DC"), count(s.sites.size(), "site"),
                     count(world.topology().connections.size(), "connection"));
  out += fmt::format("events      {}\n", events);
  out += fmt::format("replication {} pulls ({} failed) in {} chunks, {}; {} notifications\n", c.pulls, c.pullsFailed,
                     c.chunks, bytesText(c.bytes), c.notifications);
  out += fmt::format("applied     {} objects received, {} created, {} attribute values and {} linked values applied\n",
                     c.applied.objectsReceived, c.applied.objectsCreated, c.applied.attributesApplied,
                     c.applied.linksApplied);
  out += fmt::format("conflicts   {} attribute values and {} linked values lost, {} name conflicts, {} orphans\n",
                     c.applied.attributesLost, c.applied.linksLost, c.applied.nameConflicts, c.applied.orphansMoved);
  out += fmt::format("writes      {} originating\n", c.originatingWrites);
  if (c.tombstonesCollected + c.linkValuesCollected + c.lingeringRemoved > 0) {
    out +=
        fmt::format("lifetime    {} tombstones and {} linked values garbage-collected, {} lingering objects removed\n",
                    c.tombstonesCollected, c.linkValuesCollected, c.lingeringRemoved);
  }
  out += fmt::format("kerberos    {} logons and renewals ({} failed), {} events logged\n", c.logons, c.logonsFailed,
                     world.events().size());
  out += fmt::format("steps       {} run, {} refused; expectations {} passed, {} failed\n", c.stepsRun, c.stepsRefused,
                     c.expectationsPassed, c.expectationsFailed);
  out += fmt::format("trace hash  {:016x}\n", traceHash);
  return out;
}

// An output file must be one the run can write, checked before any work
// starts: a long run must not end in "cannot write".
std::optional<std::string> unwritable(const std::string& option, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path file(path), parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  if (fs::is_directory(file, error)) return fmt::format("{} {}: is a directory", option, path);
  if (!fs::is_directory(parent, error))
    return fmt::format("{} {}: {} is not an existing directory", option, path, parent.string());
  if (::access(fs::exists(file, error) ? path.c_str() : parent.c_str(), W_OK) != 0)
    return fmt::format("{} {}: not writable", option, path);
  return std::nullopt;
}

// The line a long run keeps up to date on a terminal: how far the
// simulation is, how fast, and when it will end. Wall-clock time is read
// here, outside the simulation, so it cannot change a run's output.
class ProgressLine {
 public:
  explicit ProgressLine(bool on) : on_(on), began_(std::chrono::steady_clock::now()) {}
  ~ProgressLine() { clear(); }

  void simulated(int64_t at, int64_t end, uint64_t events) {
    if (!due()) return;
    double wall = seconds();
    double rate = wall > 0 ? static_cast<double>(events) / wall : 0;
    double eta = at > 0 ? wall * static_cast<double>(end - at) / static_cast<double>(at) : 0;
    show(fmt::format("simulated {} of {}, {:.0f} events/s, about {} to go",
                     scenario::formatDuration(at / scenario::kMicrosPerMinute * scenario::kMicrosPerMinute),
                     scenario::formatDuration(end), rate,
                     scenario::formatDuration(static_cast<int64_t>(eta) * scenario::kMicrosPerSecond)));
  }
  void forks(size_t done, size_t total) {
    if (on_ && (due() || done == total)) show(fmt::format("what-if: {} of {} forks run", done, total));
  }
  void clear() {
    if (on_ && shown_) fmt::print(stderr, "\r\033[K");
    shown_ = false;
  }

 private:
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - began_).count(); }
  // At most four updates a second.
  bool due() {
    if (!on_) return false;
    double now = seconds();
    if (now - last_ < 0.25) return false;
    last_ = now;
    return true;
  }
  void show(const std::string& line) {
    fmt::print(stderr, "\r\033[K{}", line);
    std::fflush(stderr);
    shown_ = true;
  }

  bool on_;
  std::chrono::steady_clock::time_point began_;
  double last_ = 0;
  bool shown_ = false;
};

// One JSON object per line: time, id, source, then the event's fields in
// the order Windows shows them.
dc::Status writeEvents(const sim::World& world, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return dc::Status(dc::LdapResult::other, fmt::format("--events {}: cannot write the file", path));
  for (const kdc::Event& event : world.events()) {
    nlohmann::ordered_json line;
    line["time"] = scenario::formatUtcInstant(event.at);
    line["since_start_s"] = (event.at - world.scenario().start) / scenario::kMicrosPerSecond;
    line["id"] = event.id;
    line["source"] = event.source;
    for (const auto& [name, value] : event.fields) line[name] = value;
    out << line.dump() << "\n";
  }
  out.flush();
  if (!out) return dc::Status(dc::LdapResult::other, fmt::format("--events {}: writing failed", path));
  return dc::Status::ok();
}

}  // namespace

CommandOutput runCommand(const std::string& file, const RunOptions& options) {
  CommandOutput output;
  std::optional<int64_t> until, every;
  if (options.until && !(until = durationOption("--until", *options.until, output))) return output;
  if (options.whatIfEvery && !options.whatIfEvery->empty() &&
      !(every = durationOption("--what-if", *options.whatIfEvery, output)))
    return output;
  if (every && *every <= 0) {
    output.err += fmt::format("--what-if \"{}\": the spacing must be positive\n", *options.whatIfEvery);
    output.exitCode = 2;
    return output;
  }
  for (const auto& [option, path] : {std::pair<const char*, const std::string&>{"--trace", options.traceFile},
                                     {"--events", options.eventsFile},
                                     {"--json", options.jsonFile},
                                     {"--html", options.htmlFile}}) {
    if (path.empty()) continue;
    if (auto problem = unwritable(option, path)) {
      output.err += *problem + "\n";
      output.exitCode = 2;
      return output;
    }
  }
  if (!options.csvDirectory.empty()) {
    std::error_code error;
    std::filesystem::path dir(options.csvDirectory), parent = dir.parent_path();
    if (std::filesystem::exists(dir, error) && !std::filesystem::is_directory(dir, error)) {
      output.err += fmt::format("--csv {}: not a directory\n", options.csvDirectory);
      output.exitCode = 2;
      return output;
    }
    if (!parent.empty() && !std::filesystem::is_directory(parent, error)) {
      output.err += fmt::format("--csv {}: {} is not an existing directory\n", options.csvDirectory, parent.string());
      output.exitCode = 2;
      return output;
    }
  }
  if (!options.storeDirectory.empty()) {
    dc::Status store = sim::checkStoreDirectory(options.storeDirectory);
    if (!store.isOk()) {
      output.err += "--store: " + store.message() + "\n";
      output.exitCode = 2;
      return output;
    }
  }
  std::optional<scenario::Scenario> scenario = loadForCommand(file, output);
  if (!scenario) return output;
  if (options.storeDirectory.empty()) {
    uint64_t needed = scenario::estimatedStoreBytes(*scenario), available = scenario::availableMemoryBytes();
    if (needed > available) {
      output.err += fmt::format(
          "{}: too large for this machine in memory: its stores need about {} and {} is "
          "available; keep them on disk with --store DIR\n",
          file, scenario::gibibytes(needed), scenario::gibibytes(available));
      output.exitCode = 2;
      return output;
    }
  }
  for (const std::string& name : options.failOnRisk.value_or(std::vector<std::string>{})) {
    if (std::none_of(scenario->dmsas.begin(), scenario->dmsas.end(),
                     [&](const scenario::DmsaSpec& d) { return dc::toLower(d.name) == dc::toLower(name); })) {
      output.err += fmt::format("--fail-on-risk: no [[dmsa]] named \"{}\" in {}\n", name, file);
      output.exitCode = 2;
      return output;
    }
  }
  int64_t end = until.value_or(scenario->effectiveDuration());
  std::optional<int64_t> completeAt;
  if (options.completeAt) {
    if (!(completeAt = momentOption("--complete-at", *options.completeAt, scenario->start, output))) return output;
    if (sim::migrationsOpenAt(*scenario, *completeAt).empty()) {
      output.err += fmt::format("--complete-at \"{}\": no migration is started and not yet completed then\n",
                                *options.completeAt);
      output.exitCode = 2;
      return output;
    }
  }
  // Steps after the end are not run; say so rather than skip them silently
  // (a file's own duration cannot leave steps out: the loader refuses it).
  size_t later = static_cast<size_t>(std::count_if(scenario->steps.begin(), scenario->steps.end(),
                                                   [&](const scenario::Step& step) { return step.at > end; }));
  uint64_t seed = options.seed.value_or(scenario->seed);
  auto world = worldForCommand(file, *scenario, seed, output, !options.traceFile.empty(), options.storeDirectory);
  if (!world) return output;
  ProgressLine progress(options.progress);
  for (int64_t at = 0; at < end;) {
    at = std::min(end, at + scenario::kMicrosPerHour);
    world->runUntil(at);
    progress.simulated(at, end, world->eventsRun());
  }
  uint64_t traceHash = world->trace().hash();
  uint64_t events = world->eventsRun();
  report::PlanningReport report = world->planningReport();
  report.file = file;
  bool whatIf = !options.noWhatIf && (options.whatIfEvery || completeAt || sim::isPlanningRun(*scenario));
  if (whatIf) {
    sim::WhatIfOptions what{every, completeAt, end, options.jobs ? options.jobs : std::thread::hardware_concurrency(),
                            [&](size_t done, size_t total) { progress.forks(done, total); }};
    auto table = sim::buildWhatIfTable(*scenario, seed, what);
    if (!table) {
      output.err += fmt::format("{}: what-if: {}\n", file, table.status().message());
      output.exitCode = 1;
      return output;
    }
    report.whatIf = std::move(*table);
    report::decideMigrations(report);
  }
  if (!options.traceFile.empty()) {
    dc::Status written = world->trace().writeChromeJson(options.traceFile, world->laneNames());
    if (!written.isOk()) {
      output.err += written.message() + "\n";
      output.exitCode = 1;
    }
  }
  if (!options.eventsFile.empty()) {
    dc::Status written = writeEvents(*world, options.eventsFile);
    if (!written.isOk()) {
      output.err += written.message() + "\n";
      output.exitCode = 1;
    }
  }
  progress.clear();
  std::string text = summary(*world, file, seed, traceHash, events);
  if (later > 0)
    text += fmt::format("note        {} after --until {} not run\n",
                        later == 1 ? "1 step" : fmt::format("{} steps", later), scenario::formatDuration(end));
  text += report::reportText(report);
  for (const std::string& path :
       report::writeReportFiles(report, options.jsonFile, options.htmlFile, options.csvDirectory)) {
    output.err += fmt::format("{}: writing failed\n", path);
    output.exitCode = 1;
  }
  std::vector<std::string> divergence = world->settleAndCheckConvergence();
  if (divergence.empty()) {
    text += fmt::format("convergence all {} DCs hold identical replicas once faults heal and replication is quiet\n",
                        scenario->dcs.size());
  } else {
    text += fmt::format("convergence FAILED: {} difference{} once faults heal and replication is quiet\n",
                        divergence.size(), divergence.size() == 1 ? "" : "s");
    for (const std::string& line : divergence) text += "  " + line + "\n";
  }
  const auto& findings = world->findings();
  if (!findings.empty()) {
    text += fmt::format("problems    {}\n", findings.size());
    for (const sim::Finding& f : findings)
      text += fmt::format("  at {}: {}\n", scenario::formatMoment(scenario->start + f.at, scenario->start), f.message);
  }
  output.out = text;
  if (!findings.empty() || !divergence.empty()) output.exitCode = 1;
  if (options.failOnRisk) {
    for (const report::MigrationReport* m : report.atRisk(*options.failOnRisk)) {
      for (const std::string& risk : m->decision.risks)
        output.err += fmt::format("--fail-on-risk: {}: {}\n", m->dmsa, risk);
      output.exitCode = 1;
    }
  }
  return output;
}

}  // namespace dcemu::cli
