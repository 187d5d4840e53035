#include "replication/source.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "dc/object_wire.h"
#include "replication/message.h"
#include "replication/protocol.capnp.h"
#include "replication/utd.h"
#include "replication/win32.h"

namespace dcemu::replication {
namespace {

using dc::LdapResult;
using dc::Object;
using dc::Status;

struct Request {
  dc::NamingContext nc = dc::NamingContext::Domain;
  uint64_t highWaterMark = 0;
  std::optional<dc::Guid> highWaterMarkInvocationId;
  UpToDateVector utd;
  uint32_t flags = 0;
  uint32_t maxObjects = kDefaultMaxObjects;
  uint64_t maxBytes = kDefaultMaxBytes;
};

Status readRequest(ReceivedMessage& message, Request& out) {
  return readSafely(message.what(), [&]() -> Status {
    auto root = message.root<wire::GetNcChangesRequest>();
    out.nc = static_cast<dc::NamingContext>(root.getNamingContext());
    if (static_cast<int>(out.nc) >= dc::kNamingContextCount)
      return Status(LdapResult::protocolError, fmt::format("{}: unknown naming context", message.what()));
    out.highWaterMark = root.getHighWaterMark();
    if (root.hasHighWaterMarkInvocationId()) {
      out.highWaterMarkInvocationId = readGuid(root.getHighWaterMarkInvocationId());
      if (!out.highWaterMarkInvocationId)
        return Status(LdapResult::protocolError,
                      fmt::format("{}: highWaterMarkInvocationId is not 16 bytes", message.what()));
    }
    out.flags = root.getFlags();
    if (!(out.flags & wire::FLAG_FULL_SYNC)) {
      auto utd = UpToDateVector::readFrom(root.getUtd());
      if (!utd) return Status(LdapResult::protocolError, fmt::format("{}: {}", message.what(), utd.status().message()));
      out.utd = std::move(*utd);
    }
    if (root.getMaxObjects() != 0) out.maxObjects = root.getMaxObjects();
    if (root.getMaxBytes() != 0) out.maxBytes = std::min<uint64_t>(root.getMaxBytes(), kMaxMessageBytes / 2);
    return Status::ok();
  });
}

// How many change entries' objects a serve reads in one RocksDB call.
constexpr size_t kReadWindow = 32;

// About what an object takes in the reply: chunks are cut by it.
size_t replySize(const Object& obj) {
  size_t bytes = 64;
  for (const auto& a : obj.attributes) {
    bytes += 96;
    for (const auto& v : a.values) bytes += 8 + (v.size() + 7) / 8 * 8;
  }
  return bytes + obj.links.size() * 112;
}

class ReplyBuilder {
 public:
  ReplyBuilder(const dc::Directory& dir, const Request& request) : dir_(dir), request_(request) {}

  // Adds what of `obj` the destination lacks, if anything.
  void add(const Object& obj) {
    Object filtered;
    filtered.guid = obj.guid;
    filtered.parent = obj.parent;
    for (const auto& a : obj.attributes) {
      if (!request_.utd.covers(a.stamp)) filtered.attributes.push_back(a);
    }
    size_t firstLink = links_.size();
    for (const auto& l : obj.links) {
      if (!request_.utd.covers(l.stamp)) links_.emplace_back(obj.guid, l);
    }
    if (filtered.attributes.empty() && links_.size() == firstLink) return;
    bytes_ += replySize(filtered) + (links_.size() - firstLink) * 112;
    sent_.insert(obj.guid);
    objects_.push_back(std::move(filtered));
  }

  // GET_ANC: the ancestors the destination lacks, outermost first.
  Status addAncestors(const Object& obj) {
    std::vector<Object> chain;
    for (std::optional<dc::Guid> up = obj.parent; up && !sent_.count(*up);) {
      auto parent = dir_.store().getObject(request_.nc, *up);
      if (!parent) return parent.status();
      if (!parent->has_value()) break;
      up = (*parent)->parent;
      chain.push_back(std::move(**parent));
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) add(*it);
    return Status::ok();
  }

  bool sent(const dc::Guid& guid) const { return sent_.count(guid) != 0; }
  bool full() const { return objects_.size() >= request_.maxObjects || bytes_ >= request_.maxBytes; }

  std::string finish(const dc::Guid& sourceDsa, uint64_t highWaterMark, bool moreData) {
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<wire::GetNcChangesReply>();
    root.setSourceDsa(asData(sourceDsa.asBytes()));
    root.setSourceInvocationId(asData(dir_.invocationId().asBytes()));
    root.setNamingContext(static_cast<wire::NamingContext>(request_.nc));
    auto objects = root.initObjects(static_cast<unsigned>(objects_.size()));
    for (unsigned i = 0; i < objects_.size(); ++i)
      dc::writeObject(objects[i], objects_[i], dc::WireFields::replicatedOnly);
    auto links = root.initLinkedValues(static_cast<unsigned>(links_.size()));
    for (unsigned i = 0; i < links_.size(); ++i) {
      links[i].setSource(asData(links_[i].first.asBytes()));
      dc::writeLinkedValue(links[i].initValue(), links_[i].second, dc::WireFields::replicatedOnly);
    }
    root.setHighWaterMark(highWaterMark);
    root.setMoreData(moreData);
    if (!moreData) {
      UpToDateVector utd = replicaUtd(dir_, request_.nc);
      utd.writeTo(root.initSourceUtd(static_cast<unsigned>(utd.cursors().size())));
    }
    return toBytes(message);
  }

 private:
  const dc::Directory& dir_;
  const Request& request_;
  std::vector<Object> objects_;
  std::vector<std::pair<dc::Guid, dc::LinkEntry>> links_;
  std::set<dc::Guid> sent_;
  size_t bytes_ = 0;
};

}  // namespace

dc::Result<std::string> serveGetNcChanges(const dc::Directory& dir, const dc::Guid& sourceDsa,
                                          std::string_view requestBytes) {
  if (dir.readOnly())
    return Status(LdapResult::unwillingToPerform, "GetNCChanges: a read-only DC does not serve as a source");
  auto message = ReceivedMessage::parse(requestBytes, "GetNCChanges request");
  if (!message) return message.status();
  Request request;
  DCEMU_RETURN_IF_ERROR(readRequest(**message, request));
  if (request.highWaterMarkInvocationId && *request.highWaterMarkInvocationId != dir.invocationId())
    request.highWaterMark = 0;

  ReplyBuilder reply(dir, request);
  uint64_t highWaterMark = request.highWaterMark;
  bool moreData = false;
  Status failure;
  bool getAncestors = request.flags & wire::FLAG_GET_ANCESTORS;
  auto seen = [&](const dc::Guid& invocationId, uint64_t usn) { return request.utd.covers(invocationId, usn); };
  // Entries wait in a window so that the objects they name are read in one
  // RocksDB call; each is still added in USN order, and the reply is cut
  // before the first entry that finds it full, as if read one by one.
  struct Pending {
    uint64_t usn;
    dc::Guid guid;
    bool read;
  };
  std::vector<Pending> window;
  bool stopped = false;
  auto drain = [&] {
    std::vector<dc::Guid> toRead;
    for (const Pending& entry : window) {
      if (entry.read) toRead.push_back(entry.guid);
    }
    std::vector<dc::Result<Object>> objects = dir.store().readChangedObjects(request.nc, toRead);
    size_t next = 0;
    for (const Pending& entry : window) {
      if (reply.full()) {
        moreData = stopped = true;
        break;
      }
      // Chosen before the window's earlier entries were added, whose
      // ancestors may include this object: it goes once.
      if (entry.read && !reply.sent(entry.guid)) {
        dc::Result<Object>& obj = objects[next];
        if (!obj) {
          failure = obj.status();
          stopped = true;
          break;
        }
        if (getAncestors) {
          failure = reply.addAncestors(*obj);
          if (!failure.isOk()) {
            stopped = true;
            break;
          }
        }
        reply.add(*obj);
      }
      if (entry.read) ++next;
      highWaterMark = entry.usn;
    }
    window.clear();
  };
  Status scan = dir.store().forEachChangeEntry(request.nc, request.highWaterMark, [&](const dc::ChangeEntry& entry) {
    // An object whose every write the destination has seen adds nothing
    // (add would filter it all out), so it is not read. GET_ANC still reads
    // it: its ancestors may be missing.
    bool read = !reply.sent(entry.guid()) && (getAncestors || !entry.allSeen(seen));
    window.push_back({entry.usn(), entry.guid(), read});
    if (window.size() == kReadWindow) drain();
    return !stopped;
  });
  if (!stopped) drain();
  DCEMU_RETURN_IF_ERROR(scan);
  DCEMU_RETURN_IF_ERROR(failure);
  // USNs are the DC's, not the naming context's: a complete pull has seen
  // everything up to the highest one.
  if (!moreData) highWaterMark = std::max(highWaterMark, dir.highestCommittedUsn());
  return reply.finish(sourceDsa, highWaterMark, moreData);
}

TransportReply answerGetNcChanges(const dc::Directory& dir, const dc::Guid& sourceDsa, std::string_view request) {
  auto reply = serveGetNcChanges(dir, sourceDsa, request);
  if (reply) return TransportReply{win32::kSuccess, std::move(*reply), {}};
  return TransportReply{
      dir.readOnly() ? win32::kSourceDisabled : win32::kInvalidParameter, {}, reply.status().message()};
}

}  // namespace dcemu::replication
