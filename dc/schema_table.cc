// The attribute and class definitions of dcemu's schema: Microsoft's
// published schema for the classes a domain's objects use
// (dc/schema_published.cc), with the entries below on top. These are the
// attributes and classes dcemu acts on, with what the directory needs beyond
// the published definition (aliases, urgency, what a tombstone keeps), and
// the Windows Server 2019-2025 additions the published 2016 schema lacks
// (the dMSA class and attributes, per MS-ADA2 and MS-ADSC). OIDs, syntaxes,
// linkIDs and rangeUpper follow MS-ADA1/2/3 and MS-ADSC; schema_test checks
// each entry against the published files.
#include "dc/schema_table.h"

#include <algorithm>
#include <set>

#include "dc/schema_published.h"
#include "dc/text.h"

namespace dcemu::dc {
namespace {

using S = Syntax;

struct AttrOpts {
  bool multi = false;
  std::optional<int64_t> rangeUpper;
  int linkId = 0;
  bool systemOnly = false;
  bool preserve = false;
  bool constructed = false;
  bool replicated = true;
  bool urgent = false;
  bool guid = false;
  std::vector<std::string> aliases;
};

AttributeDef attr(std::string name, std::string oid, Syntax syntax, AttrOpts o = {}) {
  AttributeDef def;
  def.name = std::move(name);
  def.oid = std::move(oid);
  def.syntax = syntax;
  def.singleValued = !o.multi;
  def.rangeUpper = o.rangeUpper;
  def.linkId = o.linkId;
  def.systemOnly = o.systemOnly;
  def.preserveOnDelete = o.preserve;
  def.constructed = o.constructed;
  def.replicated = o.replicated && !o.constructed;
  def.urgent = o.urgent;
  def.guidValued = o.guid;
  def.aliases = std::move(o.aliases);
  return def;
}

ClassDef cls(std::string name, std::string oid, std::string superior, ClassCategory category, std::string rdn,
             std::vector<std::string> must, std::vector<std::string> may, std::vector<std::string> superiors) {
  return ClassDef{std::move(name), std::move(oid),  std::move(superior), category,
                  std::move(rdn),  std::move(must), std::move(may),      std::move(superiors)};
}

constexpr ClassCategory kAbstract = ClassCategory::Abstract;
constexpr ClassCategory kStructural = ClassCategory::Structural;

std::vector<AttributeDef> ownAttributes() {
  const std::string ms = "1.2.840.113556.1.";
  return {
      // Naming and identity.
      attr("objectClass", "2.5.4.0", S::ObjectIdentifier, {.multi = true, .preserve = true}),
      attr("objectCategory", ms + "4.782", S::ObjectCategory, {.preserve = true}),
      attr("cn", "2.5.4.3", S::UnicodeString, {.rangeUpper = 64}),
      attr("ou", "2.5.4.11", S::UnicodeString, {.multi = true, .rangeUpper = 64}),
      attr("dc", "0.9.2342.19200300.100.1.25", S::UnicodeString, {.rangeUpper = 255}),
      attr("name", ms + "4.1", S::UnicodeString, {.rangeUpper = 255, .systemOnly = true, .preserve = true}),
      attr("distinguishedName", "2.5.4.49", S::Dn, {.systemOnly = true, .constructed = true}),
      attr("objectGUID", ms + "4.2", S::OctetString,
           {.rangeUpper = 16, .systemOnly = true, .preserve = true, .guid = true}),
      attr("objectSid", ms + "4.146", S::Sid, {.rangeUpper = 28, .systemOnly = true, .preserve = true}),
      attr("sAMAccountName", ms + "4.221", S::UnicodeString, {.rangeUpper = 256, .preserve = true}),
      attr("sAMAccountType", ms + "4.302", S::Integer, {.systemOnly = true}),
      attr("description", "2.5.4.13", S::UnicodeString, {.multi = true, .rangeUpper = 1024}),
      attr("displayName", ms + "2.13", S::UnicodeString, {.rangeUpper = 256}),
      attr("instanceType", ms + "2.1", S::Integer, {.systemOnly = true, .preserve = true}),
      attr("systemFlags", ms + "4.375", S::Integer, {.systemOnly = true, .preserve = true}),
      attr("whenCreated", ms + "2.2", S::GeneralizedTime, {.systemOnly = true, .preserve = true}),
      attr("whenChanged", ms + "2.3", S::GeneralizedTime,
           {.systemOnly = true, .constructed = true, .replicated = false}),
      attr("uSNCreated", ms + "2.19", S::LargeInteger, {.systemOnly = true, .constructed = true}),
      attr("uSNChanged", ms + "2.120", S::LargeInteger, {.systemOnly = true, .constructed = true}),
      attr("isDeleted", ms + "2.48", S::Boolean, {.systemOnly = true, .preserve = true}),
      attr("lastKnownParent", ms + "4.781", S::Dn, {.systemOnly = true, .preserve = true}),
      attr("nTSecurityDescriptor", ms + "2.281", S::SecurityDescriptor, {.rangeUpper = 132096, .preserve = true}),

      // Accounts.
      attr("userAccountControl", ms + "4.8", S::Integer, {.preserve = true, .urgent = true}),
      attr("pwdLastSet", ms + "4.96", S::LargeInteger, {.urgent = true}),
      attr("lockoutTime", ms + "4.662", S::LargeInteger, {.urgent = true}),
      attr("primaryGroupID", ms + "4.98", S::Integer),
      attr("groupType", ms + "4.750", S::Integer, {.preserve = true}),
      attr("servicePrincipalName", ms + "4.771", S::UnicodeString, {.multi = true}),
      attr("dNSHostName", ms + "4.619", S::UnicodeString, {.rangeUpper = 2048, .preserve = true}),
      attr("operatingSystem", ms + "4.363", S::UnicodeString),
      attr("operatingSystemVersion", ms + "4.364", S::UnicodeString),
      attr("msDS-SupportedEncryptionTypes", ms + "4.1963", S::Integer),
      attr("msDS-AllowedToDelegateTo", ms + "4.1787", S::UnicodeString, {.multi = true}),
      attr("msDS-AllowedToActOnBehalfOfOtherIdentity", ms + "4.2182", S::SecurityDescriptor, {.rangeUpper = 132096}),
      // An RODC's password replication policy (MS-ADA2 2.458, 2.441) and the
      // accounts whose secrets it holds (msDS-RevealedUsers, read through its
      // constructed msDS-RevealedList; dcemu keeps the DN without the binary
      // metadata part).
      attr("msDS-RevealOnDemandGroup", ms + "4.1928", S::Dn, {.multi = true, .linkId = 2110}),
      attr("msDS-NeverRevealGroup", ms + "4.1926", S::Dn, {.multi = true, .linkId = 2106}),
      attr("msDS-RevealedUsers", ms + "4.1924", S::Dn,
           {.multi = true, .linkId = 2102, .systemOnly = true, .aliases = {"msDS-RevealedList"}}),
      attr("member", "2.5.4.31", S::Dn, {.multi = true, .linkId = 2}),
      attr("memberOf", ms + "2.102", S::Dn, {.multi = true, .linkId = 3, .systemOnly = true}),
      attr("managedBy", ms + "4.653", S::Dn, {.linkId = 72}),
      attr("managedObjects", ms + "4.654", S::Dn, {.multi = true, .linkId = 73, .systemOnly = true}),

      // Authentication policies and silos.
      attr("msDS-AssignedAuthNPolicy", ms + "4.2295", S::Dn, {.linkId = 2212}),
      attr("msDS-AssignedAuthNPolicyBL", ms + "4.2296", S::Dn, {.multi = true, .linkId = 2213, .systemOnly = true}),
      attr("msDS-AssignedAuthNPolicySilo", ms + "4.2285", S::Dn, {.linkId = 2202}),
      attr("msDS-AssignedAuthNPolicySiloBL", ms + "4.2286", S::Dn, {.multi = true, .linkId = 2203, .systemOnly = true}),
      attr("msDS-AuthNPolicySiloMembers", ms + "4.2287", S::Dn, {.multi = true, .linkId = 2204}),
      attr("msDS-AuthNPolicySiloMembersBL", ms + "4.2288", S::Dn, {.multi = true, .linkId = 2205, .systemOnly = true}),

      // Managed service accounts (gMSA and dMSA).
      attr("msDS-ManagedPassword", ms + "4.2196", S::OctetString, {.systemOnly = true, .constructed = true}),
      attr("msDS-ManagedPasswordId", ms + "4.2197", S::OctetString, {.rangeUpper = 1024, .systemOnly = true}),
      attr("msDS-ManagedPasswordPreviousId", ms + "4.2198", S::OctetString, {.rangeUpper = 1024, .systemOnly = true}),
      attr("msDS-ManagedPasswordInterval", ms + "4.2199", S::Integer, {.systemOnly = true}),
      attr("msDS-GroupMSAMembership", ms + "4.2200", S::SecurityDescriptor,
           {.rangeUpper = 132096, .aliases = {"PrincipalsAllowedToRetrieveManagedPassword"}}),
      attr("msDS-SupersededServiceAccountState", ms + "4.2371", S::Integer,
           {.aliases = {"msDS-SupersededAccountState"}}),
      attr("msDS-DelegatedMSAState", ms + "4.2372", S::Integer),
      attr("msDS-SupersededManagedAccountLink", ms + "4.2373", S::Dn,
           {.linkId = 2222, .aliases = {"msDS-SupersededManagedServiceAccountLink"}}),
      attr("msDS-SupersededManagedAccountLinkBL", ms + "4.2374", S::Dn,
           {.multi = true,
            .linkId = 2223,
            .systemOnly = true,
            .aliases = {"msDS-SupersededManagedServiceAccountLinkBL"}}),
      attr("msDS-ManagedAccountPrecededByLink", ms + "4.2375", S::Dn, {.linkId = 2224}),
      attr("msDS-ManagedAccountPrecededByLinkBL", ms + "4.2376", S::Dn,
           {.multi = true, .linkId = 2225, .systemOnly = true}),

      // The Group Key Distribution Service's root key (MS-GKDI), from which
      // gMSA and dMSA passwords derive.
      attr("msKds-RootKeyData", ms + "4.2175", S::OctetString, {.rangeUpper = 128}),

      // Configuration: sites, servers, connections, site links, partitions.
      attr("invocationId", ms + "2.115", S::OctetString, {.systemOnly = true, .guid = true}),
      attr("options", ms + "4.307", S::Integer),
      attr("serverReference", ms + "4.515", S::Dn, {.linkId = 94}),
      attr("serverReferenceBL", ms + "4.516", S::Dn, {.multi = true, .linkId = 95, .systemOnly = true}),
      attr("hasMasterNCs", ms + "2.14", S::Dn, {.multi = true, .linkId = 76, .systemOnly = true}),
      attr("fromServer", ms + "4.40", S::Dn),
      attr("enabledConnection", ms + "4.36", S::Boolean),
      attr("transportType", ms + "4.791", S::Dn),
      attr("schedule", ms + "4.211", S::OctetString),
      attr("siteList", ms + "4.821", S::Dn, {.multi = true, .linkId = 144}),
      attr("siteLinkList", ms + "4.822", S::Dn, {.multi = true, .linkId = 142}),
      attr("cost", ms + "2.135", S::Integer),
      attr("replInterval", ms + "4.1336", S::Integer),
      // In days, on CN=Directory Service,CN=Windows NT,CN=Services (MS-ADA3 2.314).
      attr("tombstoneLifetime", ms + "2.54", S::Integer),
      attr("garbageCollPeriod", ms + "2.301", S::Integer),
      attr("nCName", ms + "2.16", S::Dn, {.systemOnly = true, .preserve = true}),
      attr("dnsRoot", ms + "4.28", S::UnicodeString, {.multi = true, .rangeUpper = 255}),
  };
}

std::vector<ClassDef> ownClasses() {
  const std::string ms = "1.2.840.113556.1.";
  const std::vector<std::string> domainParents = {"domainDNS", "organizationalUnit", "container"};
  return {
      cls("top", "2.5.6.0", "top", kAbstract, "cn", {"objectClass"},
          {"cn",
           "name",
           "description",
           "displayName",
           "distinguishedName",
           "objectGUID",
           "nTSecurityDescriptor",
           "instanceType",
           "systemFlags",
           "whenCreated",
           "whenChanged",
           "uSNCreated",
           "uSNChanged",
           "isDeleted",
           "lastKnownParent",
           "memberOf",
           "managedObjects",
           "serverReferenceBL",
           "msDS-AuthNPolicySiloMembersBL",
           "msDS-AssignedAuthNPolicyBL",
           "msDS-AssignedAuthNPolicySiloBL"},
          {}),
      cls("domain", ms + "5.66", "top", kAbstract, "dc", {}, {"dc"}, {"domainDNS"}),
      cls("domainDNS", ms + "5.67", "domain", kStructural, "dc", {}, {"dc", "objectSid"}, {"domainDNS"}),
      cls("builtinDomain", ms + "5.4", "top", kStructural, "cn", {}, {"objectSid"}, {"domainDNS"}),
      cls("organizationalUnit", "2.5.6.5", "top", kStructural, "ou", {"ou"}, {"managedBy"},
          {"domainDNS", "organizationalUnit"}),
      cls("container", ms + "3.23", "top", kStructural, "cn", {"cn"}, {},
          {"domainDNS", "organizationalUnit", "container", "configuration", "dMD", "site", "server", "sitesContainer"}),
      cls("lostAndFound", ms + "5.139", "top", kStructural, "cn", {}, {}, {"domainDNS", "configuration"}),
      cls("person", "2.5.6.6", "top", kAbstract, "cn", {"cn"}, {}, {}),
      cls("organizationalPerson", "2.5.6.7", "person", kAbstract, "cn", {}, {}, {}),
      cls("user", ms + "5.9", "organizationalPerson", kStructural, "cn", {},
          {"sAMAccountName", "sAMAccountType", "objectSid", "userAccountControl", "pwdLastSet", "lockoutTime",
           "primaryGroupID", "servicePrincipalName", "msDS-SupportedEncryptionTypes", "msDS-AllowedToDelegateTo",
           "msDS-AllowedToActOnBehalfOfOtherIdentity", "msDS-AssignedAuthNPolicy", "msDS-AssignedAuthNPolicySilo",
           "managedBy", "msDS-SupersededManagedAccountLink", "msDS-SupersededServiceAccountState",
           "msDS-ManagedAccountPrecededByLinkBL"},
          domainParents),
      cls("computer", ms + "3.30", "user", kStructural, "cn", {},
          {"dNSHostName", "operatingSystem", "operatingSystemVersion", "msDS-RevealOnDemandGroup",
           "msDS-NeverRevealGroup", "msDS-RevealedUsers", "msDS-SupersededManagedAccountLinkBL"},
          domainParents),
      cls("group", ms + "5.8", "top", kStructural, "cn", {"groupType"},
          {"member", "sAMAccountName", "sAMAccountType", "objectSid", "managedBy"},
          {"domainDNS", "organizationalUnit", "container", "builtinDomain"}),
      cls("msDS-ManagedServiceAccount", ms + "5.264", "computer", kStructural, "cn", {}, {}, domainParents),
      cls("msDS-GroupManagedServiceAccount", ms + "5.282", "computer", kStructural, "cn",
          {"msDS-ManagedPasswordInterval"},
          {"msDS-GroupMSAMembership", "msDS-ManagedPasswordId", "msDS-ManagedPasswordPreviousId",
           "msDS-ManagedPassword"},
          domainParents),
      cls("msDS-DelegatedManagedServiceAccount", ms + "5.302", "computer", kStructural, "cn",
          {"msDS-ManagedPasswordInterval", "msDS-DelegatedMSAState"},
          {"msDS-GroupMSAMembership", "msDS-ManagedPasswordId", "msDS-ManagedPasswordPreviousId",
           "msDS-ManagedPassword", "msDS-ManagedAccountPrecededByLink"},
          {"container", "organizationalUnit"}),
      cls("msDS-AuthNPolicy", ms + "5.294", "top", kStructural, "cn", {}, {}, {"container"}),
      cls("msDS-AuthNPolicySilo", ms + "5.292", "top", kStructural, "cn", {}, {"msDS-AuthNPolicySiloMembers"},
          {"container"}),

      cls("msKds-ProvRootKey", ms + "5.278", "top", kStructural, "cn", {"cn", "msKds-RootKeyData"}, {}, {"container"}),

      // Configuration and schema naming contexts.
      cls("configuration", ms + "5.12", "top", kStructural, "cn", {"cn"}, {}, {"domainDNS"}),
      cls("dMD", ms + "3.9", "top", kStructural, "cn", {"cn"}, {}, {"configuration"}),
      cls("crossRefContainer", ms + "5.7000.53", "top", kStructural, "cn", {}, {}, {"configuration"}),
      cls("crossRef", ms + "3.11", "top", kStructural, "cn", {"nCName", "dnsRoot"}, {}, {"crossRefContainer"}),
      cls("sitesContainer", ms + "5.107", "top", kStructural, "cn", {}, {}, {"configuration"}),
      cls("site", ms + "5.31", "top", kStructural, "cn", {}, {"options"}, {"sitesContainer"}),
      cls("serversContainer", ms + "5.7000.48", "top", kStructural, "cn", {}, {}, {"site"}),
      cls("server", ms + "5.17", "top", kStructural, "cn", {}, {"dNSHostName", "serverReference"},
          {"serversContainer"}),
      cls("nTDSDSA", ms + "5.7000.47", "applicationSettings", kStructural, "cn", {},
          {"invocationId", "options", "hasMasterNCs"}, {"server"}),
      cls("nTDSDSARO", ms + "5.254", "nTDSDSA", kStructural, "cn", {}, {}, {"server"}),
      cls("nTDSConnection", ms + "5.71", "leaf", kStructural, "cn", {"enabledConnection", "options", "fromServer"},
          {"schedule", "transportType"}, {"nTDSDSA"}),
      cls("interSiteTransportContainer", ms + "5.140", "top", kStructural, "cn", {}, {}, {"sitesContainer"}),
      cls("interSiteTransport", ms + "5.141", "top", kStructural, "cn", {}, {"options"},
          {"interSiteTransportContainer"}),
      cls("siteLink", ms + "5.147", "top", kStructural, "cn", {"siteList"},
          {"cost", "replInterval", "options", "schedule"}, {"interSiteTransport"}),
      cls("siteLinkBridge", ms + "5.148", "top", kStructural, "cn", {"siteLinkList"}, {}, {"interSiteTransport"}),
      cls("nTDSService", ms + "5.72", "top", kStructural, "cn", {}, {"tombstoneLifetime", "garbageCollPeriod"},
          {"container"}),
  };
}

// attributeSyntax and oMSyntax of dcemu's syntaxes, for entries that do not
// give them (MS-ADTS 3.1.1.2.2.2).
std::pair<const char*, int> publishedSyntaxOf(Syntax syntax) {
  switch (syntax) {
    case S::Boolean: return {"2.5.5.8", 1};
    case S::Integer: return {"2.5.5.9", 2};
    case S::LargeInteger: return {"2.5.5.16", 65};
    case S::UnicodeString: return {"2.5.5.12", 64};
    case S::OctetString: return {"2.5.5.10", 4};
    case S::Sid: return {"2.5.5.17", 4};
    case S::GeneralizedTime: return {"2.5.5.11", 24};
    case S::Dn:
    case S::ObjectCategory: return {"2.5.5.1", 127};
    case S::ObjectIdentifier: return {"2.5.5.2", 6};
    case S::SecurityDescriptor: return {"2.5.5.15", 66};
    case S::String: return {"2.5.5.12", 64};
  }
  return {"", 0};
}

// How dcemu keeps values of a published syntax.
Syntax syntaxOf(std::string_view attributeSyntax) {
  static const std::pair<std::string_view, Syntax> kSyntaxes[] = {
      {"2.5.5.1", S::Dn},
      {"2.5.5.8", S::Boolean},
      {"2.5.5.9", S::Integer},
      {"2.5.5.10", S::OctetString},
      {"2.5.5.11", S::GeneralizedTime},
      {"2.5.5.12", S::UnicodeString},
      {"2.5.5.15", S::SecurityDescriptor},
      {"2.5.5.16", S::LargeInteger},
      {"2.5.5.17", S::Sid},
  };
  for (const auto& [oid, syntax] : kSyntaxes)
    if (oid == attributeSyntax) return syntax;
  return S::String;
}

// searchFlags and systemFlags bits dcemu reads (MS-ADTS 2.2.9, 2.2.10).
constexpr int kPreserveOnDelete = 0x8;  // fPRESERVEONDELETE
constexpr int kNotReplicated = 0x1;     // FLAG_ATTR_NOT_REPLICATED
constexpr int kConstructed = 0x4;       // FLAG_ATTR_IS_CONSTRUCTED

// A linked DN-Binary value's binary part has no place in dcemu's links.
bool leftOut(const PublishedAttribute& p) {
  return p.linkId != 0 && std::string_view(p.attributeSyntax) != "2.5.5.1";
}

bool leftOut(std::string_view attribute) {
  static const std::vector<AttributeDef> own = ownAttributes();
  for (const AttributeDef& d : own)
    if (iequals(d.name, attribute)) return false;
  for (const PublishedAttribute& p : publishedAttributes())
    if (iequals(p.name, attribute)) return leftOut(p);
  return false;
}

AttributeDef fromPublished(const PublishedAttribute& p) {
  AttributeDef def;
  def.name = p.name;
  def.oid = p.oid;
  def.syntax = syntaxOf(p.attributeSyntax);
  def.singleValued = p.singleValued;
  if (p.rangeUpper >= 0) def.rangeUpper = p.rangeUpper;
  def.linkId = p.linkId;
  def.systemOnly = p.systemOnly;
  def.preserveOnDelete = p.searchFlags & kPreserveOnDelete;
  def.constructed = p.systemFlags & kConstructed;
  def.replicated = !(p.systemFlags & kNotReplicated) && !def.constructed;
  return def;
}

// A published class's own lists with those of its auxiliary classes (and
// their superiors) folded in: dcemu's objects carry no auxiliary classes.
void foldAuxiliaries(const PublishedClass& p, std::vector<std::string>& must, std::vector<std::string>& may) {
  auto find = [](std::string_view name) -> const PublishedClass* {
    for (const PublishedClass& c : publishedClasses())
      if (iequals(c.name, name)) return &c;
    return nullptr;
  };
  std::vector<std::string> pending(p.auxiliaryClasses);
  std::set<std::string> seen;
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    const PublishedClass* aux = find(name);
    if (!aux || iequals(aux->name, "top") || !seen.insert(toLower(name)).second) continue;
    must.insert(must.end(), aux->mustContain.begin(), aux->mustContain.end());
    may.insert(may.end(), aux->mayContain.begin(), aux->mayContain.end());
    pending.insert(pending.end(), aux->auxiliaryClasses.begin(), aux->auxiliaryClasses.end());
    pending.push_back(aux->superior);
  }
}

void addMissing(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const std::string& name : from)
    if (!leftOut(name) &&
        std::none_of(to.begin(), to.end(), [&](const std::string& have) { return iequals(have, name); }))
      to.push_back(name);
}

ClassCategory categoryOf(int objectClassCategory) {
  switch (objectClassCategory) {
    case 1: return kStructural;
    case 3: return ClassCategory::Auxiliary;
    default: return kAbstract;  // 2, and the two 88 classes (0): person, organizationalPerson
  }
}

}  // namespace

std::vector<AttributeDef> builtinAttributes() {
  std::vector<AttributeDef> defs = ownAttributes();
  auto own = [&](std::string_view name) -> AttributeDef* {
    for (AttributeDef& d : defs)
      if (iequals(d.name, name)) return &d;
    return nullptr;
  };
  auto isAlias = [&](std::string_view name) {
    for (const AttributeDef& d : defs)
      for (const std::string& alias : d.aliases)
        if (iequals(alias, name)) return true;
    return false;
  };
  for (const PublishedAttribute& p : publishedAttributes()) {
    if (AttributeDef* def = own(p.name)) {
      def->commonName = p.commonName;
      continue;
    }
    // msDS-RevealedList is read through msDS-RevealedUsers (see above).
    if (isAlias(p.name)) continue;
    if (leftOut(p)) continue;
    defs.push_back(fromPublished(p));
    defs.back().commonName = p.commonName;
    defs.back().attributeSyntax = p.attributeSyntax;
    defs.back().omSyntax = p.omSyntax;
  }
  for (AttributeDef& def : defs) {
    if (!def.attributeSyntax.empty()) continue;
    auto [syntax, om] = publishedSyntaxOf(def.syntax);
    def.attributeSyntax = syntax;
    def.omSyntax = om;
  }
  return defs;
}

std::vector<ClassDef> builtinClasses() {
  std::vector<ClassDef> defs = ownClasses();
  // The dMSA class is not in the published 2016 schema. Its cn follows the
  // naming of its siblings (ms-DS-Group-Managed-Service-Account, MS-ADSC
  // 2.140); no public source here shows its classSchema object.
  for (ClassDef& d : defs) {
    if (d.name != "msDS-DelegatedManagedServiceAccount") continue;
    d.commonName = "ms-DS-Delegated-Managed-Service-Account";
    d.defaultObjectCategory = d.name;
  }
  for (const PublishedClass& p : publishedClasses()) {
    std::vector<std::string> must = p.mustContain, may = p.mayContain;
    foldAuxiliaries(p, must, may);
    auto own = std::find_if(defs.begin(), defs.end(), [&](const ClassDef& d) { return iequals(d.name, p.name); });
    if (own == defs.end()) {
      defs.push_back(
          cls(p.name, p.oid, p.superior, categoryOf(p.category), p.rdnAttribute, {}, {}, p.possibleSuperiors));
      own = defs.end() - 1;
    }
    addMissing(own->mustContain, must);
    addMissing(own->mayContain, may);
    addMissing(own->possibleSuperiors, p.possibleSuperiors);
    own->commonName = p.commonName;
    own->defaultObjectCategory = p.defaultObjectCategory;
  }
  return defs;
}

}  // namespace dcemu::dc
