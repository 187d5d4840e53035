// The simulator's only source of time: a virtual clock in microseconds and
// the events due on it, run in (time, sequence) order so that two events at
// the same moment run in the order they were scheduled. No wall clock.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "dc/rng.h"
#include "replication/transport.h"

namespace dcemu::sim {

class EventQueue final : public replication::Timer {
 public:
  explicit EventQueue(int64_t startMicros) : now_(startMicros) {}

  int64_t now() const { return now_; }
  uint64_t eventsRun() const { return eventsRun_; }

  void at(int64_t micros, std::function<void()> fn);
  void after(int64_t micros, std::function<void()> fn) override { at(now_ + (micros > 0 ? micros : 0), std::move(fn)); }
  // Runs every event due at or before `micros`, then moves the clock there.
  void runUntil(int64_t micros);
  // Runs events until none is left (only for runs whose events all end).
  void runUntilEmpty();
  // Drops every pending event.
  void clear();

 private:
  struct Event {
    int64_t at;
    uint64_t sequence;
    std::function<void()> fn;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : sequence > o.sequence; }
  };
  void runNext();

  int64_t now_;
  uint64_t sequence_ = 0;
  uint64_t eventsRun_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
};

// What a DC reads as the time: the world's clock plus its skew.
class DcClock final : public dc::Clock {
 public:
  explicit DcClock(const EventQueue& queue) : queue_(queue) {}
  int64_t nowMicros() override { return queue_.now() + skew_; }
  void setSkew(int64_t micros) { skew_ = micros; }

 private:
  const EventQueue& queue_;
  int64_t skew_ = 0;
};

}  // namespace dcemu::sim
