// How much memory this machine can give a run, so that a file or a run too
// large for it is refused with a reason before the work starts, not ended
// by the kernel's out-of-memory killer.
#pragma once

#include <cstdint>
#include <string>

#include "scenario/scenario.h"

namespace dcemu::scenario {

// The memory available now (MemAvailable in /proc/meminfo: free memory
// plus what the kernel can reclaim), or the physical memory when that
// line is missing.
uint64_t availableMemoryBytes();

// "12.3 GiB".
std::string gibibytes(uint64_t bytes);

// Reading a topology file builds its TOML tree: about 24 bytes of memory
// per byte of file (measured: 14 MB of [[user]] entries took 316 MiB).
inline constexpr uint64_t kParseBytesPerFileByte = 24;
// At the start of a run in memory the DCs share the first DC's provisioned
// table files (their stores are checkpoints of it): about 2.6 KiB per
// object once, and a few MiB per DC (measured: 100,000 users took 254 MiB
// on 2 DCs, 264 MiB on 4 and 268 MiB on 8).
inline constexpr uint64_t kMemoryBytesPerObject = 2600;
inline constexpr uint64_t kMemoryBytesPerDc = 4 << 20;

// Why a topology file of `fileBytes` is too large to read with `available`
// bytes of memory, or "" when it is not.
std::string tooLargeToRead(const std::string& path, uint64_t fileBytes, uint64_t available);

// What a run of `scenario` needs at its start with its stores in memory:
// every object the file describes (and the built-in ones), and each DC.
uint64_t estimatedStoreBytes(const Scenario& scenario);

}  // namespace dcemu::scenario
