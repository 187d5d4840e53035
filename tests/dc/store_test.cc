#include <rocksdb/db.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "test_domain.h"

using namespace dcemu::dc;
using dcemu::dc::testing::TestDomain;

namespace {

// Every object of every naming context, by GUID.
std::map<Guid, Object> snapshot(Directory& dir) {
  std::map<Guid, Object> all;
  for (int i = 0; i < kNamingContextCount; ++i) {
    REQUIRE(dir.changesSince(static_cast<NamingContext>(i), 0,
                             [&](const Object& obj) {
                               all.emplace(obj.guid, obj);
                               return true;
                             })
                .isOk());
  }
  return all;
}

void populate(TestDomain& d) {
  d.addOu("Apps");
  d.addUser("alice");
  d.addUser("bob");
  REQUIRE(d.dir().modify(d.dn("OU=Apps"), {{Change::Op::Replace, "managedBy", {d.dn("CN=alice,CN=Users")}}}).isOk());
  REQUIRE(d.dir().remove(d.dn("CN=bob,CN=Users")).isOk());
  REQUIRE(d.dir().rename(d.dn("CN=alice,CN=Users"), d.dn("CN=alice,OU=Apps")).isOk());
}

}  // namespace

TEST_CASE("closing and reopening gives the identical replica") {
  TestDomain d;
  populate(d);
  auto before = snapshot(d.dir());
  Guid invocation = d.dir().invocationId();
  uint64_t usn = d.dir().highestCommittedUsn();
  d.reopen();
  CHECK(snapshot(d.dir()) == before);
  CHECK(d.dir().invocationId() == invocation);
  CHECK(d.dir().highestCommittedUsn() == usn);
  CHECK(d.values(d.dn("OU=Apps"), "managedBy") == std::vector<std::string>{d.dn("CN=alice,OU=Apps")});
  // The next write continues the USN sequence.
  d.addUser("carol");
  CHECK(d.dir().highestCommittedUsn() == usn + 1);
}

TEST_CASE("a disk store reopens identically in a new Env") {
  auto path = std::filesystem::temp_directory_path() / "dcemu-store-test" / "dc1";
  std::filesystem::remove_all(path.parent_path());
  std::map<Guid, Object> before;
  Guid invocation;
  {
    auto env = StoreEnv::onDisk(8 << 20);
    auto store = Store::open(*env, path.string());
    REQUIRE(store.isOk());
    ManualClock clock(testing::kEpochMicros);
    Xoshiro256 rng(5);
    auto dir = Directory::open(**store, {"corp.example.com", false}, clock, rng);
    REQUIRE(dir.isOk());
    REQUIRE(provisionForest(**dir, rng).isOk());
    REQUIRE((*dir)->add("OU=Apps,DC=corp,DC=example,DC=com", {{"objectClass", {"organizationalUnit"}}}).isOk());
    before = snapshot(**dir);
    invocation = (*dir)->invocationId();
  }
  auto env = StoreEnv::onDisk(8 << 20);
  auto store = Store::open(*env, path.string());
  REQUIRE(store.isOk());
  ManualClock clock(testing::kEpochMicros);
  Xoshiro256 rng(99);
  auto dir = Directory::open(**store, {"corp.example.com", false}, clock, rng);
  REQUIRE(dir.isOk());
  CHECK((*dir)->invocationId() == invocation);
  CHECK(snapshot(**dir) == before);
  std::filesystem::remove_all(path.parent_path());
}

TEST_CASE("a store that cannot be opened is an error naming the path") {
  auto env = StoreEnv::onDisk();
  auto store = Store::open(*env, "/proc/dcemu-cannot-exist/dc1");
  REQUIRE_FALSE(store.isOk());
  CHECK_THAT(store.status().message(), Catch::Contains("/proc/dcemu-cannot-exist/dc1"));
}

TEST_CASE("a checkpoint is the replica as it was, and stays so while the original changes") {
  TestDomain d;
  populate(d);
  auto before = snapshot(d.dir());
  uint64_t usn = d.dir().highestCommittedUsn();
  REQUIRE(d.dir().store().checkpoint("/snapshots/dc1-a").isOk());
  d.addUser("carol");

  auto copy = Store::open(d.env(), "/snapshots/dc1-a");
  REQUIRE(copy.isOk());
  ManualClock clock(testing::kEpochMicros);
  Xoshiro256 rng(42);
  auto dir = Directory::open(**copy, {"corp.example.com", false}, clock, rng);
  REQUIRE(dir.isOk());
  CHECK((*dir)->invocationId() == d.dir().invocationId());
  CHECK((*dir)->highestCommittedUsn() == usn);
  CHECK(snapshot(**dir) == before);
  CHECK(d.dir().highestCommittedUsn() == usn + 1);
}

TEST_CASE("a checkpoint to a path that exists is refused with the path") {
  TestDomain d;
  REQUIRE(d.dir().store().checkpoint("/snapshots/once").isOk());
  Status again = d.dir().store().checkpoint("/snapshots/once");
  REQUIRE_FALSE(again.isOk());
  CHECK_THAT(again.message(), Catch::Contains("/snapshots/once"));
}

namespace {

// An object with one attribute per origin: origin i wrote attribute i at
// originating USN 100 + i.
Object objectWrittenBy(const std::vector<Guid>& origins, Rng& rng) {
  Object obj;
  obj.guid = Guid::random(rng);
  for (size_t i = 0; i < origins.size(); ++i) {
    AttributeEntry& entry = obj.entry(static_cast<uint32_t>(i + 1));
    entry.values = {"v"};
    entry.stamp = Stamp{1, 0, origins[i], 100 + i};
  }
  obj.usnCreated = obj.usnChanged = 7;
  return obj;
}

}  // namespace

// A GetNCChanges source skips an object, without reading it, when the
// destination's UTD vector covers every originating write it holds
// (MS-DRSR 4.1.10.2.8: pUpToDateVecDest, "updates the client has already
// applied"; 4.1.10.5, the server's filtering by it).
TEST_CASE("the USN index lists an object's origins, so a source knows what a destination has seen unread") {
  auto env = StoreEnv::inMemory();
  auto store = Store::open(*env, "/dc1");
  REQUIRE(store.isOk());
  Xoshiro256 rng(7);
  std::vector<Guid> origins = {Guid::random(rng), Guid::random(rng), Guid::random(rng)};
  Object obj = objectWrittenBy(origins, rng);
  obj.links.push_back(LinkEntry{9, Guid::random(rng), true, 0, Stamp{1, 0, origins[0], 500}, 7});
  WriteBatch batch = (*store)->newBatch();
  batch.putObject(NamingContext::Domain, obj, nullptr);
  REQUIRE((*store)->write(batch).isOk());

  auto seenUpTo = [&](std::vector<uint64_t> usns) {
    bool all = false;
    int entries = 0;
    REQUIRE((*store)
                ->forEachChangeEntry(NamingContext::Domain, 0,
                                     [&](const ChangeEntry& entry) {
                                       ++entries;
                                       CHECK(entry.usn() == 7);
                                       CHECK(entry.guid() == obj.guid);
                                       all = entry.allSeen([&](const Guid& id, uint64_t usn) {
                                         auto at = std::find(origins.begin(), origins.end(), id) - origins.begin();
                                         return at < static_cast<long>(usns.size()) && usns[at] >= usn;
                                       });
                                       return true;
                                     })
                .isOk());
    CHECK(entries == 1);
    return all;
  };
  CHECK(seenUpTo({500, 101, 102}));
  CHECK_FALSE(seenUpTo({499, 101, 102}));  // the link value's write is the highest of origin 0
  CHECK_FALSE(seenUpTo({500, 101, 101}));
  CHECK_FALSE(seenUpTo({500, 101}));  // an origin the destination never heard of
}

TEST_CASE("an object written from more origins than the USN index lists is always read") {
  auto env = StoreEnv::inMemory();
  auto store = Store::open(*env, "/dc1");
  REQUIRE(store.isOk());
  Xoshiro256 rng(8);
  std::vector<Guid> origins;
  for (int i = 0; i < 17; ++i) origins.push_back(Guid::random(rng));
  Object obj = objectWrittenBy(origins, rng);
  WriteBatch batch = (*store)->newBatch();
  batch.putObject(NamingContext::Domain, obj, nullptr);
  REQUIRE((*store)->write(batch).isOk());
  REQUIRE((*store)
              ->forEachChangeEntry(NamingContext::Domain, 0,
                                   [&](const ChangeEntry& entry) {
                                     CHECK_FALSE(entry.allSeen([](const Guid&, uint64_t) { return true; }));
                                     auto read = entry.read();
                                     REQUIRE(read.isOk());
                                     CHECK(*read == obj);
                                     return true;
                                   })
              .isOk());
}

TEST_CASE("a store of format 2, its state in a family of its own, is refused whole on open and left as it was") {
  // Format 2's layout, written with RocksDB itself: the DC's state in a
  // "dsa-state" family beside the naming contexts'.
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("dcemu-format2-" + std::to_string(getpid()));
  std::filesystem::remove_all(path);
  const std::vector<std::string> format2 = {"default", "schema", "configuration", "domain", "dsa-state"};
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : format2) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, path.string(), descriptors, &handles, &raw).ok());
    REQUIRE(raw->Put(rocksdb::WriteOptions(), handles[4], "storeFormat", "2").ok());
    for (auto* handle : handles) raw->DestroyColumnFamilyHandle(handle);
    delete raw;
  }
  auto env = StoreEnv::onDisk();
  auto opened = Store::open(*env, path.string());
  REQUIRE_FALSE(opened.isOk());
  CHECK_THAT(opened.status().message(), Catch::Contains(path.string()) && Catch::Contains("older dcemu"));
  std::vector<std::string> families;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path.string(), &families).ok());
  CHECK(families == format2);
  std::filesystem::remove_all(path);
}

TEST_CASE("a store written in another object encoding is refused whole on open, naming its path") {
  auto env = StoreEnv::inMemory();
  {
    auto store = Store::open(*env, "/dc-old");
    REQUIRE(store.isOk());
    WriteBatch batch = (*store)->newBatch();
    batch.putState("storeFormat", "1");
    REQUIRE((*store)->write(batch).isOk());
  }
  auto reopened = Store::open(*env, "/dc-old");
  REQUIRE_FALSE(reopened.isOk());
  CHECK_THAT(reopened.status().message(), Catch::Contains("/dc-old") && Catch::Contains("older dcemu"));
}
