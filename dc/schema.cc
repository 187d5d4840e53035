#include "dc/schema.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "dc/schema_table.h"
#include "dc/text.h"

namespace dcemu::dc {
namespace {

// MS-DRSR 5.16.4: the prefixes every DC's prefix table starts with, in order.
constexpr std::string_view kDefaultPrefixes[] = {
    "2.5.4",
    "2.5.6",
    "1.2.840.113556.1.2",
    "1.2.840.113556.1.3",
    "2.16.840.1.101.2.2.1",
    "2.16.840.1.101.2.2.3",
    "2.16.840.1.101.2.1.5",
    "2.16.840.1.101.2.1.4",
    "2.5.5",
    "1.2.840.113556.1.4",
    "1.2.840.113556.1.5",
    "1.2.840.113556.1.4.260",
    "1.2.840.113556.1.5.56",
    "1.2.840.113556.1.4.262",
    "1.2.840.113556.1.5.57",
    "1.2.840.113556.1.4.263",
    "1.2.840.113556.1.5.58",
    "1.2.840.113556.1.5.73",
    "1.2.840.113556.1.4.305",
    "0.9.2342.19200300.100",
    "2.16.840.1.113730.3",
    "0.9.2342.19200300.100.1",
    "2.16.840.1.113730.3.1",
    "1.2.840.113556.1.5.7000",
    "2.5.21",
    "2.5.18",
    "2.5.20",
    // Beyond the defaults a DC extends its table as new prefixes appear;
    // these are the ones the published schema's attributes use (appended,
    // so that stored ATTRTYPs keep their meaning).
    "0.9.2342.19200300.100.2",
    "1.2.840.113556.1.6.13.3",
    "1.2.840.113556.1.6.18.1",
    "1.3.6.1.1.1.1",
    "1.3.6.1.1.1.2",
    "1.3.6.1.4.1.250.1",
};

}  // namespace

std::string_view syntaxName(Syntax syntax) {
  switch (syntax) {
    case Syntax::Boolean: return "Boolean";
    case Syntax::Integer: return "Integer";
    case Syntax::LargeInteger: return "LargeInteger";
    case Syntax::UnicodeString: return "Unicode string";
    case Syntax::OctetString: return "Octet string";
    case Syntax::Sid: return "SID";
    case Syntax::GeneralizedTime: return "Generalized time";
    case Syntax::Dn: return "DN";
    case Syntax::ObjectIdentifier: return "Object identifier";
    case Syntax::SecurityDescriptor: return "NT security descriptor";
    case Syntax::String: return "String";
    case Syntax::ObjectCategory: return "DN of a class";
  }
  return "unknown";
}

std::optional<uint32_t> Schema::attrTypOf(std::string_view oid) {
  size_t lastDot = oid.rfind('.');
  if (lastDot == std::string_view::npos) return std::nullopt;
  std::string_view prefix = oid.substr(0, lastDot);
  std::string_view arc = oid.substr(lastDot + 1);
  uint32_t last = 0;
  auto [end, ec] = std::from_chars(arc.data(), arc.data() + arc.size(), last);
  if (ec != std::errc() || end != arc.data() + arc.size() || last > 0xffff) return std::nullopt;
  for (size_t i = 0; i < std::size(kDefaultPrefixes); ++i) {
    if (kDefaultPrefixes[i] == prefix) return static_cast<uint32_t>(i << 16 | last);
  }
  return std::nullopt;
}

const Schema& Schema::builtin() {
  static const Schema schema(builtinAttributes(), builtinClasses());
  return schema;
}

std::string Schema::key(std::string_view name) {
  return toLower(name);
}

Schema::Schema(std::vector<AttributeDef> attributes, std::vector<ClassDef> classes)
    : attributes_(std::move(attributes)), classes_(std::move(classes)) {
  // A malformed built-in table is a bug, so it is an exception, not a Status.
  auto idOf = [](const std::string& oid, const std::string& name) {
    auto id = attrTypOf(oid);
    if (!id) throw std::logic_error("schema: no ATTRTYP for " + name + " (" + oid + ")");
    return *id;
  };
  for (size_t i = 0; i < attributes_.size(); ++i) {
    AttributeDef& a = attributes_[i];
    a.id = idOf(a.oid, a.name);
    if (!attributeById_.emplace(a.id, i).second) throw std::logic_error("schema: duplicate id " + a.name);
    if (!attributeByName_.emplace(key(a.name), i).second) throw std::logic_error("schema: duplicate name " + a.name);
    for (const auto& alias : a.aliases) attributeByName_.emplace(key(alias), i);
    if (a.linkId != 0) attributeByLinkId_.emplace(a.linkId, i);
  }
  for (size_t i = 0; i < classes_.size(); ++i) {
    ClassDef& c = classes_[i];
    c.id = idOf(c.oid, c.name);
    classById_.emplace(c.id, i);
    classByName_.emplace(key(c.name), i);
    if (!c.commonName.empty()) classByCommonName_.emplace(key(c.commonName), i);
  }
  for (const ClassDef& c : classes_) {
    for (const auto* list : {&c.mustContain, &c.mayContain})
      for (const auto& name : *list)
        if (!attribute(name)) throw std::logic_error("schema: class " + c.name + " names " + name);
    if (!objectClass(c.superior)) throw std::logic_error("schema: superior of " + c.name);
    if (!c.defaultObjectCategory.empty() && !objectClass(c.defaultObjectCategory))
      throw std::logic_error("schema: defaultObjectCategory of " + c.name);
  }
  // Lookups on every operation read these sorted id lists, not the names.
  for (ClassDef& c : classes_) {
    for (const ClassDef* link : classChain(c)) {
      c.chainIds.push_back(link->id);
      for (const auto& name : link->mustContain) c.mustIds.push_back(attribute(name)->id);
      for (const auto* list : {&link->mustContain, &link->mayContain})
        for (const auto& name : *list) c.allowedIds.push_back(attribute(name)->id);
    }
    c.allowedIds.push_back(attribute(c.rdnAttribute)->id);
    for (auto* ids : {&c.mustIds, &c.allowedIds}) {
      std::sort(ids->begin(), ids->end());
      ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
    }
  }
}

const AttributeDef* Schema::attribute(std::string_view nameOrAlias) const {
  auto it = attributeByName_.find(key(nameOrAlias));
  return it == attributeByName_.end() ? nullptr : &attributes_[it->second];
}

const AttributeDef* Schema::attributeById(uint32_t id) const {
  auto it = attributeById_.find(id);
  return it == attributeById_.end() ? nullptr : &attributes_[it->second];
}

const AttributeDef* Schema::attributeByLinkId(int linkId) const {
  auto it = attributeByLinkId_.find(linkId);
  return it == attributeByLinkId_.end() ? nullptr : &attributes_[it->second];
}

const ClassDef* Schema::objectClass(std::string_view name) const {
  auto it = classByName_.find(key(name));
  return it == classByName_.end() ? nullptr : &classes_[it->second];
}

const ClassDef* Schema::classById(uint32_t id) const {
  auto it = classById_.find(id);
  return it == classById_.end() ? nullptr : &classes_[it->second];
}

const ClassDef* Schema::classByCommonName(std::string_view commonName) const {
  auto it = classByCommonName_.find(key(commonName));
  return it == classByCommonName_.end() ? nullptr : &classes_[it->second];
}

std::vector<const ClassDef*> Schema::classChain(const ClassDef& cls) const {
  std::vector<const ClassDef*> chain{&cls};
  while (chain.back()->name != "top") chain.push_back(objectClass(chain.back()->superior));
  return chain;
}

bool Schema::isA(const ClassDef& cls, std::string_view ancestor) const {
  const ClassDef* target = objectClass(ancestor);
  return target && std::find(cls.chainIds.begin(), cls.chainIds.end(), target->id) != cls.chainIds.end();
}

bool Schema::allows(const ClassDef& cls, const AttributeDef& attr) const {
  return std::binary_search(cls.allowedIds.begin(), cls.allowedIds.end(), attr.id);
}

bool Schema::mustHave(const ClassDef& cls, const AttributeDef& attr) const {
  return std::binary_search(cls.mustIds.begin(), cls.mustIds.end(), attr.id);
}

bool Schema::canContain(const ClassDef& parent, const ClassDef& child) const {
  for (const ClassDef* c : classChain(child))
    for (const auto& superior : c->possibleSuperiors)
      if (isA(parent, superior)) return true;
  return false;
}

}  // namespace dcemu::dc
