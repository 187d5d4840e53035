// KJ's event loop running on an Asio io_context, in one thread: Cap'n Proto
// RPC's promises and Asio's sockets and timers share the io_context, which
// is what a live DC node runs. Whenever KJ has work queued, a handler posted
// to the io_context runs it; whenever an Asio operation completes, it
// fulfils the KJ promise waiting for it. Asio's headers stay out of this
// one: only the RPC sources include them.
#pragma once

#include <kj/async.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "replication/transport.h"

namespace asio {
class io_context;
}

namespace dcemu::live {
using replication::Timer;

class KjAsioLoop {
 public:
  // KJ's loop becomes this thread's; `io` must outlive this object, and
  // everything holding KJ promises must be destroyed before it.
  explicit KjAsioLoop(asio::io_context& io);
  ~KjAsioLoop();
  KjAsioLoop(const KjAsioLoop&) = delete;
  KjAsioLoop& operator=(const KjAsioLoop&) = delete;

  asio::io_context& io() { return io_; }
  kj::WaitScope& waitScope() { return waitScope_; }

  // Runs the io_context, one handler at a time, until `done` returns true.
  void runUntil(const std::function<bool()>& done);

 private:
  class Port final : public kj::EventPort {
   public:
    explicit Port(asio::io_context& io) : io_(io) {}
    bool wait() override;
    bool poll() override;
    void setRunnable(bool runnable) override;
    void attach(kj::EventLoop& loop) { loop_ = &loop; }
    void detach() { *alive_ = false; }

   private:
    asio::io_context& io_;
    kj::EventLoop* loop_ = nullptr;
    bool insideWait_ = false;  // KJ is turning its own loop; posted runs must not nest
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  };

  asio::io_context& io_;
  Port port_;
  kj::EventLoop loop_;
  kj::WaitScope waitScope_;
};

// Delayed calls on the io_context's steady clock: the latency a live node
// injects per partner. The simulator uses its own virtual-time Timer.
class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(asio::io_context& io) : io_(io) {}
  void after(int64_t micros, std::function<void()> fn) override;

 private:
  asio::io_context& io_;
};

}  // namespace dcemu::live
