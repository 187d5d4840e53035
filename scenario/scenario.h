// A topology and scenario file, loaded and validated (scenario-format.md):
// every name resolved, every duration parsed, every default applied. What
// the world builds and runs from; nothing here is looked up by text again.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "replication/kcc.h"

namespace dcemu::scenario {

// Where something was written, for messages: "file:line:col".
struct Location {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string toString() const;
};

using replication::Schedule;

struct Site {
  std::string name;
};

struct DcSpec {
  std::string name;
  int site;  // index into sites
  bool rodc = false;
  std::string address;      // live mode only
  std::string os = "2025";  // Windows Server version; before 2025 the KDC knows no dMSA
  // An RODC's msDS-RevealOnDemandGroup beside the Allowed RODC Password
  // Replication Group: accounts or groups whose secrets it may cache.
  std::vector<std::string> allowPasswordCaching;
};

struct SiteLink {
  Location where;
  std::string name;
  std::vector<int> sites;
  int cost = 100;
  int64_t interval = 180 * 60 * 1000000LL;
  Schedule schedule = Schedule::always();
  int64_t latency = 0;
  int64_t jitter = 0;
  uint64_t bandwidthBitsPerSecond = 0;  // 0: unlimited
  bool notify = false;
};

struct SiteLinkBridge {
  std::string name;
  std::vector<int> links;
};

struct UserSpec {
  std::string name;
  std::vector<std::string> memberOf;  // group names, resolved when provisioned
};

// [[user_group]] (a dcemu extension): `count` users named <prefix>-00001...
// (five digits, or as many as the count needs) under `ou`.
struct UserBatch {
  Location where;
  std::string prefix;
  int count = 0;
  std::string ou = "CN=Users";  // relative to the domain DN
  std::vector<std::string> userNames() const;
  // Whether `name` (any case) is one of this batch's users.
  bool holds(std::string_view name) const;
  int digits() const;
};

struct GroupSpec {
  std::string name;
  std::vector<std::string> members;
};

struct ServiceAccountSpec {
  std::string name;
  std::string kind = "user";  // user | msa | gmsa
  std::vector<std::string> spns;
  bool trustedToAuthForDelegation = false;
  std::vector<std::string> allowedToDelegateTo;
  std::string authnPolicy;
  std::vector<std::string> silos;
  std::vector<std::string> memberOf;
};

struct DmsaSpec {
  std::string name;
  std::string ou;          // relative DN of the parent OU, or empty
  std::string supersedes;  // a service account name, or empty
  int state = 0;
  std::vector<std::string> principals;  // machine names
  Location where;
};

struct HostGroup {
  std::string name;  // the group name, or the single host's name
  bool single = false;
  int site;
  int count = 1;
  bool dmsaCapable = true;
  std::vector<std::string> services;
  std::vector<std::string> memberOf;
  // Each host's services log on at a seeded moment in this first span, as
  // after a boot.
  int64_t firstLogonSpread = 2LL * 3600 * 1000000;
  // Reboots (a patch window): from `rebootFirst`, every `rebootEvery`, each
  // host reboots at a seeded moment in the next `rebootWindow` and its
  // services log on afresh. No reboots when `rebootEvery` is 0.
  int64_t rebootEvery = 0;
  int64_t rebootFirst = 0;
  int64_t rebootWindow = 2LL * 3600 * 1000000;
  std::vector<std::string> hostNames() const;
};

// A weekly schedule as a person reads it: "Sat 02:00-06:00, Sun
// 02:00-06:00" (days with the same windows share one entry: "Mon-Fri
// 20:00-24:00"), or "always".
std::string describeSchedule(const Schedule& schedule);

// The periods [open, close) in which `schedule` is open between two
// instants (Unix microseconds), clipped to them.
std::vector<std::pair<int64_t, int64_t>> openPeriods(const Schedule& schedule, int64_t from, int64_t to);
// The periods in which it is closed, likewise.
std::vector<std::pair<int64_t, int64_t>> closedPeriods(const Schedule& schedule, int64_t from, int64_t to);

// An [[acl]] right, by its long name or its SDDL short form (CreateChild
// or CC, WriteProperty or WP, GenericAll or GA ...): the SDDL rights
// string, or none when unknown. CreateDMSA (CreateChild limited to the
// dMSA class) has no short form and gives "CC".
std::optional<std::string> aclRightSddl(std::string_view right);

// Windows Server versions a DC may run, oldest first, and a version's place
// among them (-1 when unknown).
inline constexpr const char* kWindowsServerVersions[] = {"2008", "2008R2", "2012", "2012R2",
                                                         "2016", "2019",   "2022", "2025"};
int windowsServerRank(std::string_view version);

// Every accepted right, for error messages.
std::string knownAclRights();

struct AclSpec {
  std::string ou;
  std::string principal;
  std::vector<std::string> rights;
  // Which objects the ACEs apply to, as the Delegation of Control wizard
  // offers it: "this" (the OU only), "all" (the OU and everything below it,
  // CI) or "descendants" (only what is below it, CI IO).
  std::string appliesTo = "this";
};

// One attribute's values in a step: a table attribute → string or list.
using AttributeValues = std::vector<std::pair<std::string, std::vector<std::string>>>;

struct Step {
  Location where;
  int64_t at = 0;
  std::string action;
  std::string dc, dmsa, superseded, dn, object, newDn, from, to, direction, host, service, id;
  bool full = false;
  AttributeValues attrs, replace, add, remove;
  // expect
  std::optional<bool> exists, deleted, nameConflict;
  std::optional<std::string> parent, attr;
  std::optional<std::vector<std::string>> equals, includes, excludes;
  std::optional<uint32_t> version, count;
  std::optional<std::string> originatingDc;  // the DC whose invocationID the attribute's stamp names
  struct LinkCheck {
    std::string value;  // the linked value's target DN
    std::optional<bool> active;
    std::optional<uint32_t> version;
  };
  std::optional<LinkCheck> link;
  Location objectWhere;               // where `object` was written, for errors found after reading every step
  bool forced = true;                 // replicate: runs even while inbound replication is disabled
  bool tree = false;                  // ldap-delete: the tree-delete control
  std::string source;                 // remove-lingering-objects: the reference DC
  std::vector<std::string> accounts;  // prepopulate-passwords: whose secrets the RODC takes
  bool advisory = false;              // remove-lingering-objects: report, do not remove
  // expect-event: event `eventId` logged on `eventOn` (a host or DC) between
  // `since` and `until` (default: from the start to the step), with
  // these field values; how many times, or whether at all.
  int eventId = 0;
  std::string eventOn;
  std::optional<int64_t> eventFrom, eventTo;
  std::vector<std::pair<std::string, std::string>> eventFields;
  std::optional<bool> eventLogged;
  // expect-auth
  std::string result;
  std::vector<std::string> pacIncludes, pacExcludes;
  // A step meant to be refused: "" for any refusal, or an LDAP result name.
  std::optional<std::string> expectError;
};

struct Fault {
  Location where;
  std::string kind;
  std::string link, site, dc;
  std::string source;              // connection-broken: the source DC of the failing connection
  uint32_t error = 1722;           // connection-broken: the Win32 error its pulls fail with
  std::vector<std::string> links;  // random-partitions; empty = every link
  int64_t from = 0, to = 0;        // usn-rollback: from = at, to = to_snapshot_at
  int64_t offset = 0, latency = 0, mean = 0;
  double rate = 0;
};

struct Scenario {
  std::string file;
  // [simulation]
  int64_t start = 1767571200LL * 1000000;  // 2026-01-05T00:00:00Z
  std::optional<int64_t> duration;
  uint64_t seed = 1;
  // [domain]
  std::string domain;
  std::string functionalLevel = "2016";
  int tombstoneLifetimeDays = 180;
  std::optional<int> garbageCollPeriodHours;  // none: Windows' default (12), left unset
  // The Windows Server version whose schema the forest has (adprep
  // /forestprep): [domain] schema, else the newest DC's.
  std::string schemaVersion = "2025";
  std::optional<Location> schemaGivenAt;  // where [domain] schema is, when the file gives it
  // [kerberos]
  int64_t tgtLifetime = 10 * 3600 * 1000000LL;
  int64_t renewMax = 7 * 24 * 3600 * 1000000LL;
  int64_t serviceTicketLifetime = 600 * 60 * 1000000LL;
  int64_t clockSkew = 5 * 60 * 1000000LL;
  bool patchedBadSuccessor = true;
  // [replication]
  int64_t notifyFirst = 15 * 1000000LL;
  int64_t notifySubsequent = 3 * 1000000LL;
  int64_t intraSitePoll = 3600 * 1000000LL;
  uint32_t maxObjects = 1000;
  uint64_t maxBytes = 8 << 20;
  bool strictConsistency = true;
  bool allowDivergentPartners = false;
  // [workload] (a dcemu extension): background originating changes, each a
  // new description on a random user, per writable DC per hour (Poisson).
  double changesPerDcPerHour = 0;
  // [planning] (a dcemu extension): the weekly windows in which an
  // administrator may complete a migration; the what-if tries moments in
  // them only. None: any moment.
  std::optional<Schedule> changeWindows;

  std::vector<Site> sites;
  std::vector<DcSpec> dcs;
  std::vector<SiteLink> siteLinks;
  std::vector<SiteLinkBridge> bridges;
  std::vector<std::string> ous;  // relative DNs
  std::vector<UserSpec> users;
  std::vector<UserBatch> userBatches;
  std::vector<GroupSpec> groups;
  std::vector<ServiceAccountSpec> serviceAccounts;
  std::vector<DmsaSpec> dmsas;
  std::vector<HostGroup> hostGroups;
  std::vector<AclSpec> acls;
  std::vector<Step> steps;  // by `at`, then file order
  std::vector<Fault> faults;

  // The simulated span: the file's duration, or 1 h after the last step or
  // fault (at least 28 days when a migration step is present).
  int64_t effectiveDuration() const;
  int siteIndex(std::string_view name) const;  // -1 when unknown
  int dcIndex(std::string_view name) const;
  int linkIndex(std::string_view name) const;
  // The sites, site links and bridges as the KCC reads them (no DCs).
  replication::KccInput siteGraph() const;
};

// Whether the forest's schema has the dMSA class (Windows Server 2025's).
bool schemaHasDmsaClass(const Scenario& s);

}  // namespace dcemu::scenario
