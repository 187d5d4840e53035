// The objects every domain has at creation: the three naming contexts and,
// in the domain, the well-known containers, built-in accounts and groups.
#pragma once

#include "dc/directory.h"

namespace dcemu::dc {

// Creates the naming contexts and well-known objects of a new forest of one
// domain in `dir` (an empty replica). The domain SID is drawn from `rng`.
Status provisionForest(Directory& dir, Rng& rng);

// Where the KDS root keys live, relative to the configuration NC.
inline constexpr std::string_view kKdsRootKeysContainer =
    "CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services";

// The forest's directory service settings (tombstoneLifetime), relative to
// the configuration NC.
inline constexpr std::string_view kDirectoryServiceObject = "CN=Directory Service,CN=Windows NT,CN=Services";
inline constexpr int kDefaultTombstoneLifetimeDays = 180;

// Well-known RIDs (MS-DTYP 2.4.2.4).
namespace rid {
inline constexpr uint32_t kAdministrator = 500;
inline constexpr uint32_t kKrbtgt = 502;
inline constexpr uint32_t kDomainAdmins = 512;
inline constexpr uint32_t kDomainUsers = 513;
inline constexpr uint32_t kDomainComputers = 515;
inline constexpr uint32_t kDomainControllers = 516;
inline constexpr uint32_t kEnterpriseAdmins = 519;
inline constexpr uint32_t kReadOnlyDomainControllers = 521;
inline constexpr uint32_t kAllowedRodcPasswordReplication = 571;
inline constexpr uint32_t kDeniedRodcPasswordReplication = 572;
}  // namespace rid

}  // namespace dcemu::dc
