// Directory: opening, naming, stamping and commit, and the add operation.
#include "dc/directory.h"

#include <fmt/format.h>

#include <algorithm>

#include "dc/directory_internal.h"
#include "dc/text.h"

namespace dcemu::dc {

bool Principal::holds(const Sid& sid) const {
  return std::find(sids.begin(), sids.end(), sid) != sids.end();
}

Directory::Directory(Store& store, const DirectoryOptions& options, Clock& clock, Rng& rng)
    : store_(store), options_(options), clock_(clock), rng_(rng), schema_(Schema::builtin()) {}

Result<std::unique_ptr<Directory>> Directory::open(Store& store, const DirectoryOptions& options, Clock& clock,
                                                   Rng& rng) {
  std::unique_ptr<Directory> dir(new Directory(store, options, clock, rng));
  // DC=corp,DC=example,DC=com; configuration and schema below it, as AD names them.
  std::vector<Rdn> domain;
  std::string_view rest = options.domainDnsName;
  while (!rest.empty()) {
    size_t dot = rest.find('.');
    std::string_view label = rest.substr(0, dot);
    if (label.empty()) {
      return Status(LdapResult::invalidDnSyntax,
                    fmt::format("domain name \"{}\" has an empty label", options.domainDnsName));
    }
    domain.push_back(Rdn{"DC", std::string(label)});
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  }
  if (domain.empty()) return Status(LdapResult::invalidDnSyntax, "domain name is empty");
  Dn domainDn(domain);
  Dn configDn = domainDn.child(Rdn{"CN", "Configuration"});
  dir->ncDns_[static_cast<int>(NamingContext::Domain)] = domainDn;
  dir->ncDns_[static_cast<int>(NamingContext::Configuration)] = configDn;
  dir->ncDns_[static_cast<int>(NamingContext::Schema)] = configDn.child(Rdn{"CN", "Schema"});
  DCEMU_RETURN_IF_ERROR(dir->loadState());
  // Propagation events a stop left queued.
  DCEMU_RETURN_IF_ERROR(dir->propagateSecurityDescriptors());
  return dir;
}

Status Directory::loadState() {
  auto invocation = store_.getState(state_keys::kInvocationId);
  if (invocation && invocation->size() == 16) {
    invocationId_ = Guid::fromBytes(*invocation);
  } else {
    // A new database: its identity is fixed now, in the same write as the
    // first USN, so a crash cannot leave one without the other.
    invocationId_ = Guid::random(rng_);
    WriteBatch batch = store_.newBatch();
    batch.putState(state_keys::kInvocationId, invocationId_.asBytes());
    batch.putState(state_keys::kNextUsn, encodeUsn(1));
    DCEMU_RETURN_IF_ERROR(store_.write(batch));
  }
  auto next = store_.getState(state_keys::kNextUsn);
  if (!next || next->size() != 8) return Status(LdapResult::other, "store: the USN counter is missing");
  nextUsn_ = decodeUsn(*next);
  if (auto sid = store_.getState(state_keys::kDomainSid)) domainSid_ = Sid::fromBytes(*sid);
  nextRid_ = kFirstRid + kRidPoolSize * options_.ridPoolIndex;
  if (auto rid = store_.getState(state_keys::kNextRid); rid && rid->size() == 8) {
    uint64_t both = decodeUsn(*rid);
    if (static_cast<uint32_t>(both >> 32) == options_.ridPoolIndex) nextRid_ = static_cast<uint32_t>(both);
  }
  for (int i = 0; i < kNamingContextCount; ++i) {
    auto head = store_.getState(state_keys::ncHead(static_cast<NamingContext>(i)));
    if (head && head->size() == 16) ncHeads_[i] = Guid::fromBytes(*head);
  }
  return Status::ok();
}

std::optional<NamingContext> Directory::namingContextOfDn(const Dn& dn) const {
  for (NamingContext nc : {NamingContext::Schema, NamingContext::Configuration, NamingContext::Domain}) {
    if (dn.isWithin(ncDns_[static_cast<int>(nc)])) return nc;
  }
  return std::nullopt;
}

Result<Directory::Located> Directory::resolve(const Dn& dn) const {
  auto nc = namingContextOfDn(dn);
  if (!nc || !ncHeads_[static_cast<int>(*nc)]) {
    return Status(LdapResult::noSuchObject, fmt::format("{}: not in a naming context this DC holds", dn.toString()));
  }
  Guid current = *ncHeads_[static_cast<int>(*nc)];
  std::vector<Rdn> relative = dn.relativeTo(ncDns_[static_cast<int>(*nc)]);
  // Walk down from the head. Only the last RDN's attribute type is checked
  // against the object's class; the names above it identify the path.
  for (auto it = relative.rbegin(); it != relative.rend(); ++it) {
    auto child = store_.childByName(*nc, current, it->value);
    if (!child) return Status(LdapResult::noSuchObject, fmt::format("{}: no such object", dn.toString()));
    current = *child;
  }
  auto obj = store_.getObject(*nc, current);
  if (!obj) return obj.status();
  if (!obj->has_value()) return Status(LdapResult::noSuchObject, fmt::format("{}: no such object", dn.toString()));
  if (!relative.empty()) {
    const ClassDef* cls = structuralClass(**obj);
    if (cls && !iequals(cls->rdnAttribute, relative.front().type))
      return Status(LdapResult::noSuchObject, fmt::format("{}: no such object", dn.toString()));
  }
  return Located{*nc, std::move(**obj)};
}

Result<Directory::Located> Directory::resolveText(std::string_view dn) const {
  auto parsed = Dn::parse(dn);
  if (!parsed) return parsed.status();
  return resolve(*parsed);
}

Status Directory::refuseIfReadOnly(std::string_view dn) const {
  if (!options_.readOnly) return Status::ok();
  // An RODC answers writes with a referral to a writable DC.
  return Status(LdapResult::referral, fmt::format("{}: this DC is read-only; write to a writable DC", dn));
}

Directory::Pending Directory::begin() {
  int64_t now = clock_.nowMicros();
  return Pending{nextUsn_, now, floorSeconds(now), store_.newBatch()};
}

void Directory::originate(Pending& p, Stamp& stamp, uint64_t& localUsn) const {
  stamp.version += 1;
  stamp.originatingTime = p.nowSeconds;
  stamp.originatingInvocationId = invocationId_;
  stamp.originatingUsn = p.usn;
  localUsn = p.usn;
}

void Directory::stage(Pending& p, NamingContext nc, Object& after, const Object* before) {
  after.usnChanged = p.usn;
  after.whenChanged = p.nowMicros;
  if (causesPropagation(after, before)) {
    queuePropagation(p.batch, after.guid);
    p.propagates = true;
  }
  p.batch.putObject(nc, after, before);
  if (observes(after.guid)) keepWatched(p.watched, after);
  ++p.usn;  // another object in the same write takes the next USN
}

Status Directory::commitStaged(Pending& p, std::span<const Guid> written) {
  if (written.empty()) return Status::ok();
  p.batch.putState(state_keys::kNextUsn, encodeUsn(p.usn));
  DCEMU_RETURN_IF_ERROR(store_.write(p.batch));
  nextUsn_ = p.usn;
  if (p.nextRid) nextRid_ = *p.nextRid;
  tellObserver(written, p.watched, false);
  if (p.propagates) return propagateSecurityDescriptors();
  return Status::ok();
}

void Directory::tellObserver(std::span<const Guid> written, const std::vector<Object>& watched, bool replicated) const {
  if (watched.empty()) return;
  for (const Guid& guid : written) {
    for (const Object& obj : watched) {
      if (obj.guid == guid) writeObserver_.written(obj, replicated);
    }
  }
}

Status Directory::commit(Pending& p, NamingContext nc, Object& after, const Object* before) {
  stage(p, nc, after, before);
  return commitStaged(p, std::span<const Guid>(&after.guid, 1));
}

Result<std::vector<std::string>> Directory::encodeAll(const AttributeDef& attr, const std::vector<std::string>& texts,
                                                      std::string_view dn) const {
  ValueContext context = valueContext();
  std::vector<std::string> encoded;
  for (const std::string& text : texts) {
    auto bytes = encodeValue(attr, text, context, dn);
    if (!bytes) return bytes.status();
    for (const std::string& seen : encoded) {
      if (valuesEqual(attr, seen, *bytes))
        return Status(LdapResult::attributeOrValueExists,
                      fmt::format("{}: {} value \"{}\" given twice", dn, attr.name, text));
    }
    encoded.push_back(std::move(*bytes));
  }
  return encoded;
}

uint32_t Directory::ridAfter(uint32_t rid) const {
  uint32_t next = rid + 1;
  if ((next - kFirstRid) % kRidPoolSize != 0) return next;
  // The end of a pool: the next of this DC's, ridPoolCount pools on.
  return next + kRidPoolSize * (options_.ridPoolCount - 1);
}

Result<Sid> Directory::allocateSid(Pending& p) {
  if (!domainSid_) return Status(LdapResult::unwillingToPerform, "the domain has no SID yet");
  // RIDs are 30 bits (MS-ADTS 3.1.1.1.3's RID limit); a SID already in use
  // (provisioned with a fixed one) is skipped.
  constexpr uint32_t kRidLimit = (1u << 30) - 1;
  for (uint32_t rid = p.nextRid.value_or(nextRid_); rid < kRidLimit; rid = ridAfter(rid)) {
    Sid sid = domainSid_->withRid(rid);
    if (store_.guidBySid(sid)) continue;
    p.nextRid = ridAfter(rid);
    p.batch.putState(state_keys::kNextRid,
                     encodeUsn((static_cast<uint64_t>(options_.ridPoolIndex) << 32) | *p.nextRid));
    return sid;
  }
  return Status(LdapResult::unavailable, "the domain's RIDs are exhausted");
}

bool isSecurityPrincipal(const Schema& schema, const ClassDef& cls) {
  return schema.isA(cls, "user") || schema.isA(cls, "group");
}

Result<Guid> Directory::add(std::string_view dnText, const std::vector<AttributeInput>& attributes,
                            const Principal& requester) {
  DCEMU_RETURN_IF_ERROR(refuseIfReadOnly(dnText));
  auto dn = Dn::parse(dnText);
  if (!dn) return dn.status();
  if (dn->depth() < 2)
    return Status(LdapResult::unwillingToPerform, fmt::format("{}: not below a naming context", dnText));
  auto parent = resolve(dn->parent());
  if (!parent) {
    return Status(LdapResult::noSuchObject,
                  fmt::format("{}: parent {} does not exist", dnText, dn->parent().toString()));
  }
  if (isDeleted(parent->object)) return Status(LdapResult::noSuchObject, fmt::format("{}: parent is deleted", dnText));
  const Rdn& rdn = dn->rdn();
  if (store_.childByName(parent->nc, parent->object.guid, rdn.value))
    return Status(LdapResult::entryAlreadyExists, fmt::format("{}: an object with this name exists", dnText));

  // objectClass: the most specific structural class given.
  const ClassDef* cls = nullptr;
  for (const AttributeInput& in : attributes) {
    if (!iequals(in.name, "objectClass")) continue;
    for (const std::string& name : in.values) {
      const ClassDef* c = schema_.objectClass(trim(name));
      if (!c) return Status(LdapResult::objectClassViolation, fmt::format("{}: unknown objectClass {}", dnText, name));
      if (c->category == ClassCategory::Structural && (!cls || schema_.isA(*c, cls->name))) cls = c;
    }
  }
  if (!cls) return Status(LdapResult::objectClassViolation, fmt::format("{}: no structural objectClass given", dnText));
  if (!options_.dmsaClass && cls->name == "msDS-DelegatedManagedServiceAccount")
    return Status(LdapResult::objectClassViolation,
                  fmt::format("{}: the forest's schema has no class {} (Windows Server 2025's schema, adprep "
                              "/forestprep)",
                              dnText, cls->name));
  const ClassDef* parentClass = structuralClass(parent->object);
  if (!parentClass || !schema_.canContain(*parentClass, *cls)) {
    return Status(LdapResult::namingViolation, fmt::format("{}: a {} cannot be created under a {}", dnText, cls->name,
                                                           parentClass ? parentClass->name : "?"));
  }
  if (!iequals(cls->rdnAttribute, rdn.type)) {
    return Status(LdapResult::namingViolation,
                  fmt::format("{}: the RDN of a {} is {}, not {}", dnText, cls->name, cls->rdnAttribute, rdn.type));
  }
  const ClassDef* nameClass = cls;
  DCEMU_RETURN_IF_ERROR(checkAccess(parent->object, rights::kCreateChild, schemaIdGuid(nameClass->oid), requester,
                                    dnText, "create a " + cls->name + " here"));

  Pending p = begin();
  Object obj;
  obj.parent = parent->object.guid;
  obj.usnCreated = p.usn;

  auto setValues = [&](const AttributeDef& attr, std::vector<std::string> values) {
    AttributeEntry& e = obj.entry(attr.id);
    e.values = std::move(values);
    stamp(p, e);
  };

  for (const AttributeInput& in : attributes) {
    const AttributeDef* attr = schema_.attribute(in.name);
    if (!attr)
      return Status(LdapResult::undefinedAttributeType,
                    fmt::format("{}: no attribute {} in the schema", dnText, in.name));
    if (iequals(attr->name, "objectClass")) continue;
    if (attr->constructed || attr->isBackLink() || directorySetsItself(*attr, requester.system)) {
      return Status(LdapResult::constraintViolation, fmt::format("{}: {} is set by the directory", dnText, attr->name));
    }
    if (!schema_.allows(*cls, *attr)) {
      return Status(LdapResult::objectClassViolation,
                    fmt::format("{}: a {} may not have {}", dnText, cls->name, attr->name));
    }
    if (in.values.empty()) continue;
    if (attr->singleValued && in.values.size() > 1) {
      return Status(LdapResult::constraintViolation, fmt::format("{}: {} is single-valued", dnText, attr->name));
    }
    if (iequals(attr->name, rdn.type) && !(in.values.size() == 1 && iequals(in.values[0], rdn.value))) {
      return Status(LdapResult::notAllowedOnRdn, fmt::format("{}: {} must equal the RDN", dnText, attr->name));
    }
    auto encodedValues = encodeAll(*attr, in.values, dnText);
    if (!encodedValues) return encodedValues.status();
    std::vector<std::string>& encoded = *encodedValues;
    if (attr->isForwardLink()) {
      for (const std::string& target : encoded) {
        LinkEntry& link = obj.link(attr->id, Guid::fromBytes(target));
        link.timeCreated = p.nowSeconds;
        stampLink(p, link);
      }
    } else {
      setValues(*attr, std::move(encoded));
    }
  }

  // What the directory sets itself.
  const IdsOf& ids = attributeIds();
  // A fresh random GUID, not looked up among the DC's objects: for an
  // originating add "a new objectGUID value is generated" (MS-ADTS
  // 3.1.1.5.2.4), a UUID, and a 122-bit draw repeats no earlier one.
  obj.guid = Guid::random(rng_);
  std::vector<std::string> classValues;
  for (const ClassDef* c : schema_.classChain(*cls)) classValues.insert(classValues.begin(), encodeInt32(c->id));
  setValues(*schema_.attributeById(ids.objectClass), std::move(classValues));
  setValues(*schema_.attributeById(ids.objectGuid), {std::string(obj.guid.asBytes())});
  setValues(*schema_.attributeById(ids.name), {rdn.value});
  setValues(*schema_.attribute(cls->rdnAttribute), {rdn.value});
  setValues(*schema_.attributeById(ids.whenCreated), {encodeInt64(p.nowSeconds)});
  if (!obj.find(ids.instanceType)) setValues(*schema_.attributeById(ids.instanceType), {encodeInt32(4)});
  if (!obj.find(ids.objectCategory))
    setValues(*schema_.attributeById(ids.objectCategory), {defaultObjectCategory(schema_, *cls)});
  // Given or the class's default, with what the parent passes down
  // (MS-ADTS 6.1.3.3: inherited ACEs a client sends are computed afresh).
  setValues(*schema_.attributeById(ids.nTSecurityDescriptor),
            {newObjectSecurityDescriptor(&parent->object, *cls, obj.firstValue(ids.nTSecurityDescriptor))});
  if (isSecurityPrincipal(schema_, *cls)) {
    if (!obj.find(ids.objectSid)) {
      auto sid = allocateSid(p);
      if (!sid) return sid.status();
      setValues(*schema_.attributeById(ids.objectSid), {sid->toBytes()});
    } else if (auto sid = Sid::fromBytes(*obj.firstValue(ids.objectSid)); sid && store_.guidBySid(*sid)) {
      return Status(LdapResult::entryAlreadyExists, fmt::format("{}: objectSid {} is in use", dnText, sid->toString()));
    }
    if (!obj.find(ids.sAMAccountName)) {
      // AD's generated name for an account added without one.
      std::string generated = fmt::format("${:06X}-{:012X}", rng_.next() & 0xffffff, rng_.next() & 0xffffffffffffULL);
      setValues(*schema_.attributeById(ids.sAMAccountName), {generated});
    } else if (store_.guidByAccountName(*obj.firstValue(ids.sAMAccountName))) {
      return Status(LdapResult::entryAlreadyExists,
                    fmt::format("{}: sAMAccountName {} is in use", dnText, *obj.firstValue(ids.sAMAccountName)));
    }
    DCEMU_RETURN_IF_ERROR(setAccountDefaults(
        obj, *cls, [&](uint32_t id, std::string v) { setValues(*schema_.attributeById(id), {std::move(v)}); }));
  }
  DCEMU_RETURN_IF_ERROR(checkMustContain(obj, *cls, dnText));
  for (const LinkEntry& link : obj.links) {
    auto target = readByGuid(link.target);
    if (!target || isDeleted(*target))
      return Status(LdapResult::noSuchObject, fmt::format("{}: a link target does not exist", dnText));
  }
  DCEMU_RETURN_IF_ERROR(commit(p, parent->nc, obj, nullptr));
  return obj.guid;
}

Status Directory::checkMustContain(const Object& obj, const ClassDef& cls, std::string_view dn) const {
  for (uint32_t id : cls.mustIds) {
    const AttributeDef* attr = schema_.attributeById(id);
    bool present = attr->isLinked() ? std::any_of(obj.links.begin(), obj.links.end(),
                                                  [&](const LinkEntry& l) { return l.attributeId == id && l.active; })
                                    : obj.values(id) != nullptr;
    if (!present)
      return Status(LdapResult::objectClassViolation, fmt::format("{}: a {} must have {}", dn, cls.name, attr->name));
  }
  return Status::ok();
}

Result<Guid> Directory::createNamingContextHead(NamingContext nc, std::string_view objectClass,
                                                const std::vector<AttributeInput>& attributes) {
  const Dn& dn = ncDns_[static_cast<int>(nc)];
  if (ncHeads_[static_cast<int>(nc)])
    return Status(LdapResult::entryAlreadyExists, fmt::format("{}: the naming context exists", dn.toString()));
  const ClassDef* cls = schema_.objectClass(objectClass);
  if (!cls) return Status(LdapResult::objectClassViolation, fmt::format("unknown objectClass {}", objectClass));
  Pending p = begin();
  Object obj;
  obj.guid = Guid::random(rng_);
  obj.usnCreated = p.usn;
  const IdsOf& ids = attributeIds();
  auto setValues = [&](uint32_t id, std::vector<std::string> values) {
    AttributeEntry& e = obj.entry(id);
    e.values = std::move(values);
    stamp(p, e);
  };
  std::vector<std::string> classValues;
  for (const ClassDef* c : schema_.classChain(*cls)) classValues.insert(classValues.begin(), encodeInt32(c->id));
  setValues(ids.objectClass, std::move(classValues));
  setValues(ids.objectGuid, {std::string(obj.guid.asBytes())});
  setValues(ids.name, {dn.rdn().value});
  setValues(schema_.attribute(cls->rdnAttribute)->id, {dn.rdn().value});
  setValues(ids.whenCreated, {encodeInt64(p.nowSeconds)});
  setValues(ids.instanceType, {encodeInt32(5)});  // NC head, writable
  setValues(ids.objectCategory, {defaultObjectCategory(schema_, *cls)});
  for (const AttributeInput& in : attributes) {
    const AttributeDef* attr = schema_.attribute(in.name);
    if (!attr) return Status(LdapResult::undefinedAttributeType, fmt::format("no attribute {} in the schema", in.name));
    auto encoded = encodeAll(*attr, in.values, dn.toString());
    if (!encoded) return encoded.status();
    setValues(attr->id, std::move(*encoded));
  }
  if (nc == NamingContext::Domain) {
    if (const std::string* sid = obj.firstValue(ids.objectSid)) {
      domainSid_ = Sid::fromBytes(*sid);
      p.batch.putState(state_keys::kDomainSid, *sid);
    }
  }
  // After the domain SID: the default owner is the domain's Domain Admins.
  setValues(ids.nTSecurityDescriptor,
            {newObjectSecurityDescriptor(nullptr, *cls, obj.firstValue(ids.nTSecurityDescriptor))});
  p.batch.putState(state_keys::ncHead(nc), obj.guid.asBytes());
  DCEMU_RETURN_IF_ERROR(commit(p, nc, obj, nullptr));
  ncHeads_[static_cast<int>(nc)] = obj.guid;
  return obj.guid;
}

}  // namespace dcemu::dc
