// Long-term keys. Managed accounts (gMSA, dMSA) take gMSA-style passwords
// derived from the forest's KDS root key: a new one every
// msDS-ManagedPasswordInterval days counted in whole key cycles of 10 h
// (interval × 24 / 10, rounded down); the KDC offers the next one a clock
// skew before the rollover and still accepts the previous one a clock skew
// after it. Accounts with a password get a stable key standing for it
// (dcemu does not model password changes), derived the same way.
#pragma once

#include <cstdint>
#include <string>

#include "dc/directory.h"

namespace dcemu::kdc {

inline constexpr int64_t kKeyCycleMicros = 10LL * 3600 * 1000000;  // MS-GKDI KeyCycleDuration
inline constexpr int64_t kDefaultPasswordIntervalDays = 30;

struct ManagedPassword {
  std::string current;
  std::string previous;
  int64_t epochStart = 0;    // when `current` took over
  int64_t nextRollover = 0;  // when the next one will
};

// The password of a managed account created at `createdMicros` with the
// given interval, as it is at `nowMicros`.
ManagedPassword managedPassword(std::string_view rootKey, const dc::Sid& account, int64_t createdMicros,
                                int64_t intervalDays, int64_t nowMicros);

// The key standing for a password account's password.
std::string passwordKey(std::string_view rootKey, const dc::Guid& account);

// The forest's KDS root key as `dir` holds it (the first under Master Root
// Keys); unavailable when the replica has none.
dc::Result<std::string> kdsRootKey(const dc::Directory& dir);

}  // namespace dcemu::kdc
