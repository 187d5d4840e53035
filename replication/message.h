// Cap'n Proto messages as the bytes the transports carry, and back. Readers
// keep capnp's traversal and nesting limits on; reading a malformed message
// throws inside capnp, so every read of received bytes goes through
// readSafely, which turns that into a Status naming the message.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dc/ids.h"
#include "dc/object_wire.h"
#include "dc/status.h"

namespace dcemu::replication {

// Larger messages are refused before they are read: GetNCChanges chunks are
// bounded by maxBytes, far below this.
inline constexpr size_t kMaxMessageBytes = 64 << 20;

std::string toBytes(capnp::MessageBuilder& message);

class ReceivedMessage {
 public:
  // Checks the framing; `what` names the message in errors.
  static dc::Result<std::unique_ptr<ReceivedMessage>> parse(std::string_view bytes, std::string_view what);

  template <typename T>
  typename T::Reader root() {
    return reader_->getRoot<T>();
  }
  const std::string& what() const { return what_; }

 private:
  ReceivedMessage() = default;
  std::string what_;
  kj::Array<capnp::word> words_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
};

// Runs `read`; a capnp exception from malformed content becomes a Status
// "<what>: malformed: <capnp's reason>".
dc::Status readSafely(std::string_view what, const std::function<dc::Status()>& read);

// The byte helpers of dc/object_wire.h serve these messages too.
using dc::asData;
using dc::asView;
using dc::readGuid;

}  // namespace dcemu::replication
