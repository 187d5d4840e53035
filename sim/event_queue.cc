#include "sim/event_queue.h"

namespace dcemu::sim {

void EventQueue::at(int64_t micros, std::function<void()> fn) {
  queue_.push(Event{micros < now_ ? now_ : micros, sequence_++, std::move(fn)});
}

void EventQueue::runNext() {
  // Moved out before running: the event may schedule others.
  Event next = std::move(const_cast<Event&>(queue_.top()));
  queue_.pop();
  now_ = next.at;
  ++eventsRun_;
  next.fn();
}

void EventQueue::runUntil(int64_t micros) {
  while (!queue_.empty() && queue_.top().at <= micros) runNext();
  if (micros > now_) now_ = micros;
}

void EventQueue::runUntilEmpty() {
  while (!queue_.empty()) runNext();
}

void EventQueue::clear() {
  queue_ = {};
}

}  // namespace dcemu::sim
