#include "dc/schema.h"

#include <catch2/catch.hpp>

#include "dc/directory.h"
#include "dc/schema_guids.h"

using namespace dcemu::dc;

TEST_CASE("dMSA attributes carry the schema's OIDs, syntaxes and linkIDs") {
  const Schema& s = Schema::builtin();
  struct Row {
    const char* name;
    const char* oid;
    int linkId;
  };
  for (Row r : {Row{"msDS-DelegatedMSAState", "1.2.840.113556.1.4.2372", 0},
                Row{"msDS-ManagedAccountPrecededByLink", "1.2.840.113556.1.4.2375", 2224},
                Row{"msDS-ManagedAccountPrecededByLinkBL", "1.2.840.113556.1.4.2376", 2225},
                Row{"msDS-SupersededManagedAccountLink", "1.2.840.113556.1.4.2373", 2222},
                Row{"msDS-SupersededManagedAccountLinkBL", "1.2.840.113556.1.4.2374", 2223},
                Row{"msDS-SupersededServiceAccountState", "1.2.840.113556.1.4.2371", 0},
                Row{"msDS-GroupMSAMembership", "1.2.840.113556.1.4.2200", 0},
                Row{"msDS-ManagedPasswordInterval", "1.2.840.113556.1.4.2199", 0}}) {
    INFO(r.name);
    const AttributeDef* a = s.attribute(r.name);
    REQUIRE(a);
    CHECK(a->oid == r.oid);
    CHECK(a->linkId == r.linkId);
  }
  const AttributeDef* membership = s.attribute("msDS-GroupMSAMembership");
  CHECK(membership->syntax == Syntax::SecurityDescriptor);
  CHECK(membership->singleValued);
  CHECK_FALSE(membership->isLinked());
  CHECK(membership->rangeUpper == 132096);
  CHECK(s.attribute("msDS-ManagedPasswordInterval")->systemOnly);
}

TEST_CASE("documentation names of dMSA attributes are accepted as aliases") {
  const Schema& s = Schema::builtin();
  CHECK(s.attribute("msDS-SupersededAccountState") == s.attribute("msDS-SupersededServiceAccountState"));
  CHECK(s.attribute("msDS-SupersededManagedServiceAccountLink") == s.attribute("msDS-SupersededManagedAccountLink"));
  CHECK(s.attribute("MSDS-GROUPMSAMEMBERSHIP") == s.attribute("msDS-GroupMSAMembership"));
}

TEST_CASE("the dMSA class is a computer with the documented must and may lists") {
  const Schema& s = Schema::builtin();
  const ClassDef* dmsa = s.objectClass("msDS-DelegatedManagedServiceAccount");
  REQUIRE(dmsa);
  CHECK(dmsa->oid == "1.2.840.113556.1.5.302");
  CHECK(s.isA(*dmsa, "computer"));
  CHECK(s.isA(*dmsa, "user"));
  CHECK(s.mustHave(*dmsa, *s.attribute("msDS-DelegatedMSAState")));
  CHECK(s.mustHave(*dmsa, *s.attribute("msDS-ManagedPasswordInterval")));
  CHECK(s.allows(*dmsa, *s.attribute("msDS-GroupMSAMembership")));
  CHECK(s.allows(*dmsa, *s.attribute("servicePrincipalName")));
  CHECK_FALSE(s.allows(*s.objectClass("user"), *s.attribute("msDS-DelegatedMSAState")));
  CHECK(s.canContain(*s.objectClass("organizationalUnit"), *dmsa));
  // Possible superiors are inherited from superclasses, as in AD.
  CHECK(s.canContain(*s.objectClass("container"), *dmsa));
  CHECK_FALSE(s.canContain(*s.objectClass("group"), *dmsa));
}

TEST_CASE("ATTRTYPs come from MS-DRSR's default prefix table") {
  CHECK(Schema::attrTypOf("2.5.4.3") == 0x00000003u);               // cn
  CHECK(Schema::attrTypOf("1.2.840.113556.1.4.1") == 0x00090001u);  // name
  CHECK(Schema::attrTypOf("1.2.840.113556.1.2.281") == 0x00020119u);
  CHECK_FALSE(Schema::attrTypOf("9.9.9.1"));
  CHECK(Schema::builtin().attribute("member")->id == 0x0000001fu);
}

TEST_CASE("every required attribute of the issue is in the schema") {
  const Schema& s = Schema::builtin();
  for (const char* name : {"objectClass",
                           "cn",
                           "name",
                           "description",
                           "displayName",
                           "distinguishedName",
                           "objectGUID",
                           "objectSid",
                           "sAMAccountName",
                           "userAccountControl",
                           "servicePrincipalName",
                           "dNSHostName",
                           "member",
                           "memberOf",
                           "managedBy",
                           "managedObjects",
                           "nTSecurityDescriptor",
                           "isDeleted",
                           "lastKnownParent",
                           "whenCreated",
                           "whenChanged",
                           "pwdLastSet",
                           "lockoutTime",
                           "operatingSystem",
                           "operatingSystemVersion",
                           "msDS-SupportedEncryptionTypes",
                           "msDS-AllowedToDelegateTo",
                           "msDS-AllowedToActOnBehalfOfOtherIdentity",
                           "msDS-AssignedAuthNPolicy",
                           "msDS-AssignedAuthNPolicySilo"}) {
    INFO(name);
    CHECK(s.attribute(name));
  }
  for (const char* name :
       {"top", "domainDNS", "organizationalUnit", "container", "user", "computer", "group",
        "msDS-ManagedServiceAccount", "msDS-GroupManagedServiceAccount", "msDS-DelegatedManagedServiceAccount", "site",
        "server", "nTDSDSA", "nTDSConnection", "siteLink", "siteLinkBridge", "crossRef"}) {
    INFO(name);
    CHECK(s.objectClass(name));
  }
  CHECK(s.attribute("member")->isForwardLink());
  CHECK(s.attribute("memberOf")->isBackLink());
}

// MS-ADA2 (msDS-GroupMSAMembership 2.394, msDS-SupersededManagedAccountLink
// 2.478, msDS-DelegatedMSAState 2.301) and MS-ADSC (computer,
// msDS-GroupManagedServiceAccount, msDS-DelegatedManagedServiceAccount): SDDL
// copied from a real domain's ACLs names these GUIDs in its object ACEs, and
// BadSuccessor audits look for CreateChild on the dMSA class's GUID.
TEST_CASE("Every attribute and class carries Windows' schemaIDGUID") {
  const Schema& schema = Schema::builtin();
  auto guidOf = [&](const char* name) { return schemaIdGuid(schema.attribute(name)->oid).toString(); };
  auto classGuidOf = [&](const char* name) { return schemaIdGuid(schema.objectClass(name)->oid).toString(); };
  CHECK(guidOf("msDS-GroupMSAMembership") == "888eedd6-ce04-df40-b462-b8a50e41ba38");
  CHECK(guidOf("msDS-SupersededManagedAccountLink") == "3752e002-43be-48c8-b3ca-2cb2fffbc8a1");
  CHECK(guidOf("msDS-DelegatedMSAState") == "2f5c138a-bd38-4016-88b4-0ec87cbb4919");
  CHECK(guidOf("objectGUID") == "bf9679e7-0de6-11d0-a285-00aa003049e2");
  CHECK(classGuidOf("computer") == "bf967a86-0de6-11d0-a285-00aa003049e2");
  CHECK(classGuidOf("msDS-GroupManagedServiceAccount") == "7b8b558a-93a5-4af7-adca-c017e67f1057");
  CHECK(classGuidOf("msDS-DelegatedManagedServiceAccount") == "0feb936f-47b3-49f2-9386-1dedc2c23765");
  for (const AttributeDef& attribute : schema.attributes()) {
    INFO(attribute.name);
    CHECK(windowsSchemaIdGuid(attribute.oid));
  }
  for (const ClassDef& objectClass : schema.classes()) {
    INFO(objectClass.name);
    CHECK(windowsSchemaIdGuid(objectClass.oid));
  }
}
