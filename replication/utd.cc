#include "replication/utd.h"

#include <fmt/format.h>

#include <algorithm>

#include "replication/message.h"

namespace dcemu::replication {
namespace {

std::string stateKey(dc::NamingContext nc) {
  return fmt::format("utd/{}", dc::namingContextName(nc));
}

auto byInvocation = [](const UtdCursor& c, const dc::Guid& id) { return c.invocationId < id; };

// Whether `a` records more than `b` of one invocationID's writes: a higher
// USN, or the same USN learned later.
bool ahead(const UtdCursor& a, const UtdCursor& b) {
  return a.usn > b.usn || (a.usn == b.usn && a.lastSyncTime > b.lastSyncTime);
}

dc::Result<UpToDateVector> decodeStored(const std::optional<std::string>& bytes) {
  if (!bytes) return UpToDateVector();
  auto message = ReceivedMessage::parse(*bytes, "stored UTD vector");
  if (!message) return message.status();
  UpToDateVector utd;
  dc::Status read = readSafely("stored UTD vector", [&] {
    auto parsed = UpToDateVector::readFrom((*message)->root<wire::UpToDateVector>().getCursors());
    if (!parsed) return parsed.status();
    utd = std::move(*parsed);
    return dc::Status::ok();
  });
  if (!read.isOk()) return read;
  return utd;
}

}  // namespace

bool UpToDateVector::covers(const dc::Stamp& stamp) const {
  return covers(stamp.originatingInvocationId, stamp.originatingUsn);
}

bool UpToDateVector::covers(const dc::Guid& invocationId, uint64_t originatingUsn) const {
  return usnOf(invocationId) >= originatingUsn;
}

uint64_t UpToDateVector::usnOf(const dc::Guid& invocationId) const {
  auto it = std::lower_bound(cursors_.begin(), cursors_.end(), invocationId, byInvocation);
  return it != cursors_.end() && it->invocationId == invocationId ? it->usn : 0;
}

void UpToDateVector::merge(const UtdCursor& cursor) {
  auto it = std::lower_bound(cursors_.begin(), cursors_.end(), cursor.invocationId, byInvocation);
  if (it == cursors_.end() || it->invocationId != cursor.invocationId) {
    cursors_.insert(it, cursor);
  } else if (ahead(cursor, *it)) {
    *it = cursor;
  }
}

void UpToDateVector::writeTo(capnp::List<wire::UtdCursor>::Builder out) const {
  for (unsigned i = 0; i < cursors_.size(); ++i) {
    out[i].setInvocationId(asData(cursors_[i].invocationId.asBytes()));
    out[i].setUsn(cursors_[i].usn);
    out[i].setLastSyncTime(cursors_[i].lastSyncTime);
  }
}

dc::Result<UpToDateVector> UpToDateVector::readFrom(capnp::List<wire::UtdCursor>::Reader in) {
  UpToDateVector utd;
  utd.cursors_.reserve(in.size());
  for (auto c : in) {
    auto id = readGuid(c.getInvocationId());
    if (!id) return dc::Status(dc::LdapResult::protocolError, "UTD cursor: invocationID is not 16 bytes");
    UtdCursor cursor{*id, c.getUsn(), c.getLastSyncTime()};
    // writeTo sends cursors in order, one per invocationID: those append.
    // Any other order (a peer's, a damaged message's) merges one by one.
    if (utd.cursors_.empty() || utd.cursors_.back().invocationId < cursor.invocationId) {
      utd.cursors_.push_back(cursor);
    } else {
      utd.merge(cursor);
    }
  }
  return utd;
}

void UpToDateVector::mergeAll(const UpToDateVector& other, const dc::Guid& except) {
  std::vector<UtdCursor> merged;
  merged.reserve(cursors_.size() + other.cursors_.size());
  auto mine = cursors_.cbegin(), mineEnd = cursors_.cend();
  auto theirs = other.cursors_.cbegin(), theirsEnd = other.cursors_.cend();
  while (mine != mineEnd || theirs != theirsEnd) {
    if (theirs != theirsEnd && theirs->invocationId == except) {
      ++theirs;
    } else if (theirs == theirsEnd || (mine != mineEnd && mine->invocationId < theirs->invocationId)) {
      merged.push_back(*mine++);
    } else if (mine == mineEnd || theirs->invocationId < mine->invocationId) {
      merged.push_back(*theirs++);
    } else {
      merged.push_back(ahead(*theirs, *mine) ? *theirs : *mine);
      ++mine;
      ++theirs;
    }
  }
  cursors_ = std::move(merged);
}

UpToDateVector replicaUtd(const dc::Directory& dir, dc::NamingContext nc) {
  // An unreadable stored vector counts as empty: that costs dampening only.
  auto stored = decodeStored(dir.store().getState(stateKey(nc)));
  UpToDateVector utd = stored ? std::move(*stored) : UpToDateVector();
  utd.merge(UtdCursor{dir.invocationId(), dir.highestCommittedUsn(), dir.nowMicros()});
  return utd;
}

dc::Result<UpToDateVector> storedUtd(const dc::ReplicaBatch& batch, dc::NamingContext nc) {
  return decodeStored(batch.getState(stateKey(nc)));
}

void storeUtd(dc::ReplicaBatch& batch, dc::NamingContext nc, const UpToDateVector& utd) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<wire::UpToDateVector>();
  utd.writeTo(root.initCursors(static_cast<unsigned>(utd.cursors().size())));
  batch.putState(stateKey(nc), toBytes(message));
}

dc::Status adoptInvocationId(dc::Directory& dir, const dc::Guid& id) {
  dc::ReplicaBatch batch(dir);
  UtdCursor retired{dir.invocationId(), dir.highestCommittedUsn(), batch.nowMicros()};
  for (int i = 0; i < dc::kNamingContextCount; ++i) {
    auto nc = static_cast<dc::NamingContext>(i);
    auto utd = storedUtd(batch, nc);
    if (!utd) return utd.status();
    utd->merge(retired);
    storeUtd(batch, nc, *utd);
  }
  batch.setInvocationId(id);
  return batch.commit();
}

}  // namespace dcemu::replication
