// Directory: delete (to a tombstone), tree delete and undelete.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "dc/directory.h"
#include "dc/directory_internal.h"
#include "dc/tombstone.h"

namespace dcemu::dc {

namespace {

// The Reanimate-Tombstones control access right (MS-ADTS 5.1.3.2.1).
const Guid& reanimateTombstones() {
  static const Guid right = *Guid::parse("45ec5156-db7e-47bb-b53f-dbeb2d03c40f");
  return right;
}

}  // namespace

Status Directory::remove(std::string_view dnText, const Principal& requester) {
  DCEMU_RETURN_IF_ERROR(refuseIfReadOnly(dnText));
  auto located = resolveText(dnText);
  if (!located) return located.status();
  DCEMU_RETURN_IF_ERROR(checkDeletable(*located, dnText));
  bool hasLiveChild = false;
  store_.forEachChild(located->nc, located->object.guid, [&](const Guid& child) {
    auto c = store_.getObject(located->nc, child);
    if (c && c->has_value() && !isDeleted(**c)) hasLiveChild = true;
  });
  if (hasLiveChild) return Status(LdapResult::notAllowedOnNonLeaf, fmt::format("{}: the object has children", dnText));
  DCEMU_RETURN_IF_ERROR(checkAccess(located->object, rights::kDelete, std::nullopt, requester, dnText, "delete it"));
  Pending p = begin();
  std::vector<Guid> written{located->object.guid};
  stageDelete(p, located->nc, located->object);
  DCEMU_RETURN_IF_ERROR(stageLinksToDeleted(p, written));
  return commitStaged(p, written);
}

Status Directory::removeTree(std::string_view dnText, const Principal& requester) {
  DCEMU_RETURN_IF_ERROR(refuseIfReadOnly(dnText));
  auto located = resolveText(dnText);
  if (!located) return located.status();
  DCEMU_RETURN_IF_ERROR(checkDeletable(*located, dnText));
  // Tree delete needs Delete-Tree on the root (MS-ADTS 3.1.1.5.5.3).
  DCEMU_RETURN_IF_ERROR(
      checkAccess(located->object, rights::kDeleteTree, std::nullopt, requester, dnText, "delete its tree"));
  // Breadth first from the root; deleted leaves first, so that each
  // object's lastKnownParent is its live parent.
  std::vector<Object> tree{located->object};
  for (size_t i = 0; i < tree.size(); ++i) {
    std::vector<Guid> children;
    store_.forEachChild(located->nc, tree[i].guid, [&](const Guid& child) { children.push_back(child); });
    for (const Guid& child : children) {
      auto c = store_.getObject(located->nc, child);
      if (!c) return c.status();
      if (c->has_value() && !isDeleted(**c)) tree.push_back(std::move(**c));
    }
  }
  Pending p = begin();
  std::vector<Guid> written;
  for (auto it = tree.rbegin(); it != tree.rend(); ++it) {
    stageDelete(p, located->nc, *it);
    written.push_back(it->guid);
  }
  DCEMU_RETURN_IF_ERROR(stageLinksToDeleted(p, written));
  return commitStaged(p, written);
}

// Values on other objects that target a deleted object (a group's member
// value for a deleted user) are made inactive in the same write, each with
// a stamp, so that they replicate and a reanimated object comes back
// without them, as in Windows (where an undeleted account must be put back
// in its groups). Samba does the same (repl_meta_data.c,
// replmd_delete_remove_link). Appends each source object to `written`.
Status Directory::stageLinksToDeleted(Pending& p, std::vector<Guid>& written) {
  std::set<Guid> deleted(written.begin(), written.end());
  std::map<Guid, std::vector<std::pair<uint32_t, Guid>>> bySource;  // ordered: deterministic USNs
  for (const Guid& target : deleted) {
    store_.forEachBackLink(target, [&](int linkId, const Guid& source) {
      const AttributeDef* forward = schema_.attributeByLinkId(linkId);
      if (forward && !deleted.count(source)) bySource[source].emplace_back(forward->id, target);
    });
  }
  for (const auto& [source, values] : bySource) {
    auto nc = namingContextOf(source);
    auto before = readByGuid(source);
    if (!nc || !before) continue;
    Object after = *before;
    bool changed = false;
    for (const auto& [attributeId, target] : values) {
      LinkEntry* link = after.findLink(attributeId, target);
      if (!link || !link->active) continue;
      link->active = false;
      stampLink(p, *link);
      changed = true;
    }
    if (!changed) continue;
    stage(p, *nc, after, &*before);
    written.push_back(source);
  }
  return Status::ok();
}

Status Directory::checkDeletable(const Located& located, std::string_view dnText) const {
  const Object& obj = located.object;
  if (isDeleted(obj)) return Status(LdapResult::noSuchObject, fmt::format("{}: already deleted", dnText));
  if (!obj.parent)
    return Status(LdapResult::unwillingToPerform, fmt::format("{}: a naming context head cannot be deleted", dnText));
  auto deletedObjects = deletedObjectsContainer(located.nc);
  if (!deletedObjects || *deletedObjects == obj.guid)
    return Status(LdapResult::unwillingToPerform, fmt::format("{}: objects here cannot be deleted", dnText));
  return Status::ok();
}

void Directory::stageDelete(Pending& p, NamingContext nc, const Object& obj) {
  Object after = obj;
  const IdsOf& ids = attributeIds();
  const ClassDef* cls = structuralClass(obj);
  // Strip what a tombstone does not keep (MS-ADTS 3.1.1.5.5.6.1); each
  // removal is a stamped change so that it replicates and wins over older
  // edits elsewhere.
  for (AttributeEntry& e : after.attributes) {
    const AttributeDef* def = schema_.attributeById(e.id);
    if (!def || keptOnTombstone(schema_, obj, *def) || e.values.empty()) continue;
    e.values.clear();
    stamp(p, e);
  }
  for (LinkEntry& link : after.links) {
    if (!link.active) continue;
    link.active = false;
    stampLink(p, link);
  }
  auto setOne = [&](uint32_t id, std::string value) {
    AttributeEntry& e = after.entry(id);
    e.values = {std::move(value)};
    stamp(p, e);
  };
  std::string tombstoneName = deletedName(*obj.firstValue(ids.name), obj.guid);
  setOne(ids.isDeleted, encodeBool(true));
  setOne(ids.lastKnownParent, std::string(obj.parent->asBytes()));
  setOne(ids.name, tombstoneName);
  if (cls) setOne(schema_.attribute(cls->rdnAttribute)->id, tombstoneName);
  after.parent = *deletedObjectsContainer(nc);
  stage(p, nc, after, &obj);
}

// MS-ADTS 3.1.1.5.3.7: isDeleted removed and the object moved to `newDn`
// in one originating update. What the delete stripped stays stripped; SAM
// sets an account's derived attributes again, as at add.
Status Directory::undelete(const Guid& guid, std::string_view newDnText, const Principal& requester) {
  DCEMU_RETURN_IF_ERROR(refuseIfReadOnly(newDnText));
  auto nc = namingContextOf(guid);
  auto tomb = readByGuid(guid);
  if (!nc || !tomb) return Status(LdapResult::noSuchObject, fmt::format("{}: no such object", guid.toString()));
  auto tombDn = dnOf(guid);
  std::string shown = tombDn ? *tombDn : guid.toString();
  if (!isDeleted(*tomb))
    return Status(LdapResult::unwillingToPerform, fmt::format("{}: the object is not deleted", shown));
  auto place = checkNewPlace(*tomb, *nc, shown, newDnText);
  if (!place) return place.status();
  const Dn* newDn = &place->dn;
  const Located* newParent = &place->parent;
  const ClassDef* cls = place->cls;
  if (store_.childByName(*nc, newParent->object.guid, newDn->rdn().value))
    return Status(LdapResult::entryAlreadyExists, fmt::format("{}: {} exists", shown, newDnText));
  const IdsOf& ids = attributeIds();
  if (const std::string* account = tomb->firstValue(ids.sAMAccountName); account && store_.guidByAccountName(*account))
    return Status(LdapResult::entryAlreadyExists, fmt::format("{}: sAMAccountName {} is in use", newDnText, *account));
  const std::optional<Guid>& headGuid = ncHeads_[static_cast<int>(*nc)];
  auto head = headGuid ? readByGuid(*headGuid) : Result<Object>(Status(LdapResult::noSuchObject, "no head"));
  if (!head) return head.status();
  DCEMU_RETURN_IF_ERROR(
      checkAccess(*head, rights::kControlAccess, reanimateTombstones(), requester, newDnText, "reanimate tombstones"));
  DCEMU_RETURN_IF_ERROR(checkAccess(newParent->object, rights::kCreateChild, schemaIdGuid(cls->oid), requester,
                                    newDnText, "create a " + cls->name + " here"));

  Pending p = begin();
  Object after = *tomb;
  auto setValues = [&](uint32_t id, std::vector<std::string> values) {
    AttributeEntry& e = after.entry(id);
    e.values = std::move(values);
    stamp(p, e);
  };
  setValues(ids.isDeleted, {});
  setValues(ids.name, {newDn->rdn().value});
  setValues(schema_.attribute(cls->rdnAttribute)->id, {newDn->rdn().value});
  after.parent = newParent->object.guid;
  if (isSecurityPrincipal(schema_, *cls)) {
    DCEMU_RETURN_IF_ERROR(setAccountDefaults(after, *cls, [&](uint32_t id, std::string v) {
      const std::string* current = after.firstValue(id);
      if (!current || *current != v) setValues(id, {std::move(v)});
    }));
  }
  return commit(p, *nc, after, &*tomb);
}

}  // namespace dcemu::dc
