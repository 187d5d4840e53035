// dcemu's schema against Microsoft's published Windows Server 2016 schema,
// as Samba ships it (/usr/share/samba/setup/ad-schema, installed by
// scripts/setup; MS-ADA1/2/3 and MS-ADSC in LDIF form), read with the
// importer's LDIF reader: every attribute and class dcemu has carries the
// published OID, syntax, linkID and schemaIDGUID, and the classes a domain
// is made of hold every attribute Microsoft defines for them.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "dc/directory.h"
#include "dc/schema.h"
#include "dc/text.h"
#include "import/ldif_reader.h"
#include "test_domain.h"

using namespace dcemu;

namespace {

const std::string kSchemaDir = "/usr/share/samba/setup/ad-schema/";

struct Published {
  std::map<std::string, import::Entry> attributes, classes;  // by lowercased lDAPDisplayName
};

const Published& published() {
  static const Published loaded = [] {
    Published p;
    for (const char* file : {"AD_DS_Attributes__Windows_Server_2016.ldf", "AD_DS_Classes__Windows_Server_2016.ldf"}) {
      auto records = import::readLdifFile(kSchemaDir + file);
      INFO(records.status().toString());
      REQUIRE(records.isOk());
      for (import::Entry& r : *records) {
        const std::string* name = r.first("lDAPDisplayName");
        const std::vector<std::string>* classes = r.values("objectClass");
        if (!name || !classes) continue;
        bool attribute = std::find(classes->begin(), classes->end(), "attributeSchema") != classes->end();
        (attribute ? p.attributes : p.classes).emplace(dc::toLower(*name), std::move(r));
      }
    }
    return p;
  }();
  return loaded;
}

std::string text(const import::Entry& r, const char* attribute, std::string fallback = "") {
  const std::string* value = r.first(attribute);
  return value ? *value : fallback;
}

std::string guidText(const import::Entry& r) {
  const std::string* bytes = r.first("schemaIDGUID");
  REQUIRE(bytes);
  REQUIRE(bytes->size() == 16);
  return dc::Guid::fromBytes(*bytes).toString();
}

// The cn of the classSchema object a defaultObjectCategory DN names.
std::string categoryName(const import::Entry& r) {
  std::string dn = text(r, "defaultObjectCategory");
  return dn.substr(3, dn.find(',') - 3);
}

std::vector<std::string> listOf(const import::Entry& r, std::initializer_list<const char*> attributes) {
  std::vector<std::string> out;
  for (const char* a : attributes)
    if (const auto* values = r.values(a)) out.insert(out.end(), values->begin(), values->end());
  return out;
}

// Windows Server 2019-2025 additions, which the 2016 schema lacks (MS-ADA2
// 2.301, 2.377-2.378, 2.478-2.480; MS-ADSC).
const std::set<std::string> kNewerThan2016 = {"msds-delegatedmsastate",
                                              "msds-supersededserviceaccountstate",
                                              "msds-supersededmanagedaccountlink",
                                              "msds-supersededmanagedaccountlinkbl",
                                              "msds-managedaccountprecededbylink",
                                              "msds-managedaccountprecededbylinkbl",
                                              "msds-delegatedmanagedserviceaccount"};

// Linked DN-Binary attributes: dcemu's linked values have no binary part,
// so it leaves out those it does not act on and keeps msDS-RevealedUsers
// as a plain linked DN (the binary part, a PROPERTY_META_DATA, is what
// msDS-RevealedList shows; dcemu shows the DN).
const std::set<std::string> kLinkedDnBinary = {"msds-keycredentiallink",     "mspki-credentialroamingtokens",
                                               "mspkiaccountcredentials",    "mspkidpapimasterkeys",
                                               "msds-bridgeheadserversused", "msds-hasinstantiatedncs"};

}  // namespace

TEST_CASE("Every attribute carries the published OID, syntax, single-valuedness, linkID and schemaIDGUID", "[schema]") {
  const dc::Schema& schema = dc::Schema::builtin();
  int compared = 0;
  for (const dc::AttributeDef& a : schema.attributes()) {
    INFO(a.name);
    auto found = published().attributes.find(dc::toLower(a.name));
    if (found == published().attributes.end()) {
      CHECK(kNewerThan2016.count(dc::toLower(a.name)));
      continue;
    }
    const import::Entry& p = found->second;
    ++compared;
    CHECK(a.oid == text(p, "attributeID"));
    CHECK(a.commonName == text(p, "cn"));
    CHECK(a.singleValued == (text(p, "isSingleValued") == "TRUE"));
    CHECK(a.linkId == std::stoi(text(p, "linkID", "0")));
    CHECK(dc::schemaIdGuid(a.oid).toString() == guidText(p));
    if (a.rangeUpper && a.syntax != dc::Syntax::Integer) CHECK(std::to_string(*a.rangeUpper) == text(p, "rangeUpper"));
    if (a.name == "msDS-RevealedUsers") {
      CHECK(text(p, "attributeSyntax") == "2.5.5.7");  // kept as a plain DN, see kLinkedDnBinary
      continue;
    }
    CHECK(a.attributeSyntax == text(p, "attributeSyntax"));
    CHECK(a.omSyntax == std::stoi(text(p, "oMSyntax")));
  }
  CHECK(compared > 600);
}

TEST_CASE("Every class carries the published governsID, superior, category, RDN, objectCategory and schemaIDGUID",
          "[schema]") {
  const dc::Schema& schema = dc::Schema::builtin();
  for (const dc::ClassDef& c : schema.classes()) {
    INFO(c.name);
    auto found = published().classes.find(dc::toLower(c.name));
    if (found == published().classes.end()) {
      CHECK(kNewerThan2016.count(dc::toLower(c.name)));
      continue;
    }
    const import::Entry& p = found->second;
    CHECK(c.oid == text(p, "governsID"));
    CHECK(c.superior == text(p, "subClassOf"));
    CHECK(c.rdnAttribute == text(p, "rDNAttID"));
    CHECK(c.commonName == text(p, "cn"));
    CHECK(schema.objectClass(c.defaultObjectCategory)->commonName == categoryName(p));
    CHECK(dc::schemaIdGuid(c.oid).toString() == guidText(p));
    int category = std::stoi(text(p, "objectClassCategory"));
    // 88 classes (0) are abstract to dcemu: no object is one alone.
    dc::ClassCategory expected = category == 1   ? dc::ClassCategory::Structural
                                 : category == 3 ? dc::ClassCategory::Auxiliary
                                                 : dc::ClassCategory::Abstract;
    CHECK(c.category == expected);
  }
}

TEST_CASE("The classes a domain is made of hold every attribute Microsoft's schema defines for them", "[schema]") {
  const dc::Schema& schema = dc::Schema::builtin();
  // A class's attributes: its own and its superiors' must and may lists,
  // and those of their auxiliary classes.
  std::function<void(const std::string&, std::set<std::string>&, std::set<std::string>&)> collect =
      [&](const std::string& name, std::set<std::string>& must, std::set<std::string>& may) {
        const import::Entry& p = published().classes.at(dc::toLower(name));
        for (const std::string& a : listOf(p, {"mustContain", "systemMustContain"})) must.insert(a);
        for (const std::string& a : listOf(p, {"mayContain", "systemMayContain"})) may.insert(a);
        for (const std::string& aux : listOf(p, {"auxiliaryClass", "systemAuxiliaryClass"})) collect(aux, must, may);
        std::string superior = text(p, "subClassOf");
        if (!dc::iequals(superior, name)) collect(superior, must, may);
      };
  for (const char* name : {"user", "computer", "group", "organizationalUnit", "site", "siteLink", "siteLinkBridge",
                           "server", "nTDSDSA", "nTDSDSARO", "nTDSConnection", "subnet", "nTDSSiteSettings",
                           "msDS-ManagedServiceAccount", "msDS-GroupManagedServiceAccount"}) {
    INFO(name);
    const dc::ClassDef* c = schema.objectClass(name);
    REQUIRE(c);
    std::set<std::string> must, may;
    collect(name, must, may);
    for (const std::string& a : must) {
      INFO("must " << a);
      const dc::AttributeDef* def = schema.attribute(a);
      REQUIRE(def);
      CHECK(schema.mustHave(*c, *def));
    }
    for (const std::string& a : may) {
      INFO("may " << a);
      const dc::AttributeDef* def = schema.attribute(a);
      if (!def) {
        CHECK(kLinkedDnBinary.count(dc::toLower(a)));
        continue;
      }
      CHECK(schema.allows(*c, *def));
    }
  }
  CHECK(schema.attribute("telephoneNumber")->syntax == dc::Syntax::UnicodeString);
}

TEST_CASE("Every object has the objectCategory of its class, read as the classSchema object's DN", "[schema]") {
  // MS-ADTS 3.1.1.5.2 (Add): objectCategory defaults to the class's
  // defaultObjectCategory; a user's is Person, as real tools filter on.
  dc::testing::TestDomain d;
  d.addUser("svc_sql");
  d.addOu("Servers");
  const std::string schemaDn = "CN=Schema,CN=Configuration," + d.domainDn();
  CHECK(d.values(d.dn("CN=svc_sql,CN=Users"), "objectCategory") == std::vector<std::string>{"CN=Person," + schemaDn});
  CHECK(d.values(d.dn("OU=Servers"), "objectCategory") ==
        std::vector<std::string>{"CN=Organizational-Unit," + schemaDn});
  CHECK(d.values(d.domainDn(), "objectCategory") == std::vector<std::string>{"CN=Domain-DNS," + schemaDn});
  d.addDmsa("dmsa_web", 0);
  CHECK(d.values(d.dn("CN=dmsa_web,CN=Managed Service Accounts"), "objectCategory") ==
        std::vector<std::string>{"CN=ms-DS-Delegated-Managed-Service-Account," + schemaDn});
  // Given as a DN or as the class's name, as an administrator's tool may.
  dc::Directory& dir = d.dir();
  REQUIRE(dir.add(d.dn("CN=WS01,CN=Computers"), {{"objectClass", {"computer"}},
                                                 {"sAMAccountName", {"WS01$"}},
                                                 {"objectCategory", {"CN=Computer," + schemaDn}}})
              .isOk());
  CHECK(d.values(d.dn("CN=WS01,CN=Computers"), "objectCategory") ==
        std::vector<std::string>{"CN=Computer," + schemaDn});
  CHECK(dir.add(d.dn("CN=WS02,CN=Computers"),
                {{"objectClass", {"computer"}}, {"sAMAccountName", {"WS02$"}}, {"objectCategory", {"nosuchclass"}}})
            .status()
            .code() == dc::LdapResult::invalidAttributeSyntax);
}

TEST_CASE("Every object of a provisioned forest has an objectCategory", "[schema]") {
  dc::testing::TestDomain d;
  dc::Directory& dir = d.dir();
  const uint32_t category = dir.schema().attribute("objectCategory")->id;
  for (dc::NamingContext nc : {dc::NamingContext::Domain, dc::NamingContext::Configuration}) {
    int objects = 0;
    REQUIRE(dir.changesSince(nc, 0,
                             [&](const dc::Object& obj) {
                               INFO(dir.dnOf(obj.guid).valueOr("?"));
                               CHECK(obj.firstValue(category));
                               ++objects;
                               return true;
                             })
                .isOk());
    CHECK(objects > 5);
  }
}
