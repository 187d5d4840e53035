// repadmin /removelingeringobjects: objects a DC holds that a reference DC
// has neither live nor as a tombstone, although the reference's UTD shows
// it has seen their creation, were deleted and garbage collected there: they
// are lingering objects on the DC. (Windows compares through the
// DRSReplicaVerifyObjects call; here both replicas are at hand.)
#pragma once

#include <vector>

#include "dc/directory.h"

namespace dcemu::replication {

// Finds `dir`'s lingering objects in `nc` against `reference` and, unless
// `advisory` (/advisory_mode), removes them from `dir`: locally, with no
// USN, as garbage collection removes; nothing replicates. Returns them.
dc::Result<std::vector<dc::Guid>> removeLingeringObjects(dc::Directory& dir, const dc::Directory& reference,
                                                         dc::NamingContext nc, bool advisory);

}  // namespace dcemu::replication
