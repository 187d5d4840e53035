// The events dcemu logs as Windows does (docs/events.md lists each with its
// fields): the client's 307, 308 and 309, the KDC's 314 and 315 and the
// Security log's 4768 and 4771 for refused AS requests, the
// directory's 3085 and 2946. Each is a structured record: when, where (a DC
// or a host) and named fields in the order and with the names Windows
// shows them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dcemu::kdc {

namespace event_id {
inline constexpr int kDmsaMigration = 307;
inline constexpr int kDmsaPermissionAdd = 308;
inline constexpr int kDmsaKeyFetch = 309;
inline constexpr int kManagedPasswordFetched = 2946;
inline constexpr int kMigrationOperation = 3085;
inline constexpr int kKdcDmsaKeyFetchRefused = 314;  // KDC: a dMSA key fetch refused by its membership
inline constexpr int kKdcDmsaKeyFetch = 315;         // KDC: a dMSA key package issued
inline constexpr int kTgtRequested = 4768;           // Security: a TGT request (logged here when refused)
inline constexpr int kPreauthFailed = 4771;          // Security: Kerberos pre-authentication failed
}  // namespace event_id

struct Event {
  int64_t at = 0;  // simulated microseconds since the Unix epoch
  int id = 0;
  std::string source;  // the DC or host that logs it
  std::vector<std::pair<std::string, std::string>> fields;
};

}  // namespace dcemu::kdc
