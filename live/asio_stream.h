// An Asio TCP socket as the kj::AsyncIoStream that Cap'n Proto's two-party
// RPC reads and writes. Each operation is an Asio async operation whose
// completion fulfils a KJ promise; dropping a promise before it completes
// cancels the socket's operations, so Asio never touches a buffer KJ has
// released. Included only by the RPC sources: it brings in asio.hpp.
#pragma once

#include <kj/async-io.h>

#include <asio.hpp>
#include <vector>

namespace dcemu::live {

class AsioStream final : public kj::AsyncIoStream {
 public:
  // RPC messages are small and answered at once: Nagle's algorithm would
  // hold each behind the peer's delayed acknowledgement (40 ms on Linux).
  explicit AsioStream(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
    asio::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  }
  ~AsioStream() noexcept(false);

  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override;
  kj::Promise<void> write(const void* buffer, size_t size) override;
  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override;
  kj::Promise<void> whenWriteDisconnected() override;
  void shutdownWrite() override;
  void abortRead() override;
  // Ends the connection both ways: a pending read sees the end of the
  // stream, so whoever holds the stream lets go of it.
  void disconnect();
  asio::any_io_executor executor() { return socket_.get_executor(); }

 private:
  kj::Promise<void> writeBuffers(std::vector<asio::const_buffer> buffers);

  asio::ip::tcp::socket socket_;
};

}  // namespace dcemu::live
