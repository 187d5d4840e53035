#include "dc/ids.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "dc/rng.h"

using namespace dcemu::dc;

TEST_CASE("GUID text and binary use Windows' mixed-endian layout") {
  auto g = Guid::parse("{bf967aba-0de6-11d0-a285-00aa003049e2}");
  REQUIRE(g);
  const uint8_t expected[16] = {0xba, 0x7a, 0x96, 0xbf, 0xe6, 0x0d, 0xd0, 0x11,
                                0xa2, 0x85, 0x00, 0xaa, 0x00, 0x30, 0x49, 0xe2};
  CHECK(std::equal(g->bytes.begin(), g->bytes.end(), expected));
  CHECK(g->toString() == "bf967aba-0de6-11d0-a285-00aa003049e2");
  CHECK(Guid::parse("BF967ABA-0DE6-11D0-A285-00AA003049E2") == g);
}

TEST_CASE("GUID parsing refuses malformed text") {
  CHECK_FALSE(Guid::parse("bf967aba-0de6-11d0-a285-00aa003049e"));
  CHECK_FALSE(Guid::parse("bf967abax0de6-11d0-a285-00aa003049e2"));
  CHECK_FALSE(Guid::parse("zf967aba-0de6-11d0-a285-00aa003049e2"));
  CHECK_FALSE(Guid::parse(""));
}

TEST_CASE("GUIDs order as their 16 raw bytes do, as Windows breaks replication ties") {
  // MS-DRSR 5.11 (AttributeStamp): when version and time tie, the stamp
  // with the greater uuidOriginating wins; dcemu compares the 16 bytes as
  // Windows does (dc/ids.h). A difference in each byte, the high bit
  // included, and random GUIDs against each other.
  Xoshiro256 rng(7);
  std::vector<Guid> guids;
  for (int i = 0; i < 64; ++i) guids.push_back(Guid::random(rng));
  for (int at = 0; at < 16; ++at) {
    Guid low, high;
    low.bytes[at] = 0x7f;
    high.bytes[at] = 0x80;
    guids.push_back(low);
    guids.push_back(high);
  }
  for (const Guid& a : guids) {
    for (const Guid& b : guids) {
      int bytes = std::memcmp(a.bytes.data(), b.bytes.data(), 16);
      INFO(a.toString() << " against " << b.toString());
      CHECK((a < b) == (bytes < 0));
      CHECK((a == b) == (bytes == 0));
      CHECK((a > b) == (bytes > 0));
    }
  }
}

TEST_CASE("random GUIDs come from the injected stream") {
  Xoshiro256 a(7), b(7), c(8);
  Guid ga = Guid::random(a), gb = Guid::random(b), gc = Guid::random(c);
  CHECK(ga == gb);
  CHECK(ga != gc);
  CHECK((ga.bytes[7] >> 4) == 4);  // version 4
}

TEST_CASE("SIDs round-trip through text and MS-DTYP binary") {
  auto sid = Sid::parse("S-1-5-32-544");
  REQUIRE(sid);
  const std::string bytes = sid->toBytes();
  const uint8_t expected[] = {1, 2, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0, 0x20, 2, 0, 0};
  REQUIRE(bytes.size() == sizeof(expected));
  CHECK(std::equal(bytes.begin(), bytes.end(), reinterpret_cast<const char*>(expected)));
  CHECK(Sid::fromBytes(bytes)->toString() == "S-1-5-32-544");
  auto domain = Sid::parse("S-1-5-21-1004336348-1177238915-682003330");
  REQUIRE(domain);
  CHECK(domain->withRid(512).toString() == "S-1-5-21-1004336348-1177238915-682003330-512");
  CHECK(domain->withRid(512).rid() == 512);
}

TEST_CASE("SID parsing refuses malformed text and bytes") {
  CHECK_FALSE(Sid::parse("S-2-5-32"));
  CHECK_FALSE(Sid::parse("S-1-5-x"));
  CHECK_FALSE(Sid::parse("S-1-5-"));
  CHECK_FALSE(Sid::parse("S-1-5-4294967296"));
  CHECK_FALSE(Sid::fromBytes(std::string("\x01\x02\x00", 3)));
}
