// The two sides of the mid-pull crash test, both stores on disk: the parent
// builds the source once; each killed child and the checking parent open
// it in turn (never two processes at once), so a restarted pull resumes
// against the same partner.
#pragma once

#include <memory>
#include <string>

#include "dc/directory.h"
#include "dc/rng.h"
#include "dc/store.h"
#include "replication/pull.h"

namespace dcemu::replication::testing {

struct CrashDc {
  std::unique_ptr<dc::Store> store;
  dc::ManualClock clock{1767571200LL * 1000000};
  dc::Xoshiro256 rng{1};
  std::unique_ptr<dc::Directory> dir;
  dc::Guid dsa;
};

// Creates at `path` a provisioned source with users, groups with members
// and edits; throws on failure.
std::unique_ptr<CrashDc> buildCrashSource(dc::StoreEnv& env, const std::string& path);
std::unique_ptr<CrashDc> openCrashSource(dc::StoreEnv& env, const std::string& path);
// The destination's store on disk at `path`, created on first open.
std::unique_ptr<CrashDc> openCrashDestination(dc::StoreEnv& env, const std::string& path);
// Pulls every naming context from `source` in chunks of 25 objects; the
// first failure, or success.
PullResult pullEverything(CrashDc& destination, CrashDc& source);

}  // namespace dcemu::replication::testing
