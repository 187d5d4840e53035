#include "replication/message.h"

#include <fmt/format.h>
#include <kj/exception.h>

#include <cstring>

namespace dcemu::replication {

std::string toBytes(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

dc::Result<std::unique_ptr<ReceivedMessage>> ReceivedMessage::parse(std::string_view bytes, std::string_view what) {
  using dc::LdapResult;
  if (bytes.size() > kMaxMessageBytes) {
    return dc::Status(LdapResult::protocolError,
                      fmt::format("{}: {} bytes is over the {} byte limit", what, bytes.size(), kMaxMessageBytes));
  }
  if (bytes.size() % sizeof(capnp::word) != 0 || bytes.empty()) {
    return dc::Status(LdapResult::protocolError,
                      fmt::format("{}: malformed: {} bytes is not a whole number of words", what, bytes.size()));
  }
  std::unique_ptr<ReceivedMessage> message(new ReceivedMessage());
  message->what_ = std::string(what);
  // Copied so the words are aligned, whatever buffer the bytes came in.
  message->words_ = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(message->words_.begin(), bytes.data(), bytes.size());
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kMaxMessageBytes / sizeof(capnp::word);
  options.nestingLimit = 64;
  dc::Status framing = readSafely(what, [&] {
    message->reader_ = std::make_unique<capnp::FlatArrayMessageReader>(message->words_.asPtr(), options);
    return dc::Status::ok();
  });
  if (!framing.isOk()) return framing;
  return message;
}

dc::Status readSafely(std::string_view what, const std::function<dc::Status()>& read) {
  dc::Status result;
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&] { result = read(); });
  KJ_IF_MAYBE (e, failure) {
    return dc::Status(dc::LdapResult::protocolError,
                      fmt::format("{}: malformed: {}", what, e->getDescription().cStr()));
  }
  return result;
}

}  // namespace dcemu::replication
