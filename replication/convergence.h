// The convergence check: whether two replicas of the same naming contexts
// hold the same objects with the same values, stamps and linked values
// (local USNs aside, which are each DC's own). Used after replication has
// gone quiet; a difference names the object and the attribute or value.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dc/directory.h"

namespace dcemu::replication {

struct ReplicaDifference {
  dc::NamingContext namingContext;
  std::string object;  // its DN on the first replica, or its GUID
  std::string what;    // "description: v2 t... vs v1 t...", "on the first only", ...
};

// The first difference in schema, configuration, domain order, or none.
dc::Result<std::optional<ReplicaDifference>> firstDifference(const dc::Directory& a, const dc::Directory& b);

// Many replicas against one: the reference's objects are read once (the
// first comparison reads them) and every replica is compared with them, as
// firstDifference(reference, replica) would.
class ReplicaComparison {
 public:
  explicit ReplicaComparison(const dc::Directory& reference) : reference_(reference) {}
  dc::Result<std::optional<ReplicaDifference>> firstDifference(const dc::Directory& replica);
  // Each replica's firstDifference, in order, comparing on `jobs` threads:
  // the comparisons only read the stores, and comparing thousands of
  // replicas' bytes was most of the end of a run of thousands of DCs.
  std::vector<dc::Result<std::optional<ReplicaDifference>>> firstDifferences(
      const std::vector<const dc::Directory*>& replicas, unsigned jobs);

 private:
  using Encoded = std::vector<std::pair<dc::Guid, std::string>>;  // in GUID order
  struct Mismatch {
    dc::NamingContext namingContext;
    dc::Guid object;
    bool onReplica;  // named from the replica (it alone holds the object), else from the reference
    std::string what;
  };
  void readReference();
  dc::Result<std::optional<Mismatch>> firstMismatch(const dc::Store& replica) const;
  std::optional<ReplicaDifference> named(const std::optional<Mismatch>& mismatch, const dc::Directory& replica) const;

  const dc::Directory& reference_;
  std::optional<std::array<Encoded, dc::kNamingContextCount>> objects_;
};

}  // namespace dcemu::replication
