// What `dcemu ctl` asks a running node to do (docs/live.md): LDAP writes as
// the Administrator, repadmin's views and /replicate, and the faults the
// topology file's [[fault]] and steps describe. Writes go through the same
// Directory calls as the simulator's steps, so results and refusals read
// the same.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <chrono>

#include "dc/migration.h"
#include "dc/text.h"
#include "live/live_node.h"
#include "replication/repadmin.h"
#include "replication/win32.h"
#include "report/object_text.h"
#include "scenario/provision.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

namespace dcemu::live {
namespace {

using Reply = std::pair<uint32_t, std::string>;

Reply usage(const std::string& message) {
  return {replication::win32::kInvalidParameter, message};
}

// ERROR_DS_GENERIC_ERROR: the directory refused the operation; the text
// gives the LDAP result as the simulator's steps report it.
constexpr uint32_t kDirectoryRefused = 8341;

Reply statusReply(const dc::Status& status, const std::string& ok) {
  if (status.isOk()) return {0, ok};
  return {kDirectoryRefused, fmt::format("refused: {}: {}", dc::ldapResultName(status.code()), status.message())};
}

// "attr=value": the attribute and its value (a value may hold '=').
std::optional<std::pair<std::string, std::string>> splitAssignment(const std::string& text) {
  size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) return std::nullopt;
  return std::pair(text.substr(0, equals), text.substr(equals + 1));
}

bool known(const std::string& attribute) {
  return dc::Schema::builtin().attribute(attribute) != nullptr;
}

}  // namespace

void LiveNode::originated(const std::string& dn, const std::vector<std::string>& attributes) {
  ++originatingWrites_;
  node_->replication().originated(dn, attributes);
}

Reply LiveNode::command(const std::vector<std::string>& args) {
  if (args.empty()) return usage("no operation given");
  // The record `cluster report` reads, whatever state the DC is in: the
  // process still holds it while a dc-down fault keeps the DC off.
  if (args[0] == "risk-journal" && args.size() == 1) {
    auto records = readJournal(journalPath_);
    if (!records) return {replication::win32::kDatabaseError, records.status().message()};
    std::string text;
    for (const std::vector<std::string>& fields : *records) text += fmt::format("{}\n", fmt::join(fields, "\t"));
    return {0, text};
  }
  // A DC that is down (a dc-down fault) answers nothing, as the simulator's.
  if (!node_->replication().up())
    return {replication::win32::kRpcServerUnavailable, fmt::format("{} is down", nameOf(index_))};
  const std::string& op = args[0];
  const std::string domainDn = node_->directory()->namingContextDn(dc::NamingContext::Domain).toString();
  auto qualify = [&](const std::string& dn) {
    return dc::toLower(dn).ends_with(dc::toLower(domainDn)) ? dn : dn + "," + domainDn;
  };
  auto qualifyValue = [&](const std::string& attribute, const std::string& value) {
    const dc::AttributeDef* def = dc::Schema::builtin().attribute(attribute);
    return def && def->syntax == dc::Syntax::Dn ? qualify(value) : value;
  };
  // An object as `dcemu get` takes it: a DN (whole or relative to the
  // domain), or a name the file gives (a host, an account, a DC's computer)
  // or a step's ldap-add id.
  auto resolve = [&](const std::string& nameOrDn) {
    if (nameOrDn.find('=') != std::string::npos) return qualify(nameOrDn);
    std::string label = dc::toLower(nameOrDn);
    if (auto added = addedLabels_.find(label); added != addedLabels_.end()) return qualify(added->second);
    if (auto guid = layout_.objects.find(label); guid != layout_.objects.end())
      if (auto dn = node_->directory()->dnOf(guid->second)) return *dn;
    return qualify(nameOrDn);
  };
  const dc::Principal admin = scenario::administratorOf(*node_->directory());
  const std::string& self = nameOf(index_);

  if (op == "showrepl") {
    auto text = replication::showRepl({node_->directory(), &layout_.dsaInfos[index_]}, names_,
                                      args.size() > 1 && args[1] == "csv");
    return text ? Reply{0, *text} : usage(text.status().toString());
  }
  if (op == "showobjmeta" && args.size() == 2) {
    auto text = replication::showObjMeta({node_->directory(), &layout_.dsaInfos[index_]}, names_, resolve(args[1]));
    return text ? Reply{0, *text} : usage(text.status().message());
  }
  if (op == "get" && args.size() >= 2) {
    std::vector<std::string> attributes(args.begin() + 2, args.end());
    for (const std::string& name : attributes)
      if (!known(name)) return usage(fmt::format("attribute \"{}\": no such attribute in the schema", name));
    const std::string dn = resolve(args[1]);
    auto object = node_->directory()->read(dn);
    if (!object) return {kDirectoryRefused, fmt::format("\"{}\" on {}: {}", args[1], self, object.status().message())};
    return {0, fmt::format("{} on {} at {}\n", dn, self, scenario::formatMoment(now(), scenario_.start)) +
                   report::objectText(*node_->directory(), *object, attributes)};
  }
  if (op == "usn") return {0, fmt::format("{}\n", node_->directory()->highestCommittedUsn())};
  if (op == "state" && args.size() == 1) {
    // What the faults and an administrator changed on this DC: its
    // replication switches and which sites its network reaches now.
    std::string text =
        fmt::format("inbound-disabled {:d}\noutbound-disabled {:d}\nbroken {}\n", node_->replication().inboundDisabled,
                    node_->replication().outboundDisabled, node_->replication().broken);
    const int own = scenario_.dcs[index_].site;
    for (int site = 0; site < static_cast<int>(scenario_.sites.size()); ++site)
      text += fmt::format("reaches {} {:d}\n", scenario_.sites[site].name, network_.reachable(own, site));
    return {0, text};
  }
  if (op == "partnerships" && args.size() == 1) {
    // For `cluster status`'s /replsummary: this DC's clock, then one line
    // per inbound partnership (source, attempt, success, result, failures).
    auto partnerships = replication::summaryPartnerships({node_->directory(), &layout_.dsaInfos[index_]}, names_);
    if (!partnerships) return usage(partnerships.status().toString());
    std::string text = fmt::format("now {}\n", now());
    for (const replication::SummaryPartnership& p : *partnerships)
      text += fmt::format("{}\t{}\t{}\t{}\t{}\n", p.source, p.state.lastAttempt, p.state.lastSuccess,
                          p.state.lastResult, p.state.consecutiveFailures);
    return {0, text};
  }
  if (op == "add" && args.size() >= 2) {
    std::vector<dc::AttributeInput> inputs;
    for (size_t i = 2; i < args.size(); ++i) {
      auto assignment = splitAssignment(args[i]);
      if (!assignment) return usage(fmt::format("\"{}\": expected ATTRIBUTE=VALUE", args[i]));
      if (!known(assignment->first))
        return usage(fmt::format("attribute \"{}\": no such attribute in the schema", assignment->first));
      auto it = std::find_if(inputs.begin(), inputs.end(),
                             [&](const dc::AttributeInput& in) { return in.name == assignment->first; });
      if (it == inputs.end()) it = inputs.insert(inputs.end(), {assignment->first, {}});
      it->values.push_back(qualifyValue(assignment->first, assignment->second));
    }
    std::string dn = qualify(args[1]);
    auto added = node_->directory()->add(dn, inputs, admin);
    if (!added) return statusReply(added.status(), "");
    originated(dn, {"objectClass"});
    return {0, fmt::format("added {} on {} (objectGUID {}, USN {})\n", dn, self, added->toString(),
                           node_->directory()->highestCommittedUsn())};
  }
  if (op == "modify" && args.size() >= 3) {
    std::vector<dc::Change> changes;
    std::vector<std::string> attributes;
    for (size_t i = 2; i < args.size(); ++i) {
      size_t colon = args[i].find(':');
      std::string kind = colon == std::string::npos ? "" : args[i].substr(0, colon);
      auto assignment = splitAssignment(colon == std::string::npos ? "" : args[i].substr(colon + 1));
      dc::Change::Op change = kind == "replace" ? dc::Change::Op::Replace
                              : kind == "add"   ? dc::Change::Op::Add
                                                : dc::Change::Op::Delete;
      if ((kind != "replace" && kind != "add" && kind != "delete") || !assignment)
        return usage(fmt::format("\"{}\": expected replace:, add: or delete:ATTRIBUTE=VALUE", args[i]));
      if (!known(assignment->first))
        return usage(fmt::format("attribute \"{}\": no such attribute in the schema", assignment->first));
      std::vector<std::string> values;
      if (!(change == dc::Change::Op::Delete && assignment->second.empty()))
        values.push_back(qualifyValue(assignment->first, assignment->second));
      changes.push_back({change, assignment->first, values});
      attributes.push_back(assignment->first);
    }
    std::string dn = qualify(args[1]);
    dc::Status modified = node_->directory()->modify(dn, changes, admin);
    if (modified.isOk()) originated(dn, attributes);
    return statusReply(
        modified, fmt::format("modified {} on {} (USN {})\n", dn, self, node_->directory()->highestCommittedUsn()));
  }
  if (op == "delete" && (args.size() == 2 || (args.size() == 3 && args[2] == "tree"))) {
    std::string dn = qualify(args[1]);
    dc::Status removed =
        args.size() == 3 ? node_->directory()->removeTree(dn, admin) : node_->directory()->remove(dn, admin);
    if (removed.isOk()) originated(dn, {"isDeleted"});
    return statusReply(removed, fmt::format("deleted {} on {}\n", dn, self));
  }
  if (op == "rename" && args.size() == 3) {
    std::string dn = qualify(args[1]), newDn = qualify(args[2]);
    dc::Status renamed = node_->directory()->rename(dn, newDn, admin);
    if (renamed.isOk()) originated(newDn, {"name"});
    return statusReply(renamed, fmt::format("renamed {} to {} on {}\n", dn, newDn, self));
  }
  if (op == "replicate" && args.size() >= 2) {
    int source = scenario_.dcIndex(args[1]);
    if (source < 0 || source == index_)
      return usage(fmt::format("replicate: \"{}\" is no other DC of the file", args[1]));
    node::PullFlags flags;
    for (size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "force")
        flags.forced = true;
      else if (args[i] == "full")
        flags.full = true;
      else
        return usage(fmt::format("replicate: \"{}\": expected force or full", args[i]));
    }
    // repadmin /replicate without /force is refused with 8457 while inbound
    // replication is disabled, as in the simulator.
    if (node_->replication().inboundDisabled && !flags.forced)
      return {replication::win32::kSinkDisabled,
              fmt::format("DsReplicaSync() failed with status {} (0x{:x}): {}", replication::win32::kSinkDisabled,
                          replication::win32::kSinkDisabled,
                          replication::win32::message(replication::win32::kSinkDisabled))};
    for (dc::NamingContext nc : node::kNamingContexts)
      node_->replication().pull(source, nc, node::PullReason::Step, flags);
    return {0, fmt::format("replication from {} to {} started\n", nameOf(source), self)};
  }
  if ((op == "populate" || op == "touch") && args.size() == 3) {
    // Load for benches and soaks: `populate PREFIX COUNT` adds users
    // CN=PREFIX-00001… under CN=Users, each its own add (its own USN), as
    // an LDAP client adding them one by one would; `touch PREFIX COUNT`
    // changes the description of the first COUNT of them.
    uint64_t count = 0;
    auto [end, error] = std::from_chars(args[2].data(), args[2].data() + args[2].size(), count);
    if (error != std::errc() || end != args[2].data() + args[2].size() || count == 0 || count > 10'000'000)
      return usage(fmt::format("{}: COUNT must be a number from 1 to 10000000", op));
    auto started = std::chrono::steady_clock::now();
    for (uint64_t i = 1; i <= count; ++i) {
      std::string dn = fmt::format("CN={}-{:05d},CN=Users,{}", args[1], i, domainDn);
      dc::Status written =
          op == "populate"
              ? node_->directory()->add(dn, {{"objectClass", {"user"}}}, admin).status()
              : node_->directory()->modify(
                    dn, {{dc::Change::Op::Replace, "description", {fmt::format("touched at {}", now())}}}, admin);
      if (!written.isOk()) return statusReply(written, "");
      ++originatingWrites_;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    node_->replication().changed(dc::NamingContext::Domain, false);
    return {0, fmt::format("{} {} users on {} in {:.3f} s (USN {})\n", op == "populate" ? "added" : "changed", count,
                           self, seconds, node_->directory()->highestCommittedUsn())};
  }
  if ((op == "start-migration" || op == "complete-migration" || op == "undo-migration" || op == "reset-migration") &&
      (args.size() == 2 || args.size() == 3)) {
    // The migration operations as the file's steps run them: the [[dmsa]]
    // by the name the file gives it, the old account by sAMAccountName
    // (default: the one the file says it supersedes).
    const scenario::DcSpec& me = scenario_.dcs[index_];
    if (dc::Status older = dc::refuseMigrationOnOlderDc(me.name, me.os); !older.isOk()) return statusReply(older, "");
    const scenario::DmsaSpec* spec = nullptr;
    for (const scenario::DmsaSpec& dmsa : scenario_.dmsas)
      if (dc::toLower(dmsa.name) == dc::toLower(args[1])) spec = &dmsa;
    if (!spec) return usage(fmt::format("{}: no [[dmsa]] \"{}\" in the file", op, args[1]));
    std::string account = args.size() == 3 ? args[2] : spec->supersedes;
    if (account.empty()) return usage(fmt::format("{}: {} supersedes no account; name one", op, spec->name));
    auto guid = node_->directory()->store().guidByAccountName(account);
    auto accountDn = guid ? node_->directory()->dnOf(*guid)
                          : dc::Result<std::string>(dc::Status(dc::LdapResult::noSuchObject,
                                                               fmt::format("no account {} on {}", account, self)));
    if (!accountDn) return statusReply(accountDn.status(), "");
    dc::MigrationOp migration = op == "start-migration"      ? dc::MigrationOp::Start
                                : op == "complete-migration" ? dc::MigrationOp::Complete
                                : op == "undo-migration"     ? dc::MigrationOp::Undo
                                                             : dc::MigrationOp::Reset;
    std::string dmsaDn = scenario::dmsaDn(scenario_, *spec);
    dc::MigrationOutcome outcome =
        dc::migrateServiceAccount(*node_->directory(), {dmsaDn, *accountDn, migration}, admin);
    log(fmt::format("event 3085: {} of {} to {}: {}", dc::migrationOpName(migration), account, spec->name,
                    outcome.status.isOk() ? "No Error." : outcome.status.message()));
    if (!outcome.status.isOk()) return statusReply(outcome.status, "");
    journalMigrationStep(spec->name, std::string(dc::migrationOpName(migration)));
    originated(dmsaDn, {"msDS-DelegatedMSAState"});
    std::string state = "(not set)";
    if (auto dmsa = node_->directory()->read(dmsaDn))
      if (auto values = node_->directory()->values(*dmsa, "msDS-DelegatedMSAState"); values && !values->empty())
        state = values->front();
    return {0, fmt::format("{} on {}: {} now has msDS-DelegatedMSAState {}\n", op, self, spec->name, state)};
  }
  if (op == "syncall" && args.size() == 1) {
    // repadmin /syncall /A /e /P-less: pull every naming context from every
    // inbound partner now, forced.
    node_->replication().pullFromEveryPartner(node::PullReason::Step, {.forced = true});
    return {0, fmt::format("{} pulls from its {} partner(s) started\n", self, node_->replication().inbound().size())};
  }
  if (op == "workload" && args.size() == 2 && (args[1] == "on" || args[1] == "off")) {
    // The file's background workload stops for a convergence check, as the
    // simulator's does once the window ends.
    bool on = args[1] == "on";
    if (on != workloadOn_) {
      workloadOn_ = on;
      ++workloadGeneration_;
      if (on && scenario_.changesPerDcPerHour > 0 && !scenario_.dcs[index_].rodc) scheduleWorkload();
    }
    return {0, fmt::format("workload {} on {}\n", on ? "on" : "off", self)};
  }
  if ((op == "disable-replication" || op == "enable-replication") && args.size() <= 2) {
    std::string direction = args.size() == 2 ? args[1] : "both";
    if (direction != "inbound" && direction != "outbound" && direction != "both")
      return usage(fmt::format("{}: \"{}\": expected inbound, outbound or both", op, direction));
    bool disable = op == "disable-replication";
    if (direction != "outbound") node_->replication().inboundDisabled = disable;
    if (direction != "inbound") node_->replication().outboundDisabled = disable;
    return {0, fmt::format("{} replication {} on {}\n", direction, disable ? "disabled" : "enabled", self)};
  }
  if ((op == "partition-link" || op == "isolate-site") && args.size() == 3 && (args[2] == "on" || args[2] == "off")) {
    bool on = args[2] == "on";
    if (op == "partition-link") {
      int link = scenario_.linkIndex(args[1]);
      if (link < 0) return usage(fmt::format("partition-link: no site link \"{}\"", args[1]));
      network_.partitionLink(link, on);
    } else {
      int site = scenario_.siteIndex(args[1]);
      if (site < 0) return usage(fmt::format("isolate-site: no site \"{}\"", args[1]));
      network_.isolateSite(site, on);
    }
    return {0, fmt::format("{} {} {} as {} sees it\n", op, args[1], on ? "on" : "off", self)};
  }
  return usage(fmt::format("\"{}\": not an operation with {} argument(s) (docs/live.md lists them)",
                           fmt::join(args, " "), args.size() - 1));
}

}  // namespace dcemu::live
