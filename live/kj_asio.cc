#include "live/kj_asio.h"

#include <kj/debug.h>

#include <asio.hpp>

#include "live/asio_stream.h"

namespace dcemu::live {

// ---- KJ's loop on the io_context ----

bool KjAsioLoop::Port::wait() {
  // Promise::wait() turns KJ's loop itself; a posted run must not nest in it.
  insideWait_ = true;
  io_.run_one();
  insideWait_ = false;
  return false;
}

bool KjAsioLoop::Port::poll() {
  insideWait_ = true;
  io_.poll();
  insideWait_ = false;
  return false;
}

void KjAsioLoop::Port::setRunnable(bool runnable) {
  if (!runnable) return;
  asio::post(io_, [this, alive = alive_] {
    if (*alive && !insideWait_) loop_->run();
  });
}

KjAsioLoop::KjAsioLoop(asio::io_context& io) : io_(io), port_(io), loop_(port_), waitScope_(loop_) {
  port_.attach(loop_);
}

KjAsioLoop::~KjAsioLoop() {
  port_.detach();
}

void KjAsioLoop::runUntil(const std::function<bool()>& done) {
  // Keeps run_one waiting while nothing is queued yet (a connect in flight).
  auto work = asio::make_work_guard(io_);
  while (!done()) {
    if (io_.stopped()) io_.restart();
    io_.run_one();
  }
}

void AsioTimer::after(int64_t micros, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::microseconds(micros));
  timer->async_wait([timer, fn = std::move(fn)](const asio::error_code& ec) {
    if (!ec) fn();
  });
}

// ---- Asio's socket as KJ's stream ----

namespace {

kj::Exception lostConnection(const asio::error_code& ec) {
  return KJ_EXCEPTION(DISCONNECTED, "connection lost", ec.message());
}

}  // namespace

AsioStream::~AsioStream() noexcept(false) {
  asio::error_code ignored;
  socket_.close(ignored);
}

kj::Promise<size_t> AsioStream::tryRead(void* buffer, size_t minBytes, size_t maxBytes) {
  auto finished = std::make_shared<bool>(false);
  auto paf = kj::newPromiseAndFulfiller<size_t>();
  asio::async_read(socket_, asio::buffer(buffer, maxBytes), asio::transfer_at_least(minBytes),
                   [fulfiller = kj::mv(paf.fulfiller), finished](const asio::error_code& ec, size_t n) mutable {
                     *finished = true;
                     // At end of stream tryRead returns what it has, possibly less than minBytes.
                     if (!ec || ec == asio::error::eof) {
                       fulfiller->fulfill(kj::mv(n));
                     } else {
                       fulfiller->reject(lostConnection(ec));
                     }
                   });
  return paf.promise.attach(kj::defer([this, finished] {
    asio::error_code ignored;
    if (!*finished) socket_.cancel(ignored);
  }));
}

kj::Promise<void> AsioStream::write(const void* buffer, size_t size) {
  return writeBuffers({asio::const_buffer(buffer, size)});
}

kj::Promise<void> AsioStream::write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) {
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(pieces.size());
  for (auto piece : pieces) buffers.emplace_back(piece.begin(), piece.size());
  return writeBuffers(std::move(buffers));
}

kj::Promise<void> AsioStream::writeBuffers(std::vector<asio::const_buffer> buffers) {
  auto finished = std::make_shared<bool>(false);
  auto paf = kj::newPromiseAndFulfiller<void>();
  // The buffer list moves into the handler so it lives as long as the write.
  auto owned = std::make_shared<std::vector<asio::const_buffer>>(std::move(buffers));
  asio::async_write(socket_, *owned,
                    [fulfiller = kj::mv(paf.fulfiller), finished, owned](const asio::error_code& ec, size_t) mutable {
                      *finished = true;
                      if (ec) {
                        fulfiller->reject(lostConnection(ec));
                      } else {
                        fulfiller->fulfill();
                      }
                    });
  return paf.promise.attach(kj::defer([this, finished] {
    asio::error_code ignored;
    if (!*finished) socket_.cancel(ignored);
  }));
}

kj::Promise<void> AsioStream::whenWriteDisconnected() {
  // A broken connection shows as a failed read or write instead.
  return kj::NEVER_DONE;
}

void AsioStream::shutdownWrite() {
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void AsioStream::abortRead() {
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_receive, ignored);
}

void AsioStream::disconnect() {
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

}  // namespace dcemu::live
