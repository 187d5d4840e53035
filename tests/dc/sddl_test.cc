#include <catch2/catch.hpp>

#include "dc/security_descriptor.h"

using namespace dcemu::dc;

namespace {

TrusteeResolver resolver() {
  TrusteeResolver r;
  r.domainSid = Sid::parse("S-1-5-21-1-2-3");
  r.sidOfName = [](std::string_view name) -> std::optional<Sid> {
    if (name == "host-a$") return Sid::parse("S-1-5-21-1-2-3-1105");
    return std::nullopt;
  };
  r.nameOfSid = [](const Sid& sid) -> std::optional<std::string> {
    if (sid.toString() == "S-1-5-21-1-2-3-1105") return "host-a$";
    return std::nullopt;
  };
  return r;
}

}  // namespace

TEST_CASE("the dMSA membership SDDL parses to one full-control ACE for the machine") {
  auto sd = parseSddl("O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;host-a$)", resolver());
  INFO(sd.status().toString());
  REQUIRE(sd.isOk());
  CHECK(sd->owner->toString() == "S-1-5-32-544");
  REQUIRE(sd->dacl);
  REQUIRE(sd->dacl->aces.size() == 1);
  const Ace& ace = sd->dacl->aces[0];
  CHECK(ace.type == AceType::AccessAllowed);
  CHECK(ace.mask == 0xF01FF);
  CHECK(ace.trustee.toString() == "S-1-5-21-1-2-3-1105");
  CHECK(formatSddl(*sd, resolver()) == "O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;S-1-5-21-1-2-3-1105)");
  CHECK(trusteeDisplayName(ace.trustee, resolver()) == "host-a$");
}

TEST_CASE("SDDL round-trips through the self-relative binary form") {
  const char* text =
      "O:DAG:DAD:PAI(OA;CI;RPWP;bf967aba-0de6-11d0-a285-00aa003049e2;;S-1-5-21-1-2-3-1105)"
      "(OA;CIIO;WP;bf967aba-0de6-11d0-a285-00aa003049e2;bf967a86-0de6-11d0-a285-00aa003049e2;AU)"
      "(D;;SD;;;WD)(A;ID;GA;;;SY)S:(AU;SAFA;WPWD;;;WD)";
  auto sd = parseSddl(text, resolver());
  INFO(sd.status().toString());
  REQUIRE(sd.isOk());
  CHECK(sd->dacl->aces.size() == 4);
  CHECK(sd->dacl->aces[0].type == AceType::AccessAllowedObject);
  CHECK(sd->control & SecurityDescriptor::kDaclProtected);
  std::string bytes = sd->toBinary();
  CHECK(bytes[0] == 1);
  auto back = SecurityDescriptor::fromBinary(bytes);
  REQUIRE(back.isOk());
  CHECK(*back == *sd);
  CHECK(formatSddl(*back, resolver()) == formatSddl(*sd, resolver()));
}

TEST_CASE("object ACE GUIDs and flags survive the round trip") {
  auto sd = parseSddl("D:(OA;CIIO;WP;bf967aba-0de6-11d0-a285-00aa003049e2;bf967a86-0de6-11d0-a285-00aa003049e2;AU)",
                      resolver());
  REQUIRE(sd.isOk());
  auto back = SecurityDescriptor::fromBinary(sd->toBinary());
  REQUIRE(back.isOk());
  const Ace& ace = back->dacl->aces[0];
  CHECK(ace.objectType->toString() == "bf967aba-0de6-11d0-a285-00aa003049e2");
  CHECK(ace.inheritedObjectType->toString() == "bf967a86-0de6-11d0-a285-00aa003049e2");
  CHECK(ace.flags == (ace_flags::kContainerInherit | ace_flags::kInheritOnly));
  CHECK(formatSddl(*back, resolver()) ==
        "D:(OA;CIIO;WP;bf967aba-0de6-11d0-a285-00aa003049e2;bf967a86-0de6-11d0-a285-00aa003049e2;AU)");
}

TEST_CASE("rights masks format as Windows' letter codes or hex") {
  auto sd = parseSddl("D:(A;;0x20014;;;DU)(A;;GR;;;DA)(A;;0x1;;;DC)", resolver());
  REQUIRE(sd.isOk());
  CHECK(formatSddl(*sd, resolver()) == "D:(A;;LCRPRC;;;DU)(A;;GR;;;DA)(A;;CC;;;DC)");
  CHECK(rights::mapGeneric(rights::kGenericAll) == rights::kAdsAll);
}

TEST_CASE("bad SDDL is refused with the offending token") {
  struct Case {
    const char* sddl;
    const char* mentions;
  };
  for (Case c : {Case{"D:(A;;XX;;;WD)", "XX"}, Case{"D:(A;;RP;;;nobody$)", "nobody$"},
                 Case{"D:(A;;RP;;WD)", "5 fields"}, Case{"D:(Z;;RP;;;WD)", "\"Z\""}, Case{"D:(A;;RP;;;WD", "')'"},
                 Case{"X:BA", "X:"}, Case{"D:(A;;RP;not-a-guid;;WD)", "not-a-guid"},
                 Case{"D:(A;;RP;bf967aba-0de6-11d0-a285-00aa003049e2;;WD)", "not an object ACE"}, Case{"", "empty"}}) {
    INFO(c.sddl);
    auto sd = parseSddl(c.sddl, resolver());
    REQUIRE_FALSE(sd.isOk());
    CHECK(sd.status().code() == LdapResult::invalidAttributeSyntax);
    CHECK_THAT(sd.status().message(), Catch::Contains(c.mentions));
  }
}

TEST_CASE("truncated or malformed binary descriptors are refused") {
  auto sd = parseSddl("O:BAD:(A;;RP;;;WD)", resolver());
  REQUIRE(sd.isOk());
  std::string bytes = sd->toBinary();
  for (size_t cut : {size_t{0}, size_t{10}, bytes.size() - 1}) {
    INFO(cut);
    CHECK_FALSE(SecurityDescriptor::fromBinary(bytes.substr(0, cut)).isOk());
  }
  std::string badRevision = bytes;
  badRevision[0] = 2;
  CHECK_FALSE(SecurityDescriptor::fromBinary(badRevision).isOk());
}
