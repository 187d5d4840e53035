#include "report/rodc_view.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "dc/dn.h"
#include "dc/text.h"
#include "kdc/rodc_policy.h"

namespace dcemu::report {

namespace {

// The name a person reads for a DN: its first RDN's value (escapes
// undone, as the DN parser reads them).
std::string nameOf(const std::string& dn) {
  auto parsed = dc::Dn::parse(dn);
  return parsed && !parsed->isEmpty() ? parsed->rdn().value : dn;
}

std::vector<std::string> namesOf(const std::vector<std::string>& dns) {
  std::vector<std::string> names;
  for (const std::string& dn : dns) names.push_back(nameOf(dn));
  return names;
}

// The account `name` (a service account or dMSA of the file) as the RODC's
// policy treats it.
RodcAccountState accountState(const dc::Directory& dir, const std::string& rodcAccount, const std::string& name) {
  RodcAccountState state;
  state.account = name;
  auto guid = dir.store().guidByAccountName(name);
  if (!guid) guid = dir.store().guidByAccountName(name + "$");
  if (!guid) {
    state.refusal = fmt::format("{} does not exist on this replica yet", name);
    return state;
  }
  state.dn = dir.dnOf(*guid).valueOr("");
  state.cached = kdc::rodcHoldsSecret(dir, rodcAccount, *guid);
  std::string why;
  state.allowed = kdc::rodcMayCache(dir, rodcAccount, *guid, &why);
  // In a person's words: the RODC's name and the account's DN are around it.
  if (!state.allowed)
    state.refusal = why.find("msDS-NeverRevealGroup") != std::string::npos
                        ? "denied by " + nameOf(why.substr(why.rfind('(') + 1, why.size() - why.rfind('(') - 2))
                        : "not allowed";
  return state;
}

// The migration superseding `account`, if any.
const MigrationReport* migrationOf(const PlanningReport& report, const std::string& account) {
  for (const MigrationReport& m : report.migrations)
    if (dc::toLower(m.account) == dc::toLower(account)) return &m;
  return nullptr;
}

std::string listOf(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return out;
}

// What to do on `rodc` so that every account listed survives an outage.
std::vector<std::string> adviceFor(const ReportRodc& rodc, const std::string& writable) {
  std::vector<std::string> notAllowed, denied, toPrepopulate, prepopulateDns;
  auto consider = [&](const RodcAccountState& state) {
    auto add = [](std::vector<std::string>& list, const std::string& value) {
      if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
    };
    if (state.cached) return;
    if (state.allowed) {
      add(toPrepopulate, state.account);
      if (!state.dn.empty()) add(prepopulateDns, "\"" + state.dn + "\"");
    } else if (state.refusal.starts_with("denied")) {
      add(denied, state.account);
    } else {
      add(notAllowed, state.account);
      if (!state.dn.empty()) add(prepopulateDns, "\"" + state.dn + "\"");
    }
  };
  for (const RodcHostService& hs : rodc.hostServices) {
    consider(hs.now);
    if (hs.dmsa) consider(*hs.dmsa);
  }
  std::vector<std::string> advice;
  if (!notAllowed.empty())
    advice.push_back(
        fmt::format("allow {} on {}: add {} to its msDS-RevealOnDemandGroup (directly or through the "
                    "Allowed RODC Password Replication Group)",
                    listOf(notAllowed), rodc.name, notAllowed.size() == 1 ? "it" : "them"));
  if (!denied.empty())
    advice.push_back(
        fmt::format("{} {} denied by {}'s msDS-NeverRevealGroup: the hosts fail through an outage unless "
                    "the deny is lifted (Microsoft keeps privileged accounts denied)",
                    listOf(denied), denied.size() == 1 ? "is" : "are", rodc.name));
  if (!prepopulateDns.empty() && !writable.empty())
    advice.push_back(fmt::format(
        "{} prepopulate so the secrets are there before an outage: repadmin /rodcpwdrepl {} {} {}",
        notAllowed.empty() ? "then" : "once allowed,", rodc.name, writable, fmt::join(prepopulateDns, " ")));
  if (!rodc.hostServices.empty())
    advice.push_back(
        "the hosts' computer accounts need the same for the hosts themselves to log on (dcemu does not simulate "
        "machine logons)");
  return advice;
}

}  // namespace

void addRodcViews(PlanningReport& report, const scenario::Scenario& scenario,
                  const std::function<const dc::Directory*(int dc)>& directoryOf) {
  int firstWritable = -1;
  for (int d = 0; d < static_cast<int>(scenario.dcs.size()); ++d)
    if (!scenario.dcs[d].rodc && directoryOf(d) && firstWritable < 0) firstWritable = d;
  for (int d = 0; d < static_cast<int>(scenario.dcs.size()); ++d) {
    const scenario::DcSpec& spec = scenario.dcs[d];
    if (!spec.rodc) continue;
    const dc::Directory* dir = directoryOf(d);
    if (!dir && firstWritable >= 0) dir = directoryOf(firstWritable);
    if (!dir) continue;
    std::string account = spec.name + "$";
    auto lists = kdc::rodcPolicyLists(*dir, account);
    if (!lists) continue;
    ReportRodc rodc;
    rodc.name = spec.name;
    rodc.site = scenario.sites[spec.site].name;
    rodc.allowed = namesOf(lists->allowed);
    rodc.denied = namesOf(lists->denied);
    rodc.cached = namesOf(lists->revealed);
    bool writableInSite = std::any_of(scenario.dcs.begin(), scenario.dcs.end(), [&](const scenario::DcSpec& other) {
      return other.site == spec.site && !other.rodc;
    });
    if (!writableInSite) {
      for (const scenario::HostGroup& group : scenario.hostGroups) {
        if (group.site != spec.site) continue;
        for (const std::string& host : group.hostNames()) {
          for (const std::string& service : group.services) {
            // A capable host runs as the dMSA once its migration is
            // completed, and will once its open one is.
            const MigrationReport* m = group.dmsaCapable ? migrationOf(report, service) : nullptr;
            bool completed = m && m->completed, open = m && m->started && !m->completed;
            RodcHostService hs{host, service, accountState(*dir, account, completed ? m->dmsa : service), std::nullopt};
            if (open) hs.dmsa = accountState(*dir, account, m->dmsa);
            rodc.hostServices.push_back(std::move(hs));
          }
        }
      }
    }
    rodc.advice = adviceFor(rodc, firstWritable >= 0 ? scenario.dcs[firstWritable].name : "");
    report.rodcs.push_back(std::move(rodc));
  }
}

}  // namespace dcemu::report
