// The SCHEDULE structure a site link's or connection's `schedule` attribute
// holds (schedule.h; MS-ADTS 7.1.4.5): a 20-byte header (Size 188,
// Bandwidth 0, NumberOfSchedules 1, then one SCHEDULE_HEADER of Type 0,
// SCHEDULE_INTERVAL, and Offset 20), then 168 bytes, one per hour of the
// week from Sunday 00:00 UTC, whose low four bits are its quarter hours:
// 0x8 minutes 0-14, 0x4 15-29, 0x2 30-44, 0x1 45-59.
#pragma once

#include <string>
#include <string_view>

#include "dc/status.h"
#include "replication/kcc.h"

namespace dcemu::replication {

std::string encodeScheduleBlob(const Schedule& schedule);
// The windows a blob opens. A blob of another shape (not 188 bytes, more
// than one schedule, a bandwidth or priority schedule) is an error saying
// which, as Windows writes none.
dc::Result<Schedule> decodeScheduleBlob(std::string_view bytes);

}  // namespace dcemu::replication
