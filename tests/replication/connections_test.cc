// When a KCC connection may replicate: the schedule's open windows, as the
// nodes of the simulator and of a live cluster both read them.
#include "replication/connections.h"

#include <catch2/catch.hpp>

namespace dcemu::replication {
namespace {

TEST_CASE("The first open instant of a schedule: now when open, else the start of the next open quarter hour",
          "[connections][schedule]") {
  Schedule nights{};
  // Monday 20:00 to Tuesday 06:00 (Monday is slot 0).
  for (int slot = 20 * 4; slot < 30 * 4; ++slot) nights.open[slot] = true;
  const int64_t monday = int64_t{1767571200} * 1'000'000;  // 2026-01-05T00:00:00Z, a Monday
  const int64_t hour = int64_t{3600} * 1'000'000;
  CHECK(nextOpenInstant(nights, monday + 10 * hour) == monday + 20 * hour);
  CHECK(nextOpenInstant(nights, monday + 21 * hour + 7) == monday + 21 * hour + 7);
  CHECK(nextOpenInstant(nights, monday + 30 * hour) == monday + 7 * 24 * hour + 20 * hour);
  CHECK(nextOpenInstant(Schedule{}, monday) == INT64_MAX);
  CHECK(nextOpenInstant(Schedule::always(), monday + 5) == monday + 5);
}

}  // namespace
}  // namespace dcemu::replication
