// dcemu cluster report: the simulator's planning report for a live cluster.
// The risk tracker is fed what the cluster journalled (each node's writes
// to tracked dMSAs and its migration steps, the hosts' logons and events)
// in time order, and the blockers' questions about the domain now are
// asked of the running nodes over RPC.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "dc/text.h"
#include "live/cluster_command.h"
#include "live/cluster_files.h"
#include "live/hosts_process.h"
#include "live/journal.h"
#include "report/membership.h"
#include "report/planning.h"
#include "scenario/host_plan.h"
#include "scenario/loader.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

namespace dcemu::live {

namespace {

namespace fs = std::filesystem;

int refuse(const std::string& message) {
  fmt::print(stderr, "dcemu cluster report: {}\n", message);
  return 2;
}

std::optional<int64_t> number(const std::string& text) {
  try {
    size_t used = 0;
    int64_t value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// One journalled record, with where it came from.
struct Record {
  int64_t at = 0;
  int dc = -1;  // the node that journalled it; -1 for the hosts
  std::vector<std::string> fields;
};

// What the running nodes say about the domain now (`ctl state`). When no
// DC answers, the cluster is stopped and says nothing: then no DC counts as
// down, cut off or disabled.
class LiveFacts final : public report::DomainFacts {
 public:
  // `ask`: whether to ask the DCs (not for a report of a past moment).
  LiveFacts(const scenario::Scenario& scenario, const std::string& directory, bool ask) : scenario_(scenario) {
    for (const scenario::DcSpec& spec : scenario.dcs) {
      if (!ask) {
        dcs_.emplace_back();
        continue;
      }
      DcState state;
      auto [code, text] = ctlCall(directory, spec.name, {"state"});
      state.up = code == 0;
      running_ = running_ || state.up;
      std::istringstream lines(text);
      for (std::string line; state.up && std::getline(lines, line);) {
        // "reaches SITE 0|1" (a site's name may hold spaces), or "KEY VALUE".
        size_t last = line.rfind(' ');
        if (last == std::string::npos) continue;
        std::string value = line.substr(last + 1);
        if (line.starts_with("reaches ")) {
          int site = scenario.siteIndex(line.substr(8, last - 8));
          if (site >= 0 && value == "1") state.reaches.insert(site);
        } else if (line.starts_with("inbound-disabled ")) {
          state.inboundDisabled = value == "1";
        }
      }
      dcs_.push_back(std::move(state));
    }
    if (running_) return;
    for (DcState& state : dcs_) {
      state.up = true;
      for (int site = 0; site < static_cast<int>(scenario.sites.size()); ++site) state.reaches.insert(site);
    }
  }
  bool running() const { return running_; }
  void setNow(int64_t now) { now_ = now; }

  int64_t now() const override { return now_; }
  const std::vector<kdc::Event>& events() const override { return events_; }
  std::optional<kdc::LogonOutcome> latestLogon(const std::string& host, const std::string& service) const override {
    auto found = latest_.find({dc::toLower(host), dc::toLower(service)});
    return found == latest_.end() ? std::nullopt : std::optional(found->second.first);
  }
  std::optional<int64_t> nextLogon(const std::string& host, const std::string& service) const override {
    auto found = latest_.find({dc::toLower(host), dc::toLower(service)});
    if (found == latest_.end() || found->second.second < now_) return std::nullopt;
    return found->second.second;
  }
  bool dcUp(int dc) const override { return dcs_[dc].up; }
  // As the simulator's network: a partition cuts both ways, so the nodes
  // of the destination site are asked whether they reach the other.
  bool reachable(int from, int to) const override {
    for (size_t d = 0; d < dcs_.size(); ++d)
      if (scenario_.dcs[d].site == to && dcs_[d].up && dcs_[d].reaches.count(from)) return true;
    return false;
  }
  bool inboundDisabled(int dc) const override { return dcs_[dc].inboundDisabled; }

  void logged(kdc::Event event) { events_.push_back(std::move(event)); }
  void loggedOn(const std::string& host, const std::string& service, const kdc::LogonOutcome& outcome, int64_t next) {
    latest_[{dc::toLower(host), dc::toLower(service)}] = {outcome, next};
  }

 private:
  struct DcState {
    bool up = true;
    bool inboundDisabled = false;
    std::set<int> reaches;
  };
  const scenario::Scenario& scenario_;
  bool running_ = false;
  int64_t now_ = 0;
  std::vector<DcState> dcs_;
  std::vector<kdc::Event> events_;
  std::map<std::pair<std::string, std::string>, std::pair<kdc::LogonOutcome, int64_t>> latest_;
};

dc::Status addRecords(JournalRecords journal, const std::string& where, int dc, std::vector<Record>& records) {
  for (std::vector<std::string>& fields : journal) {
    std::optional<int64_t> at = fields[0] == "machine" ? std::optional<int64_t>(0)
                                : fields.size() > 1    ? number(fields[1])
                                                       : std::nullopt;
    if (!at) return dc::Status(dc::LdapResult::other, fmt::format("{}: a record without its time", where));
    records.push_back({*at, dc, std::move(fields)});
  }
  return dc::Status::ok();
}

}  // namespace

int clusterReport(const ClusterReportOptions& options) {
  const std::string& dir = options.directory;
  std::optional<int64_t> until;
  if (!options.until.empty()) {
    auto parsed = scenario::parseDuration(options.until);
    if (auto* why = std::get_if<std::string>(&parsed)) return refuse("--until: " + *why);
    until = std::get<int64_t>(parsed);
  }
  if (std::error_code error; !fs::exists(dir + "/topology.toml", error))
    return refuse(fmt::format("--data {}: not a cluster directory (no topology.toml)", dir));
  scenario::LoadResult loaded = scenario::loadScenarioFile(dir + "/topology.toml");
  for (const std::string& error : loaded.errors) fmt::print(stderr, "{}\n", error);
  if (!loaded.errors.empty()) return 2;
  const scenario::Scenario& scenario = *loaded.scenario;
  uint64_t seed = scenario.seed;
  if (uint64_t kept = 0; std::ifstream(dir + "/seed") >> kept) seed = kept;

  // Each DC's journal from its data directory here, or over RPC from a DC
  // that runs elsewhere (on Kubernetes, in its pod's volume).
  std::vector<Record> records;
  std::vector<std::string> missing;
  for (int d = 0; d < static_cast<int>(scenario.dcs.size()); ++d) {
    const std::string& name = scenario.dcs[d].name;
    const std::string path = fmt::format("{}/dcs/{}/risk.journal", dir, dc::toLower(name));
    dc::Result<JournalRecords> journal = JournalRecords{};
    if (fs::exists(path)) {
      journal = readJournal(path);
    } else if (auto [code, text] = ctlCall(dir, name, {"risk-journal"}); code == 0) {
      journal = parseJournal(text);
    } else {
      missing.push_back(fmt::format("{} ({})", name, text));
    }
    if (!journal) return refuse(journal.status().message());
    if (dc::Status added = addRecords(std::move(*journal), path, d, records); !added.isOk())
      return refuse(added.message());
  }
  const std::string hostsJournal =
      options.hostsJournal.empty() ? hostsDirectoryOf(dir) + "/hosts.journal" : options.hostsJournal;
  auto hosts = readJournal(hostsJournal);
  if (!hosts) return refuse(hosts.status().message());
  if (dc::Status added = addRecords(std::move(*hosts), hostsJournal, -1, records); !added.isOk())
    return refuse(added.message());
  std::stable_sort(records.begin(), records.end(), [](const Record& a, const Record& b) { return a.at < b.at; });
  if (until)
    std::erase_if(records, [&](const Record& r) { return r.fields[0] != "machine" && r.at > scenario.start + *until; });

  // The tracked hosts, with the machine SIDs the nodes found.
  std::map<std::string, dc::Sid> machineSids;  // lower machine account
  for (const Record& r : records)
    if (r.fields[0] == "machine" && r.fields.size() == 3)
      if (auto sid = dc::Sid::parse(r.fields[2])) machineSids[dc::toLower(r.fields[1]) + "$"] = *sid;
  std::vector<scenario::PlannedClient> planned = scenario::planHostClients(scenario, seed);
  auto tracked = report::trackedHostsByService(scenario, planned, [&](const std::string& account) {
    auto found = machineSids.find(dc::toLower(account));
    return found == machineSids.end() ? std::nullopt : std::optional<dc::Sid>(found->second);
  });
  std::vector<std::string> dcNames;
  for (const scenario::DcSpec& spec : scenario.dcs) dcNames.push_back(spec.name);
  report::RiskTracker risk(dcNames);
  std::set<std::string> createdLater;  // dMSAs a new-dmsa step creates
  for (const scenario::Step& step : scenario.steps)
    if (step.action == "new-dmsa") createdLater.insert(dc::toLower(step.dmsa));
  for (const scenario::DmsaSpec& dmsa : scenario.dmsas)
    if (!dmsa.supersedes.empty()) risk.track(dmsa.name, dmsa.supersedes, tracked[dc::toLower(dmsa.supersedes)]);

  LiveFacts facts(scenario, dir, !until);
  const bool running = facts.running();
  int64_t latest = scenario.start;
  for (const Record& r : records) latest = std::max(latest, r.at);
  int64_t now = until ? scenario.start + *until : latest;
  if (running)
    if (auto clock = readClusterClock(dir)) now = std::max(now, clock->now(scenario.start));
  facts.setNow(now);
  size_t logons = 0, failed = 0, late = 0;
  std::set<std::string> identified;
  for (const Record& r : records) {
    const std::vector<std::string>& f = r.fields;
    if (f[0] == "observe" && f.size() == 7 && r.dc >= 0) {
      auto guid = dc::Guid::parse(f[3]);
      auto state = number(f[4]);
      if (!guid || !state) continue;
      if (identified.insert(dc::toLower(f[2])).second)
        risk.identify(f[2], *guid, createdLater.count(dc::toLower(f[2])) ? r.at : scenario.start);
      std::set<dc::Sid> members;
      for (size_t from = 0; from < f[6].size();) {
        size_t comma = f[6].find(',', from);
        if (comma == std::string::npos) comma = f[6].size();
        if (auto sid = dc::Sid::parse(f[6].substr(from, comma - from))) members.insert(*sid);
        from = comma + 1;
      }
      risk.observe(r.dc, *guid, members, *state, f[5] == "1", r.at);
    } else if (f[0] == "step" && f.size() == 4 && r.dc >= 0) {
      risk.migrationStep(f[2], f[3], scenario.dcs[r.dc].name, r.at);
    } else if (f[0] == "logon" && (f.size() == 10 || f.size() == 11)) {  // 10: journals before "late"
      if (f.size() == 11 && f[10] == "1") ++late;
      kdc::LogonOutcome outcome{r.at, f[4] == "1", f[5] == "1", f[6], f[7], f[8], {}};
      risk.logon(f[2], f[3], outcome);
      facts.loggedOn(f[2], f[3], outcome, number(f[9]).value_or(0));
      ++logons;
      if (!outcome.ok) ++failed;
    } else if (f[0] == "event" && f.size() >= 4 && f.size() % 2 == 0) {
      kdc::Event event{r.at, static_cast<int>(number(f[2]).value_or(0)), f[3], {}};
      for (size_t i = 4; i + 1 < f.size(); i += 2) event.fields.push_back({f[i], f[i + 1]});
      facts.logged(std::move(event));
    }
  }
  report::PlanningReport report = report::planningReport(scenario, seed, risk, facts);
  report.file = dir + "/topology.toml";

  std::string text = fmt::format("cluster     {} ({} DCs{}), journals up to {}\n", dir, scenario.dcs.size(),
                                 until     ? ""
                                 : running ? ", running"
                                           : ", stopped",
                                 scenario::formatMoment(latest, scenario.start));
  text += fmt::format("logons      {} journalled, {} failed\n", logons, failed);
  if (late > 0)
    text += fmt::format(
        "distorted   {} renewal{} arrived after {} TGT had expired, as the machine could not keep up with the time "
        "scale: those hosts logged on afresh where the simulator renews. Compare with `dcemu run`, or run the "
        "cluster at a lower --time-scale\n",
        late, late == 1 ? "" : "s", late == 1 ? "its" : "their");
  if (until)
    text += fmt::format("note        as of {} (--until): blockers do not tell DCs down, cut off or disabled then\n",
                        scenario::formatMoment(now, scenario.start));
  else if (!running)
    text += "note        the cluster is stopped: blockers do not tell DCs down, cut off or disabled\n";
  for (const std::string& dcWithout : missing)
    text += fmt::format("note        no journal from {}: what it saw is missing from this report\n", dcWithout);
  text += report::reportText(report);
  int exitCode = missing.empty() ? 0 : 1;
  for (const std::string& path :
       report::writeReportFiles(report, options.jsonFile, options.htmlFile, options.csvDirectory)) {
    fmt::print(stderr, "dcemu cluster report: {}: writing failed\n", path);
    exitCode = 1;
  }
  fmt::print("{}", text);
  return exitCode;
}

}  // namespace dcemu::live
