#include "dc/object.h"

#include <catch2/catch.hpp>

#include "dc/rng.h"

using namespace dcemu::dc;

namespace {

Object sampleObject() {
  Xoshiro256 rng(3);
  Object obj;
  obj.guid = Guid::random(rng);
  obj.parent = Guid::random(rng);
  Guid invocation = Guid::random(rng);
  obj.entry(3).values = {"alice"};
  obj.entry(3).stamp = Stamp{2, 1767571200, invocation, 42};
  obj.entry(3).localUsn = 42;
  obj.entry(0x90001).values = {"a", std::string("\0b", 2)};
  LinkEntry& link = obj.link(2, Guid::random(rng));
  link.active = false;
  link.timeCreated = 1767571100;
  link.stamp = Stamp{3, 1767571200, invocation, 43};
  obj.usnCreated = 7;
  obj.usnChanged = 43;
  obj.whenChanged = 1767571200123456;
  return obj;
}

}  // namespace

TEST_CASE("objects round-trip through the capnp encoding") {
  Object obj = sampleObject();
  auto back = Object::decode(obj.encode());
  INFO(back.status().toString());
  REQUIRE(back.isOk());
  CHECK(*back == obj);
  CHECK(back->sameReplicaAs(obj));
}

TEST_CASE("attributes and links stay sorted by id") {
  Object obj = sampleObject();
  obj.entry(1);
  obj.entry(0x90000);
  for (size_t i = 1; i < obj.attributes.size(); ++i) CHECK(obj.attributes[i - 1].id < obj.attributes[i].id);
  CHECK(obj.find(0x90001)->values.size() == 2);
  CHECK(obj.firstValue(1) == nullptr);  // present entry, no values
}

TEST_CASE("corrupt object bytes are an error, not a crash") {
  std::string bytes = sampleObject().encode();
  CHECK_FALSE(Object::decode(bytes.substr(0, 7)).isOk());
  CHECK_FALSE(Object::decode(bytes.substr(0, 16)).isOk());
  std::string garbage(bytes.size(), '\xff');
  CHECK_FALSE(Object::decode(garbage).isOk());
}

TEST_CASE("stamp order: version wrap-aware, then time, then invocationID") {
  Guid low, high;
  high.bytes[0] = 1;
  Stamp a{5, 100, low, 1}, b{4, 200, high, 1};
  CHECK(compareStamps(a, b) > 0);  // version beats time
  b.version = 5;
  CHECK(compareStamps(a, b) < 0);  // then later time wins
  b.originatingTime = 100;
  CHECK(compareStamps(a, b) < 0);  // then the higher invocationID
  b.originatingInvocationId = low;
  CHECK(compareStamps(a, b) == 0);
  Stamp wrapped{1, 0, low, 1}, old{0xffffffffu, 0, low, 1};
  CHECK(compareStamps(wrapped, old) > 0);  // version 2^32-1 then wraps to 0, 1
}

TEST_CASE("linked value order puts timeCreated before version") {
  LinkEntry older, newer;
  older.timeCreated = 10;
  older.stamp.version = 9;
  newer.timeCreated = 11;
  newer.stamp.version = 1;
  CHECK(compareLinkStamps(newer, older) > 0);
}
