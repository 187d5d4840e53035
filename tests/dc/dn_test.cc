#include "dc/dn.h"

#include <catch2/catch.hpp>

using namespace dcemu::dc;

TEST_CASE("DNs parse into RDNs, most specific first") {
  auto dn = Dn::parse("CN=svc_app,CN=Users,DC=corp,DC=example,DC=com");
  REQUIRE(dn.isOk());
  CHECK(dn->depth() == 5);
  CHECK(dn->rdn().type == "CN");
  CHECK(dn->rdn().value == "svc_app");
  CHECK(dn->parent().toString() == "CN=Users,DC=corp,DC=example,DC=com");
}

TEST_CASE("DN escapes: special characters, hex pairs and AD's escaped newline 0A") {
  auto dn = Dn::parse(R"(CN=Smith\, John,OU=A\+B,DC=corp)");
  REQUIRE(dn.isOk());
  CHECK(dn->rdn().value == "Smith, John");
  CHECK(dn->rdns()[1].value == "A+B");
  CHECK(dn->toString() == R"(CN=Smith\, John,OU=A\+B,DC=corp)");
  auto mangled = Dn::parse(R"(CN=x\0ADEL:4f3c,CN=Deleted Objects,DC=corp)");
  REQUIRE(mangled.isOk());
  CHECK(mangled->rdn().value == "x\nDEL:4f3c");
  CHECK(mangled->toString() == R"(CN=x\0ADEL:4f3c,CN=Deleted Objects,DC=corp)");
}

TEST_CASE("DNs compare case-insensitively and know their ancestors") {
  auto a = Dn::parse("cn=Users,dc=Corp,dc=example,dc=com");
  auto b = Dn::parse("CN=users, DC=corp, DC=EXAMPLE, DC=com");
  REQUIRE(a.isOk());
  REQUIRE(b.isOk());
  CHECK(*a == *b);
  auto domain = Dn::parse("DC=corp,DC=example,DC=com");
  CHECK(a->isWithin(*domain));
  CHECK_FALSE(domain->isWithin(*a));
  CHECK(a->relativeTo(*domain).size() == 1);
}

TEST_CASE("malformed DNs are invalidDNSyntax with the reason") {
  for (const char* bad : {"CN", "=x,DC=corp", "CN=,DC=corp", "CN=a+OU=b,DC=corp", "CN=a\\"}) {
    auto dn = Dn::parse(bad);
    INFO(bad);
    REQUIRE_FALSE(dn.isOk());
    CHECK(dn.status().code() == LdapResult::invalidDnSyntax);
    CHECK(dn.status().message().find(bad) != std::string::npos);
  }
}
