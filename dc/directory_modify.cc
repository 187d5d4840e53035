// Directory: modify and rename/move.
#include <fmt/format.h>

#include <algorithm>

#include "dc/directory.h"
#include "dc/directory_internal.h"
#include "dc/text.h"

namespace dcemu::dc {
Status Directory::modify(std::string_view dnText, const std::vector<Change>& changes, const Principal& requester) {
  DCEMU_RETURN_IF_ERROR(refuseIfReadOnly(dnText));
  Pending p = begin();
  std::vector<Guid> written;
  DCEMU_RETURN_IF_ERROR(stageModify(p, dnText, changes, requester, written));
  return commitStaged(p, written);
}

Status Directory::modifyTogether(const std::vector<ObjectChanges>& objects, const Principal& requester) {
  if (objects.empty()) return Status::ok();
  DCEMU_RETURN_IF_ERROR(refuseIfReadOnly(objects.front().dn));
  Pending p = begin();
  std::vector<Guid> written;
  for (const ObjectChanges& part : objects)
    DCEMU_RETURN_IF_ERROR(stageModify(p, part.dn, part.changes, requester, written));
  return commitStaged(p, written);
}

Status Directory::stageModify(Pending& p, std::string_view dnText, const std::vector<Change>& changes,
                              const Principal& requester, std::vector<Guid>& written) {
  auto located = resolveText(dnText);
  if (!located) return located.status();
  if (isDeleted(located->object))
    return Status(LdapResult::noSuchObject, fmt::format("{}: the object is deleted", dnText));
  const ClassDef* cls = structuralClass(located->object);
  if (!cls) return Status(LdapResult::other, fmt::format("{}: the object has no structural class", dnText));
  if (changes.empty()) return Status::ok();
  if (std::find(written.begin(), written.end(), located->object.guid) != written.end())
    return Status(LdapResult::unwillingToPerform, fmt::format("{}: the object is named twice in one write", dnText));
  Object after = located->object;
  for (const Change& change : changes) {
    DCEMU_RETURN_IF_ERROR(applyChange(p, after, *cls, change, dnText, requester));
  }
  DCEMU_RETURN_IF_ERROR(checkMustContain(after, *cls, dnText));
  stage(p, located->nc, after, &located->object);
  written.push_back(after.guid);
  return Status::ok();
}

Status Directory::applyChange(Pending& p, Object& obj, const ClassDef& cls, const Change& change, std::string_view dn,
                              const Principal& requester) {
  const AttributeDef* attr = schema_.attribute(change.attribute);
  if (!attr)
    return Status(LdapResult::undefinedAttributeType,
                  fmt::format("{}: no attribute {} in the schema", dn, change.attribute));
  const IdsOf& ids = attributeIds();
  if (attr->id == ids.objectClass)
    return Status(LdapResult::objectClassModsProhibited, fmt::format("{}: objectClass cannot change", dn));
  if (attr->id == ids.name || iequals(attr->name, cls.rdnAttribute))
    return Status(LdapResult::notAllowedOnRdn,
                  fmt::format("{}: {} is the RDN; rename the object instead", dn, attr->name));
  if (attr->constructed || attr->isBackLink() || directorySetsItself(*attr, /*requesterIsSystem=*/false) ||
      (attr->systemOnly && !requester.system))
    return Status(LdapResult::constraintViolation,
                  fmt::format("{}: {} can only be changed by the system", dn, attr->name));
  if (!schema_.allows(cls, *attr))
    return Status(LdapResult::objectClassViolation, fmt::format("{}: a {} may not have {}", dn, cls.name, attr->name));
  DCEMU_RETURN_IF_ERROR(
      checkAccess(obj, rights::kWriteProperty, schemaIdGuid(attr->oid), requester, dn, "write " + attr->name));

  auto encoded = encodeAll(*attr, change.values, dn);
  if (!encoded) return encoded.status();
  std::vector<std::string>& incoming = *encoded;

  if (attr->isForwardLink()) {
    auto activeTargets = [&] {
      std::vector<Guid> targets;
      for (const LinkEntry& l : obj.links)
        if (l.attributeId == attr->id && l.active) targets.push_back(l.target);
      return targets;
    };
    auto activate = [&](const Guid& target) -> Status {
      auto targetObj = readByGuid(target);
      if (!targetObj || isDeleted(*targetObj))
        return Status(LdapResult::noSuchObject, fmt::format("{}: {} target does not exist", dn, attr->name));
      LinkEntry& link = obj.link(attr->id, target);
      if (link.stamp.version == 0) link.timeCreated = p.nowSeconds;  // a value never seen before
      link.active = true;
      stampLink(p, link);
      return Status::ok();
    };
    auto deactivate = [&](const Guid& target) {
      LinkEntry& link = *obj.findLink(attr->id, target);
      link.active = false;
      stampLink(p, link);
    };
    std::vector<Guid> current = activeTargets();
    std::vector<Guid> wanted;
    for (const std::string& bytes : incoming) wanted.push_back(Guid::fromBytes(bytes));
    auto isCurrent = [&](const Guid& g) { return std::find(current.begin(), current.end(), g) != current.end(); };
    switch (change.op) {
      case Change::Op::Add:
        for (const Guid& g : wanted) {
          if (isCurrent(g))
            return Status(LdapResult::attributeOrValueExists,
                          fmt::format("{}: {} already has that value", dn, attr->name));
        }
        if (attr->singleValued && current.size() + wanted.size() > 1)
          return Status(LdapResult::constraintViolation, fmt::format("{}: {} is single-valued", dn, attr->name));
        for (const Guid& g : wanted) DCEMU_RETURN_IF_ERROR(activate(g));
        break;
      case Change::Op::Replace:
        if (attr->singleValued && wanted.size() > 1)
          return Status(LdapResult::constraintViolation, fmt::format("{}: {} is single-valued", dn, attr->name));
        for (const Guid& g : current)
          if (std::find(wanted.begin(), wanted.end(), g) == wanted.end()) deactivate(g);
        for (const Guid& g : wanted)
          if (!isCurrent(g)) DCEMU_RETURN_IF_ERROR(activate(g));
        break;
      case Change::Op::Delete:
        if (wanted.empty()) {
          if (current.empty())
            return Status(LdapResult::noSuchAttribute, fmt::format("{}: {} has no values", dn, attr->name));
          for (const Guid& g : current) deactivate(g);
        }
        for (const Guid& g : wanted) {
          if (!isCurrent(g))
            return Status(LdapResult::noSuchAttribute, fmt::format("{}: {} does not have that value", dn, attr->name));
          deactivate(g);
        }
        break;
    }
    return Status::ok();
  }

  AttributeEntry& entry = obj.entry(attr->id);
  std::vector<std::string>& values = entry.values;
  auto indexOf = [&](const std::string& v) {
    return std::find_if(values.begin(), values.end(),
                        [&](const std::string& have) { return valuesEqual(*attr, have, v); });
  };
  switch (change.op) {
    case Change::Op::Add:
      if (incoming.empty())
        return Status(LdapResult::protocolError, fmt::format("{}: add of {} gives no values", dn, attr->name));
      for (const std::string& v : incoming) {
        if (indexOf(v) != values.end())
          return Status(LdapResult::attributeOrValueExists,
                        fmt::format("{}: {} already has that value", dn, attr->name));
      }
      if (attr->singleValued && values.size() + incoming.size() > 1)
        return Status(LdapResult::constraintViolation, fmt::format("{}: {} is single-valued", dn, attr->name));
      values.insert(values.end(), incoming.begin(), incoming.end());
      break;
    case Change::Op::Replace:
      if (attr->singleValued && incoming.size() > 1)
        return Status(LdapResult::constraintViolation, fmt::format("{}: {} is single-valued", dn, attr->name));
      values = std::move(incoming);
      break;
    case Change::Op::Delete:
      if (values.empty())
        return Status(LdapResult::noSuchAttribute, fmt::format("{}: {} has no values", dn, attr->name));
      if (incoming.empty()) values.clear();
      for (const std::string& v : incoming) {
        auto it = indexOf(v);
        if (it == values.end())
          return Status(LdapResult::noSuchAttribute, fmt::format("{}: {} does not have that value", dn, attr->name));
        values.erase(it);
      }
      break;
  }
  // One version step per attribute per operation, however many changes name it.
  if (entry.localUsn != p.usn) stamp(p, entry);
  return Status::ok();
}

Result<Directory::NewPlace> Directory::checkNewPlace(const Object& obj, NamingContext nc, std::string_view shownDn,
                                                     std::string_view newDnText) const {
  auto newDn = Dn::parse(newDnText);
  if (!newDn) return newDn.status();
  if (newDn->depth() < 2)
    return Status(LdapResult::unwillingToPerform, fmt::format("{}: not below a naming context", newDnText));
  auto newParent = resolve(newDn->parent());
  if (!newParent || isDeleted(newParent->object))
    return Status(LdapResult::noSuchObject,
                  fmt::format("{}: new parent {} does not exist", shownDn, newDn->parent().toString()));
  if (newParent->nc != nc)
    return Status(LdapResult::unwillingToPerform, fmt::format("{}: cannot move to another naming context", shownDn));
  const ClassDef* cls = structuralClass(obj);
  const ClassDef* parentClass = structuralClass(newParent->object);
  if (!cls || !parentClass || !schema_.canContain(*parentClass, *cls))
    return Status(LdapResult::namingViolation, fmt::format("{}: a {} cannot be under {}", shownDn,
                                                           cls ? cls->name : "?", newDn->parent().toString()));
  if (!iequals(cls->rdnAttribute, newDn->rdn().type))
    return Status(LdapResult::namingViolation,
                  fmt::format("{}: the RDN of a {} is {}", newDnText, cls->name, cls->rdnAttribute));
  return NewPlace{std::move(*newDn), std::move(*newParent), cls};
}

Status Directory::rename(std::string_view dnText, std::string_view newDnText, const Principal& requester) {
  DCEMU_RETURN_IF_ERROR(refuseIfReadOnly(dnText));
  auto located = resolveText(dnText);
  if (!located) return located.status();
  Object& obj = located->object;
  if (isDeleted(obj)) return Status(LdapResult::noSuchObject, fmt::format("{}: the object is deleted", dnText));
  if (!obj.parent)
    return Status(LdapResult::unwillingToPerform, fmt::format("{}: a naming context head cannot be renamed", dnText));
  auto place = checkNewPlace(obj, located->nc, dnText, newDnText);
  if (!place) return place.status();
  const Dn* newDn = &place->dn;
  const Located* newParent = &place->parent;
  const ClassDef* cls = place->cls;
  // Not under itself.
  for (std::optional<Guid> up = newParent->object.guid; up;) {
    if (*up == obj.guid)
      return Status(LdapResult::unwillingToPerform, fmt::format("{}: cannot move under itself", dnText));
    auto o = readByGuid(*up);
    up = o ? o->parent : std::nullopt;
  }
  const IdsOf& ids = attributeIds();
  const std::string& oldName = *obj.firstValue(ids.name);
  bool moved = newParent->object.guid != *obj.parent;
  bool renamed = newDn->rdn().value != oldName;
  if (!moved && !renamed) return Status::ok();
  if (auto sibling = store_.childByName(located->nc, newParent->object.guid, newDn->rdn().value);
      sibling && *sibling != obj.guid)
    return Status(LdapResult::entryAlreadyExists, fmt::format("{}: {} exists", dnText, newDnText));
  DCEMU_RETURN_IF_ERROR(checkAccess(obj, rights::kWriteProperty, schemaIdGuid(schema_.attributeById(ids.name)->oid),
                                    requester, dnText, "rename it"));
  if (moved) {
    DCEMU_RETURN_IF_ERROR(checkAccess(newParent->object, rights::kCreateChild, schemaIdGuid(cls->oid), requester,
                                      newDnText, "move a " + cls->name + " here"));
  }

  Pending p = begin();
  Object after = obj;
  // The name attribute's stamp covers both the RDN and the parent, as in AD.
  AttributeEntry& nameEntry = after.entry(ids.name);
  nameEntry.values = {newDn->rdn().value};
  stamp(p, nameEntry);
  if (renamed) {
    AttributeEntry& rdnEntry = after.entry(schema_.attribute(cls->rdnAttribute)->id);
    rdnEntry.values = {newDn->rdn().value};
    stamp(p, rdnEntry);
  }
  after.parent = newParent->object.guid;
  return commit(p, located->nc, after, &obj);
}

}  // namespace dcemu::dc
