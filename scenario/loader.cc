#include "scenario/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "scenario/loader_internal.h"
#include "scenario/machine_memory.h"
#include "scenario/provision.h"
#include "scenario/units.h"

namespace dcemu::scenario {
namespace loader {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void NameSet::add(const std::string& name, const Location& where, LoadErrors& errors) {
  if (name.empty()) {
    errors.add(where, fmt::format("a {} needs a non-empty name", kind_));
    return;
  }
  auto [it, added] = names_.emplace(lower(name), name);
  if (!added) errors.add(where, fmt::format("duplicate {} name \"{}\"", kind_, name));
}

}  // namespace loader

namespace {

using loader::Names;

constexpr int64_t kQuarterHour = 15 * kMicrosPerMinute;

// Calls `read` for each table of the array `key` (e.g. [[dc]]).
void forEachEntry(const toml::table& root, std::string_view key, LoadErrors& errors,
                  const std::function<void(TomlFields&)>& read) {
  const toml::node* value = root.get(key);
  if (!value) return;
  const toml::array* entries = value->as_array();
  if (!entries) {
    errors.add(value->source(), fmt::format("\"{}\" must be written as [[{}]] tables", key, key));
    return;
  }
  for (const toml::node& entry : *entries) {
    const toml::table* table = entry.as_table();
    if (!table) {
      errors.add(entry.source(), fmt::format("\"{}\" entries must be tables", key));
      continue;
    }
    TomlFields fields(*table, fmt::format("[[{}]]", key), errors);
    read(fields);
    fields.finish();
  }
}

// Calls `read` for the single table `key` (e.g. [simulation]) when present.
void withSection(const toml::table& root, std::string_view key, LoadErrors& errors,
                 const std::function<void(TomlFields&)>& read) {
  const toml::node* value = root.get(key);
  if (!value) return;
  const toml::table* table = value->as_table();
  if (!table) {
    errors.add(value->source(), fmt::format("\"{}\" must be a [{}] table", key, key));
    return;
  }
  TomlFields fields(*table, fmt::format("[{}]", key), errors);
  read(fields);
  fields.finish();
}

template <typename T, typename Parse>
void parseWith(TomlFields& f, std::string_view key, Parse parse, T& out, bool required = false) {
  auto text = f.string(key, required);
  if (!text) return;
  auto parsed = parse(*text);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    f.fail(key, *reason);
  } else {
    out = static_cast<T>(std::get<0>(parsed));
  }
}

void readGlobalSections(const toml::table& root, Scenario& s, LoadErrors& errors) {
  withSection(root, "simulation", errors, [&](TomlFields& f) {
    parseWith(f, "start", parseUtcInstant, s.start);
    if (auto d = f.duration("duration")) {
      if (*d <= 0) f.fail("duration", "\"duration\" must be positive");
      s.duration = *d;
    }
    if (auto seed = f.integer("seed", 0, INT64_MAX)) s.seed = static_cast<uint64_t>(*seed);
  });
  bool domainGiven = false;
  withSection(root, "domain", errors, [&](TomlFields& f) {
    domainGiven = true;
    if (auto schema = f.string("schema")) {
      if (windowsServerRank(*schema) < 0)
        f.fail("schema", fmt::format("unknown Windows Server version \"{}\" (use 2008, 2008R2, 2012, 2012R2, 2016, "
                                     "2019, 2022 or 2025)",
                                     *schema));
      else
        s.schemaVersion = *schema;
      s.schemaGivenAt = f.whereOf("schema");
    }
    if (auto name = f.string("name", true)) {
      if (name->empty() || name->front() == '.' || name->back() == '.' || name->find("..") != std::string::npos)
        f.fail("name", fmt::format("\"{}\" is not a DNS domain name", *name));
      s.domain = *name;
    }
    if (auto level = f.string("functional_level")) {
      static const char* kLevels[] = {"2000", "2003", "2008", "2008R2", "2012", "2012R2", "2016", "2025"};
      bool known = false;
      for (const char* l : kLevels) known = known || *level == l;
      if (!known) f.fail("functional_level", fmt::format("unknown functional level \"{}\"", *level));
      s.functionalLevel = *level;
    }
    if (auto lifetime = f.duration("tombstone_lifetime")) {
      // tombstoneLifetime holds whole days; Windows uses at least 2.
      if (*lifetime % kMicrosPerDay != 0 || *lifetime < 2 * kMicrosPerDay)
        f.fail("tombstone_lifetime", "\"tombstone_lifetime\" must be whole days, at least \"2d\"");
      else
        s.tombstoneLifetimeDays = static_cast<int>(*lifetime / kMicrosPerDay);
    }
    if (auto period = f.duration("garbage_coll_period")) {
      // garbageCollPeriod holds whole hours; Windows runs at least hourly.
      if (*period % kMicrosPerHour != 0 || *period < kMicrosPerHour || *period > 10000 * kMicrosPerHour)
        f.fail("garbage_coll_period", "\"garbage_coll_period\" must be whole hours from \"1h\" to \"10000h\"");
      else
        s.garbageCollPeriodHours = static_cast<int>(*period / kMicrosPerHour);
    }
  });
  if (!domainGiven) errors.add(root.source(), "the file needs a [domain] table with a name");
  withSection(root, "kerberos", errors, [&](TomlFields& f) {
    if (auto d = f.duration("tgt_lifetime")) s.tgtLifetime = *d;
    if (auto d = f.duration("renew_max")) s.renewMax = *d;
    if (auto d = f.duration("service_ticket_lifetime")) s.serviceTicketLifetime = *d;
    if (auto d = f.duration("clock_skew")) s.clockSkew = *d;
    if (auto b = f.boolean("patched_badsuccessor")) s.patchedBadSuccessor = *b;
  });
  withSection(root, "replication", errors, [&](TomlFields& f) {
    if (auto d = f.duration("notify_first")) s.notifyFirst = *d;
    if (auto d = f.duration("notify_subsequent")) s.notifySubsequent = *d;
    if (auto d = f.duration("intra_site_poll")) {
      if (*d <= 0) f.fail("intra_site_poll", "\"intra_site_poll\" must be positive");
      s.intraSitePoll = *d;
    }
    if (auto n = f.integer("max_objects", 1, 100000)) s.maxObjects = static_cast<uint32_t>(*n);
    parseWith(f, "max_bytes", parseByteSize, s.maxBytes);
    if (auto b = f.boolean("strict_consistency")) s.strictConsistency = *b;
    if (auto b = f.boolean("allow_divergent_partners")) s.allowDivergentPartners = *b;
  });
  withSection(root, "workload", errors, [&](TomlFields& f) {
    if (auto rate = f.number("changes_per_dc_per_hour", 0, 3600)) s.changesPerDcPerHour = *rate;
  });
}

// A schedule under `key`: "always" or a list of { days, from, to }
// windows in UTC.
void readSchedule(TomlFields& f, std::string_view key, Schedule& out, LoadErrors& errors) {
  const toml::node* value = f.node(key);
  if (!value) return;
  if (value->is_string()) {
    if (*value->value<std::string>() != "always")
      f.fail(key, fmt::format("\"{}\" must be \"always\" or a list of windows", key));
    return;
  }
  const toml::array* windows = value->as_array();
  if (!windows || windows->empty()) {
    f.fail(key, fmt::format("\"{}\" must be \"always\" or a non-empty list of windows", key));
    return;
  }
  out = Schedule();
  for (const toml::node& item : *windows) {
    const toml::table* table = item.as_table();
    if (!table) {
      errors.add(item.source(), "a schedule window must be a table { days, from, to }");
      continue;
    }
    TomlFields w(*table, "schedule window", errors);
    uint8_t days = 0x7f;
    int from = -1, to = -1;
    parseWith(w, "days", parseDays, days);
    parseWith(w, "from", parseQuarterHour, from, /*required=*/true);
    parseWith(w, "to", parseQuarterHour, to, /*required=*/true);
    w.finish();
    if (from < 0 || to < 0) continue;
    if (from == 24 * 60) {
      w.fail("from", "a schedule window starts before 24:00 (\"00:00\" is the start of a day)");
      continue;
    }
    if (from == to) {
      errors.add(item.source(),
                 "a schedule window's from and to are equal; all day is from = \"00:00\", to = \"24:00\"");
      continue;
    }
    // "24:00" is the end of the day; a window whose end comes before its
    // start wraps past midnight into the next day (and from Sunday into
    // Monday: the week is a ring, as Windows' 168-hour grid is).
    int length = to > from ? to - from : to - from + 24 * 60;
    for (int day = 0; day < 7; ++day) {
      if (!(days & (1u << day))) continue;
      for (int minute = from; minute < from + length; minute += 15)
        out.open[(day * 24 * 60 + minute) / 15 % Schedule::kSlots] = true;
    }
  }
}

void readPlanning(const toml::table& root, Scenario& s, LoadErrors& errors) {
  withSection(root, "planning", errors, [&](TomlFields& f) {
    Schedule windows = Schedule::always();
    readSchedule(f, "change_windows", windows, errors);
    if (!windows.isAlways()) s.changeWindows = windows;
  });
}

void readTopology(const toml::table& root, Scenario& s, Names& names, LoadErrors& errors) {
  forEachEntry(root, "site", errors, [&](TomlFields& f) {
    auto name = f.string("name", true).value_or("");
    names.sites.add(name, f.where(), errors);
    s.sites.push_back({name});
  });
  auto siteOf = [&](TomlFields& f, std::string_view key, const std::string& name) {
    int index = s.siteIndex(name);
    if (index < 0) f.fail(key, fmt::format("unknown site \"{}\"", name));
    return index;
  };
  std::vector<int> dcsPerSite(s.sites.size(), 0);
  forEachEntry(root, "dc", errors, [&](TomlFields& f) {
    DcSpec dc;
    dc.name = f.string("name", true).value_or("");
    names.dcs.add(dc.name, f.where(), errors);
    dc.site = siteOf(f, "site", f.string("site", true).value_or(""));
    if (dc.site >= 0) ++dcsPerSite[static_cast<size_t>(dc.site)];
    dc.rodc = f.boolean("rodc").value_or(false);
    dc.address = f.string("address").value_or("");
    dc.allowPasswordCaching = f.strings("allow_password_caching").value_or(std::vector<std::string>());
    if (!dc.allowPasswordCaching.empty() && !dc.rodc)
      f.fail("allow_password_caching", "only an RODC (rodc = true) has a password replication policy");
    if (auto os = f.string("os")) {
      if (windowsServerRank(*os) < 0)
        f.fail("os", fmt::format("unknown Windows Server version \"{}\" (use 2008, 2008R2, 2012, 2012R2, 2016, 2019, "
                                 "2022 or 2025)",
                                 *os));
      else
        dc.os = *os;
    }
    s.dcs.push_back(dc);
  });
  if (s.dcs.empty() && errors.empty()) errors.add(root.source(), "the file needs at least one [[dc]]");
  // A DC joins only a forest whose schema adprep has raised to its version.
  std::string newestDc = "2008";
  for (const DcSpec& dc : s.dcs)
    if (windowsServerRank(dc.os) > windowsServerRank(newestDc)) newestDc = dc.os;
  if (!s.schemaGivenAt) s.schemaVersion = newestDc;
  if (s.schemaGivenAt && windowsServerRank(s.schemaVersion) < windowsServerRank(newestDc))
    errors.add(*s.schemaGivenAt, fmt::format("schema \"{}\" is older than a Windows Server {} DC of the file: adprep "
                                             "/forestprep from {} raises the schema before such a DC joins",
                                             s.schemaVersion, newestDc, newestDc));
  if (const toml::array* sites = root["site"].as_array()) {
    for (size_t i = 0; i < s.sites.size() && i < sites->size(); ++i)
      if (dcsPerSite[i] == 0 && s.siteIndex(s.sites[i].name) == static_cast<int>(i))  // duplicates reported already
        errors.add((*sites)[i].source(), fmt::format("site \"{}\" has no DC", s.sites[i].name));
  }
  forEachEntry(root, "site_link", errors, [&](TomlFields& f) {
    SiteLink link;
    link.where = f.where();
    link.name = f.string("name", true).value_or("");
    names.links.add(link.name, f.where(), errors);
    for (const auto& site : f.strings("sites", true).value_or(std::vector<std::string>())) {
      int index = siteOf(f, "sites", site);
      if (index < 0) continue;
      if (std::find(link.sites.begin(), link.sites.end(), index) != link.sites.end())
        f.fail("sites", fmt::format("site \"{}\" is named twice", site));
      else
        link.sites.push_back(index);
    }
    if (f.has("sites") && link.sites.size() < 2) f.fail("sites", "a site link must join two or more sites");
    if (auto cost = f.integer("cost", 1, 99999)) link.cost = static_cast<int>(*cost);
    if (auto interval = f.duration("interval")) {
      if (*interval % kQuarterHour != 0 || *interval < kQuarterHour || *interval > 10080 * kMicrosPerMinute)
        f.fail("interval", "\"interval\" must be a multiple of 15m from 15m to 10080m");
      else
        link.interval = *interval;
    }
    readSchedule(f, "schedule", link.schedule, errors);
    if (auto d = f.duration("latency")) link.latency = *d;
    if (auto d = f.duration("jitter")) link.jitter = *d;
    parseWith(f, "bandwidth", parseBandwidth, link.bandwidthBitsPerSecond);
    link.notify = f.boolean("notify").value_or(false);
    s.siteLinks.push_back(link);
  });
  forEachEntry(root, "site_link_bridge", errors, [&](TomlFields& f) {
    SiteLinkBridge bridge;
    bridge.name = f.string("name", true).value_or("");
    names.bridges.add(bridge.name, f.where(), errors);
    for (const auto& link : f.strings("links", true).value_or(std::vector<std::string>())) {
      int index = s.linkIndex(link);
      if (index < 0)
        f.fail("links", fmt::format("unknown site link \"{}\"", link));
      else
        bridge.links.push_back(index);
    }
    if (f.has("links") && bridge.links.size() < 2) f.fail("links", "a site link bridge must name two or more links");
    s.bridges.push_back(bridge);
  });
}

// When a host group's services first log on and when its hosts reboot.
void readHostTiming(TomlFields& f, HostGroup& group) {
  if (auto spread = f.duration("first_logon_spread")) {
    if (*spread <= 0)
      f.fail("first_logon_spread", "\"first_logon_spread\" must be positive");
    else
      group.firstLogonSpread = *spread;
  }
  if (auto every = f.duration("reboot_every")) {
    if (*every < kMicrosPerHour)
      f.fail("reboot_every", "\"reboot_every\" must be at least \"1h\"");
    else
      group.rebootEvery = group.rebootFirst = *every;
  }
  if (auto first = f.duration("reboot_first")) {
    if (!group.rebootEvery)
      f.fail("reboot_first", "\"reboot_first\" needs \"reboot_every\"");
    else
      group.rebootFirst = *first;
  }
  if (auto window = f.duration("reboot_window")) {
    if (!group.rebootEvery)
      f.fail("reboot_window", "\"reboot_window\" needs \"reboot_every\"");
    else if (*window <= 0 || *window > group.rebootEvery)
      f.fail("reboot_window", "\"reboot_window\" must be positive and no longer than \"reboot_every\"");
    else
      group.rebootWindow = *window;
  }
  if (group.rebootEvery && !f.has("reboot_window") && group.rebootWindow > group.rebootEvery)
    group.rebootWindow = group.rebootEvery;
}

void readAccounts(const toml::table& root, Scenario& s, Names& names, LoadErrors& errors) {
  forEachEntry(root, "ou", errors, [&](TomlFields& f) {
    auto dn = f.string("dn", true).value_or("");
    if (!dn.empty() && loader::lower(dn).rfind("ou=", 0) != 0) f.fail("dn", fmt::format("\"{}\" is not an OU", dn));
    s.ous.push_back(dn);
  });
  forEachEntry(root, "user", errors, [&](TomlFields& f) {
    UserSpec user{f.string("name", true).value_or(""), f.strings("member_of").value_or(std::vector<std::string>())};
    names.users.add(user.name, f.where(), errors);
    s.users.push_back(user);
  });
  forEachEntry(root, "user_group", errors, [&](TomlFields& f) {
    UserBatch batch;
    batch.where = f.where();
    batch.prefix = f.string("prefix", true).value_or("");
    if (auto count = f.integer("count", 1, 10'000'000, true)) batch.count = static_cast<int>(*count);
    batch.ou = f.string("ou").value_or("CN=Users");
    if (loader::lower(batch.ou).rfind("ou=", 0) == 0 &&
        std::none_of(s.ous.begin(), s.ous.end(),
                     [&](const std::string& ou) { return loader::lower(ou) == loader::lower(batch.ou); }))
      f.fail("ou", fmt::format("unknown OU \"{}\" (declare it with [[ou]])", batch.ou));
    else if (loader::lower(batch.ou) != "cn=users" && loader::lower(batch.ou).rfind("ou=", 0) != 0)
      f.fail("ou", fmt::format("\"{}\" is neither CN=Users nor an OU", batch.ou));
    for (const UserBatch& earlier : s.userBatches) {
      if (loader::lower(earlier.prefix) == loader::lower(batch.prefix) && earlier.digits() == batch.digits())
        f.fail("prefix", fmt::format("the users of [[user_group]] \"{}\" collide with those of the one at {}",
                                     batch.prefix, earlier.where.toString()));
    }
    s.userBatches.push_back(batch);
  });
  forEachEntry(root, "group", errors, [&](TomlFields& f) {
    GroupSpec group{f.string("name", true).value_or(""), f.strings("members").value_or(std::vector<std::string>())};
    names.groups.add(group.name, f.where(), errors);
    s.groups.push_back(group);
  });
  forEachEntry(root, "service_account", errors, [&](TomlFields& f) {
    ServiceAccountSpec account;
    account.name = f.string("name", true).value_or("");
    names.serviceAccounts.add(account.name, f.where(), errors);
    account.kind = f.string("kind").value_or("user");
    if (account.kind != "user" && account.kind != "msa" && account.kind != "gmsa")
      f.fail("kind", fmt::format("unknown kind \"{}\" (use user, msa or gmsa)", account.kind));
    account.spns = f.strings("spns").value_or(std::vector<std::string>());
    account.trustedToAuthForDelegation = f.boolean("trusted_to_auth_for_delegation").value_or(false);
    account.allowedToDelegateTo = f.strings("allowed_to_delegate_to").value_or(std::vector<std::string>());
    account.authnPolicy = f.string("authn_policy").value_or("");
    account.silos = f.strings("silos").value_or(std::vector<std::string>());
    account.memberOf = f.strings("member_of").value_or(std::vector<std::string>());
    s.serviceAccounts.push_back(account);
  });
  forEachEntry(root, "dmsa", errors, [&](TomlFields& f) {
    DmsaSpec dmsa;
    dmsa.name = f.string("name", true).value_or("");
    names.dmsas.add(dmsa.name, f.where(), errors);
    dmsa.ou = f.string("ou").value_or("");
    dmsa.supersedes = f.string("supersedes").value_or("");
    if (!dmsa.supersedes.empty() && !names.serviceAccounts.contains(dmsa.supersedes))
      f.fail("supersedes", fmt::format("unknown service account \"{}\"", dmsa.supersedes));
    if (auto state = f.integer("state", 0, 3)) dmsa.state = static_cast<int>(*state);
    dmsa.principals = f.strings("principals").value_or(std::vector<std::string>());
    dmsa.where = f.where();
    s.dmsas.push_back(dmsa);
  });
  forEachEntry(root, "host_group", errors, [&](TomlFields& f) {
    HostGroup group;
    if (f.has("host")) {
      group.single = true;
      group.name = f.string("host", true).value_or("");
      if (f.has("name") || f.has("count")) f.fail("host", "give either host or name and count, not both");
      f.node("name");
      f.node("count");
    } else {
      group.name = f.string("name", true).value_or("");
      if (auto count = f.integer("count", 1, 1000000)) group.count = static_cast<int>(*count);
    }
    auto site = f.string("site", true);
    group.site = s.siteIndex(site.value_or(""));
    if (group.site < 0 && site) f.fail("site", fmt::format("unknown site \"{}\"", *site));
    group.dmsaCapable = f.boolean("dmsa_capable").value_or(true);
    group.services = f.strings("services").value_or(std::vector<std::string>());
    for (const auto& service : group.services)
      if (!names.serviceAccounts.contains(service) && !names.dmsas.contains(service))
        f.fail("services", fmt::format("unknown service account \"{}\"", service));
    group.memberOf = f.strings("member_of").value_or(std::vector<std::string>());
    readHostTiming(f, group);
    for (const auto& host : group.hostNames()) names.hosts.add(host, f.where(), errors);
    s.hostGroups.push_back(group);
  });
  forEachEntry(root, "acl", errors, [&](TomlFields& f) {
    AclSpec acl{f.string("ou", true).value_or(""), f.string("principal", true).value_or(""),
                f.strings("rights", true).value_or(std::vector<std::string>())};
    // The domain head is named by its DN and kept as "" (the head itself).
    if (loader::lower(acl.ou) == loader::lower(domainDnOf(s.domain))) acl.ou.clear();
    if (f.has("ou") && !acl.ou.empty() && std::none_of(s.ous.begin(), s.ous.end(), [&](const std::string& ou) {
          return loader::lower(ou) == loader::lower(acl.ou);
        }))
      f.fail("ou", fmt::format("unknown OU \"{}\" (an [[acl]] names a declared [[ou]], such as \"OU=Servers\", or the "
                               "domain head, \"{}\")",
                               acl.ou, domainDnOf(s.domain)));
    for (const auto& right : acl.rights)
      if (!aclRightSddl(right)) f.fail("rights", fmt::format("unknown right \"{}\" (use {})", right, knownAclRights()));
    if (auto applies = f.string("applies_to")) {
      if (*applies != "this" && *applies != "all" && *applies != "descendants")
        f.fail("applies_to", fmt::format("unknown \"applies_to\" \"{}\" (use this, all or descendants)", *applies));
      acl.appliesTo = *applies;
    }
    if (!acl.principal.empty() && !names.serviceAccounts.contains(acl.principal) &&
        !names.hosts.contains(acl.principal) && !names.groups.contains(acl.principal) &&
        !names.users.contains(acl.principal))
      f.fail("principal", fmt::format("unknown principal \"{}\"", acl.principal));
    s.acls.push_back(acl);
  });
}

// Group memberships name objects the file describes or the built-in groups.
void checkMemberships(const toml::table& root, const Scenario& s, const Names& names, LoadErrors& errors) {
  static const char* kBuiltinGroups[] = {"Domain Admins",
                                         "Domain Users",
                                         "Domain Computers",
                                         "Domain Controllers",
                                         "Enterprise Admins",
                                         "Administrators",
                                         "Read-only Domain Controllers",
                                         "Allowed RODC Password Replication Group",
                                         "Denied RODC Password Replication Group"};
  auto isGroup = [&](const std::string& name) {
    for (const char* g : kBuiltinGroups)
      if (loader::lower(name) == loader::lower(g)) return true;
    return names.groups.contains(name);
  };
  auto check = [&](const char* section, const char* key, size_t entry, const std::vector<std::string>& groups) {
    for (const auto& group : groups)
      if (!isGroup(group))
        errors.add(root[section][entry].node()->source(), fmt::format("{} names unknown group \"{}\"", key, group));
  };
  for (size_t i = 0; i < s.users.size(); ++i) check("user", "member_of", i, s.users[i].memberOf);
  for (size_t i = 0; i < s.serviceAccounts.size(); ++i)
    check("service_account", "member_of", i, s.serviceAccounts[i].memberOf);
  for (size_t i = 0; i < s.hostGroups.size(); ++i) check("host_group", "member_of", i, s.hostGroups[i].memberOf);
  for (size_t i = 0; i < s.dcs.size(); ++i) {
    for (const auto& name : s.dcs[i].allowPasswordCaching) {
      if (!isGroup(name) && !names.users.contains(name) && !names.serviceAccounts.contains(name) &&
          !names.hosts.contains(name) && !names.dmsas.contains(name))
        errors.add(root["dc"][i].node()->source(),
                   fmt::format("allow_password_caching names unknown \"{}\" (a group or an account)", name));
    }
  }
  for (size_t i = 0; i < s.groups.size(); ++i) {
    for (const auto& member : s.groups[i].members) {
      if (!isGroup(member) && !names.users.contains(member) && !names.serviceAccounts.contains(member) &&
          !names.hosts.contains(member) && !names.dmsas.contains(member))
        errors.add(root["group"][i].node()->source(), fmt::format("members names unknown \"{}\"", member));
    }
  }
}

// A [[user_group]]'s users share sAMAccountNames with every other account
// and group: a name two entries make is refused at the [[user_group]].
void checkUserBatches(const Scenario& s, Names& names, LoadErrors& errors) {
  std::vector<std::pair<const char*, std::string>> named;
  for (const UserSpec& user : s.users) named.emplace_back("[[user]]", user.name);
  for (const GroupSpec& group : s.groups) named.emplace_back("[[group]]", group.name);
  for (const ServiceAccountSpec& sa : s.serviceAccounts) named.emplace_back("[[service_account]]", sa.name);
  for (const DmsaSpec& dmsa : s.dmsas) named.emplace_back("[[dmsa]]", dmsa.name);
  for (const HostGroup& group : s.hostGroups)
    for (const std::string& host : group.hostNames()) named.emplace_back("[[host_group]]", host);
  for (const UserBatch& batch : s.userBatches) {
    for (const auto& [kind, name] : named) {
      if (!batch.holds(name)) continue;
      errors.add(batch.where, fmt::format("[[user_group]] \"{}\" makes a user named \"{}\", which a {} already names",
                                          batch.prefix, name, kind));
      break;
    }
  }
  names.userBatches = s.userBatches;
}

// A step or fault after the run's end would never happen: an error, not a
// silent skip that makes a migration look never completed.
void checkWithinDuration(const Scenario& s, LoadErrors& errors) {
  if (!s.duration) return;
  for (const Step& step : s.steps)
    if (step.at > *s.duration)
      errors.add(step.where, fmt::format("step at {} is after the end of the run ([simulation] duration = \"{}\"); "
                                         "lengthen the duration or remove the step",
                                         formatDuration(step.at), formatDuration(*s.duration)));
  for (const Fault& fault : s.faults)
    if (fault.from > *s.duration)
      errors.add(fault.where, fmt::format("fault from {} starts after the end of the run ([simulation] duration = "
                                          "\"{}\"); lengthen the duration or remove the fault",
                                          formatDuration(fault.from), formatDuration(*s.duration)));
}

}  // namespace

LoadResult parseScenario(std::string_view text, const std::string& fileName) {
  LoadResult result;
  LoadErrors errors(fileName);
  toml::table root;
  try {
    root = toml::parse(text, fileName);
  } catch (const toml::parse_error& e) {
    errors.add(e.source(), e.description());
    result.errors = errors.messages();
    return result;
  }
  Scenario s;
  s.file = fileName;
  Names names;
  static const char*
      kSections[] = {"simulation", "domain",           "kerberos", "replication", "site",  "dc",
                     "site_link",  "site_link_bridge", "ou",       "user",        "group", "service_account",
                     "dmsa",       "host_group",       "acl",      "step",        "fault", "user_group",
                     "workload",   "planning"};  // the last three: dcemu's extensions, docs/topology-format.md
  for (const auto& [key, value] : root) {
    bool known = false;
    for (const char* section : kSections) known = known || key.str() == section;
    if (!known)
      errors.add(key.source(), fmt::format("unknown key \"{}\" at the top level{}", key.str(),
                                           nearestKeyHint(key.str(), {std::begin(kSections), std::end(kSections)})));
  }
  readGlobalSections(root, s, errors);
  readPlanning(root, s, errors);
  readTopology(root, s, names, errors);
  readAccounts(root, s, names, errors);
  checkMemberships(root, s, names, errors);
  checkUserBatches(s, names, errors);
  loader::loadTimeline(root, s, names, errors);
  checkWithinDuration(s, errors);
  result.errors = errors.messages();
  if (result.errors.empty()) result.scenario = std::move(s);
  return result;
}

LoadResult loadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return LoadResult{std::nullopt, {fmt::format("{}: cannot read the file", path)}};
  // A file whose TOML tree would not fit is refused before it is read.
  uint64_t size = static_cast<uint64_t>(std::max<std::streamoff>(in.tellg(), 0));
  if (std::string reason = tooLargeToRead(path, size, availableMemoryBytes()); !reason.empty())
    return LoadResult{std::nullopt, {reason}};
  in.seekg(0);
  std::stringstream text;
  text << in.rdbuf();
  return parseScenario(text.str(), path);
}

}  // namespace dcemu::scenario
