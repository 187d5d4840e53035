// readDomain, topology half: the configuration naming context's sites,
// servers and their NTDS Settings, site links and bridges, and the
// Directory Service object (import-and-ldap.md, "Reading a domain's
// topology"; MS-ADTS 6.1.1.2.2).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "dc/text.h"
#include "import/domain_reader_internal.h"
#include "replication/schedule_blob.h"
#include "scenario/units.h"

namespace dcemu::import {

namespace {

// Option bits (ntdsapi.h, MS-ADTS 6.1.1.2.2.x).
constexpr int64_t kSiteLinkUseNotify = 0x1;         // siteLink NTDSSITELINK_OPT_USE_NOTIFY
constexpr int64_t kTransportBridgesRequired = 0x2;  // interSiteTransport NTDSTRANSPORT_OPT_BRIDGES_REQUIRED
constexpr int64_t kConnectionIsGenerated = 0x1;     // nTDSConnection NTDSCONN_OPT_IS_GENERATED
constexpr int64_t kDsaDisableInbound = 0x2, kDsaDisableOutbound = 0x4;

// msDS-Behavior-Version of a DC's NTDS Settings as the Windows Server
// version it stands for (MS-ADTS 6.1.4.2; 2019 and 2022 added no level).
std::optional<std::string> versionOfBehavior(int64_t level) {
  switch (level) {
    case 2: return "2008";  // 2003's level: the oldest dcemu knows
    case 3: return "2008";
    case 4: return "2008R2";
    case 5: return "2012";
    case 6: return "2012R2";
    case 7: return "2016";
    case 10: return "2025";
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<std::string> windowsServerVersionOf(const Entry& computer) {
  const std::string* os = computer.first("operatingSystem");
  if (!os || os->find("Server") == std::string::npos) return std::nullopt;
  int build = buildNumberOf(computer);
  if (build >= 26100) return "2025";
  if (build >= 20348) return "2022";
  if (build >= 17763) return "2019";
  if (build >= 14393) return "2016";
  if (build >= 9600) return "2012R2";
  if (build >= 9200) return "2012";
  if (build >= 7600) return "2008R2";
  if (build >= 6000) return "2008";
  return std::nullopt;
}

int buildNumberOf(const Entry& computer) {
  const std::string* version = computer.first("operatingSystemVersion");
  if (!version) return 0;
  size_t open = version->find('(');
  if (open == std::string::npos) return 0;
  try {
    return std::stoi(version->substr(open + 1));
  } catch (...) {
    return 0;
  }
}

dc::Status DomainReader::findNamingContexts() {
  // The configuration NC is named by every object in it.
  for (const Entry& e : entries_) {
    auto dn = dc::Dn::parse(e.dn);
    if (!dn) continue;
    const auto& rdns = dn->rdns();
    for (size_t i = 0; i < rdns.size(); ++i) {
      if (!dc::iequals(rdns[i].type, "CN") || !dc::iequals(rdns[i].value, "Configuration")) continue;
      std::vector<dc::Rdn> domain(rdns.begin() + static_cast<long>(i) + 1, rdns.end());
      if (domain.empty() ||
          !std::all_of(domain.begin(), domain.end(), [](const dc::Rdn& r) { return dc::iequals(r.type, "DC"); }))
        continue;
      domainDn_ = dc::Dn(domain).toString();
      configDn_ = "CN=Configuration," + domainDn_;
      break;
    }
    if (!domainDn_.empty()) break;
  }
  if (domainDn_.empty())
    return dc::Status(dc::LdapResult::other,
                      "no object of the configuration naming context (CN=Sites,CN=Configuration,...) was given: "
                      "export CN=Sites of the configuration NC too");
  std::string dns;
  dc::Dn domain = dc::Dn::parse(domainDn_).valueOr(dc::Dn(std::vector<dc::Rdn>{}));
  for (const dc::Rdn& r : domain.rdns()) dns += (dns.empty() ? "" : ".") + dc::toLower(r.value);
  out_.scenario.domain = dns;
  if (const Entry* head = byDn(domainDn_)) domainSid_ = sidOf(*head);
  return dc::Status::ok();
}

void DomainReader::readDirectoryService() {
  const Entry* service = byDn("CN=Directory Service,CN=Windows NT,CN=Services," + configDn_);
  if (!service) {
    out_.notes.push_back(
        "CN=Directory Service was not given: tombstone lifetime and garbage collection period left "
        "at 180 days and 12 hours");
    return;
  }
  if (auto days = integer(*service, "tombstoneLifetime")) {
    // MS-ADTS 3.1.1.1.15 via MS-ADA3 2.314: values under 2 count as 2.
    out_.scenario.tombstoneLifetimeDays = static_cast<int>(std::max<int64_t>(*days, 2));
  } else {
    out_.scenario.tombstoneLifetimeDays = 60;  // absent: Windows' default before 2003 SP1 forests
    out_.notes.push_back("tombstoneLifetime is not set: Windows then uses 60 days");
  }
  if (auto hours = integer(*service, "garbageCollPeriod"))
    out_.scenario.garbageCollPeriodHours = static_cast<int>(std::clamp<int64_t>(*hours, 1, 10000));
  remember("domain", out_.scenario.domain, service->dn);
}

void DomainReader::readSites() {
  // A site's DCs make it one for the file; sites are read in name order.
  std::vector<const Entry*> sites;
  for (const Entry& e : entries_)
    if (e.isA("site")) sites.push_back(&e);
  std::sort(sites.begin(), sites.end(),
            [](const Entry* a, const Entry* b) { return dc::toLower(rdnValue(a->dn)) < dc::toLower(rdnValue(b->dn)); });
  for (const Entry* site : sites) {
    siteOfDn_[key(site->dn)] = static_cast<int>(out_.scenario.sites.size());
    out_.scenario.sites.push_back({rdnValue(site->dn)});
    remember("site", rdnValue(site->dn), site->dn);
  }
}

dc::Status DomainReader::readServers() {
  std::vector<const Entry*> settings;
  for (const Entry& e : entries_)
    if (e.isA("nTDSDSA")) settings.push_back(&e);
  std::sort(settings.begin(), settings.end(), [](const Entry* a, const Entry* b) { return key(a->dn) < key(b->dn); });
  for (const Entry* ntds : settings) {
    auto dn = dc::Dn::parse(ntds->dn);
    if (!dn || dn->rdns().size() < 4) continue;
    // CN=NTDS Settings,CN=<server>,CN=Servers,CN=<site>,CN=Sites,...
    dc::Dn serverDn = dn->parent();
    dc::Dn siteDn = serverDn.parent().parent();
    auto site = siteOfDn_.find(key(siteDn.toString()));
    if (site == siteOfDn_.end()) {
      out_.skipped.push_back(fmt::format("{}: its site was not given", ntds->dn));
      continue;
    }
    scenario::DcSpec dc;
    dc.name = serverDn.rdn().value;
    dc.site = site->second;
    dc.rodc = ntds->isA("nTDSDSARO");
    const Entry* server = byDn(serverDn.toString());
    const Entry* computer =
        server && server->first("serverReference") ? byDn(*server->first("serverReference")) : nullptr;
    if (computer) dcComputers_.insert(key(computer->dn));
    std::optional<std::string> os = computer ? windowsServerVersionOf(*computer) : std::nullopt;
    if (!os) {
      auto level = integer(*ntds, "msDS-Behavior-Version");
      os = level ? versionOfBehavior(*level) : std::nullopt;
      std::string system = computer && computer->first("operatingSystem") ? *computer->first("operatingSystem")
                                                                          : "its computer object was not given";
      out_.notes.push_back(fmt::format("DC {}: os \"{}\" from msDS-Behavior-Version {} ({})", dc.name,
                                       os.value_or("2025"), level.value_or(0), system));
    }
    dc.os = os.value_or("2025");
    // An RODC never replicates outbound (Samba's RODC join sets the bit);
    // anything else disabled is an administrator's repadmin /options.
    if (auto options = integer(*ntds, "options")) {
      int64_t disabled = *options & (kDsaDisableInbound | (dc.rodc ? 0 : kDsaDisableOutbound));
      if (disabled)
        out_.skipped.push_back(fmt::format("DC {}: options {} disable {} replication, which the file cannot say",
                                           dc.name, *options,
                                           (disabled & kDsaDisableInbound) ? "inbound" : "outbound"));
    }
    remember("dc", dc.name, serverDn.toString());
    out_.scenario.dcs.push_back(std::move(dc));
  }
  // The file's sites are those with a DC: a site without one replicates
  // nothing, and its clients use the nearest site's DCs (automatic site
  // coverage), which the file cannot say.
  std::vector<int> dcsPerSite(out_.scenario.sites.size(), 0);
  for (const scenario::DcSpec& dc : out_.scenario.dcs) ++dcsPerSite[static_cast<size_t>(dc.site)];
  std::vector<int> newIndex(out_.scenario.sites.size(), -1);
  std::vector<scenario::Site> kept;
  for (size_t i = 0; i < out_.scenario.sites.size(); ++i) {
    if (dcsPerSite[i] == 0) {
      out_.skipped.push_back(fmt::format("site {}: it has no DC", out_.scenario.sites[i].name));
      continue;
    }
    newIndex[i] = static_cast<int>(kept.size());
    kept.push_back(out_.scenario.sites[i]);
  }
  out_.scenario.sites = std::move(kept);
  for (auto& [dn, index] : siteOfDn_) index = newIndex[static_cast<size_t>(index)];
  for (scenario::DcSpec& dc : out_.scenario.dcs) dc.site = newIndex[static_cast<size_t>(dc.site)];
  if (out_.scenario.dcs.empty())
    return dc::Status(dc::LdapResult::other, "no DC was found: no NTDS Settings (nTDSDSA) object was given");
  std::string newest = "2008";
  for (const scenario::DcSpec& dc : out_.scenario.dcs)
    if (scenario::windowsServerRank(dc.os) > scenario::windowsServerRank(newest)) newest = dc.os;
  out_.scenario.schemaVersion = newest;
  return dc::Status::ok();
}

dc::Status DomainReader::readSiteLinks() {
  std::vector<const Entry*> links;
  for (const Entry& e : entries_)
    if (e.isA("siteLink")) links.push_back(&e);
  std::sort(links.begin(), links.end(),
            [](const Entry* a, const Entry* b) { return dc::toLower(rdnValue(a->dn)) < dc::toLower(rdnValue(b->dn)); });
  for (const Entry* e : links) {
    std::string transport = rdnValue(parentDn(e->dn));
    std::string name = rdnValue(e->dn);
    if (!dc::iequals(transport, "IP")) {
      out_.skipped.push_back(
          fmt::format("site link {}: an {} link (only IP links replicate domain naming contexts)", name, transport));
      continue;
    }
    scenario::SiteLink link;
    link.name = name;
    std::vector<std::string> without;
    for (const std::string& site : e->values("siteList") ? *e->values("siteList") : std::vector<std::string>()) {
      auto found = siteOfDn_.find(key(site));
      if (found == siteOfDn_.end() || found->second < 0)
        without.push_back(rdnValue(site));
      else
        link.sites.push_back(found->second);
    }
    if (link.sites.size() < 2) {
      out_.skipped.push_back(fmt::format("site link {}: fewer than two of its sites have a DC", name));
      continue;
    }
    if (!without.empty())
      out_.notes.push_back(
          fmt::format("site link {}: sites without a DC left out: {}", name, fmt::join(without, ", ")));
    if (auto cost = integer(*e, "cost")) link.cost = static_cast<int>(*cost);
    if (auto interval = integer(*e, "replInterval")) {
      if (*interval < 15 || *interval > 10080 || *interval % 15 != 0)
        return dc::Status(dc::LdapResult::other,
                          fmt::format("{} ({}): replInterval {} is not a multiple of 15 minutes from 15 to 10080",
                                      e->dn, e->source, *interval));
      link.interval = *interval * scenario::kMicrosPerMinute;
    }
    if (const std::string* blob = e->first("schedule")) {
      auto schedule = replication::decodeScheduleBlob(*blob);
      if (!schedule)
        return dc::Status(dc::LdapResult::other,
                          fmt::format("{} ({}): schedule: {}", e->dn, e->source, schedule.status().message()));
      link.schedule = *schedule;
    }
    if (auto options = integer(*e, "options")) link.notify = *options & kSiteLinkUseNotify;
    remember("site_link", name, e->dn);
    out_.scenario.siteLinks.push_back(std::move(link));
  }
  return dc::Status::ok();
}

void DomainReader::readBridges() {
  // Site link bridges only matter when "Bridge all site links" is off
  // (BRIDGES_REQUIRED on CN=IP, MS-ADTS 6.1.1.2.2.3.4): otherwise every
  // link is transitive and the KCC ignores them.
  const Entry* ip = byDn("CN=IP,CN=Inter-Site Transports,CN=Sites," + configDn_);
  int64_t options = ip ? integer(*ip, "options").value_or(0) : 0;
  std::vector<const Entry*> bridges;
  for (const Entry& e : entries_)
    if (e.isA("siteLinkBridge")) bridges.push_back(&e);
  if (!(options & kTransportBridgesRequired)) {
    if (!bridges.empty())
      out_.notes.push_back(
          fmt::format("{} site link bridge(s) not written: \"Bridge all site links\" is on, so every "
                      "link is transitive and the KCC ignores bridges",
                      bridges.size()));
    return;
  }
  for (const Entry* e : bridges) {
    scenario::SiteLinkBridge bridge;
    bridge.name = rdnValue(e->dn);
    for (const std::string& link :
         e->values("siteLinkList") ? *e->values("siteLinkList") : std::vector<std::string>()) {
      int index = out_.scenario.linkIndex(rdnValue(link));
      if (index >= 0) bridge.links.push_back(index);
    }
    if (bridge.links.size() < 2) {
      out_.skipped.push_back(fmt::format("site link bridge {}: fewer than two of its links were written", bridge.name));
      continue;
    }
    remember("site_link_bridge", bridge.name, e->dn);
    out_.scenario.bridges.push_back(std::move(bridge));
  }
  if (bridges.empty())
    out_.notes.push_back("\"Bridge all site links\" is off and no bridge exists: no path crosses two links");
}

void DomainReader::noteConfigurationLeftOut() {
  int subnets = 0, generated = 0;
  for (const Entry& e : entries_) {
    if (e.isA("subnet")) ++subnets;
    if (!e.isA("nTDSConnection")) continue;
    if (integer(e, "options").value_or(0) & kConnectionIsGenerated) {
      ++generated;
      continue;
    }
    const std::string* enabled = e.first("enabledConnection");
    out_.skipped.push_back(fmt::format("connection {} (from {}): a manual{} connection; dcemu computes the KCC's", e.dn,
                                       e.first("fromServer") ? rdnValue(parentDn(*e.first("fromServer"))) : "?",
                                       enabled && dc::iequals(*enabled, "FALSE") ? ", disabled" : ""));
  }
  if (generated > 0)
    out_.notes.push_back(
        fmt::format("{} KCC-generated connection(s) not written: dcemu's KCC makes its own", generated));
  if (subnets > 0)
    out_.skipped.push_back(fmt::format("{} subnet(s): the file places hosts by site, not by address", subnets));
}

dc::Status DomainReader::readReplicationState() {
  if (options_.repadmin.empty()) return dc::Status::ok();
  // repadmin may print lines before its header; the header names the columns.
  size_t header = 0;
  while (header < options_.repadmin.size() &&
         (options_.repadmin[header].fields.empty() || options_.repadmin[header].fields[0] != "showrepl_COLUMNS"))
    ++header;
  if (header == options_.repadmin.size())
    return dc::Status(dc::LdapResult::other, fmt::format("{}: no showrepl_COLUMNS header line: not the output of "
                                                         "repadmin /showrepl * /csv",
                                                         options_.repadminFile));
  const std::vector<std::string>& columns = options_.repadmin[header].fields;
  auto column = [&](std::string_view name) -> std::optional<size_t> {
    for (size_t i = 0; i < columns.size(); ++i)
      if (dc::iequals(dc::trim(columns[i]), name)) return i;
    return std::nullopt;
  };
  auto destination = column("Destination DSA"), source = column("Source DSA"), failures = column("Number of Failures"),
       status = column("Last Failure Status"), context = column("Naming Context");
  if (!destination || !source || !failures || !status)
    return dc::Status(
        dc::LdapResult::other,
        fmt::format("{}: the header lacks Destination DSA, Source DSA, Number of Failures or Last Failure "
                    "Status",
                    options_.repadminFile));
  std::set<std::pair<int, int>> written;
  for (size_t i = header + 1; i < options_.repadmin.size(); ++i) {
    const CsvRow& row = options_.repadmin[i];
    if (row.fields.empty()) continue;
    if (row.fields[0] == "showrepl_ERROR") {
      out_.skipped.push_back(fmt::format("{}: repadmin could not query a DC: {}", row.source,
                                         row.fields.size() > 1 ? row.fields.back() : ""));
      continue;
    }
    if (row.fields[0] != "showrepl_INFO") continue;
    size_t needed = std::max({*destination, *source, *failures, *status}) + 1;
    if (row.fields.size() < needed)
      return dc::Status(dc::LdapResult::other, fmt::format("{}: {} fields where the header has {}", row.source,
                                                           row.fields.size(), columns.size()));
    uint32_t error = 0;
    int64_t count = 0;
    try {
      error = static_cast<uint32_t>(std::stoul(row.fields[*status]));
      count = std::stoll(row.fields[*failures]);
    } catch (...) {
      return dc::Status(dc::LdapResult::other,
                        fmt::format("{}: \"{}\" and \"{}\" are not a failure count and a Win32 code", row.source,
                                    row.fields[*failures], row.fields[*status]));
    }
    if (error == 0 || count == 0) continue;
    int to = out_.scenario.dcIndex(dc::trim(row.fields[*destination]));
    int from = out_.scenario.dcIndex(dc::trim(row.fields[*source]));
    if (to < 0 || from < 0) {
      out_.skipped.push_back(fmt::format("{}: {} from {} fails ({}), but one of them is not a DC the file has",
                                         row.source, row.fields[*destination], row.fields[*source], error));
      continue;
    }
    if (!written.insert({to, from}).second) continue;  // one fault per connection, whatever the NCs
    scenario::Fault fault;
    fault.kind = "connection-broken";
    fault.dc = out_.scenario.dcs[static_cast<size_t>(to)].name;
    fault.source = out_.scenario.dcs[static_cast<size_t>(from)].name;
    fault.error = error;
    fault.from = 0;
    fault.to = 28 * scenario::kMicrosPerDay;
    remember("fault", fault.kind + "/" + fault.dc + "/" + fault.source,
             fmt::format("{}: {} failures, last {}{}", row.source, count, error,
                         context ? fmt::format(" on {}", row.fields[*context]) : ""));
    out_.scenario.faults.push_back(std::move(fault));
  }
  if (!written.empty())
    out_.notes.push_back(
        fmt::format("{} connection(s) failing now, from {}: connection-broken faults from the start "
                    "to 28d; set `to` to when you expect the repair",
                    written.size(), options_.repadminFile));
  return dc::Status::ok();
}

}  // namespace dcemu::import
