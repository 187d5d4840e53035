// Up-to-dateness vectors as the wire and a completed pull build them: the
// fast paths (cursors already in order, one pass over two vectors) must give
// exactly what merging cursor by cursor gives, the rule of MS-DRSR's
// UpdateUTD: per invocationID the higher USN wins, and at equal USNs the
// later sync time.
#include "replication/utd.h"

#include <capnp/message.h>

#include <catch2/catch.hpp>
#include <utility>

#include "dc/rng.h"
#include "replication/message.h"

using namespace dcemu;
using namespace dcemu::replication;

namespace {

// Cursors for some of `ids`, with random USNs and times (small ranges, so
// that equal USNs and times happen).
std::vector<UtdCursor> randomCursors(const std::vector<dc::Guid>& ids, dc::Xoshiro256& rng) {
  std::vector<UtdCursor> cursors;
  for (const dc::Guid& id : ids) {
    if (rng.next() % 3 == 0) continue;
    cursors.push_back(UtdCursor{id, rng.next() % 4, static_cast<int64_t>(rng.next() % 3)});
  }
  return cursors;
}

UpToDateVector mergedOneByOne(const std::vector<UtdCursor>& cursors) {
  UpToDateVector utd;
  for (const UtdCursor& c : cursors) utd.merge(c);
  return utd;
}

UpToDateVector throughWire(const std::vector<UtdCursor>& cursors) {
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<wire::UpToDateVector>().initCursors(static_cast<unsigned>(cursors.size()));
  for (unsigned i = 0; i < cursors.size(); ++i) {
    list[i].setInvocationId(dc::asData(cursors[i].invocationId.asBytes()));
    list[i].setUsn(cursors[i].usn);
    list[i].setLastSyncTime(cursors[i].lastSyncTime);
  }
  auto read = UpToDateVector::readFrom(message.getRoot<wire::UpToDateVector>().getCursors().asReader());
  REQUIRE(read.isOk());
  return *read;
}

}  // namespace

TEST_CASE("A UTD vector read from the wire is the merge of its cursors, in order or not, repeated or not",
          "[replication][utd]") {
  dc::Xoshiro256 rng(11);
  std::vector<dc::Guid> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(dc::Guid::random(rng));
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<UtdCursor> cursors = randomCursors(ids, rng);
    std::vector<UtdCursor> more = randomCursors(ids, rng);
    cursors.insert(cursors.end(), more.begin(), more.end());
    if (trial % 2) {
      for (size_t i = cursors.size(); i > 1; --i) std::swap(cursors[i - 1], cursors[rng.next() % i]);
    }
    UpToDateVector expected = mergedOneByOne(cursors);
    CHECK(throughWire(cursors).cursors() == expected.cursors());
    // What writeTo sends reads back as itself.
    CHECK(throughWire(expected.cursors()).cursors() == expected.cursors());
  }
}

TEST_CASE("Merging a source's UTD vector in one pass equals merging its cursors one by one, but the DC's own",
          "[replication][utd]") {
  dc::Xoshiro256 rng(12);
  std::vector<dc::Guid> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(dc::Guid::random(rng));
  for (int trial = 0; trial < 500; ++trial) {
    UpToDateVector mine = mergedOneByOne(randomCursors(ids, rng));
    UpToDateVector theirs = mergedOneByOne(randomCursors(ids, rng));
    const dc::Guid& own = ids[rng.next() % ids.size()];
    UpToDateVector expected = mine;
    for (const UtdCursor& c : theirs.cursors()) {
      if (c.invocationId != own) expected.merge(c);
    }
    mine.mergeAll(theirs, own);
    CHECK(mine.cursors() == expected.cursors());
  }
}
