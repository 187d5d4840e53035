// The convergence check: whether two replicas of the same naming contexts
// hold the same objects with the same values, stamps and linked values
// (local USNs aside, which are each DC's own). Used after replication has
// gone quiet; a difference names the object and the attribute or value.
#pragma once

#include <optional>
#include <string>

#include "dc/directory.h"

namespace dcemu::replication {

struct ReplicaDifference {
  dc::NamingContext namingContext;
  std::string object;  // its DN on the first replica, or its GUID
  std::string what;    // "description: v2 t... vs v1 t...", "on the first only", ...
};

// The first difference in schema, configuration, domain order, or none.
dc::Result<std::optional<ReplicaDifference>> firstDifference(const dc::Directory& a, const dc::Directory& b);

}  // namespace dcemu::replication
