// The Win32 error codes replication reports (repsFrom's last result,
// repadmin's "result N (0x...)"), with Windows' messages.
#pragma once

#include <cstdint>
#include <string_view>

namespace dcemu::replication::win32 {

inline constexpr uint32_t kSuccess = 0;
inline constexpr uint32_t kTimeout = 1460;                 // ERROR_TIMEOUT
inline constexpr uint32_t kRpcServerUnavailable = 1722;    // RPC_S_SERVER_UNAVAILABLE
inline constexpr uint32_t kEndpointNotRegistered = 1753;   // EPT_S_NOT_REGISTERED
inline constexpr uint32_t kInvalidParameter = 8437;        // ERROR_DS_DRA_INVALID_PARAMETER
inline constexpr uint32_t kDatabaseError = 8451;           // ERROR_DS_DRA_DB_ERROR
inline constexpr uint32_t kAccessDenied = 8453;            // ERROR_DS_DRA_ACCESS_DENIED
inline constexpr uint32_t kSourceDisabled = 8456;          // ERROR_DS_DRA_SOURCE_DISABLED
inline constexpr uint32_t kSinkDisabled = 8457;            // ERROR_DS_DRA_SINK_DISABLED
inline constexpr uint32_t kMissingParent = 8460;           // ERROR_DS_DRA_MISSING_PARENT
inline constexpr uint32_t kDnsLookupFailure = 8524;        // ERROR_DS_DNS_LOOKUP_FAILURE
inline constexpr uint32_t kInsufficientAttributes = 8606;  // the lingering-object error
inline constexpr uint32_t kLifetimeExceeded = 8614;        // ERROR_DS_REPL_LIFETIME_EXCEEDED

inline std::string_view message(uint32_t code) {
  switch (code) {
    case kSuccess: return "The operation completed successfully.";
    case kTimeout: return "This operation returned because the timeout period expired.";
    case kRpcServerUnavailable: return "The RPC server is unavailable.";
    case kInvalidParameter: return "Invalid parameter was specified for this replication operation.";
    case kDatabaseError: return "The replication operation encountered a database error.";
    case kAccessDenied: return "Replication access was denied.";
    case kSourceDisabled: return "The source server is currently rejecting replication requests.";
    case kSinkDisabled: return "The destination server is currently rejecting replication requests.";
    case kMissingParent: return "The replication operation encountered a missing parent object.";
    case kDnsLookupFailure: return "The DSA operation is unable to proceed because of a DNS lookup failure.";
    case kInsufficientAttributes:
      return "Insufficient attributes were given to create an object. This object may not exist because it may have "
             "been deleted and already garbage collected.";
    case kLifetimeExceeded:
      return "The directory service cannot replicate with this server because the time since the last replication "
             "with this server has exceeded the tombstone lifetime.";
  }
  return "Unknown error.";
}

}  // namespace dcemu::replication::win32
