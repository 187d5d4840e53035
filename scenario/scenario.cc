#include "scenario/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

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
