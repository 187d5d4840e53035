// The value syntaxes of topology files: durations ("1d12h", "250ms"),
// byte sizes ("8MiB"), bandwidths ("10Mbit"), UTC instants
// ("2026-01-05T00:00:00Z"), clock times of day ("20:00") and day ranges
// ("Mon-Fri"). Each parser returns the value or a reason naming what is
// wrong, which the loader prefixes with file:line:col.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace dcemu::scenario {

template <typename T>
using Parsed = std::variant<T, std::string>;  // the value, or why not

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// One or more <integer><unit> parts, units ms s m h d w; a leading '-' for
// signed durations (clock offsets) when `allowNegative`.
Parsed<int64_t> parseDuration(std::string_view text, bool allowNegative = false);
// "1d12h", "15m", "250ms", "0s": the shortest form that parses back.
std::string formatDuration(int64_t micros);

// <integer><unit>, units B KiB MiB GiB (and KB MB GB as powers of 1000).
Parsed<uint64_t> parseByteSize(std::string_view text);
// <number><unit>, units bit kbit Mbit Gbit (per second); bits per second.
Parsed<uint64_t> parseBandwidth(std::string_view text);
// An RFC 3339 instant in UTC ("Z"), to microseconds since the Unix epoch.
Parsed<int64_t> parseUtcInstant(std::string_view text);
// The instant as ISO 8601 UTC to the second: "2026-01-08T10:01:20Z".
std::string formatUtcInstant(int64_t unixMicros);
// How every time is shown to users: the instant and its offset from the
// simulated start, "2026-01-08T10:01:20Z (+3d10h1m20s)".
std::string formatMoment(int64_t unixMicros, int64_t start);
// A moment given as an offset from the start ("3d12h") or an instant in
// UTC ("2026-01-08T12:00:00Z", or "2026-01-08 12:00:00" as repadmin prints
// it), as an offset from `start`; it may not be before the start.
Parsed<int64_t> parseMoment(std::string_view text, int64_t start);
// "HH:MM" from 00:00 to 24:00 on a quarter hour, as minutes since midnight.
Parsed<int> parseQuarterHour(std::string_view text);
// "Mon-Fri", "Sat", "Sun-Mon" (wrapping): a bit per day, Monday = bit 0.
Parsed<uint8_t> parseDays(std::string_view text);

}  // namespace dcemu::scenario
