#include "sim/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "replication/repadmin.h"
#include "sim/loader_internal.h"
#include "sim/report_json.h"
#include "sim/scenario_loader.h"
#include "sim/units.h"
#include "sim/what_if.h"
#include "sim/world.h"

namespace dcemu::sim {

namespace {

// Loads the file and builds the world; on failure `output` says why.
std::unique_ptr<World> buildWorld(const std::string& file, std::optional<uint64_t> seed, bool keepTrace,
                                  std::optional<Scenario>& scenario, CommandOutput& output,
                                  const std::string& storeDirectory = {}) {
  LoadResult loaded = loadScenarioFile(file);
  for (const std::string& error : loaded.errors) output.err += error + "\n";
  if (!loaded.scenario) {
    output.exitCode = 2;
    return nullptr;
  }
  scenario = std::move(loaded.scenario);
  auto world = World::create(*scenario, seed.value_or(scenario->seed), keepTrace, storeDirectory);
  if (!world) {
    output.err += fmt::format("{}: cannot simulate: {}\n", file, world.status().message());
    output.exitCode = 1;
    return nullptr;
  }
  return std::move(*world);
}

// A duration option, or an error naming the option.
std::optional<int64_t> durationOption(const std::string& option, const std::string& text, CommandOutput& output) {
  Parsed<int64_t> parsed = parseDuration(text);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    output.err += fmt::format("{} \"{}\": {}\n", option, text, *reason);
    output.exitCode = 2;
    return std::nullopt;
  }
  return std::get<int64_t>(parsed);
}

std::string bytesText(uint64_t bytes) {
  if (bytes < 10 * 1024) return fmt::format("{} B", bytes);
  if (bytes < 10 * 1024 * 1024) return fmt::format("{} KiB", bytes / 1024);
  return fmt::format("{} MiB", bytes / (1024 * 1024));
}

std::string summary(const World& world, const std::string& file, uint64_t seed, uint64_t traceHash, uint64_t events) {
  const Scenario& s = world.scenario();
  const RunCounts& c = world.counts();
  std::string out;
  out += fmt::format("dcemu run {} (seed {})\n", file, seed);
  auto count = [](size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); };
  out += fmt::format("simulated   {} from {} to {}: {} in {}, {}\n", formatDuration(world.elapsed()),
                     formatUtcInstant(s.start), formatUtcInstant(world.now()), count(s.dcs.size(), "DC"),
                     count(s.sites.size(), "site"), count(world.topology().connections.size(), "connection"));
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

// Whether the run is a planning run: some migration is started and the
// file never completes it.
bool planningRun(const Scenario& scenario, int64_t end) {
  return !migrationsOpenAt(scenario, end + 1).empty();
}

// One JSON object per line: time, id, source, then the event's fields in
// the order Windows shows them.
dc::Status writeEvents(const World& world, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return dc::Status(dc::LdapResult::other, fmt::format("--events {}: cannot write the file", path));
  for (const kdc::Event& event : world.events()) {
    nlohmann::ordered_json line;
    line["time"] = formatUtcInstant(event.at);
    line["since_start_s"] = (event.at - world.scenario().start) / kMicrosPerSecond;
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
    dc::Status store = checkStoreDirectory(options.storeDirectory);
    if (!store.isOk()) {
      output.err += "--store: " + store.message() + "\n";
      output.exitCode = 2;
      return output;
    }
  }
  std::optional<Scenario> scenario;
  LoadResult loaded = loadScenarioFile(file);
  for (const std::string& error : loaded.errors) output.err += error + "\n";
  if (!loaded.scenario) {
    output.exitCode = 2;
    return output;
  }
  scenario = std::move(loaded.scenario);
  int64_t end = until.value_or(scenario->effectiveDuration());
  std::optional<int64_t> completeAt;
  if (options.completeAt) {
    Parsed<int64_t> parsed = parseMoment(*options.completeAt, scenario->start);
    if (auto* reason = std::get_if<std::string>(&parsed)) {
      output.err += fmt::format("--complete-at \"{}\": {}\n", *options.completeAt, *reason);
      output.exitCode = 2;
      return output;
    }
    completeAt = std::get<int64_t>(parsed);
    if (migrationsOpenAt(*scenario, *completeAt).empty()) {
      output.err += fmt::format("--complete-at \"{}\": no migration is started and not yet completed then\n",
                                *options.completeAt);
      output.exitCode = 2;
      return output;
    }
  }
  // Steps after the end are not run; say so rather than skip them silently
  // (a file's own duration cannot leave steps out: the loader refuses it).
  size_t later = static_cast<size_t>(
      std::count_if(scenario->steps.begin(), scenario->steps.end(), [&](const Step& step) { return step.at > end; }));
  uint64_t seed = options.seed.value_or(scenario->seed);
  auto world = World::create(*scenario, seed, !options.traceFile.empty(), options.storeDirectory);
  if (!world) {
    output.err += fmt::format("{}: cannot simulate: {}\n", file, world.status().message());
    output.exitCode = 1;
    return output;
  }
  (*world)->runUntil(end);
  uint64_t traceHash = (*world)->trace().hash();
  uint64_t events = (*world)->eventsRun();
  PlanningReport report = (*world)->planningReport();
  report.file = file;
  bool whatIf = !options.noWhatIf && (options.whatIfEvery || completeAt || planningRun(*scenario, end));
  if (whatIf) {
    WhatIfOptions what{every, completeAt, end, options.jobs ? options.jobs : std::thread::hardware_concurrency()};
    auto table = buildWhatIfTable(*scenario, seed, what);
    if (!table) {
      output.err += fmt::format("{}: what-if: {}\n", file, table.status().message());
      output.exitCode = 1;
      return output;
    }
    report.whatIf = std::move(*table);
  }
  if (!options.traceFile.empty()) {
    dc::Status written = (*world)->trace().writeChromeJson(options.traceFile, (*world)->laneNames());
    if (!written.isOk()) {
      output.err += written.message() + "\n";
      output.exitCode = 1;
    }
  }
  if (!options.eventsFile.empty()) {
    dc::Status written = writeEvents(**world, options.eventsFile);
    if (!written.isOk()) {
      output.err += written.message() + "\n";
      output.exitCode = 1;
    }
  }
  std::string text = summary(**world, file, seed, traceHash, events);
  if (later > 0)
    text += fmt::format("note        {} after --until {} not run\n",
                        later == 1 ? "1 step" : fmt::format("{} steps", later), formatDuration(end));
  text += reportText(report);
  std::vector<std::pair<std::string, std::string>> files;  // (path, contents)
  if (!options.jsonFile.empty()) files.push_back({options.jsonFile, reportJson(report).dump(2) + "\n"});
  if (!options.htmlFile.empty()) files.push_back({options.htmlFile, reportHtml(report)});
  if (!options.csvDirectory.empty()) {
    std::error_code error;
    std::filesystem::create_directory(options.csvDirectory, error);
    for (auto& [name, text] : reportCsvFiles(report))
      files.push_back({(std::filesystem::path(options.csvDirectory) / name).string(), std::move(text)});
  }
  for (const auto& [path, contents] : files) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << contents;
    if (!file.flush()) {
      output.err += fmt::format("{}: writing failed\n", path);
      output.exitCode = 1;
    }
  }
  std::vector<std::string> divergence = (*world)->settleAndCheckConvergence();
  if (divergence.empty()) {
    text += fmt::format("convergence all {} DCs hold identical replicas once faults heal and replication is quiet\n",
                        scenario->dcs.size());
  } else {
    text += fmt::format("convergence FAILED: {} difference{} once faults heal and replication is quiet\n",
                        divergence.size(), divergence.size() == 1 ? "" : "s");
    for (const std::string& line : divergence) text += "  " + line + "\n";
  }
  const auto& findings = (*world)->findings();
  if (!findings.empty()) {
    text += fmt::format("problems    {}\n", findings.size());
    for (const Finding& f : findings)
      text += fmt::format("  at {}: {}\n", formatMoment(scenario->start + f.at, scenario->start), f.message);
  }
  output.out = text;
  if (!findings.empty() || !divergence.empty()) output.exitCode = 1;
  if (options.failOnRisk && report.hasRisk()) {
    output.err += "--fail-on-risk: a host fails after completion, an ACE was lost, or no completion moment is safe\n";
    output.exitCode = 1;
  }
  return output;
}

CommandOutput sweepCommand(const std::string& file, const SweepOptions& options) {
  CommandOutput output;
  if (options.lastSeed < options.firstSeed) {
    output.err = fmt::format("--last-seed {} is below --first-seed {}\n", options.lastSeed, options.firstSeed);
    output.exitCode = 2;
    return output;
  }
  LoadResult loaded = loadScenarioFile(file);
  for (const std::string& error : loaded.errors) output.err += error + "\n";
  if (!loaded.scenario) {
    output.exitCode = 1;
    return output;
  }
  const Scenario& scenario = *loaded.scenario;
  std::string text = fmt::format("dcemu sweep {} (seeds {} to {})\n", file, options.firstSeed, options.lastSeed);
  text +=
      "seed  start reached all DCs after  ACEs lost  all ACEs present at completion  failed logons after  problems\n";
  uint64_t runs = 0, lossy = 0, presentAtCompletion = 0, withFailures = 0, withProblems = 0;
  for (uint64_t seed = options.firstSeed; seed <= options.lastSeed; ++seed) {
    auto world = World::create(scenario, seed, false);
    if (!world) {
      output.err += fmt::format("{}: cannot simulate: {}\n", file, world.status().message());
      output.exitCode = 1;
      return output;
    }
    (*world)->runUntil(scenario.effectiveDuration());
    const RiskTracker& risk = (*world)->risk();
    auto arrival = risk.slowestStartArrival();
    size_t lost = risk.lostUpdateCount(), failed = risk.failedLogonsAfterCompletion();
    size_t problems = (*world)->findings().size();
    bool present = risk.allPresentAtCompletion();
    text += fmt::format("{:>4}  {:<27}  {:>9}  {:<30}  {:>19}  {:>8}\n", seed,
                        arrival ? formatDuration(*arrival / 1000000 * 1000000) : "never", lost, present ? "yes" : "no",
                        failed, problems);
    ++runs;
    lossy += lost > 0;
    presentAtCompletion += present;
    withFailures += failed > 0;
    withProblems += problems > 0;
  }
  auto share = [&](uint64_t n) { return fmt::format("{} of {} ({:.0f}%)", n, runs, 100.0 * n / runs); };
  text += fmt::format("runs losing at least one ACE to a replication conflict: {}\n", share(lossy));
  text +=
      fmt::format("runs with every ACE on every DC when the completion reached it: {}\n", share(presentAtCompletion));
  text += fmt::format("runs with failed logons after completion: {}\n", share(withFailures));
  text += fmt::format("runs with refused steps or failed expectations: {}\n", share(withProblems));
  output.out = text;
  if (withProblems) output.exitCode = 1;
  return output;
}

CommandOutput topologyCommand(const std::string& file, bool dot) {
  CommandOutput output;
  std::optional<Scenario> scenario;
  auto world = buildWorld(file, std::nullopt, false, scenario, output);
  if (!world) return output;
  const Scenario& s = *scenario;
  // What the configuration NC holds, read back as repadmin /showconn would.
  const dc::Directory& dir = *world->directory(0);
  struct Row {
    int destination;
    std::string name, source, transport;
  };
  std::vector<Row> rows;
  for (int i = 0; i < world->dcCount(); ++i) {
    std::string settings =
        fmt::format("CN=NTDS Settings,CN={},CN=Servers,CN={},CN=Sites,{}", s.dcs[i].name, s.sites[s.dcs[i].site].name,
                    dir.namingContextDn(dc::NamingContext::Configuration).toString());
    for (const std::string& child : dir.childrenOf(settings)) {
      auto obj = dir.read(child);
      if (!obj) continue;
      auto from = dir.values(*obj, "fromServer");
      auto transport = dir.values(*obj, "transportType");
      std::string source = from && !from->empty() ? from->front() : "?";
      // CN=NTDS Settings,CN=<server>,CN=Servers,CN=<site>,...: "Site\Server".
      auto server = dc::Dn::parse(source);
      std::string label = source;
      if (server && server->rdns().size() > 3)
        label = fmt::format("{}\\{}", server->rdns()[3].value, server->rdns()[1].value);
      rows.push_back({i, dc::Dn::parse(child)->rdns()[0].value, label,
                      transport && !transport->empty() ? "IP (inter-site)" : "RPC (intra-site)"});
    }
  }
  if (dot) {
    std::string out = "digraph topology {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n";
    for (size_t site = 0; site < s.sites.size(); ++site) {
      out += fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n", s.sites[site].name, s.sites[site].name);
      for (const DcSpec& d : s.dcs)
        if (d.site == static_cast<int>(site))
          out += fmt::format("    \"{}\" [label=\"{}{}\"];\n", d.name, d.name, d.rodc ? " (RODC)" : "");
      out += "  }\n";
    }
    for (const Row& row : rows) {
      std::string source = row.source.substr(row.source.find('\\') + 1);
      bool inter = row.transport.starts_with("IP");
      out += fmt::format("  \"{}\" -> \"{}\"{};\n", source, s.dcs[row.destination].name,
                         inter ? " [style=bold, color=blue]" : "");
    }
    for (const SiteLink& link : s.siteLinks) {
      out += fmt::format("  // site link {}: cost {}, every {}{}\n", link.name, link.cost,
                         formatDuration(link.interval), link.schedule.isAlways() ? "" : ", scheduled");
      for (size_t a = 0; a + 1 < link.sites.size(); ++a) {
        // Site links join clusters: drawn between the first DC of each site.
        auto firstDc = [&](int site) -> std::string {
          for (const DcSpec& d : s.dcs)
            if (d.site == site) return d.name;
          return "";
        };
        out += fmt::format("  \"{}\" -> \"{}\" [dir=none, style=dashed, color=gray, label=\"{} ({})\"];\n",
                           firstDc(link.sites[a]), firstDc(link.sites[a + 1]), link.name, link.cost);
      }
    }
    output.out = out + "}\n";
    return output;
  }
  std::string out;
  for (int i = 0; i < world->dcCount(); ++i) {
    const replication::DsaInfo& info = world->dsaInfo(i);
    out += fmt::format("{}\\{}\nDSA Options: {}\nDSA object GUID: {}\nDSA invocationID: {}\n\n", info.site, info.name,
                       info.readOnly ? "DISABLE_OUTBOUND_REPL IS_RODC" : "IS_GC", info.dsa.toString(),
                       info.invocationIds.front().toString());
    out += "==== KCC CONNECTION OBJECTS ============================================\n";
    int count = 0;
    for (const Row& row : rows) {
      if (row.destination != i) continue;
      ++count;
      out += fmt::format(
          "Connection --\n    Connection name : {}\n        Source: {}\n        TransportType: {}\n"
          "        options: isGenerated\n",
          row.name, row.source, row.transport);
    }
    out += fmt::format("{} connections found.\n\n", count);
  }
  output.out = out;
  return output;
}

CommandOutput repadminCommand(const std::string& file, const RepadminOptions& options) {
  CommandOutput output;
  LoadResult loaded = loadScenarioFile(file);
  for (const std::string& error : loaded.errors) output.err += error + "\n";
  if (!loaded.scenario) {
    output.exitCode = 2;
    return output;
  }
  Parsed<int64_t> at = parseMoment(options.at, loaded.scenario->start);
  if (auto* reason = std::get_if<std::string>(&at)) {
    output.err += fmt::format("--at \"{}\": {}\n", options.at, *reason);
    output.exitCode = 2;
    return output;
  }
  std::optional<Scenario> scenario;
  auto world = buildWorld(file, options.seed, false, scenario, output);
  if (!world) return output;
  world->runUntil(std::get<int64_t>(at));
  replication::DsaNames names = world->dsaNames();
  std::vector<int> dcs;
  if (!options.dc.empty()) {
    int index = world->dcIndex(options.dc);
    if (index < 0) {
      output.err += fmt::format("--dc \"{}\": no such DC in {}\n", options.dc, file);
      output.exitCode = 2;
      return output;
    }
    dcs.push_back(index);
  } else if (options.view == "showobjmeta" || options.view == "showutdvec") {
    output.err += fmt::format("repadmin {}: --dc is required\n", options.view);
    output.exitCode = 2;
    return output;
  } else {
    for (int i = 0; i < world->dcCount(); ++i) dcs.push_back(i);
  }
  auto view = [&](int i) { return replication::DcView{world->directory(i), &world->dsaInfo(i)}; };
  auto emit = [&](const dc::Result<std::string>& text) {
    if (text) {
      output.out += *text;
    } else {
      output.err += text.status().message() + "\n";
      output.exitCode = 1;
    }
  };
  for (int i : dcs) {
    if (!world->directory(i)) {
      output.err += fmt::format("{}: the DC is down at {}\n", world->dsaInfo(i).name, options.at);
      output.exitCode = 1;
      return output;
    }
  }
  if (options.view == "showrepl") {
    for (int i : dcs) emit(replication::showRepl(view(i), names, options.csv));
  } else if (options.view == "replsummary") {
    std::vector<replication::DcView> views;
    for (int i : dcs) views.push_back(view(i));
    emit(replication::replSummary(views, world->now()));
  } else if (options.view == "showobjmeta") {
    if (options.object.empty()) {
      output.err += "repadmin showobjmeta: --object is required\n";
      output.exitCode = 2;
      return output;
    }
    auto dn = world->objectDn(dcs.front(), options.object);
    if (!dn) {
      output.err += fmt::format("--object \"{}\": {}\n", options.object, dn.status().message());
      output.exitCode = 1;
      return output;
    }
    emit(replication::showObjMeta(view(dcs.front()), names, *dn));
  } else if (options.view == "showutdvec") {
    std::optional<dc::NamingContext> nc;
    for (auto candidate : {dc::NamingContext::Domain, dc::NamingContext::Configuration, dc::NamingContext::Schema})
      if (loader::lower(options.namingContext) == dc::namingContextName(candidate)) nc = candidate;
    if (!nc) {
      output.err += fmt::format("--nc \"{}\": use domain, configuration or schema\n", options.namingContext);
      output.exitCode = 2;
      return output;
    }
    emit(replication::showUtdVec(view(dcs.front()), names, *nc));
  } else {
    output.err += fmt::format("repadmin: unknown view \"{}\" (use showrepl, replsummary, showobjmeta or showutdvec)\n",
                              options.view);
    output.exitCode = 2;
  }
  return output;
}

}  // namespace dcemu::sim
