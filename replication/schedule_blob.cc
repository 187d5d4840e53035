#include "replication/schedule_blob.h"

#include <fmt/format.h>

#include <cstdint>

namespace dcemu::replication {

namespace {

constexpr uint32_t kBlobSize = 188;
constexpr uint32_t kHeaderSize = 20;
constexpr int kHoursPerWeek = 168;
// Schedule's slots start on Monday; the blob's hours on Sunday.
int mondayHourOf(int sundayHour) {
  return (sundayHour + 6 * 24) % kHoursPerWeek;
}

uint32_t le32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(bytes[at + static_cast<size_t>(i)]);
  return v;
}

}  // namespace

std::string encodeScheduleBlob(const Schedule& schedule) {
  std::string bytes;
  for (uint32_t v : {kBlobSize, 0u, 1u, 0u, kHeaderSize})
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  for (int hour = 0; hour < kHoursPerWeek; ++hour) {
    uint8_t quarters = 0;
    for (int q = 0; q < 4; ++q)
      if (schedule.open[static_cast<size_t>(mondayHourOf(hour) * 4 + q)]) quarters |= static_cast<uint8_t>(0x8 >> q);
    bytes.push_back(static_cast<char>(quarters));
  }
  return bytes;
}

dc::Result<Schedule> decodeScheduleBlob(std::string_view bytes) {
  auto refuse = [](std::string why) { return dc::Status(dc::LdapResult::invalidAttributeSyntax, std::move(why)); };
  if (bytes.size() < kHeaderSize)
    return refuse(fmt::format("a schedule of {} bytes is shorter than its 20-byte header", bytes.size()));
  if (le32(bytes, 0) != bytes.size())
    return refuse(fmt::format("a schedule says it is {} bytes but holds {}", le32(bytes, 0), bytes.size()));
  if (le32(bytes, 8) != 1)
    return refuse(fmt::format("a schedule with {} schedules (Windows writes one)", le32(bytes, 8)));
  if (le32(bytes, 12) != 0)
    return refuse(fmt::format("a schedule of type {} (only SCHEDULE_INTERVAL, 0, is used)", le32(bytes, 12)));
  uint32_t offset = le32(bytes, 16);
  if (offset < kHeaderSize || offset + kHoursPerWeek > bytes.size())
    return refuse(fmt::format("a schedule whose hours at offset {} run past its {} bytes", offset, bytes.size()));
  Schedule schedule;
  for (int hour = 0; hour < kHoursPerWeek; ++hour) {
    uint8_t quarters = static_cast<uint8_t>(bytes[offset + static_cast<size_t>(hour)]);
    for (int q = 0; q < 4; ++q) schedule.open[static_cast<size_t>(mondayHourOf(hour) * 4 + q)] = quarters & (0x8 >> q);
  }
  return schedule;
}

}  // namespace dcemu::replication
