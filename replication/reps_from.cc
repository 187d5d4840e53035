#include "replication/reps_from.h"

#include <fmt/format.h>

#include "replication/message.h"
#include "replication/protocol.capnp.h"

namespace dcemu::replication {
namespace {

std::string stateKey(const dc::Guid& source, dc::NamingContext nc) {
  return fmt::format("repsFrom/{}/{}", dc::namingContextName(nc), source.toString());
}

std::string encode(const RepsFrom& state) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<wire::RepsFrom>();
  root.setSourceDsa(asData(state.sourceDsa.asBytes()));
  if (state.sourceInvocationId) root.setSourceInvocationId(asData(state.sourceInvocationId->asBytes()));
  root.setHighWaterMark(state.highWaterMark);
  root.setLastAttempt(state.lastAttempt);
  root.setLastSuccess(state.lastSuccess);
  root.setLastResult(state.lastResult);
  root.setConsecutiveFailures(state.consecutiveFailures);
  return toBytes(message);
}

dc::Result<RepsFrom> decode(std::string_view bytes, RepsFrom state) {
  auto message = ReceivedMessage::parse(bytes, "stored repsFrom");
  if (!message) return message.status();
  dc::Status read = readSafely("stored repsFrom", [&] {
    auto root = (*message)->root<wire::RepsFrom>();
    auto source = readGuid(root.getSourceDsa());
    if (!source) return dc::Status(dc::LdapResult::other, "stored repsFrom: no source DSA");
    state.sourceDsa = *source;
    if (root.hasSourceInvocationId()) state.sourceInvocationId = readGuid(root.getSourceInvocationId());
    state.highWaterMark = root.getHighWaterMark();
    state.lastAttempt = root.getLastAttempt();
    state.lastSuccess = root.getLastSuccess();
    state.lastResult = root.getLastResult();
    state.consecutiveFailures = root.getConsecutiveFailures();
    return dc::Status::ok();
  });
  if (!read.isOk()) return read;
  return state;
}

}  // namespace

dc::Result<RepsFrom> loadRepsFrom(const dc::Store& store, const dc::Guid& sourceDsa, dc::NamingContext nc) {
  RepsFrom state;
  state.sourceDsa = sourceDsa;
  state.namingContext = nc;
  auto bytes = store.getState(stateKey(sourceDsa, nc));
  if (!bytes) return state;
  return decode(*bytes, state);
}

dc::Result<std::vector<RepsFrom>> listRepsFrom(const dc::Store& store, dc::NamingContext nc) {
  std::vector<RepsFrom> partners;
  dc::Status failed = dc::Status::ok();
  RepsFrom fresh;
  fresh.namingContext = nc;
  store.forEachState(fmt::format("repsFrom/{}/", dc::namingContextName(nc)),
                     [&](std::string_view, std::string_view bytes) {
                       if (!failed.isOk()) return;
                       auto state = decode(bytes, fresh);
                       if (state) {
                         partners.push_back(*state);
                       } else {
                         failed = state.status();
                       }
                     });
  if (!failed.isOk()) return failed;
  return partners;
}

void putRepsFrom(dc::ReplicaBatch& batch, const RepsFrom& state) {
  batch.putState(stateKey(state.sourceDsa, state.namingContext), encode(state));
}

dc::Status saveRepsFrom(dc::Directory& dir, const RepsFrom& state) {
  dc::ReplicaBatch batch(dir);
  putRepsFrom(batch, state);
  return batch.commit();
}

}  // namespace dcemu::replication
