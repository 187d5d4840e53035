// Randomness and time come in through these interfaces so that the same
// directory code runs in the deterministic simulator and in a live node.
#pragma once

#include <cstdint>

namespace dcemu::dc {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual uint64_t next() = 0;  // 64 uniformly random bits
};

// xoshiro256** (Blackman & Vigna), seeded through SplitMix64. Small, fast and
// fully specified, so a seed gives the same stream on every machine.
class Xoshiro256 final : public Rng {
 public:
  explicit Xoshiro256(uint64_t seed);
  uint64_t next() override;

 private:
  uint64_t s_[4];
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch, UTC.
  virtual int64_t nowMicros() = 0;
};

// A clock that moves only when told to: tests and single-DC tools use it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t startMicros) : now_(startMicros) {}
  int64_t nowMicros() override { return now_; }
  void advance(int64_t micros) { now_ += micros; }
  void set(int64_t micros) { now_ = micros; }

 private:
  int64_t now_;
};

}  // namespace dcemu::dc
