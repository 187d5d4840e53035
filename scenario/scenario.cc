#include "scenario/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "replication/connections.h"
#include "scenario/loader_internal.h"

namespace dcemu::scenario {

std::vector<std::string> HostGroup::hostNames() const {
  if (single) return {name};
  // Three digits, or as many as the count needs.
  int width = std::max<int>(3, static_cast<int>(std::to_string(count).size()));
  std::vector<std::string> names;
  for (int i = 1; i <= count; ++i) names.push_back(fmt::format("{}-{:0{}}", name, i, width));
  return names;
}

namespace {

struct AclRight {
  const char* name;
  const char* sddl;
};

constexpr AclRight kAclRights[] = {
    {"CreateChild", "CC"},    {"DeleteChild", "DC"},   {"ListChildren", "LC"}, {"Self", "SW"},
    {"ReadProperty", "RP"},   {"WriteProperty", "WP"}, {"DeleteTree", "DT"},   {"ListObject", "LO"},
    {"ControlAccess", "CR"},  {"Delete", "SD"},        {"ReadControl", "RC"},  {"WriteDACL", "WD"},
    {"WriteOwner", "WO"},     {"GenericAll", "GA"},    {"GenericWrite", "GW"}, {"GenericRead", "GR"},
    {"GenericExecute", "GX"}, {"CreateDMSA", "CC"},
};

}  // namespace

std::string describeSchedule(const Schedule& schedule) {
  if (schedule.isAlways()) return "always";
  static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  constexpr int kSlotsPerDay = Schedule::kSlots / 7;
  auto clock = [](int slot) { return fmt::format("{:02}:{:02}", slot / 4, slot % 4 * 15); };
  // Each day's open runs, as text.
  std::vector<std::string> days(7);
  for (int day = 0; day < 7; ++day) {
    std::vector<std::string> runs;
    for (int slot = 0; slot < kSlotsPerDay;) {
      if (!schedule.open[day * kSlotsPerDay + slot]) {
        ++slot;
        continue;
      }
      int end = slot;
      while (end < kSlotsPerDay && schedule.open[day * kSlotsPerDay + end]) ++end;
      runs.push_back(clock(slot) + "-" + clock(end));
      slot = end;
    }
    for (const std::string& run : runs) days[day] += (days[day].empty() ? "" : " ") + run;
  }
  // Consecutive days with the same windows share an entry.
  std::vector<std::string> entries;
  for (int day = 0; day < 7;) {
    int last = day;
    while (last + 1 < 7 && days[last + 1] == days[day]) ++last;
    if (!days[day].empty())
      entries.push_back((last == day ? std::string(kDays[day]) : fmt::format("{}-{}", kDays[day], kDays[last])) + " " +
                        days[day]);
    day = last + 1;
  }
  std::string text;
  for (const std::string& entry : entries) text += (text.empty() ? "" : ", ") + entry;
  return text;
}

namespace {

Schedule complementOf(const Schedule& schedule) {
  Schedule complement;
  for (int slot = 0; slot < Schedule::kSlots; ++slot) complement.open[slot] = !schedule.open[slot];
  return complement;
}

}  // namespace

std::vector<std::pair<int64_t, int64_t>> closedPeriods(const Schedule& schedule, int64_t from, int64_t to) {
  return openPeriods(complementOf(schedule), from, to);
}

std::vector<std::pair<int64_t, int64_t>> openPeriods(const Schedule& schedule, int64_t from, int64_t to) {
  Schedule closed = complementOf(schedule);
  std::vector<std::pair<int64_t, int64_t>> periods;
  for (int64_t at = from; at < to;) {
    int64_t open = replication::nextOpenInstant(schedule, at);
    if (open >= to) break;
    // An always-open schedule never closes: nextOpenInstant of the empty
    // complement is INT64_MAX.
    int64_t close = std::min(replication::nextOpenInstant(closed, open), to);
    periods.push_back({open, close});
    at = close;
  }
  return periods;
}

int windowsServerRank(std::string_view version) {
  for (size_t i = 0; i < std::size(kWindowsServerVersions); ++i)
    if (version == kWindowsServerVersions[i]) return static_cast<int>(i);
  return -1;
}

bool schemaHasDmsaClass(const Scenario& s) {
  return s.schemaVersion == "2025";
}

std::optional<std::string> aclRightSddl(std::string_view right) {
  for (const AclRight& r : kAclRights)
    if (right == r.name || (right == r.sddl && std::string_view(r.name) != "CreateDMSA")) return std::string(r.sddl);
  return std::nullopt;
}

std::string knownAclRights() {
  std::string out;
  for (const AclRight& r : kAclRights) {
    if (!out.empty()) out += ", ";
    out += std::string_view(r.name) == "CreateDMSA" ? std::string(r.name) : fmt::format("{} ({})", r.name, r.sddl);
  }
  return out;
}

int UserBatch::digits() const {
  return std::max<int>(5, static_cast<int>(std::to_string(count).size()));
}

std::vector<std::string> UserBatch::userNames() const {
  int width = digits();
  std::vector<std::string> names;
  names.reserve(count);
  for (int i = 1; i <= count; ++i) names.push_back(fmt::format("{}-{:0{}}", prefix, i, width));
  return names;
}

bool UserBatch::holds(std::string_view name) const {
  size_t width = static_cast<size_t>(digits());
  if (name.size() != prefix.size() + 1 + width || name[prefix.size()] != '-') return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(name[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  int number = 0;
  for (char c : name.substr(prefix.size() + 1)) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
  }
  return number >= 1 && number <= count;
}

int64_t Scenario::effectiveDuration() const {
  if (duration) return *duration;
  int64_t last = 0;
  bool migration = false;
  for (const Step& step : steps) {
    last = std::max(last, step.at);
    migration = migration || step.action.find("migration") != std::string::npos;
  }
  for (const Fault& fault : faults) {
    last = std::max(last, fault.from);
    if (fault.to != INT64_MAX) last = std::max(last, fault.to);  // random-partitions without an end
  }
  int64_t span = last + int64_t{3600} * 1000000;
  if (migration) span = std::max<int64_t>(span, int64_t{28} * 24 * 3600 * 1000000);
  return span;
}

namespace {
template <typename T>
int indexByName(const std::vector<T>& items, std::string_view name) {
  std::string wanted = loader::lower(name);
  for (size_t i = 0; i < items.size(); ++i)
    if (loader::lower(items[i].name) == wanted) return static_cast<int>(i);
  return -1;
}
}  // namespace

int Scenario::siteIndex(std::string_view name) const {
  return indexByName(sites, name);
}
int Scenario::dcIndex(std::string_view name) const {
  return indexByName(dcs, name);
}
int Scenario::linkIndex(std::string_view name) const {
  return indexByName(siteLinks, name);
}

replication::KccInput Scenario::siteGraph() const {
  replication::KccInput input;
  input.siteCount = static_cast<int>(sites.size());
  for (const SiteLink& link : siteLinks)
    input.links.push_back({link.name, link.sites, link.cost, link.interval, link.schedule});
  for (const SiteLinkBridge& bridge : bridges) input.bridges.push_back(bridge.links);
  return input;
}

}  // namespace dcemu::scenario
