// What happened in a run, as events per DC: every pull (with its outcome),
// every step and fault. Each event is hashed as it is recorded (FNV-1a 64
// over a canonical line), so two runs agree on the hash exactly when they
// agree on every event; the events themselves are kept only when a trace
// file was asked for, and written as Chrome trace-event JSON (Perfetto).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dc/status.h"

namespace dcemu::sim {

using TraceArgs = std::vector<std::pair<std::string, std::string>>;

struct TraceEvent {
  int64_t start = 0;     // microseconds since the simulated start
  int64_t duration = 0;  // 0: an instant
  int lane = 0;          // a DC's index, or -1 for the world (faults, logons no DC answered)
  std::string category;  // "pull", "step", "fault", "gc", "logon", "migration"
  std::string name;
  TraceArgs args;  // shown as the event's args; whole numbers as JSON numbers
};

class Trace {
 public:
  explicit Trace(bool keepEvents) : keep_(keepEvents) {}
  void record(TraceEvent event);
  uint64_t hash() const { return hash_; }
  // The events recorded, when kept.
  const std::vector<TraceEvent>& events() const { return events_; }
  // Chrome trace-event JSON: one process, a thread per DC named `lanes[i]`.
  dc::Status writeChromeJson(const std::string& path, const std::vector<std::string>& lanes) const;

 private:
  bool keep_;
  uint64_t hash_ = 14695981039346656037ULL;
  std::vector<TraceEvent> events_;
};

}  // namespace dcemu::sim
