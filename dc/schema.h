// The schema a DC enforces: attribute and class definitions as in AD's schema
// NC (lDAPDisplayName, OID, syntax, single/multi-valued, rangeUpper, linkID,
// systemOnly), fixed at build time. Lookups are case-insensitive, as LDAP's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dcemu::dc {

enum class Syntax {
  Boolean,             // 2.5.5.8
  Integer,             // 2.5.5.9, 32-bit
  LargeInteger,        // 2.5.5.16, 64-bit
  UnicodeString,       // 2.5.5.12
  OctetString,         // 2.5.5.10
  Sid,                 // 2.5.5.17
  GeneralizedTime,     // 2.5.5.11
  Dn,                  // 2.5.5.1
  ObjectIdentifier,    // 2.5.5.2 (objectClass values: class names)
  SecurityDescriptor,  // 2.5.5.15
  // The other string syntaxes AD defines (printable, IA5, numeric and
  // teletex strings, object identifiers other than classes, DN-String and
  // unlinked DN-Binary values): kept as UTF-8 text, compared ignoring case.
  String,
  // objectCategory: a DN naming a class's classSchema object in the schema
  // NC (2.5.5.1). dcemu's schema is compiled in, not held as objects, so the
  // value is kept as the class and read back as that DN.
  ObjectCategory,
};

std::string_view syntaxName(Syntax syntax);

struct AttributeDef {
  std::string name;  // lDAPDisplayName
  std::string oid;
  Syntax syntax;
  // As Microsoft's schema publishes them: cn (e.g. Telephone-Number),
  // attributeSyntax (2.5.5.x) and oMSyntax. Derived from `syntax` where a
  // table entry leaves them empty.
  std::string commonName;
  std::string attributeSyntax;
  int omSyntax = 0;
  bool singleValued;
  std::optional<int64_t> rangeUpper;  // characters, bytes or the largest integer
  int linkId = 0;                     // even: forward link; odd: back link; 0: not linked
  bool systemOnly = false;            // clients may give it at add only, never modify it
  // Kept on a tombstone: MS-ADTS 3.1.1.5.5.6.1's list, or fPRESERVEONDELETE
  // in searchFlags. (The RDN attribute is kept too, whichever it is.)
  bool preserveOnDelete = false;
  bool constructed = false;          // computed on read, never stored
  bool replicated = true;            // whenChanged, uSNChanged... are per DC
  bool urgent = false;               // replicated by urgent change notification
  bool guidValued = false;           // an Octet string holding a GUID, given and shown as text
  uint32_t id = 0;                   // ATTRTYP, derived from the OID
  std::vector<std::string> aliases;  // documentation names accepted as input

  bool isLinked() const { return linkId != 0; }
  bool isForwardLink() const { return linkId != 0 && linkId % 2 == 0; }
  bool isBackLink() const { return linkId % 2 == 1; }
};

enum class ClassCategory { Abstract, Structural, Auxiliary };

struct ClassDef {
  std::string name;
  std::string oid;
  std::string superior;  // subClassOf; "top" for top itself
  ClassCategory category;
  std::string rdnAttribute;  // rDNAttID
  std::vector<std::string> mustContain;
  std::vector<std::string> mayContain;
  std::vector<std::string> possibleSuperiors;
  // cn of its classSchema object (e.g. Organizational-Unit) and the class
  // whose classSchema object its instances' objectCategory names.
  std::string commonName;
  std::string defaultObjectCategory;
  uint32_t id = 0;
  // Derived by the Schema: this class and its superiors (most specific
  // first), and the sorted ATTRTYPs it must and may hold through them.
  std::vector<uint32_t> chainIds;
  std::vector<uint32_t> allowedIds;
  std::vector<uint32_t> mustIds;
};

class Schema {
 public:
  // The schema every dcemu DC runs with; immutable.
  static const Schema& builtin();

  const AttributeDef* attribute(std::string_view nameOrAlias) const;
  const AttributeDef* attributeById(uint32_t id) const;
  const AttributeDef* attributeByLinkId(int linkId) const;
  const ClassDef* objectClass(std::string_view name) const;
  const ClassDef* classById(uint32_t id) const;
  // The class whose classSchema object has cn `commonName`.
  const ClassDef* classByCommonName(std::string_view commonName) const;

  // The class and its superiors up to top, most specific first.
  std::vector<const ClassDef*> classChain(const ClassDef& cls) const;
  bool isA(const ClassDef& cls, std::string_view ancestor) const;
  // Whether `attr` is in the must or may lists of the class or a superior.
  bool allows(const ClassDef& cls, const AttributeDef& attr) const;
  bool mustHave(const ClassDef& cls, const AttributeDef& attr) const;
  bool canContain(const ClassDef& parent, const ClassDef& child) const;

  const std::vector<AttributeDef>& attributes() const { return attributes_; }
  const std::vector<ClassDef>& classes() const { return classes_; }

  // ATTRTYP of an OID by MS-DRSR's default prefix table: prefix index in the
  // high 16 bits, last arc in the low 16 bits (dcemu keeps the last arc
  // plain rather than BER-encoded; arcs here are all below 65536).
  static std::optional<uint32_t> attrTypOf(std::string_view oid);

 private:
  Schema(std::vector<AttributeDef> attributes, std::vector<ClassDef> classes);
  static std::string key(std::string_view name);

  std::vector<AttributeDef> attributes_;
  std::vector<ClassDef> classes_;
  std::map<std::string, size_t> attributeByName_;  // lowercased names and aliases
  std::map<uint32_t, size_t> attributeById_;
  std::map<int, size_t> attributeByLinkId_;
  std::map<std::string, size_t> classByName_;
  std::map<uint32_t, size_t> classById_;
  std::map<std::string, size_t> classByCommonName_;
};

// userAccountControl bits dcemu acts on.
namespace uac {
inline constexpr int64_t kAccountDisable = 0x2;
inline constexpr int64_t kNormalAccount = 0x200;
inline constexpr int64_t kWorkstationTrustAccount = 0x1000;
inline constexpr int64_t kServerTrustAccount = 0x2000;
inline constexpr int64_t kDontExpirePassword = 0x10000;
inline constexpr int64_t kTrustedForDelegation = 0x80000;
inline constexpr int64_t kTrustedToAuthForDelegation = 0x1000000;
inline constexpr int64_t kPartialSecretsAccount = 0x4000000;  // RODC computer
}  // namespace uac

}  // namespace dcemu::dc
