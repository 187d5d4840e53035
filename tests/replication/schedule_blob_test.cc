// The schedule attribute's SCHEDULE blob (Learn, "SCHEDULE_HEADER structure
// (schedule.h)": one byte per hour from Sunday 00:00 UTC, binary 1000 =
// minutes 0-14 ... 0001 = minutes 45-59).
#include "replication/schedule_blob.h"

#include <catch2/catch.hpp>

namespace dcemu::replication {
namespace {

constexpr int kSlotsPerHour = 4;

std::string header(uint32_t size, uint32_t schedules, uint32_t type) {
  std::string bytes;
  for (uint32_t v : {size, 0u, schedules, type, 20u})
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return bytes;
}

}  // namespace

TEST_CASE("A schedule's quarter hours are the hour byte's bits from 0x8 (minutes 0-14) to 0x1 (45-59)", "[schedule]") {
  Schedule mondayQuarter;  // Monday 02:15-02:30
  mondayQuarter.open[2 * kSlotsPerHour + 1] = true;
  std::string blob = encodeScheduleBlob(mondayQuarter);
  REQUIRE(blob.size() == 188);
  // Monday 02:00 is hour 26 from Sunday 00:00.
  for (int hour = 0; hour < 168; ++hour) {
    INFO("hour " << hour);
    CHECK(static_cast<uint8_t>(blob[20 + static_cast<size_t>(hour)]) == (hour == 26 ? 0x4 : 0));
  }
  auto back = decodeScheduleBlob(blob);
  REQUIRE(back.isOk());
  CHECK(*back == mondayQuarter);
}

TEST_CASE("Samba's default schedule, 0x01 in every hour, opens the last quarter of each hour", "[schedule]") {
  std::string blob = header(188, 1, 0) + std::string(168, '\x01');
  auto schedule = decodeScheduleBlob(blob);
  REQUIRE(schedule.isOk());
  for (int slot = 0; slot < Schedule::kSlots; ++slot) {
    INFO("slot " << slot);
    CHECK(schedule->open[static_cast<size_t>(slot)] == (slot % kSlotsPerHour == 3));
  }
}

TEST_CASE("A schedule blob of another shape is refused, saying which", "[schedule]") {
  auto refused = [](const std::string& blob) {
    auto schedule = decodeScheduleBlob(blob);
    REQUIRE_FALSE(schedule.isOk());
    return schedule.status().message();
  };
  CHECK_THAT(refused(header(188, 1, 0)), Catch::Contains("holds 20"));
  CHECK_THAT(refused(header(188, 2, 0) + std::string(168, '\x0f')), Catch::Contains("2 schedules"));
  CHECK_THAT(refused(header(188, 1, 1) + std::string(168, '\x0f')), Catch::Contains("type 1"));
  CHECK_THAT(refused("\x05"), Catch::Contains("shorter than its 20-byte header"));
}

}  // namespace dcemu::replication
