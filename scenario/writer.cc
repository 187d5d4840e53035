#include "scenario/writer.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>

#include "scenario/provision.h"
#include "scenario/units.h"

namespace dcemu::scenario {

namespace {

constexpr std::array<const char*, 7> kDayNames = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr int kSlotsPerDay = 24 * 4;

std::string tomlList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + tomlString(values[i]);
  return out + "]";
}

std::string quarterHour(int slot) {
  return fmt::format("\"{:02}:{:02}\"", slot / 4, slot % 4 * 15);
}

// A schedule as the file's windows: each day's open runs, days with the
// same runs in a row sharing one "Mon-Fri" entry.
std::string scheduleValue(const Schedule& schedule) {
  if (schedule.isAlways()) return "\"always\"";
  std::array<std::vector<std::pair<int, int>>, 7> runs;
  for (int day = 0; day < 7; ++day) {
    for (int slot = 0; slot < kSlotsPerDay;) {
      if (!schedule.open[static_cast<size_t>(day * kSlotsPerDay + slot)]) {
        ++slot;
        continue;
      }
      int start = slot;
      while (slot < kSlotsPerDay && schedule.open[static_cast<size_t>(day * kSlotsPerDay + slot)]) ++slot;
      runs[static_cast<size_t>(day)].emplace_back(start, slot);
    }
  }
  std::vector<std::string> windows;
  for (int day = 0; day < 7;) {
    int last = day;
    while (last + 1 < 7 && runs[static_cast<size_t>(last + 1)] == runs[static_cast<size_t>(day)]) ++last;
    std::string days =
        last == day ? kDayNames[static_cast<size_t>(day)]
                    : fmt::format("{}-{}", kDayNames[static_cast<size_t>(day)], kDayNames[static_cast<size_t>(last)]);
    for (auto [from, to] : runs[static_cast<size_t>(day)])
      windows.push_back(fmt::format("{{ days = \"{}\", from = {}, to = {} }}", days, quarterHour(from),
                                    to == kSlotsPerDay ? "\"24:00\"" : quarterHour(to)));
    day = last + 1;
  }
  std::string out = "[\n";
  for (const std::string& w : windows) out += "  " + w + ",\n";
  return out + "]";
}

class Writer {
 public:
  Writer(const Scenario& s, const WriteOptions& options) : s_(s), options_(options) {}

  std::string write() {
    for (const std::string& line : options_.header) out_ += comment(line);
    if (!options_.header.empty()) out_ += "\n";
    domain();
    for (const Site& site : s_.sites) {
      entry("site", site.name);
      key("name", tomlString(site.name));
    }
    for (const DcSpec& dc : s_.dcs) {
      entry("dc", dc.name);
      key("name", tomlString(dc.name));
      key("site", tomlString(s_.sites[static_cast<size_t>(dc.site)].name));
      if (dc.rodc) key("rodc", "true");
      if (dc.os != "2025") key("os", tomlString(dc.os));
      if (!dc.allowPasswordCaching.empty()) key("allow_password_caching", tomlList(dc.allowPasswordCaching));
    }
    for (const SiteLink& link : s_.siteLinks) {
      entry("site_link", link.name);
      key("name", tomlString(link.name));
      std::vector<std::string> sites;
      for (int site : link.sites) sites.push_back(s_.sites[static_cast<size_t>(site)].name);
      key("sites", tomlList(sites));
      if (link.cost != 100) key("cost", std::to_string(link.cost));
      if (link.interval != 180 * kMicrosPerMinute)
        key("interval", fmt::format("\"{}m\"", link.interval / kMicrosPerMinute));
      if (!link.schedule.isAlways()) key("schedule", scheduleValue(link.schedule));
      if (link.notify) key("notify", "true");
    }
    for (const SiteLinkBridge& bridge : s_.bridges) {
      entry("site_link_bridge", bridge.name);
      key("name", tomlString(bridge.name));
      std::vector<std::string> links;
      for (int link : bridge.links) links.push_back(s_.siteLinks[static_cast<size_t>(link)].name);
      key("links", tomlList(links));
    }
    for (const std::string& ou : s_.ous) {
      entry("ou", ou);
      key("dn", tomlString(ou));
    }
    for (const UserSpec& user : s_.users) {
      entry("user", user.name);
      key("name", tomlString(user.name));
      if (!user.memberOf.empty()) key("member_of", tomlList(user.memberOf));
    }
    for (const UserBatch& batch : s_.userBatches) {
      entry("user_group", batch.prefix);
      key("prefix", tomlString(batch.prefix));
      key("count", std::to_string(batch.count));
      if (batch.ou != "CN=Users") key("ou", tomlString(batch.ou));
    }
    for (const GroupSpec& group : s_.groups) {
      entry("group", group.name);
      key("name", tomlString(group.name));
      if (!group.members.empty()) key("members", tomlList(group.members));
    }
    for (const ServiceAccountSpec& account : s_.serviceAccounts) {
      entry("service_account", account.name);
      key("name", tomlString(account.name));
      if (account.kind != "user") key("kind", tomlString(account.kind));
      if (!account.spns.empty()) key("spns", tomlList(account.spns));
      if (account.trustedToAuthForDelegation) key("trusted_to_auth_for_delegation", "true");
      if (!account.allowedToDelegateTo.empty()) key("allowed_to_delegate_to", tomlList(account.allowedToDelegateTo));
      if (!account.memberOf.empty()) key("member_of", tomlList(account.memberOf));
    }
    for (const DmsaSpec& dmsa : s_.dmsas) {
      entry("dmsa", dmsa.name);
      key("name", tomlString(dmsa.name));
      if (!dmsa.ou.empty()) key("ou", tomlString(dmsa.ou));
      if (!dmsa.supersedes.empty()) key("supersedes", tomlString(dmsa.supersedes));
      if (dmsa.state != 0) key("state", std::to_string(dmsa.state));
      if (!dmsa.principals.empty()) key("principals", tomlList(dmsa.principals));
    }
    for (const HostGroup& group : s_.hostGroups) {
      entry("host_group", group.name);
      key(group.single ? "host" : "name", tomlString(group.name));
      if (!group.single && group.count != 1) key("count", std::to_string(group.count));
      key("site", tomlString(s_.sites[static_cast<size_t>(group.site)].name));
      if (!group.services.empty()) key("services", tomlList(group.services));
      if (!group.dmsaCapable) key("dmsa_capable", "false");
      if (!group.memberOf.empty()) key("member_of", tomlList(group.memberOf));
    }
    for (const AclSpec& acl : s_.acls) {
      entry("acl", acl.ou);
      key("ou", tomlString(acl.ou.empty() ? domainDnOf(s_.domain) : acl.ou));
      key("principal", tomlString(acl.principal));
      key("rights", tomlList(acl.rights));
      if (acl.appliesTo != "this") key("applies_to", tomlString(acl.appliesTo));
    }
    for (const Fault& fault : s_.faults) {
      entry("fault", fault.kind + "/" + fault.dc + "/" + fault.source);
      key("kind", tomlString(fault.kind));
      for (const auto& [name, value] :
           {std::pair{"link", fault.link}, {"site", fault.site}, {"dc", fault.dc}, {"source", fault.source}})
        if (!value.empty()) key(name, tomlString(value));
      if (!fault.links.empty()) key("links", tomlList(fault.links));
      bool rollback = fault.kind == "usn-rollback";
      key(rollback ? "at" : "from", tomlString(formatDuration(fault.from)));
      if (fault.to != INT64_MAX) key(rollback ? "to_snapshot_at" : "to", tomlString(formatDuration(fault.to)));
      if (fault.kind == "clock-skew") key("offset", tomlString(formatDuration(fault.offset)));
      if (fault.kind == "slow-link") key("latency", tomlString(formatDuration(fault.latency)));
      if (fault.kind == "random-partitions") {
        key("rate", fmt::format("{}", fault.rate));
        if (fault.mean > 0) key("mean", tomlString(formatDuration(fault.mean)));
      }
      if (fault.kind == "connection-broken" && fault.error != 1722) key("error", std::to_string(fault.error));
    }
    return out_;
  }

 private:
  static std::string comment(const std::string& line) { return line.empty() ? "#\n" : "# " + line + "\n"; }

  void domain() {
    out_ += "[domain]\n";
    key("name", tomlString(s_.domain));
    if (s_.tombstoneLifetimeDays != 180) key("tombstone_lifetime", fmt::format("\"{}d\"", s_.tombstoneLifetimeDays));
    if (s_.garbageCollPeriodHours) key("garbage_coll_period", fmt::format("\"{}h\"", *s_.garbageCollPeriodHours));
    if (s_.schemaGivenAt) key("schema", tomlString(s_.schemaVersion));
  }

  void entry(std::string_view kind, std::string_view name) {
    out_ += "\n";
    if (options_.commentsFor)
      for (const std::string& line : options_.commentsFor(kind, name)) out_ += comment(line);
    out_ += fmt::format("[[{}]]\n", kind);
  }

  void key(std::string_view name, const std::string& value) { out_ += fmt::format("{} = {}\n", name, value); }

  const Scenario& s_;
  const WriteOptions& options_;
  std::string out_;
};

}  // namespace

std::string tomlString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f)
          out += fmt::format("\\u{:04X}", u);
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string writeScenario(const Scenario& scenario, const WriteOptions& options) {
  return Writer(scenario, options).write();
}

}  // namespace dcemu::scenario
