// dcemu audit: BadSuccessor (CVE-2025-53779) exposure of a domain, read
// from a DC's replica as Akamai's Get-BadSuccessorOUPermissions counts it:
// in every OU and container, principals other than Domain Admins,
// Enterprise Admins, BUILTIN\Administrators and SYSTEM holding a right
// that lets them create a dMSA there (CreateChild of all objects or of
// dMSAs, GenericAll, WriteDACL, WriteOwner, owning it) or write the
// attributes of dMSAs already there (GenericWrite, WriteProperty), and
// which accounts such a dMSA could take over: any account before the fix;
// after it, only accounts whose msDS-SupersededManagedAccountLink and
// msDS-SupersededServiceAccountState the principal can write (or whose
// DACL or owner it can change), since the patched KDC requires that link.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "scenario/units.h"
#include "sim/world.h"

namespace dcemu::cli {

namespace {

namespace rights = dc::rights;

struct Exposure {
  std::string container, principal, right, scope;
  dc::Sid trustee;
};

// Akamai's exclusions: Domain Admins, Enterprise Admins (domain-relative),
// BUILTIN\Administrators, SYSTEM.
bool excluded(const dc::Sid& sid, const std::optional<dc::Sid>& domain) {
  std::string text = sid.toString();
  if (text == "S-1-5-32-544" || text == "S-1-5-18") return true;
  if (!domain) return false;
  std::string prefix = domain->toString() + "-";
  return text == prefix + "512" || text == prefix + "519";
}

// The exposing rights an allow ACE grants, by name.
std::vector<std::string> exposingRights(const dc::Ace& ace, const dc::Guid& dmsaClass) {
  std::vector<std::string> out;
  uint32_t mask = ace.mask;
  bool all = (mask & rights::kGenericAll) || (mask & rights::kAdsAll) == rights::kAdsAll;
  if (all) return {"GenericAll"};
  if (mask & rights::kCreateChild) {
    if (!ace.objectType)
      out.push_back("CreateChild (all objects)");
    else if (*ace.objectType == dmsaClass)
      out.push_back("CreateChild (dMSA objects)");
  }
  if (mask & rights::kGenericWrite)
    out.push_back("GenericWrite");
  else if ((mask & rights::kWriteProperty) && !ace.objectType)
    out.push_back("WriteProperty");
  if (mask & rights::kWriteDac) out.push_back("WriteDACL");
  if (mask & rights::kWriteOwner) out.push_back("WriteOwner");
  return out;
}

// What Akamai's script matches: an allow ACE with CreateChild, GenericAll,
// WriteDACL or WriteOwner, for all objects or the dMSA class, whatever its
// inheritance flags.
bool scriptMatches(const dc::Ace& ace, const dc::Guid& dmsaClass) {
  uint32_t relevant = rights::kCreateChild | rights::kGenericAll | rights::kWriteDac | rights::kWriteOwner;
  bool all = (ace.mask & rights::kAdsAll) == rights::kAdsAll;
  return ace.isAllow() && ((ace.mask & relevant) || all) && (!ace.objectType || *ace.objectType == dmsaClass);
}

bool hasClass(const std::vector<std::string>& classes, std::string_view name) {
  return std::find(classes.begin(), classes.end(), name) != classes.end();
}

}  // namespace

CommandOutput auditCommand(const std::string& file, const AuditOptions& options) {
  CommandOutput output;
  std::optional<scenario::Scenario> loaded = loadForCommand(file, output);
  if (!loaded) return output;
  const scenario::Scenario& scenario = *loaded;
  auto at = momentOption("--at", options.at.empty() ? "0s" : options.at, scenario.start, output);
  if (!at) return output;
  int index = options.dc.empty() ? 0 : scenario.dcIndex(options.dc);
  if (index < 0) {
    output.err += fmt::format("--dc \"{}\": no such DC in {}\n", options.dc, file);
    output.exitCode = 2;
    return output;
  }
  auto world = worldForCommand(file, scenario, scenario.seed, output);
  if (!world) return output;
  world->runUntil(*at);
  const dc::Directory* dir = world->directory(index);
  if (!dir) {
    output.err += fmt::format("{}: the DC is down then\n", scenario.dcs[index].name);
    output.exitCode = 1;
    return output;
  }
  const dc::Schema& schema = dir->schema();
  const dc::Guid dmsaClass = dc::schemaIdGuid(schema.objectClass("msDS-DelegatedManagedServiceAccount")->oid);
  const dc::Guid linkAttr = dc::schemaIdGuid(schema.attribute("msDS-SupersededManagedAccountLink")->oid);
  const dc::Guid stateAttr = dc::schemaIdGuid(schema.attribute("msDS-SupersededServiceAccountState")->oid);
  const uint32_t sdId = schema.attribute("nTSecurityDescriptor")->id;
  dc::TrusteeResolver resolver = dir->trusteeResolver();
  auto name = [&](const dc::Sid& sid) { return dc::trusteeDisplayName(sid, resolver); };

  // One pass over the domain: exposures in OUs and containers, and the
  // accounts a dMSA could supersede.
  std::vector<Exposure> exposures;
  std::map<std::string, std::set<std::string>> scriptFindings;  // principal → its OUs, as the script lists them
  struct Account {
    std::string name, dn;
    dc::SecurityDescriptor sd;
  };
  std::vector<Account> accounts;
  dc::Status scanned = dir->changesSince(dc::NamingContext::Domain, 0, [&](const dc::Object& obj) {
    if (dir->isDeleted(obj)) return true;
    auto classes = dir->values(obj, "objectClass");
    const std::string* bytes = obj.firstValue(sdId);
    if (!classes || !bytes) return true;
    auto sd = dc::SecurityDescriptor::fromBinary(*bytes);
    if (!sd) return true;
    std::string dn = dir->dnOf(obj.guid).valueOr("?");
    if (hasClass(*classes, "organizationalUnit") || hasClass(*classes, "container")) {
      if (sd->owner && !excluded(*sd->owner, dir->domainSid()))
        exposures.push_back({dn, name(*sd->owner), "owner", "this object", *sd->owner});
      // Its DACL holds the inherited ACEs the DC's SD propagator gave it
      // (dc/sd_propagation.cc), and Akamai's script reads
      // ntSecurityDescriptor with them: CreateChild granted on a parent OU
      // for its objects (CI IO), or on the domain head (CI), reaches every
      // OU below it.
      const dc::SecurityDescriptor& effective = *sd;
      if (hasClass(*classes, "organizationalUnit")) {
        if (sd->owner && !excluded(*sd->owner, dir->domainSid())) scriptFindings[name(*sd->owner)].insert(dn);
        for (const dc::Ace& ace : effective.dacl ? effective.dacl->aces : std::vector<dc::Ace>{})
          if (scriptMatches(ace, dmsaClass) && !excluded(ace.trustee, dir->domainSid()))
            scriptFindings[name(ace.trustee)].insert(dn);
      }
      for (const dc::Ace& ace : effective.dacl ? effective.dacl->aces : std::vector<dc::Ace>{}) {
        if (!ace.isAllow() || excluded(ace.trustee, dir->domainSid())) continue;
        bool inherits = ace.flags & dc::ace_flags::kContainerInherit;
        bool onlyChildren = ace.flags & dc::ace_flags::kInheritOnly;
        std::string scope = onlyChildren ? "its objects" : inherits ? "it and its objects" : "this object";
        if (ace.flags & dc::ace_flags::kInherited) scope += ", inherited";
        for (const std::string& right : exposingRights(ace, dmsaClass)) {
          // Creating a dMSA needs the right on the container itself;
          // writing attributes of existing dMSAs needs it to reach them.
          bool creates = right != "GenericWrite" && right != "WriteProperty";
          if (creates && onlyChildren) continue;
          if (!creates && !inherits) continue;
          exposures.push_back({dn, name(ace.trustee), right, scope, ace.trustee});
        }
      }
    }
    bool account = (hasClass(*classes, "user") || hasClass(*classes, "computer")) &&
                   !hasClass(*classes, "msDS-DelegatedManagedServiceAccount") &&
                   !hasClass(*classes, "msDS-GroupManagedServiceAccount") &&
                   !hasClass(*classes, "msDS-ManagedServiceAccount");
    if (account) {
      auto sam = dir->values(obj, "sAMAccountName");
      accounts.push_back({sam && !sam->empty() ? sam->front() : dn, dn, std::move(*sd)});
    }
    return true;
  });
  if (!scanned.isOk()) {
    output.err += fmt::format("{}: reading the domain failed: {}\n", scenario.dcs[index].name, scanned.message());
    output.exitCode = 1;
    return output;
  }
  std::sort(exposures.begin(), exposures.end(), [](const Exposure& a, const Exposure& b) {
    return std::tie(a.container, a.principal, a.right) < std::tie(b.container, b.principal, b.right);
  });

  if (options.likeScript) {
    // One line per principal and its OUs, as the script's Identity and OUs
    // columns, for a line-by-line comparison with its output.
    std::string text =
        fmt::format("dcemu audit {} --like-script: Get-BadSuccessorOUPermissions on {} at {}\n", file,
                    scenario.dcs[index].name, scenario::formatMoment(scenario.start + *at, scenario.start));
    for (const auto& [principal, ous] : scriptFindings)
      text += fmt::format("{}\t{}\n", principal, fmt::join(ous, "; "));
    if (scriptFindings.empty()) text += "none\n";
    output.out = text;
    output.exitCode = scriptFindings.empty() ? 0 : 1;
    return output;
  }
  std::string text =
      fmt::format("dcemu audit {}: BadSuccessor exposure on {} at {}; the KDC is {}\n", file, scenario.dcs[index].name,
                  scenario::formatMoment(scenario.start + *at, scenario.start),
                  scenario.patchedBadSuccessor ? "patched for CVE-2025-53779 ([kerberos] "
                                                 "patched_badsuccessor = true)"
                                               : "not patched ([kerberos] patched_badsuccessor = false)");
  if (exposures.empty()) {
    text += "exposure    none: no principal but the domain's administrators can create or change a dMSA anywhere\n";
    output.out = text;
    return output;
  }
  size_t width[3] = {9, 9, 5};
  for (const Exposure& e : exposures) {
    width[0] = std::max(width[0], e.container.size());
    width[1] = std::max(width[1], e.principal.size());
    width[2] = std::max(width[2], e.right.size());
  }
  text += fmt::format("exposure    {} grant{} to principals other than the domain's administrators:\n",
                      exposures.size(), exposures.size() == 1 ? "" : "s");
  text += fmt::format("  {:<{}}  {:<{}}  {:<{}}  applies to\n", "container", width[0], "principal", width[1], "right",
                      width[2]);
  for (const Exposure& e : exposures)
    text += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {}\n", e.container, width[0], e.principal, width[1], e.right,
                        width[2], e.scope);

  // What each exposed principal could take over.
  std::map<std::string, dc::Sid> principals;
  for (const Exposure& e : exposures) principals.emplace(e.principal, e.trustee);
  text += "takeover    what a dMSA such a principal creates could supersede:\n";
  for (const auto& [principal, sid] : principals) {
    std::vector<dc::Sid> token{sid};
    if (auto guid = dir->store().guidBySid(sid))
      if (auto sids = dir->tokenSids(*guid)) token = std::move(*sids);
    std::vector<std::string> targets;
    for (const Account& account : accounts) {
      if (!scenario.patchedBadSuccessor) {
        targets.push_back(account.name);
        continue;
      }
      // The patched KDC requires the target to name the dMSA back: the
      // principal must be able to write both attributes on it, or to
      // change its DACL or owner and then grant itself that.
      bool writes = dc::evaluateDacl(account.sd, token, rights::kWriteProperty, linkAttr).granted &&
                    dc::evaluateDacl(account.sd, token, rights::kWriteProperty, stateAttr).granted;
      bool rewrites = dc::evaluateDacl(account.sd, token, rights::kWriteDac).granted ||
                      dc::evaluateDacl(account.sd, token, rights::kWriteOwner).granted;
      if (writes || rewrites) targets.push_back(account.name);
    }
    std::sort(targets.begin(), targets.end());
    std::string shown;
    for (size_t i = 0; i < targets.size() && i < 10; ++i) shown += (i ? ", " : "") + targets[i];
    if (targets.size() > 10) shown += fmt::format(", ... and {} more", targets.size() - 10);
    text += fmt::format("  {}: {}\n", principal,
                        targets.empty()
                            ? "no account: the patched KDC requires the superseded account to point back "
                              "at the dMSA, and it can write that link on none"
                            : fmt::format("{} account{} ({})", targets.size(), targets.size() == 1 ? "" : "s", shown));
  }
  output.out = text;
  output.exitCode = 1;  // exposure found: a pipeline can gate on it
  return output;
}

}  // namespace dcemu::cli
