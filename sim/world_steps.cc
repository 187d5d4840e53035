// Steps: the LDAP operations, replicate, enable/disable replication,
// new-dmsa and expect, run on the DC a step names as that domain's
// Administrator.
#include <fmt/format.h>

#include <algorithm>

#include "dc/text.h"
#include "kdc/rodc_policy.h"
#include "replication/win32.h"
#include "scenario/scenario.h"
#include "sim/world.h"

namespace dcemu::sim {

namespace {

std::string listed(const std::vector<std::string>& values) {
  return "[" + fmt::format("{}", fmt::join(values, ", ")) + "]";
}

bool containsIgnoringCase(const std::vector<std::string>& values, const std::string& wanted) {
  return std::any_of(values.begin(), values.end(),
                     [&](const std::string& v) { return dc::toLower(v) == dc::toLower(wanted); });
}

}  // namespace

// DN-valued attributes take DNs relative to the domain DN, as steps' `dn` do.
std::vector<std::string> World::qualifyValues(const std::string& attribute,
                                              const std::vector<std::string>& values) const {
  const dc::AttributeDef* def = dc::Schema::builtin().attribute(attribute);
  if (!def || def->syntax != dc::Syntax::Dn) return values;
  std::vector<std::string> out;
  for (const std::string& v : values) out.push_back(qualify(v));
  return out;
}

std::vector<dc::AttributeInput> World::attributeInputs(const scenario::AttributeValues& values) const {
  std::vector<dc::AttributeInput> inputs;
  for (const auto& [name, list] : values) inputs.push_back({name, qualifyValues(name, list)});
  return inputs;
}

std::string World::qualify(const std::string& dn) const {
  std::string domainDn = scenario::domainDnOf(scenario_.domain);
  if (dc::toLower(dn).ends_with(dc::toLower(domainDn))) return dn;
  return dn + "," + domainDn;
}

dc::Result<std::string> World::resolveDn(const scenario::Step& step, const dc::Directory& dir) const {
  if (step.object.empty()) return qualify(step.dn);
  auto it = objects_.find(dc::toLower(step.object));
  if (it == objects_.end())
    return dc::Status(
        dc::LdapResult::noSuchObject,
        fmt::format("no object \"{}\" exists yet (its ldap-add or new-dmsa has not succeeded)", step.object));
  auto dn = dir.dnOf(it->second);
  if (!dn)
    return dc::Status(dc::LdapResult::noSuchObject,
                      fmt::format("object \"{}\" ({}) is not on this DC", step.object, it->second.toString()));
  return *dn;
}

dc::Result<std::string> World::objectDn(int index, const std::string& nameOrDn) const {
  if (!dcs_[index].node->directory())
    return dc::Status(dc::LdapResult::unavailable, fmt::format("{} is down", dcs_[index].node->name()));
  scenario::Step lookup;
  if (nameOrDn.find('=') == std::string::npos)
    lookup.object = nameOrDn;
  else
    lookup.dn = nameOrDn;
  return resolveDn(lookup, *dcs_[index].node->directory());
}

void World::finding(const scenario::Step& step, const std::string& message) {
  findings_.push_back({elapsed(), fmt::format("{}: {}", step.where.toString(), message)});
}

void World::recordStep(const scenario::Step& step, int lane, const std::string& outcome) {
  trace_.record(
      {elapsed(), 0, lane, "step", step.action, {{"line", std::to_string(step.where.line)}, {"outcome", outcome}}});
}

void World::originated(int index, const std::string& dn, const std::vector<std::string>& attributes) {
  ++counts_.originatingWrites;
  dcs_[index].node->replication().originated(dn, attributes);
}

void World::runStep(const scenario::Step& step) {
  ++counts_.stepsRun;
  if (step.action == "expect") return runExpect(step);
  if (step.action == "expect-auth") return runExpectAuth(step);
  if (step.action == "expect-event") return runExpectEvent(step);
  if (step.action == "host-logon") {
    int client = clientIndex(step.host, step.service);
    if (client < 0) {
      finding(step, fmt::format("host-logon: no service {} on host {}", step.service, step.host));
      return recordStep(step, 0, "refused");
    }
    kdc::LogonOutcome outcome = runClient(static_cast<size_t>(client), true);
    return recordStep(step, 0, outcome.ok ? "ok" : "failed");
  }
  if (step.action == "replicate") return runReplicate(step);
  int index = scenario_.dcIndex(step.dc);
  SimDc& d = dcs_[index];
  if (step.action == "disable-replication" || step.action == "enable-replication") {
    bool disable = step.action == "disable-replication";
    if (step.direction != "outbound") dcs_[index].node->replication().inboundDisabled = disable;
    if (step.direction != "inbound") dcs_[index].node->replication().outboundDisabled = disable;
    return recordStep(step, index, "ok");
  }
  dc::Status status = dcs_[index].node->replication().up()
                          ? runWriteStep(step, index)
                          : dc::Status(dc::LdapResult::unavailable, fmt::format("{} is down", d.node->name()));
  judgeOutcome(step, index, status, "ok");
}

// Records a step's outcome and reports a refusal, or a success that was
// meant to be refused.
void World::judgeOutcome(const scenario::Step& step, int index, const dc::Status& status, const char* okOutcome) {
  const SimDc& d = dcs_[index];
  std::string outcome = status.isOk() ? okOutcome : "refused:" + std::string(dc::ldapResultName(status.code()));
  recordStep(step, index, outcome);
  if (!status.isOk()) ++counts_.stepsRefused;
  if (step.expectError) {
    if (status.isOk()) {
      finding(step, fmt::format("{} on {} succeeded, but was expected to be refused{}", step.action, d.node->name(),
                                step.expectError->empty() ? "" : " with " + *step.expectError));
    } else if (!step.expectError->empty() &&
               dc::toLower(*step.expectError) != dc::toLower(dc::ldapResultName(status.code()))) {
      finding(step, fmt::format("{} on {} was refused with {}, not the expected {}: {}", step.action, d.node->name(),
                                dc::ldapResultName(status.code()), *step.expectError, status.message()));
    }
  } else if (!status.isOk()) {
    finding(step, fmt::format("{} on {} refused: {}: {}", step.action, d.node->name(),
                              dc::ldapResultName(status.code()), status.message()));
  }
}

// repadmin /replicate: forced (/force) runs even while the destination's
// inbound replication is disabled; unforced, DsReplicaSync is refused with
// 8457, as Windows refuses it.
void World::runReplicate(const scenario::Step& step) {
  int from = scenario_.dcIndex(step.from), to = scenario_.dcIndex(step.to);
  dc::Status status = dc::Status::ok();
  if (!dcs_[to].node->replication().up()) {
    status = dc::Status(dc::LdapResult::unavailable, fmt::format("{} is down", dcs_[to].node->name()));
  } else if (!step.forced && dcs_[to].node->replication().inboundDisabled) {
    status = dc::Status(
        dc::LdapResult::unwillingToPerform,
        fmt::format("DsReplicaSync() failed with status {} (0x{:x}): {}", replication::win32::kSinkDisabled,
                    replication::win32::kSinkDisabled, replication::win32::message(replication::win32::kSinkDisabled)));
  }
  if (status.isOk()) {
    for (dc::NamingContext nc : node::kNamingContexts)
      startPull(to, from, nc, PullReason::Step, step.forced, step.full, &step);
  }
  judgeOutcome(step, to, status, status.isOk() ? "started" : "");
}

dc::Status World::runWriteStep(const scenario::Step& step, int index) {
  dc::Directory& dir = *dcs_[index].node->directory();
  dc::Principal admin = scenario::administratorOf(dir);
  if (step.action.ends_with("-migration")) return runMigrationStep(step, index, admin);
  if (step.action == "remove-lingering-objects") return removeLingeringObjects(step, index);
  if (step.action == "prepopulate-passwords") return prepopulatePasswords(step, index);
  if (step.action == "new-dmsa") {
    const scenario::DmsaSpec* spec = nullptr;
    for (const scenario::DmsaSpec& dmsa : scenario_.dmsas)
      if (dc::toLower(dmsa.name) == dc::toLower(step.dmsa)) spec = &dmsa;
    std::string dn = scenario::dmsaDn(scenario_, *spec);
    auto added = dir.add(dn, scenario::dmsaAttributes(*spec), admin);
    if (!added) return added.status();
    objects_[dc::toLower(spec->name)] = *added;
    risk_.identify(spec->name, *added, queue_.now());
    for (int i = 0; i < dcCount(); ++i) watchDmsa(i, *added);
    originated(index, dn, {"objectClass"});
    return dc::Status::ok();
  }
  if (step.action == "ldap-add") {
    std::string dn = qualify(step.dn);
    auto added = dir.add(dn, attributeInputs(step.attrs), admin);
    if (!added) return added.status();
    if (!step.id.empty()) objects_[dc::toLower(step.id)] = *added;
    originated(index, dn, {"objectClass"});
    return dc::Status::ok();
  }
  auto dn = resolveDn(step, dir);
  if (!dn) return dn.status();
  if (step.action == "ldap-modify") {
    std::vector<dc::Change> changes;
    std::vector<std::string> attributes;
    auto collect = [&](dc::Change::Op op, const scenario::AttributeValues& values) {
      for (const auto& [name, list] : values) {
        changes.push_back({op, name, qualifyValues(name, list)});
        attributes.push_back(name);
      }
    };
    collect(dc::Change::Op::Replace, step.replace);
    collect(dc::Change::Op::Add, step.add);
    collect(dc::Change::Op::Delete, step.remove);
    DCEMU_RETURN_IF_ERROR(dir.modify(*dn, changes, admin));
    originated(index, *dn, attributes);
  } else if (step.action == "ldap-delete") {
    DCEMU_RETURN_IF_ERROR(step.tree ? dir.removeTree(*dn, admin) : dir.remove(*dn, admin));
    originated(index, *dn, {"isDeleted"});
  } else if (step.action == "ldap-undelete") {
    auto tombstone = dir.read(*dn);
    if (!tombstone) return tombstone.status();
    std::string newDn = qualify(step.newDn);
    DCEMU_RETURN_IF_ERROR(dir.undelete(tombstone->guid, newDn, admin));
    originated(index, newDn, {"isDeleted"});
  } else if (step.action == "ldap-rename") {
    std::string newDn = qualify(step.newDn);
    DCEMU_RETURN_IF_ERROR(dir.rename(*dn, newDn, admin));
    originated(index, newDn, {"name"});
  }
  return dc::Status::ok();
}

void World::runExpect(const scenario::Step& step) {
  int index = scenario_.dcIndex(step.dc);
  std::optional<std::string> failure;
  if (!dcs_[index].node->replication().up()) {
    failure = fmt::format("{} is down", dcs_[index].node->name());
  } else {
    failure = checkExpectation(step, *dcs_[index].node->directory());
  }
  recordStep(step, index, failure ? "failed" : "passed");
  if (!failure) {
    ++counts_.expectationsPassed;
    return;
  }
  ++counts_.expectationsFailed;
  finding(step, fmt::format("expect on {} failed: {}", dcs_[index].node->name(), *failure));
}

std::optional<std::string> World::checkExpectation(const scenario::Step& step, const dc::Directory& dir) {
  auto dn = resolveDn(step, dir);
  std::optional<dc::Object> obj;
  if (dn) {
    if (auto read = dir.read(*dn)) obj = std::move(*read);
  }
  std::string what = dn ? *dn : step.object;
  bool deleted = obj && dir.isDeleted(*obj);
  if (step.exists && *step.exists != (obj && !deleted))
    return fmt::format("{}: expected {}, found {}", what, *step.exists ? "it to exist" : "it not to exist",
                       deleted ? "only its tombstone"
                       : obj   ? "it"
                               : "nothing");
  if (step.deleted && *step.deleted != deleted)
    return fmt::format("{}: expected {}, found {}", what, *step.deleted ? "a tombstone" : "no tombstone",
                       deleted ? "a tombstone"
                       : obj   ? "a live object"
                               : "nothing");
  bool needsObject = step.nameConflict || step.parent || step.attr;
  if (!needsObject) return std::nullopt;
  if (!obj) return fmt::format("{}: no such object on this DC{}", what, dn ? "" : ": " + dn.status().message());
  auto currentDn = dir.dnOf(obj->guid);
  std::string shownDn = currentDn ? *currentDn : what;
  if (step.nameConflict) {
    const std::string* name = obj->firstValue(dir.schema().attribute("name")->id);
    bool conflicted = name && name->find("CNF:") != std::string::npos;
    if (conflicted != *step.nameConflict)
      return fmt::format("{}: expected {}name conflict, found {}", shownDn, *step.nameConflict ? "a " : "no ",
                         name ? *name : "no name");
  }
  if (step.parent) {
    auto parentDn = obj->parent ? dir.dnOf(*obj->parent) : dc::Result<std::string>(std::string());
    std::string found = parentDn ? *parentDn : "none";
    if (dc::toLower(found) != dc::toLower(qualify(*step.parent)))
      return fmt::format("{}: expected parent {}, found {}", shownDn, qualify(*step.parent), found);
  }
  if (!step.attr) return std::nullopt;
  const dc::AttributeDef* attr = dir.schema().attribute(*step.attr);
  if (!attr) return fmt::format("no attribute {} in the schema", *step.attr);
  std::vector<std::string> found;
  if (attr->syntax == dc::Syntax::SecurityDescriptor) {
    // The principals holding allow ACEs, by name.
    dc::TrusteeResolver resolver = dir.trusteeResolver();
    if (const auto* values = obj->values(attr->id)) {
      for (const std::string& raw : *values) {
        auto sd = dc::SecurityDescriptor::fromBinary(raw);
        if (!sd || !sd->dacl) continue;
        for (const dc::Ace& ace : sd->dacl->aces) {
          std::string name = dc::trusteeDisplayName(ace.trustee, resolver);
          if (ace.isAllow() && !containsIgnoringCase(found, name)) found.push_back(name);
        }
      }
    }
  } else {
    auto values = dir.values(*obj, attr->name);
    if (!values) return values.status().toString();
    found = *values;
  }
  auto expected = [&](std::vector<std::string> values) {
    if (attr->syntax == dc::Syntax::Dn)
      for (auto& v : values) v = qualify(v);
    return values;
  };
  std::string label = fmt::format("{}: {}", shownDn, attr->name);
  if (step.equals) {
    auto want = expected(*step.equals);
    bool same = want.size() == found.size() && std::all_of(want.begin(), want.end(), [&](const std::string& v) {
                  return containsIgnoringCase(found, v);
                });
    if (!same) return fmt::format("{}: expected {}, found {}", label, listed(want), listed(found));
  }
  if (step.includes) {
    for (const std::string& v : expected(*step.includes))
      if (!containsIgnoringCase(found, v))
        return fmt::format("{}: expected to include {}, found {}", label, v, listed(found));
  }
  if (step.excludes) {
    for (const std::string& v : expected(*step.excludes))
      if (containsIgnoringCase(found, v))
        return fmt::format("{}: expected not to include {}, found {}", label, v, listed(found));
  }
  if (step.count) {
    // Values as an LDAP read returns them (a security descriptor is one).
    auto values = dir.values(*obj, attr->name);
    if (!values) return values.status().toString();
    if (values->size() != *step.count)
      return fmt::format("{}: expected {} value(s), found {}", label, *step.count, values->size());
  }
  if (step.version || step.originatingDc) {
    auto meta = dir.attributeMetadata(shownDn);
    if (!meta) return meta.status().toString();
    auto it = std::find_if(meta->begin(), meta->end(), [&](const dc::AttributeMetadata& m) {
      return dc::toLower(m.attribute) == dc::toLower(attr->name);
    });
    uint32_t version = it == meta->end() ? 0 : it->stamp.version;
    if (step.version && version != *step.version)
      return fmt::format("{}: expected version {}, found {}", label, *step.version, version);
    if (step.originatingDc) {
      std::string origin = it == meta->end() ? "no stamp" : dcNameOfInvocation(it->stamp.originatingInvocationId);
      if (dc::toLower(origin) != dc::toLower(*step.originatingDc))
        return fmt::format("{}: expected a stamp originating on {}, found {}", label, *step.originatingDc, origin);
    }
  }
  if (step.link) return checkLinkExpectation(*step.link, dir, shownDn, *attr, label);
  return std::nullopt;
}

std::optional<std::string> World::checkLinkExpectation(const scenario::Step::LinkCheck& check, const dc::Directory& dir,
                                                       const std::string& dn, const dc::AttributeDef& attr,
                                                       const std::string& label) const {
  if (!attr.isLinked()) return fmt::format("{} is not a linked attribute", attr.name);
  auto rows = dir.linkMetadata(dn);
  if (!rows) return rows.status().toString();
  std::string target = qualify(check.value);
  auto row = std::find_if(rows->begin(), rows->end(), [&](const dc::LinkMetadata& m) {
    return dc::toLower(m.attribute) == dc::toLower(attr.name) && dc::toLower(m.targetDn) == dc::toLower(target);
  });
  if (row == rows->end()) return fmt::format("{}: no linked value for {}, active or not", label, target);
  if (check.active && row->active != *check.active)
    return fmt::format("{}: expected the value {} to be {}, found it {}", label, target,
                       *check.active ? "active" : "inactive", row->active ? "active" : "inactive");
  if (check.version && row->stamp.version != *check.version)
    return fmt::format("{}: expected the value {} at version {}, found {}", label, target, *check.version,
                       row->stamp.version);
  return std::nullopt;
}

std::string World::dcNameOfInvocation(const dc::Guid& invocationId) const {
  for (size_t i = 0; i < layout_.dsaInfos.size(); ++i) {
    const auto& ids = layout_.dsaInfos[i].invocationIds;
    if (std::find(ids.begin(), ids.end(), invocationId) != ids.end()) return layout_.dsaInfos[i].name;
    if (dcs_[i].node->directory() && dcs_[i].node->directory()->invocationId() == invocationId)
      return layout_.dsaInfos[i].name;
  }
  return invocationId.toString();
}

// repadmin /rodcpwdrepl: the writable DC `from` reveals each account's
// secret to the RODC, as the policy allows, and the RODC takes them now.
dc::Status World::prepopulatePasswords(const scenario::Step& step, int rodc) {
  int source = scenario_.dcIndex(step.from);
  if (!dcs_[source].node->replication().up())
    return dc::Status(dc::LdapResult::unavailable, fmt::format("{} is down", dcs_[source].node->name()));
  if (!network_.reachable(dcs_[rodc].site, dcs_[source].site))
    return dc::Status(dc::LdapResult::unavailable,
                      fmt::format("{} cannot reach {}", dcs_[rodc].node->name(), dcs_[source].node->name()));
  dc::Directory& dir = *dcs_[source].node->directory();
  for (const std::string& name : step.accounts) {
    auto guid = dir.store().guidByAccountName(name);
    if (!guid) guid = dir.store().guidByAccountName(name + "$");  // a managed account or a host
    if (!guid)
      return dc::Status(dc::LdapResult::noSuchObject,
                        fmt::format("no account {} on {}", name, dcs_[source].node->name()));
    auto revealed = kdc::revealToRodc(dir, dcs_[rodc].node->name() + "$", *guid);
    if (!revealed) return revealed.status();
    originated(source, *revealed, {"msDS-RevealedUsers"});
  }
  startPull(rodc, source, dc::NamingContext::Domain, PullReason::Secret, true);
  return dc::Status::ok();
}

}  // namespace dcemu::sim
