#include "replication/pull.h"

#include <memory>

#include "dc/garbage_collection.h"
#include "replication/message.h"
#include "replication/protocol.capnp.h"
#include "replication/reps_from.h"
#include "replication/utd.h"
#include "replication/win32.h"

namespace dcemu::replication {

namespace {
// Not on the wire: the request goes without the UTD, so that the source
// sends whole objects from the same high-water mark (loose consistency
// re-creating a lingering object).
constexpr uint32_t kFlagWholeObjects = 0x80000000u;
}  // namespace

std::string encodeGetNcChangesRequest(const dc::Directory& dir, const dc::Guid& destinationDsa, const RepsFrom& state,
                                      uint32_t flags, const PullOptions& options) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<wire::GetNcChangesRequest>();
  root.setDestinationDsa(asData(destinationDsa.asBytes()));
  root.setDestinationInvocationId(asData(dir.invocationId().asBytes()));
  root.setNamingContext(static_cast<wire::NamingContext>(state.namingContext));
  root.setHighWaterMark(state.highWaterMark);
  if (state.sourceInvocationId) root.setHighWaterMarkInvocationId(asData(state.sourceInvocationId->asBytes()));
  if (!(flags & (wire::FLAG_FULL_SYNC | kFlagWholeObjects))) {
    UpToDateVector utd = replicaUtd(dir, state.namingContext);
    utd.writeTo(root.initUtd(static_cast<unsigned>(utd.cursors().size())));
  }
  root.setFlags((flags & ~kFlagWholeObjects) | (dir.readOnly() ? 0 : wire::FLAG_WRITABLE_REPLICA));
  root.setMaxObjects(options.maxObjects);
  root.setMaxBytes(options.maxBytes);
  return toBytes(message);
}

namespace {

class Pull : public std::enable_shared_from_this<Pull> {
 public:
  Pull(dc::Directory& dir, const dc::Guid& destination, RepsFrom state, PullTransport& transport,
       const PullOptions& options, std::function<void(PullResult)> done)
      : dir_(dir),
        destination_(destination),
        state_(std::move(state)),
        transport_(transport),
        options_(options),
        done_(std::move(done)) {
    if (options_.fullSync) {
      flags_ |= wire::FLAG_FULL_SYNC;
      state_.highWaterMark = 0;
    }
  }

  void requestNext() {
    std::string request = encodeGetNcChangesRequest(dir_, destination_, state_, flags_, options_);
    result_.bytesSent += request.size();
    auto self = shared_from_this();
    transport_.getNcChanges(state_.sourceDsa, std::move(request),
                            [self](TransportReply reply) { self->received(std::move(reply)); });
  }

 private:
  void received(TransportReply reply) {
    if (reply.win32 != 0) return finish(reply.win32, std::move(reply.error));
    ApplyOutcome outcome = applyReply(dir_, state_, reply.bytes);
    if (outcome.win32 == win32::kMissingParent && !(flags_ & wire::FLAG_GET_ANCESTORS)) {
      // The chunk was not applied; ask again from the same place, ancestors first.
      flags_ |= wire::FLAG_GET_ANCESTORS;
      result_.usedGetAncestors = true;
      return requestNext();
    }
    if (outcome.win32 == win32::kInsufficientAttributes && !options_.strictConsistency &&
        !(flags_ & kFlagWholeObjects)) {
      // Loose consistency: ask for the chunk again with whole objects.
      flags_ |= kFlagWholeObjects;
      return requestNext();
    }
    if (outcome.win32 == win32::kInsufficientAttributes) result_.lingeringObject = outcome.missingObject;
    if (outcome.win32 != 0) return finish(outcome.win32, std::move(outcome.error));
    flags_ &= ~kFlagWholeObjects;
    ++result_.chunks;
    result_.counts += outcome.counts;
    if (outcome.moreData) return requestNext();
    finish(win32::kSuccess, {});
  }

  void finish(uint32_t code, std::string error) {
    // The high-water mark was stored with each applied chunk; reload so the
    // bookkeeping below never moves it.
    auto stored = loadRepsFrom(dir_.store(), state_.sourceDsa, state_.namingContext);
    RepsFrom record = stored ? *stored : state_;
    int64_t now = dir_.nowMicros();
    record.lastAttempt = now;
    record.lastResult = code;
    if (code == win32::kSuccess) {
      record.lastSuccess = now;
      record.consecutiveFailures = 0;
    } else {
      ++record.consecutiveFailures;
    }
    dc::Status saved = saveRepsFrom(dir_, record);
    result_.win32 = code;
    result_.error = std::move(error);
    if (code == 0 && !saved.isOk()) {
      result_.win32 = win32::kDatabaseError;
      result_.error = saved.message();
    }
    done_(std::move(result_));
  }

  dc::Directory& dir_;
  dc::Guid destination_;
  RepsFrom state_;
  PullTransport& transport_;
  PullOptions options_;
  std::function<void(PullResult)> done_;
  uint32_t flags_ = 0;
  PullResult result_;
};

}  // namespace

void pullNamingContext(dc::Directory& dir, const dc::Guid& destinationDsa, const dc::Guid& sourceDsa,
                       dc::NamingContext nc, PullTransport& transport, const PullOptions& options,
                       std::function<void(PullResult)> done) {
  auto state = loadRepsFrom(dir.store(), sourceDsa, nc);
  if (!state) {
    PullResult failed;
    failed.win32 = win32::kDatabaseError;
    failed.error = state.status().message();
    done(std::move(failed));
    return;
  }
  int64_t sinceSuccess = dir.nowMicros() - state->lastSuccess;
  // The lifetime is read only when it could have passed: no read on a pull
  // from a partner replicated with in the last two days.
  if (!options.allowDivergentPartner && state->lastSuccess > 0 && sinceSuccess > dc::kMinimumTombstoneLifetimeMicros &&
      sinceSuccess > dc::tombstoneLifetimeMicros(dir)) {
    // Event 2042: replication with this source has stopped. The attempt
    // is recorded like any failure.
    state->lastAttempt = dir.nowMicros();
    state->lastResult = win32::kLifetimeExceeded;
    ++state->consecutiveFailures;
    (void)saveRepsFrom(dir, *state);
    PullResult refused;
    refused.win32 = win32::kLifetimeExceeded;
    refused.error = std::string(win32::message(win32::kLifetimeExceeded));
    done(std::move(refused));
    return;
  }
  auto pull = std::make_shared<Pull>(dir, destinationDsa, std::move(*state), transport, options, std::move(done));
  pull->requestNext();
}

}  // namespace dcemu::replication
