// The mechanics of one pull: chunking and the high-water mark, propagation
// dampening, GET_ANC, repsFrom bookkeeping, RODCs and refused input.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "dc/object_wire.h"
#include "replication/apply.h"
#include "replication/message.h"
#include "replication/protocol.capnp.h"
#include "replication/reps_from.h"
#include "replication/source.h"
#include "replication/utd.h"
#include "replication/win32.h"
#include "replication_world.h"

namespace dcemu::replication::testing {
TEST_CASE("A pull in small chunks advances the high-water mark per chunk and ends equal to the source",
          "[replication][pull]") {
  ReplicationWorld world(2);
  for (int i = 0; i < 25; ++i)
    require(world.dc(0).add(world.dn(fmt::format("CN=u{},CN=Users", i)),
                            {{"objectClass", {"user"}}, {"sAMAccountName", {fmt::format("u{}", i)}}}));
  PullOptions small;
  small.maxObjects = 4;
  PullResult r = world.pull(1, 0, dc::NamingContext::Domain, small);
  REQUIRE(r.win32 == 0);
  CHECK(r.chunks == 7);  // 25 objects, 4 per chunk
  CHECK(r.counts.objectsCreated == 25);
  auto state = loadRepsFrom(world.dc(1).store(), world.dsa(0), dc::NamingContext::Domain);
  REQUIRE(state.isOk());
  CHECK(state->highWaterMark == world.dc(0).highestCommittedUsn());
  CHECK(state->lastResult == 0);
  CHECK(state->consecutiveFailures == 0);
  CHECK(world.firstDifference(0, 1).empty());
}

// A source reads the objects of up to 32 change entries at once
// (replication/source.cc); a chunk must still end at the first entry that
// finds it full, wherever that falls in such a window.
TEST_CASE("Chunks cut inside a source's read window hold exactly maxObjects each and lose nothing",
          "[replication][pull]") {
  ReplicationWorld world(2);
  for (int i = 0; i < 100; ++i)
    require(world.dc(0).add(world.dn(fmt::format("CN=u{},CN=Users", i)),
                            {{"objectClass", {"user"}}, {"sAMAccountName", {fmt::format("u{}", i)}}}));
  PullOptions seven;
  seven.maxObjects = 7;
  PullResult r = world.pull(1, 0, dc::NamingContext::Domain, seven);
  REQUIRE(r.win32 == 0);
  CHECK(r.counts.objectsCreated == 100);
  CHECK(r.chunks == 15);  // 14 full chunks and 2 objects
  CHECK(world.firstDifference(0, 1).empty());
}

TEST_CASE("A second pull with nothing new sends no objects, and a third DC's changes are not sent back",
          "[replication][pull][dampening]") {
  ReplicationWorld world(3);
  require(world.dc(0).add(world.dn("OU=A"), {{"objectClass", {"organizationalUnit"}}}));
  REQUIRE(world.pull(1, 0).counts.objectsCreated == 1);
  CHECK(world.pull(1, 0).counts.objectsReceived == 0);
  // DC2 learns OU=A from DC1; then pulling from DC0, which also has it,
  // sends nothing: DC2's UTD covers DC0's write.
  REQUIRE(world.pull(2, 1).counts.objectsCreated == 1);
  PullResult fromOrigin = world.pull(2, 0);
  CHECK(fromOrigin.counts.objectsReceived == 0);
  // And DC0 does not get its own write back from DC1.
  CHECK(world.pull(0, 1).counts.objectsReceived == 0);
}

TEST_CASE("A child that arrives before its parent makes the pull retry with GET_ANC", "[replication][pull]") {
  ReplicationWorld world(2);
  require(world.dc(0).add(world.dn("OU=Parent"), {{"objectClass", {"organizationalUnit"}}}));
  require(world.dc(0).add(world.dn("OU=Child,OU=Parent"), {{"objectClass", {"organizationalUnit"}}}));
  // Changing the parent puts it after its child in USN order.
  require(world.dc(0).modify(world.dn("OU=Parent"), {{dc::Change::Op::Replace, "description", {"later"}}}));
  PullOptions one;
  one.maxObjects = 1;
  PullResult r = world.pull(1, 0, dc::NamingContext::Domain, one);
  REQUIRE(r.win32 == 0);
  CHECK(r.usedGetAncestors);
  CHECK(world.firstDifference(0, 1).empty());
}

TEST_CASE("A child created under a parent deleted concurrently elsewhere goes to LostAndFound on every DC",
          "[replication][delete]") {
  ReplicationWorld world(2);
  require(world.dc(0).add(world.dn("OU=P"), {{"objectClass", {"organizationalUnit"}}}));
  world.syncUntilQuiet();
  require(world.dc(0).remove(world.dn("OU=P")));
  auto child = world.dc(1).add(world.dn("OU=C,OU=P"), {{"objectClass", {"organizationalUnit"}}});
  REQUIRE(child.isOk());
  world.syncUntilQuiet();
  for (int i = 0; i < 2; ++i) CHECK(world.dc(i).dnOf(*child).valueOr("") == world.dn("OU=C,CN=LostAndFound"));
  CHECK(world.totals().orphansMoved >= 1);
  CHECK(world.firstDifference(0, 1).empty());
}

// The orphan rule of the test above within one chunk, which is applied
// object by object in one batch: what placing an object reads of its
// parent is the parent as the chunk has left it so far. Here a live child
// and then its parent's delete arrive together, as a source that could
// not re-home the child (no LostAndFound) would send them; the delete
// still sends the parent's live children, the one just placed and one
// created here, to LostAndFound.
TEST_CASE("A chunk holding a child and then its parent's delete sends both children to LostAndFound",
          "[replication][delete]") {
  ReplicationWorld world(2);
  auto parent = world.dc(0).add(world.dn("OU=P"), {{"objectClass", {"organizationalUnit"}}});
  REQUIRE(parent.isOk());
  world.syncUntilQuiet();
  auto local = world.dc(1).add(world.dn("OU=Here,OU=P"), {{"objectClass", {"organizationalUnit"}}});
  auto arriving = world.dc(0).add(world.dn("OU=There,OU=P"), {{"objectClass", {"organizationalUnit"}}});
  REQUIRE(local.isOk());
  REQUIRE(arriving.isOk());
  dc::Object child = **world.dc(0).viewByGuid(*arriving);
  REQUIRE(world.dc(0).remove(world.dn("OU=There,OU=P")).isOk());
  REQUIRE(world.dc(0).remove(world.dn("OU=P")).isOk());
  dc::Object deleted = **world.dc(0).viewByGuid(*parent);

  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<wire::GetNcChangesReply>();
  root.setSourceDsa(dc::asData(world.dsa(0).asBytes()));
  root.setSourceInvocationId(dc::asData(world.dc(0).invocationId().asBytes()));
  root.setNamingContext(wire::NamingContext::DOMAIN);
  auto objects = root.initObjects(2);
  dc::writeObject(objects[0], child, dc::WireFields::replicatedOnly);
  dc::writeObject(objects[1], deleted, dc::WireFields::replicatedOnly);
  root.setMoreData(true);
  RepsFrom state;
  state.sourceDsa = world.dsa(0);
  ApplyOutcome outcome = applyReply(world.dc(1), state, toBytes(message));
  REQUIRE(outcome.win32 == 0);
  CHECK(outcome.counts.orphansMoved == 2);
  CHECK(world.dc(1).dnOf(*local).valueOr("") == world.dn("OU=Here,CN=LostAndFound"));
  CHECK(world.dc(1).dnOf(*arriving).valueOr("") == world.dn("OU=There,CN=LostAndFound"));
}

TEST_CASE("An RODC pulls like any DC but refuses to be a source and refuses writes", "[replication][rodc]") {
  ReplicationWorld world(2, 1, {1});
  CHECK(world.firstDifference(0, 1).empty());
  require(world.dc(0).add(world.dn("OU=New"), {{"objectClass", {"organizationalUnit"}}}));
  CHECK(world.pull(1, 0).counts.objectsCreated == 1);
  PullResult fromRodc = world.pull(0, 1);
  CHECK(fromRodc.win32 == win32::kSourceDisabled);
  auto write = world.dc(1).add(world.dn("OU=Other"), {{"objectClass", {"organizationalUnit"}}});
  CHECK(write.status().code() == dc::LdapResult::referral);
}

TEST_CASE("An unreachable partner is recorded in repsFrom with consecutive failures, then success resets them",
          "[replication][repsfrom]") {
  ReplicationWorld world(2);
  world.transport().setLatency(world.dsa(0), 40000);  // 40 ms each way, on the timer
  int64_t start = world.clock().nowMicros();
  CHECK(world.pull(1, 0).win32 == 0);
  CHECK(world.clock().nowMicros() - start >= 80000);  // request and reply
  world.transport().setReachable(world.dsa(0), false);
  for (int i = 0; i < 3; ++i) CHECK(world.pull(1, 0).win32 == win32::kRpcServerUnavailable);
  auto state = loadRepsFrom(world.dc(1).store(), world.dsa(0), dc::NamingContext::Domain);
  REQUIRE(state.isOk());
  CHECK(state->consecutiveFailures == 3);
  CHECK(state->lastResult == win32::kRpcServerUnavailable);
  int64_t lastSuccessBefore = state->lastSuccess;
  CHECK(state->lastAttempt > lastSuccessBefore);

  world.transport().setReachable(world.dsa(0), true);
  CHECK(world.pull(1, 0).win32 == 0);
  state = loadRepsFrom(world.dc(1).store(), world.dsa(0), dc::NamingContext::Domain);
  CHECK(state->consecutiveFailures == 0);
  CHECK(state->lastSuccess == state->lastAttempt);
}

TEST_CASE("A malformed or truncated GetNCChanges request is refused with a message and changes nothing",
          "[replication][input]") {
  ReplicationWorld world(2);
  uint64_t before = world.dc(0).highestCommittedUsn();
  auto truncated = serveGetNcChanges(world.dc(0), world.dsa(0), std::string(12, '\x01'));
  REQUIRE_FALSE(truncated.isOk());
  CHECK(truncated.status().message().find("GetNCChanges request") != std::string::npos);

  RepsFrom state;
  state.sourceDsa = world.dsa(0);
  std::string good = encodeGetNcChangesRequest(world.dc(1), world.dsa(1), state, 0, {});
  auto cut = serveGetNcChanges(world.dc(0), world.dsa(0), good.substr(0, good.size() - 16));
  REQUIRE_FALSE(cut.isOk());
  CHECK(cut.status().message().find("malformed") != std::string::npos);
  CHECK(world.dc(0).highestCommittedUsn() == before);

  RepsFrom mine;
  mine.sourceDsa = world.dsa(0);
  ApplyOutcome garbage = applyReply(world.dc(1), mine, std::string(64, '\xff'));
  CHECK(garbage.win32 == win32::kInvalidParameter);
  CHECK_FALSE(garbage.error.empty());
  CHECK(world.firstDifference(0, 1).empty());
}

TEST_CASE("A high-water mark learned from a source's earlier invocationID is not trusted, the same invocationID is",
          "[replication][pull][restore]") {
  ReplicationWorld world(2);
  require(world.dc(0).add(world.dn("OU=AfterTheMark"), {{"objectClass", {"organizationalUnit"}}}));
  // DC1's repsFrom claims it has processed DC0's USNs far beyond what DC0
  // has written, as after DC0 is restored from a backup older than the mark.
  auto state = require(loadRepsFrom(world.dc(1).store(), world.dsa(0), dc::NamingContext::Domain));
  state.highWaterMark = 1'000'000;
  require(saveRepsFrom(world.dc(1), state));

  SECTION("restored with the same invocationID (USN rollback): the change is silently never sent") {
    PullResult r = world.pull(1, 0);
    REQUIRE(r.win32 == 0);
    CHECK(r.counts.objectsReceived == 0);
    CHECK_FALSE(world.dc(1).read(world.dn("OU=AfterTheMark")).isOk());
  }
  SECTION("restored with a new invocationID: the source starts from USN 0 and the UTD limits what it sends") {
    dc::Xoshiro256 other(99);
    state.sourceInvocationId = dc::Guid::random(other);
    require(saveRepsFrom(world.dc(1), state));
    PullResult r = world.pull(1, 0);
    REQUIRE(r.win32 == 0);
    CHECK(r.counts.objectsCreated == 1);
    CHECK(r.counts.objectsUpdated == 0);  // everything else was already covered
    CHECK(world.dc(1).read(world.dn("OU=AfterTheMark")).isOk());
    auto after = require(loadRepsFrom(world.dc(1).store(), world.dsa(0), dc::NamingContext::Domain));
    CHECK(after.sourceInvocationId == world.dc(0).invocationId());
    CHECK(after.highWaterMark == world.dc(0).highestCommittedUsn());
  }
}

TEST_CASE(
    "A replica given a new invocationID keeps its old one in the UTD: partners send nothing back, and take only "
    "the new writes",
    "[replication][pull][restore]") {
  ReplicationWorld world(2);
  require(world.dc(1).add(world.dn("OU=BeforeRestore"), {{"objectClass", {"organizationalUnit"}}}));
  world.syncUntilQuiet();
  dc::Guid old = world.dc(1).invocationId();
  uint64_t usn = world.dc(1).highestCommittedUsn();
  dc::Xoshiro256 ids(7);
  dc::Guid fresh = dc::Guid::random(ids);

  require(adoptInvocationId(world.dc(1), fresh));
  CHECK(world.dc(1).invocationId() == fresh);
  CHECK(world.dc(1).highestCommittedUsn() == usn);
  CHECK(replicaUtd(world.dc(1), dc::NamingContext::Domain).usnOf(old) == usn);

  require(world.dc(1).add(world.dn("OU=AfterRestore"), {{"objectClass", {"organizationalUnit"}}}));
  auto meta = require(world.dc(1).attributeMetadata(world.dn("OU=AfterRestore")));
  CHECK(meta.front().stamp.originatingInvocationId == fresh);

  PullResult fromOld = world.pull(1, 0);
  REQUIRE(fromOld.win32 == 0);
  CHECK(fromOld.counts.objectsReceived == 0);
  // DC0's mark came from DC1's old invocationID: it restarts from USN 0 and
  // takes the one new object; the rest is covered by its UTD.
  PullResult fromRestored = world.pull(0, 1);
  REQUIRE(fromRestored.win32 == 0);
  CHECK(fromRestored.counts.objectsCreated == 1);
  CHECK(fromRestored.counts.objectsUpdated == 0);
  CHECK(world.firstDifference(0, 1).empty());
}

}  // namespace dcemu::replication::testing

namespace dcemu::replication::testing {

// Event 2042 / ERROR_DS_REPL_LIFETIME_EXCEEDED: the destination stops
// replicating with a source it has not replicated from successfully for
// longer than the tombstone lifetime, unless "Allow Replication With
// Divergent and Corrupt Partner" is set.
TEST_CASE("A source last replicated from longer ago than the tombstone lifetime is refused with 8614",
          "[replication][lifetime]") {
  ReplicationWorld world(2);
  world.syncUntilQuiet();
  world.clock().advance(181LL * 24 * 3600 * 1000000);
  PullResult refused = world.pull(1, 0);
  CHECK(refused.win32 == win32::kLifetimeExceeded);
  auto state = loadRepsFrom(world.dc(1).store(), world.dsa(0), dc::NamingContext::Domain);
  REQUIRE(state.isOk());
  CHECK(state->lastResult == win32::kLifetimeExceeded);
  CHECK(state->consecutiveFailures == 1);
  PullOptions divergent;
  divergent.allowDivergentPartner = true;
  CHECK(world.pull(1, 0, dc::NamingContext::Domain, divergent).win32 == 0);
  CHECK(world.pull(1, 0).win32 == 0);  // a success resets the clock
}

// Strict replication consistency: an update to an object the destination
// does not hold stops the pull (8606, event 1988); loose re-creates it.
TEST_CASE("An update to an object the destination lacks stops a strict pull with 8606 and re-creates it when loose",
          "[replication][lifetime]") {
  for (bool strict : {true, false}) {
    INFO("strict " << strict);
    ReplicationWorld world(2);
    std::string ou = world.dn("OU=Lingering");
    dc::Guid guid = require(world.dc(0).add(ou, {{"objectClass", {"organizationalUnit"}}}));
    world.syncUntilQuiet();
    // The destination loses the object as garbage collection removes it.
    auto obj = require(world.dc(1).store().getObject(dc::NamingContext::Domain, guid));
    dc::WriteBatch batch = world.dc(1).store().newBatch();
    batch.removeObject(dc::NamingContext::Domain, *obj);
    require(world.dc(1).store().write(batch));
    world.clock().advance(1000000);
    require(world.dc(0).modify(ou, {{dc::Change::Op::Replace, "description", {"changed"}}}));
    PullOptions options;
    options.strictConsistency = strict;
    PullResult r = world.pull(1, 0, dc::NamingContext::Domain, options);
    if (strict) {
      CHECK(r.win32 == win32::kInsufficientAttributes);
      REQUIRE(r.lingeringObject);
      CHECK(*r.lingeringObject == guid);
      CHECK(world.dc(1).read(ou).status().code() == dc::LdapResult::noSuchObject);
    } else {
      CHECK(r.win32 == 0);
      CHECK(world.dc(1).read(ou).isOk());
      CHECK(world.firstDifference(0, 1).empty());
    }
  }
}

TEST_CASE("A destination's write observer sees a watched object as the pull applied it, flagged replicated",
          "[replication][pull]") {
  ReplicationWorld world(2);
  dc::Guid ou = require(world.dc(0).add(world.dn("OU=Watched"), {{"objectClass", {"organizationalUnit"}}}));
  require(world.dc(0).add(world.dn("OU=Other"), {{"objectClass", {"organizationalUnit"}}}));
  std::vector<std::pair<dc::Object, bool>> told;
  world.dc(1).setWriteObserver(
      {[&](const dc::Guid& object) { return object == ou; },
       [&](const dc::Object& object, bool replicated) { told.emplace_back(object, replicated); }});
  world.pullAll(1, 0);
  REQUIRE(told.size() == 1);
  CHECK(told[0].second);
  CHECK(told[0].first == *require(world.dc(1).viewByGuid(ou)));

  require(world.dc(0).modify(world.dn("OU=Watched"), {{dc::Change::Op::Replace, "description", {"moved"}}}));
  require(world.dc(0).modify(world.dn("OU=Other"), {{dc::Change::Op::Replace, "description", {"not watched"}}}));
  REQUIRE(world.pull(1, 0).counts.objectsReceived == 2);
  REQUIRE(told.size() == 2);
  CHECK(told[1].first == *require(world.dc(1).viewByGuid(ou)));
  CHECK(*told[1].first.firstValue(world.dc(1).schema().attribute("description")->id) == "moved");
}
}  // namespace dcemu::replication::testing
