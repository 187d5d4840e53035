// Directory: reads, constructed attributes, metadata and tokens.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "dc/directory.h"
#include "dc/directory_internal.h"
#include "dc/text.h"
#include "dc/tombstone.h"

namespace dcemu::dc {

bool Directory::isDeleted(const Object& obj) const {
  return isTombstone(obj);
}

const ClassDef* structuralClassOf(const Schema& schema, const Object& obj) {
  const auto* classes = obj.values(attributeIds().objectClass);
  if (!classes || classes->empty()) return nullptr;
  // Values run from top to the most specific class.
  return schema.classById(static_cast<uint32_t>(decodeInteger(classes->back())));
}

const AttributeDef* rdnAttributeOf(const Schema& schema, const Object& obj) {
  const ClassDef* cls = structuralClassOf(schema, obj);
  return cls ? schema.attribute(cls->rdnAttribute) : nullptr;
}

const ClassDef* Directory::structuralClass(const Object& obj) const {
  return structuralClassOf(schema_, obj);
}

std::optional<NamingContext> Directory::namingContextOf(const Guid& guid) const {
  for (NamingContext nc : {NamingContext::Domain, NamingContext::Configuration, NamingContext::Schema}) {
    auto obj = store_.getObject(nc, guid);
    if (obj && obj->has_value()) return nc;
  }
  return std::nullopt;
}

Result<Object> Directory::readByGuid(const Guid& guid) const {
  for (NamingContext nc : {NamingContext::Domain, NamingContext::Configuration, NamingContext::Schema}) {
    auto obj = store_.getObject(nc, guid);
    if (!obj) return obj.status();
    if (obj->has_value()) return std::move(**obj);
  }
  return Status(LdapResult::noSuchObject, fmt::format("<GUID={}>: no such object", guid.toString()));
}

Result<std::shared_ptr<const Object>> Directory::viewByGuid(const Guid& guid) const {
  for (NamingContext nc : {NamingContext::Domain, NamingContext::Configuration, NamingContext::Schema}) {
    auto obj = store_.getShared(nc, guid);
    if (!obj) return obj.status();
    if (*obj) return std::move(*obj);
  }
  return Status(LdapResult::noSuchObject, fmt::format("<GUID={}>: no such object", guid.toString()));
}

Result<Object> Directory::read(std::string_view dn) const {
  auto located = resolveText(dn);
  if (!located) return located.status();
  return std::move(located->object);
}

Result<std::string> Directory::dnOf(const Guid& guid) const {
  std::vector<Rdn> rdns;
  std::optional<Guid> current = guid;
  while (current) {
    auto view = viewByGuid(*current);
    if (!view) return view.status();
    const Object* obj = view->get();
    if (!obj->parent) {
      for (int i = 0; i < kNamingContextCount; ++i) {
        if (ncHeads_[i] == obj->guid) {
          Dn dn = ncDns_[i];
          for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) dn = dn.child(*it);
          return dn.toString();
        }
      }
      return Status(LdapResult::noSuchObject, fmt::format("<GUID={}>: not under a naming context", guid.toString()));
    }
    const ClassDef* cls = structuralClass(*obj);
    const std::string* name = obj->firstValue(attributeIds().name);
    if (!cls || !name)
      return Status(LdapResult::other, fmt::format("<GUID={}>: object has no name", obj->guid.toString()));
    std::string type = toUpperAscii(cls->rdnAttribute);
    rdns.push_back(Rdn{type, *name});
    current = obj->parent;
    if (rdns.size() > 64) return Status(LdapResult::other, "parent chain loops");
  }
  return Status(LdapResult::noSuchObject, "unreachable");
}

Result<Guid> Directory::guidOfDn(const Dn& dn) const {
  auto located = resolve(dn);
  if (!located) return located.status();
  if (isDeleted(located->object))
    return Status(LdapResult::noSuchObject, fmt::format("{}: the object is deleted", dn.toString()));
  return located->object.guid;
}

TrusteeResolver Directory::trusteeResolver() const {
  TrusteeResolver r;
  r.domainSid = domainSid_;
  r.sidOfName = [this](std::string_view name) -> std::optional<Sid> {
    auto guid = store_.guidByAccountName(name);
    if (!guid) return std::nullopt;
    auto obj = readByGuid(*guid);
    const std::string* sid = obj ? obj->firstValue(attributeIds().objectSid) : nullptr;
    return sid ? Sid::fromBytes(*sid) : std::nullopt;
  };
  r.nameOfSid = [this](const Sid& sid) -> std::optional<std::string> {
    auto guid = store_.guidBySid(sid);
    if (!guid) return std::nullopt;
    auto obj = readByGuid(*guid);
    const std::string* name = obj ? obj->firstValue(attributeIds().sAMAccountName) : nullptr;
    return name ? std::optional<std::string>(*name) : std::nullopt;
  };
  return r;
}

ValueContext Directory::valueContext() const {
  ValueContext context;
  context.trustees = trusteeResolver();
  context.guidOfDn = [this](const Dn& dn) { return guidOfDn(dn); };
  context.dnOfGuid = [this](const Guid& guid) -> std::optional<std::string> {
    auto dn = dnOf(guid);
    return dn ? std::optional<std::string>(*dn) : std::nullopt;
  };
  context.schemaDn = namingContextDn(NamingContext::Schema).toString();
  return context;
}

Result<std::vector<std::string>> Directory::values(const Object& obj, std::string_view attribute) const {
  const AttributeDef* attr = schema_.attribute(attribute);
  if (!attr) return Status(LdapResult::undefinedAttributeType, fmt::format("no attribute {} in the schema", attribute));
  std::vector<std::string> out;
  if (attr->name == "distinguishedName") {
    auto dn = dnOf(obj.guid);
    if (!dn) return dn.status();
    out.push_back(*dn);
  } else if (attr->name == "uSNCreated") {
    out.push_back(std::to_string(obj.usnCreated));
  } else if (attr->name == "uSNChanged") {
    out.push_back(std::to_string(obj.usnChanged));
  } else if (attr->name == "whenChanged") {
    out.push_back(formatGeneralizedTime(floorSeconds(obj.whenChanged)));
  } else if (attr->isForwardLink()) {
    for (const LinkEntry* link : visibleLinks(obj, *attr)) {
      if (auto dn = dnOf(link->target)) out.push_back(*dn);
    }
  } else if (attr->isBackLink()) {
    if (isDeleted(obj)) return out;
    const AttributeDef* forward = schema_.attributeByLinkId(attr->linkId - 1);
    std::vector<Guid> sources;
    store_.forEachBackLink(obj.guid, [&](int linkId, const Guid& source) {
      if (linkId == attr->linkId - 1) sources.push_back(source);
    });
    for (const Guid& source : sources) {
      auto src = readByGuid(source);
      if (!src || !forward) continue;
      auto visible = visibleLinks(*src, *forward);
      if (std::none_of(visible.begin(), visible.end(), [&](const LinkEntry* l) { return l->target == obj.guid; }))
        continue;
      if (auto dn = dnOf(source)) out.push_back(*dn);
    }
  } else if (const auto* stored = obj.values(attr->id)) {
    ValueContext context = valueContext();
    for (const std::string& bytes : *stored) out.push_back(formatValue(*attr, bytes, context));
  }
  return out;
}

std::optional<int64_t> Directory::integer(const Object& obj, std::string_view attribute) const {
  const AttributeDef* attr = schema_.attribute(attribute);
  const std::string* bytes = attr ? obj.firstValue(attr->id) : nullptr;
  if (!bytes) return std::nullopt;
  return decodeInteger(*bytes);
}

std::optional<Guid> Directory::linkTarget(const Object& obj, std::string_view attribute) const {
  const AttributeDef* attr = schema_.attribute(attribute);
  if (!attr) return std::nullopt;
  auto links = visibleLinks(obj, *attr);
  if (links.empty()) return std::nullopt;
  return links.front()->target;
}

std::optional<Sid> Directory::objectSid(const Object& obj) const {
  const std::string* bytes = obj.firstValue(attributeIds().objectSid);
  return bytes ? Sid::fromBytes(*bytes) : std::nullopt;
}

std::vector<std::string> Directory::childrenOf(std::string_view dn) const {
  std::vector<std::string> out;
  auto located = resolveText(dn);
  if (!located) return out;
  store_.forEachChild(located->nc, located->object.guid, [&](const Guid& child) {
    if (auto childDn = dnOf(child)) out.push_back(*childDn);
  });
  return out;
}

Status Directory::changesSince(NamingContext nc, uint64_t usn, const std::function<bool(const Object&)>& fn) const {
  return store_.forEachChangeSince(nc, usn, fn);
}

Result<std::vector<AttributeMetadata>> Directory::attributeMetadata(std::string_view dn) const {
  auto located = resolveText(dn);
  if (!located) return located.status();
  std::vector<AttributeMetadata> rows;
  for (const AttributeEntry& e : located->object.attributes) {
    const AttributeDef* def = schema_.attributeById(e.id);
    rows.push_back({def ? def->name : fmt::format("0x{:x}", e.id), e.localUsn, e.stamp});
  }
  return rows;
}

std::vector<const LinkEntry*> Directory::visibleLinks(const Object& obj, const AttributeDef& attr) const {
  std::vector<const LinkEntry*> out;
  if (isDeleted(obj)) return out;
  for (const LinkEntry& link : obj.links) {
    if (link.attributeId != attr.id || !link.active) continue;
    auto target = readByGuid(link.target);
    if (!target || isDeleted(*target)) continue;
    if (attr.singleValued && !out.empty()) {
      if (compareLinkStamps(link, *out[0]) > 0) out[0] = &link;
      continue;
    }
    out.push_back(&link);
  }
  return out;
}

Result<std::vector<LinkMetadata>> Directory::linkMetadata(std::string_view dn) const {
  auto located = resolveText(dn);
  if (!located) return located.status();
  const Object& obj = located->object;
  std::vector<LinkMetadata> rows;
  std::vector<const LinkEntry*> shown;  // of the current attribute: links are sorted by attribute
  for (size_t i = 0; i < obj.links.size(); ++i) {
    const LinkEntry& l = obj.links[i];
    const AttributeDef* def = schema_.attributeById(l.attributeId);
    if (i == 0 || obj.links[i - 1].attributeId != l.attributeId)
      shown = def ? visibleLinks(obj, *def) : std::vector<const LinkEntry*>();
    auto target = dnOf(l.target);
    bool visible = std::find(shown.begin(), shown.end(), &l) != shown.end();
    rows.push_back({def ? def->name : fmt::format("0x{:x}", l.attributeId),
                    target ? *target : "<GUID=" + l.target.toString() + ">", visible, l.active, l.timeCreated,
                    l.localUsn, l.stamp});
  }
  return rows;
}

Result<std::vector<Sid>> Directory::tokenSids(const Guid& account) const {
  auto view = viewByGuid(account);
  if (!view) return view.status();
  const Object* obj = view->get();
  const IdsOf& ids = attributeIds();
  std::vector<Sid> sids;
  if (const std::string* sid = obj->firstValue(ids.objectSid)) {
    if (auto s = Sid::fromBytes(*sid)) sids.push_back(*s);
  }
  if (const std::string* primary = obj->firstValue(ids.primaryGroupID); primary && domainSid_) {
    sids.push_back(domainSid_->withRid(static_cast<uint32_t>(decodeInteger(*primary))));
  }
  // Groups holding the account in `member`, transitively (member's link ID is 2).
  std::set<Guid> seen{account};
  std::vector<Guid> frontier{account};
  while (!frontier.empty()) {
    Guid next = frontier.back();
    frontier.pop_back();
    std::vector<Guid> groups;
    store_.forEachBackLink(next, [&](int linkId, const Guid& source) {
      if (linkId == 2) groups.push_back(source);
    });
    for (const Guid& g : groups) {
      if (!seen.insert(g).second) continue;
      auto group = viewByGuid(g);
      if (!group || isDeleted(**group)) continue;
      if (const std::string* sid = (*group)->firstValue(ids.objectSid)) {
        if (auto s = Sid::fromBytes(*sid)) sids.push_back(*s);
      }
      frontier.push_back(g);
    }
  }
  std::sort(sids.begin(), sids.end());
  sids.erase(std::unique(sids.begin(), sids.end()), sids.end());
  return sids;
}

std::optional<Guid> Directory::deletedObjectsContainer(NamingContext nc) const {
  const auto& head = ncHeads_[static_cast<int>(nc)];
  if (!head) return std::nullopt;
  return store_.childByName(nc, *head, deletedObjectsName());
}

std::string_view Directory::lostAndFoundName(NamingContext nc) {
  return nc == NamingContext::Domain ? "LostAndFound" : "LostAndFoundConfig";
}

}  // namespace dcemu::dc
