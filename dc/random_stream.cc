#include "dc/random_stream.h"

#include <cmath>

namespace dcemu::dc {

Xoshiro256 randomStream(uint64_t seed, std::string_view name) {
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return Xoshiro256(seed ^ hash);
}

uint64_t uniformBelow(Rng& rng, uint64_t bound) {
  if (bound == 0) return 0;
  // Lemire's multiply-shift; the bias for bounds far below 2^64 is nil.
  __extension__ typedef unsigned __int128 Wide;  // GCC's and Clang's 128-bit integer
  return static_cast<uint64_t>((static_cast<Wide>(rng.next()) * bound) >> 64);
}

int64_t exponential(Rng& rng, double mean) {
  double u = (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53;  // (0, 1)
  return static_cast<int64_t>(-std::log(u) * mean);
}

}  // namespace dcemu::dc
