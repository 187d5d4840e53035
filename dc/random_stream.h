// Seeded, named random streams: the only randomness the simulator and the
// live nodes draw on. A stream is a function of (seed, name) alone, so
// adding a DC, a host or a fault does not change another's draws.
#pragma once

#include <cstdint>
#include <string_view>

#include "dc/rng.h"

namespace dcemu::dc {

// A random stream named `name` under `seed`: xoshiro256** seeded with
// seed ^ FNV-1a-64(name) through SplitMix64.
Xoshiro256 randomStream(uint64_t seed, std::string_view name);
// A uniform draw in [0, bound) (0 when bound is 0).
uint64_t uniformBelow(Rng& rng, uint64_t bound);
// An exponential draw with the given mean, in whole microseconds.
int64_t exponential(Rng& rng, double mean);

}  // namespace dcemu::dc
