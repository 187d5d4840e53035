// The store's indexes as lookups see them: through RocksDB's prefix Bloom
// filters (dc/index_prefix.h), through a bulk load's unmerged level 0, and
// through the store's cache of recent lookups.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dc/index_prefix.h"
#include "dc/rng.h"
#include "dc/schema.h"
#include "dc/store.h"

using namespace dcemu::dc;

namespace {

struct Ids {
  uint32_t name = Schema::builtin().attribute("name")->id;
  uint32_t sam = Schema::builtin().attribute("sAMAccountName")->id;
  uint32_t sid = Schema::builtin().attribute("objectSid")->id;
  uint32_t member = Schema::builtin().attribute("member")->id;
};

const Sid kDomain = *Sid::parse("S-1-5-21-1004336348-1177238915-682003330");

// An account as the store indexes it: a child of `parent` named `name`,
// with that sAMAccountName and the domain SID with `rid`.
Object account(const Guid& parent, const std::string& name, uint32_t rid, uint64_t usn, Rng& rng) {
  Ids ids;
  Object obj;
  obj.guid = Guid::random(rng);
  obj.parent = parent;
  Stamp stamp{1, 0, Guid(), usn};
  obj.entry(ids.name) = AttributeEntry{ids.name, {name}, stamp};
  obj.entry(ids.sam) = AttributeEntry{ids.sam, {name}, stamp};
  obj.entry(ids.sid) = AttributeEntry{ids.sid, {kDomain.withRid(rid).toBytes()}, stamp};
  obj.usnCreated = obj.usnChanged = usn;
  return obj;
}

void put(Store& store, const Object& after, const Object* before = nullptr) {
  WriteBatch batch = store.newBatch();
  batch.putObject(NamingContext::Domain, after, before);
  REQUIRE(store.write(batch).isOk());
}

std::string guidBytes(Rng& rng) {
  return std::string(Guid::random(rng).asBytes());
}

}  // namespace

// RocksDB's SliceTransform contract: a key starts with its prefix, a prefix
// is its own prefix, and each scan's seek key has the prefix of every key
// the scan reads, so a filter lacking the seek key's prefix lacks them all.
TEST_CASE("each index key's prefix is the prefix of the seek key that finds it") {
  Xoshiro256 rng(11);
  for (int i = 0; i < 200; ++i) {
    std::string guid = guidBytes(rng), other = guidBytes(rng);
    std::string name = "user-" + std::to_string(rng.next() % 100000);
    std::string sid = kDomain.withRid(static_cast<uint32_t>(rng.next())).toBytes();
    std::string usn(8, static_cast<char>(rng.next()));
    struct Case {
      std::string key, seek;
    };
    std::vector<Case> cases = {
        {"o" + guid, "o"},                                        // every object, in GUID order
        {"u" + usn, "u" + std::string(8, '\0')},                  // changes after a USN
        {"c" + guid + name, "c" + guid},                          // a parent's children
        {"b" + guid + std::string(4, '\1') + other, "b" + guid},  // a target's back links
        {"s" + name + '\0' + guid, "s" + name + '\0'},            // an account by name
        {"i" + sid + guid, "i" + sid},                            // an account by SID
    };
    for (const Case& c : cases) {
      size_t length = indexPrefixLength(c.key);
      std::string prefix = c.key.substr(0, length);
      CHECK(indexPrefixLength(prefix) == length);
      CHECK(c.seek.substr(0, indexPrefixLength(c.seek)) == prefix);
    }
  }
  // A key too short for its kind is its own prefix.
  CHECK(indexPrefixLength("c123") == 4);
  CHECK(indexPrefixLength("i\1") == 2);
  CHECK(indexPrefixLength("sname-without-end") == 17);
}

TEST_CASE("accounts are found by name and SID, and unused ones are not, through a bulk load and its compaction") {
  auto env = StoreEnv::inMemory();
  auto store = Store::open(*env, "/dc1");
  REQUIRE(store.isOk());
  Store& s = **store;
  REQUIRE(s.beginBulkLoad().isOk());
  Xoshiro256 rng(12);
  Guid users = Guid::random(rng);
  std::vector<Object> accounts;
  auto check = [&] {
    for (const Object& obj : accounts) {
      const std::string& name = *obj.firstValue(Ids().sam);
      CHECK(s.guidByAccountName(name) == obj.guid);
      CHECK(s.guidByAccountName(name + "x") == std::nullopt);
      CHECK(s.guidBySid(*Sid::fromBytes(*obj.firstValue(Ids().sid))) == obj.guid);
      CHECK(s.childByName(NamingContext::Domain, users, name) == obj.guid);
    }
    CHECK(s.guidBySid(kDomain.withRid(7)) == std::nullopt);
  };
  // Three rounds, each compacted to the last level: the earlier rounds'
  // accounts are in table files, with Bloom filters, the last in memory.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 500; ++i) {
      accounts.push_back(account(users, "acct-" + std::to_string(accounts.size()),
                                 static_cast<uint32_t>(1000 + accounts.size()), accounts.size() + 1, rng));
      put(s, accounts.back());
    }
    check();
    if (round < 2) REQUIRE(s.compactToLastLevel().isOk());
  }
  REQUIRE(s.compactToLastLevel().isOk());
  check();
}

// A bulk load answers name, SID and child lookups from an index of its own
// (dc/store.cc, BulkLoadIndex): it must answer as RocksDB's index does,
// whatever writes come, including names two objects share (replication
// conflicts leave such pairs until the loser is renamed).
TEST_CASE("during a bulk load, lookups answer as the index does after any adds, renames and removals") {
  auto env = StoreEnv::inMemory();
  auto bulk = Store::open(*env, "/bulk");
  auto plain = Store::open(*env, "/plain");
  REQUIRE(bulk.isOk());
  REQUIRE(plain.isOk());
  Xoshiro256 rng(13);
  Guid parents[2] = {Guid::random(rng), Guid::random(rng)};
  std::vector<Object> live;
  uint64_t usn = 0;
  auto name = [&] { return "n" + std::to_string(rng.next() % 60); };
  auto rid = [&] { return static_cast<uint32_t>(1000 + rng.next() % 60); };
  auto newAccount = [&] { return account(parents[rng.next() % 2], name(), rid(), ++usn, rng); };
  // One batch of one to three changes, written to both stores.
  auto writeBatch = [&] {
    WriteBatch toBulk = (**bulk).newReadableBatch(), toPlain = (**plain).newReadableBatch();
    for (uint64_t n = 1 + rng.next() % 3; n > 0; --n) {
      uint64_t op = rng.next() % 4;
      if (live.empty() || op == 0) {
        live.push_back(newAccount());
        toBulk.putObject(NamingContext::Domain, live.back(), nullptr);
        toPlain.putObject(NamingContext::Domain, live.back(), nullptr);
      } else if (op == 3) {
        size_t at = rng.next() % live.size();
        toBulk.removeObject(NamingContext::Domain, live[at]);
        toPlain.removeObject(NamingContext::Domain, live[at]);
        live.erase(live.begin() + static_cast<long>(at));
      } else {
        // A rename, or a new account name or SID.
        Object& obj = live[rng.next() % live.size()];
        Object before = obj;
        Ids ids;
        uint32_t attr = op == 1 ? ids.name : rng.next() % 2 ? ids.sam : ids.sid;
        obj.entry(attr).values = {attr == ids.sid ? kDomain.withRid(rid()).toBytes() : name()};
        obj.usnChanged = ++usn;
        toBulk.putObject(NamingContext::Domain, obj, &before);
        toPlain.putObject(NamingContext::Domain, obj, &before);
      }
    }
    REQUIRE((**bulk).write(toBulk).isOk());
    REQUIRE((**plain).write(toPlain).isOk());
  };
  auto sameAnswers = [&] {
    for (int i = 0; i < 60; ++i) {
      std::string n = "n" + std::to_string(i);
      CHECK((**bulk).guidByAccountName(n) == (**plain).guidByAccountName(n));
      CHECK((**bulk).guidBySid(kDomain.withRid(1000 + i)) == (**plain).guidBySid(kDomain.withRid(1000 + i)));
      for (const Guid& parent : parents)
        CHECK((**bulk).childByName(NamingContext::Domain, parent, n) ==
              (**plain).childByName(NamingContext::Domain, parent, n));
    }
  };
  // Objects before the load begins come from the store's tables.
  for (int i = 0; i < 40; ++i) writeBatch();
  REQUIRE((**bulk).compactToLastLevel().isOk());
  REQUIRE((**bulk).beginBulkLoad().isOk());
  sameAnswers();
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 20; ++i) writeBatch();
    sameAnswers();
  }
  REQUIRE((**bulk).compactToLastLevel().isOk());
  sameAnswers();
}

// Keys whose stem does not end where its encoding says (an account name
// holding a 0, SID bytes longer than their count says) are found by a seek
// for another name or SID, and a key of a shorter name can start with such
// a name when its GUID's first bytes complete it. During a bulk load, whose
// index answers "not in use" from hashes of stems (dc/bulk_load_index.h),
// and through the store's cache of lookups, which a write of such a key
// must clear for every prefix of it, each lookup answers as the seek does.
TEST_CASE("during a bulk load, names holding a 0 and malformed SIDs are found as a seek finds them") {
  auto env = StoreEnv::inMemory();
  auto bulk = Store::open(*env, "/bulk");
  auto plain = Store::open(*env, "/plain");
  REQUIRE(bulk.isOk());
  REQUIRE(plain.isOk());
  REQUIRE((**bulk).beginBulkLoad().isOk());
  Xoshiro256 rng(17);
  Ids ids;
  Guid users = Guid::random(rng);
  const std::string zero(1, '\0');
  uint64_t usn = 0;
  std::vector<Object> written;
  auto add = [&](const std::string& name, const std::string& sidBytes, std::string_view guidStart = {}) {
    ++usn;
    Object obj = account(users, "rdn" + std::to_string(usn), 2000, usn, rng);
    std::string guid(obj.guid.asBytes());
    guid.replace(0, guidStart.size(), guidStart);
    obj.guid = Guid::fromBytes(guid);
    obj.entry(ids.sam).values = {name};
    obj.entry(ids.sid).values = {sidBytes};
    put(**bulk, obj);
    put(**plain, obj);
    written.push_back(obj);
    return obj.guid;
  };
  const std::string sid = kDomain.withRid(1500).toBytes();
  // "a" whose GUID begins with the bytes that follow "a" and its 0 in the
  // key of "a\0b", and "a\0b" itself: a seek for "a\0b" finds the key of
  // "a" first, which is not "a\0b" and a GUID.
  Guid plainA = add("a", kDomain.withRid(1501).toBytes(), "b" + zero + zero);
  add("a" + zero + "b", kDomain.withRid(1503).toBytes(), "\x80");
  add("a" + zero + "c", kDomain.withRid(1502).toBytes());
  // SID bytes four longer than their count: their key sorts first under the
  // SID they start with, which a seek then finds instead of its account.
  Guid withSid = add("d", sid);
  add("e", sid + std::string(4, '\xff'));
  add("f", sid + std::string(4, '\0'));

  std::vector<std::string> names = {"a", "a" + zero, "a" + zero + "b", "a" + zero + "c", "d", "e", "f", "g"};
  auto sameAnswers = [&] {
    for (const std::string& name : names) CHECK((**bulk).guidByAccountName(name) == (**plain).guidByAccountName(name));
    for (uint32_t rid : {1500u, 1501u, 1502u, 1503u, 1504u})
      CHECK((**bulk).guidBySid(kDomain.withRid(rid)) == (**plain).guidBySid(kDomain.withRid(rid)));
  };
  sameAnswers();
  CHECK((**bulk).guidByAccountName("a") == plainA);
  CHECK((**bulk).guidByAccountName("a" + zero + "b") == std::nullopt);
  CHECK((**bulk).guidBySid(kDomain.withRid(1500)) == std::nullopt);

  // Removing the longer SID's holders leaves the SID to its account.
  for (const Object& obj : written) {
    const std::string* bytes = obj.firstValue(ids.sid);
    if (!bytes || bytes->size() == sid.size()) continue;
    for (Store* store : {&**bulk, &**plain}) {
      WriteBatch batch = store->newBatch();
      batch.removeObject(NamingContext::Domain, obj);
      REQUIRE(store->write(batch).isOk());
    }
  }
  sameAnswers();
  CHECK((**bulk).guidBySid(kDomain.withRid(1500)) == withSid);
}

TEST_CASE("a lookup the store remembers sees the write that changes what it read") {
  auto env = StoreEnv::inMemory();
  auto store = Store::open(*env, "/dc1");
  REQUIRE(store.isOk());
  Store& s = **store;
  Xoshiro256 rng(13);
  Guid users = Guid::random(rng);
  Ids ids;

  // Looked up while absent, then added.
  CHECK(s.guidByAccountName("carol") == std::nullopt);
  CHECK(s.guidBySid(kDomain.withRid(1200)) == std::nullopt);
  CHECK(s.childByName(NamingContext::Domain, users, "carol") == std::nullopt);
  Object carol = account(users, "carol", 1200, 1, rng);
  put(s, carol);
  CHECK(s.guidByAccountName("CAROL") == carol.guid);
  CHECK(s.guidBySid(kDomain.withRid(1200)) == carol.guid);
  CHECK(s.childByName(NamingContext::Domain, users, "carol") == carol.guid);

  // Another account's write leaves carol's lookups as they were.
  Object dave = account(users, "dave", 1201, 2, rng);
  put(s, dave);
  CHECK(s.guidByAccountName("carol") == carol.guid);

  // Renamed: the old name and RDN are free, the new ones taken.
  Object renamed = carol;
  renamed.entry(ids.sam).values = {"carol2"};
  renamed.entry(ids.name).values = {"carol2"};
  renamed.usnChanged = 3;
  put(s, renamed, &carol);
  CHECK(s.guidByAccountName("carol") == std::nullopt);
  CHECK(s.guidByAccountName("carol2") == carol.guid);
  CHECK(s.childByName(NamingContext::Domain, users, "carol") == std::nullopt);
  CHECK(s.childByName(NamingContext::Domain, users, "carol2") == carol.guid);

  // A group's member link: dave's back links gain it, then lose it.
  auto backLinks = [&](const Guid& target) {
    int found = 0;
    s.forEachBackLink(target, [&](int, const Guid&) { ++found; });
    return found;
  };
  CHECK(backLinks(dave.guid) == 0);
  Object group = account(users, "staff", 1202, 4, rng);
  group.links.push_back(LinkEntry{ids.member, dave.guid, true, 0, Stamp{1, 0, Guid(), 4}, 4});
  put(s, group);
  CHECK(backLinks(dave.guid) == 1);
  Object emptied = group;
  emptied.links.front().active = false;
  emptied.usnChanged = 5;
  put(s, emptied, &group);
  CHECK(backLinks(dave.guid) == 0);

  // Removed: nothing finds it.
  WriteBatch batch = s.newBatch();
  batch.removeObject(NamingContext::Domain, dave);
  REQUIRE(s.write(batch).isOk());
  CHECK(s.guidByAccountName("dave") == std::nullopt);
  CHECK(s.guidBySid(kDomain.withRid(1201)) == std::nullopt);
  CHECK(s.childByName(NamingContext::Domain, users, "dave") == std::nullopt);
}

// Replication applies a whole chunk in one batch and reads through it
// (docs/replication.md): an object written earlier in the chunk is found by
// the parent and name checks of the later ones, and what the chunk renamed
// or removed is gone for them, while other readers see the store as it was
// until the batch is written.
TEST_CASE("reads through a replication batch see its writes over the store's, and not what it removed") {
  auto env = StoreEnv::inMemory();
  auto store = Store::open(*env, "/dc1");
  REQUIRE(store.isOk());
  Store& s = **store;
  Xoshiro256 rng(14);
  Guid users = Guid::random(rng);
  Ids ids;
  Object a = account(users, "a", 1300, 1, rng), c = account(users, "c", 1301, 2, rng),
         e = account(users, "e", 1302, 3, rng);
  for (const Object* obj : {&a, &c, &e}) put(s, *obj);
  // Read before the batch, so that the store's caches remember c by its old name.
  CHECK(s.childByName(NamingContext::Domain, users, "c") == c.guid);
  REQUIRE(s.getShared(NamingContext::Domain, c.guid).isOk());

  WriteBatch batch = s.newReadableBatch();
  Object b = account(users, "b", 1303, 4, rng), d = account(users, "d", 1304, 5, rng);
  batch.putObject(NamingContext::Domain, b, nullptr);
  batch.putObject(NamingContext::Domain, d, nullptr);
  Object renamed = c;  // c becomes f
  renamed.entry(ids.name).values = {"f"};
  renamed.usnChanged = 6;
  batch.putObject(NamingContext::Domain, renamed, &c);
  Object bAgain = b;  // written twice in the batch: the second write is read
  bAgain.entry(ids.sam).values = {"b2"};
  bAgain.usnChanged = 7;
  batch.putObject(NamingContext::Domain, bAgain, &b);

  auto children = [&](const WriteBatch* through) {
    std::vector<Guid> found;
    s.forEachChild(
        NamingContext::Domain, users, [&](const Guid& guid) { found.push_back(guid); }, through);
    return found;
  };
  CHECK(children(&batch) == std::vector<Guid>{a.guid, b.guid, d.guid, e.guid, c.guid});
  CHECK(children(nullptr) == std::vector<Guid>{a.guid, c.guid, e.guid});
  CHECK(s.childByName(NamingContext::Domain, users, "c", &batch) == std::nullopt);
  CHECK(s.childByName(NamingContext::Domain, users, "f", &batch) == c.guid);
  CHECK(s.childByName(NamingContext::Domain, users, "c") == c.guid);
  auto valueThrough = [&](const Guid& guid, uint32_t id, const WriteBatch* through) {
    auto obj = s.getObject(NamingContext::Domain, guid, through);
    REQUIRE(obj.isOk());
    const std::string* value = obj->has_value() ? (*obj)->firstValue(id) : nullptr;
    return value ? *value : std::string("(none)");
  };
  CHECK(valueThrough(b.guid, ids.sam, &batch) == "b2");
  CHECK(valueThrough(c.guid, ids.name, &batch) == "f");
  CHECK(valueThrough(b.guid, ids.sam, nullptr) == "(none)");
  CHECK(valueThrough(c.guid, ids.name, nullptr) == "c");

  REQUIRE(s.write(batch).isOk());
  CHECK(children(nullptr) == std::vector<Guid>{a.guid, b.guid, d.guid, e.guid, c.guid});
  CHECK(s.childByName(NamingContext::Domain, users, "c") == std::nullopt);
  CHECK(valueThrough(c.guid, ids.name, nullptr) == "f");
  CHECK(s.guidByAccountName("b") == std::nullopt);
  CHECK(s.guidByAccountName("b2") == b.guid);
}

// Every pull reads the DC's state records (UTD vectors, repsFrom) from the
// store's cache of them: a read answers what the last written batch wrote,
// whatever the batch kind, whatever was read before, and a batch that is
// never written changes nothing; records too large to keep, and more
// records than the cache holds, still read back exactly.
TEST_CASE("state records read back as last written, through the store's cache of them and after reopening") {
  auto env = StoreEnv::inMemory();
  auto opened = Store::open(*env, "/dc1");
  REQUIRE(opened.isOk());
  std::unique_ptr<Store> store = std::move(*opened);
  Xoshiro256 rng(17);
  std::map<std::string, std::string> model;
  auto keyOf = [&] { return "record-" + std::to_string(rng.next() % 40); };
  auto valueOf = [&] {
    // Mostly small, sometimes larger than the cache holds in all.
    size_t size = rng.next() % 8 == 0 ? 100'000 + rng.next() % 1000 : rng.next() % 6000;
    return std::string(size, static_cast<char>('a' + rng.next() % 26));
  };
  auto sameAnswers = [&] {
    for (int i = 0; i < 40; ++i) {
      std::string key = "record-" + std::to_string(i);
      auto found = model.find(key);
      INFO(key);
      CHECK(store->getState(key) == (found == model.end() ? std::nullopt : std::optional(found->second)));
    }
  };
  for (int step = 0; step < 400; ++step) {
    std::string key = keyOf();
    switch (rng.next() % 4) {
      case 0: {  // a plain batch, as an originating write makes
        WriteBatch batch = store->newBatch();
        std::string value = valueOf();
        batch.putState(key, value);
        REQUIRE(store->write(batch).isOk());
        model[key] = value;
        break;
      }
      case 1: {  // a readable batch writing a key twice, as replication may
        WriteBatch batch = store->newReadableBatch();
        std::string first = valueOf(), second = valueOf();
        batch.putState(key, first);
        CHECK(store->getState(key, &batch) == first);
        batch.putState(key, second);
        CHECK(store->getState(key, &batch) == second);
        REQUIRE(store->write(batch).isOk());
        model[key] = second;
        break;
      }
      case 2: {  // a batch dropped unwritten, as a refused chunk is
        WriteBatch batch = store->newReadableBatch();
        batch.putState(key, valueOf());
        break;
      }
      default: {
        auto found = model.find(key);
        CHECK(store->getState(key) == (found == model.end() ? std::nullopt : std::optional(found->second)));
      }
    }
  }
  sameAnswers();
  store.reset();
  opened = Store::open(*env, "/dc1");
  REQUIRE(opened.isOk());
  store = std::move(*opened);
  sameAnswers();
}
