// A provisioned single-DC domain in a memory Env, for tests.
#pragma once

#include <memory>
#include <string>

#include "dc/directory.h"
#include "dc/provision.h"
#include "dc/rng.h"
#include "dc/store.h"

namespace dcemu::dc::testing {

// 2026-01-05T00:00:00Z, the reference examples' epoch.
inline constexpr int64_t kEpochMicros = 1767571200LL * 1000000;

class TestDomain {
 public:
  // `ridPoolIndex` of `ridPoolCount`: the RID pools this DC is given.
  explicit TestDomain(uint64_t seed = 1, bool readOnly = false, uint32_t ridPoolIndex = 0, uint32_t ridPoolCount = 1);

  Directory& dir() { return *dir_; }
  ManualClock& clock() { return clock_; }
  StoreEnv& env() { return *env_; }
  const std::string& domainDn() const { return domainDn_; }
  std::string dn(const std::string& relative) const { return relative + "," + domainDn_; }

  // Closes and reopens the store and directory from the same Env.
  void reopen();
  // Adds an OU / a user under CN=Users; fails the test on error.
  Guid addOu(const std::string& name);
  Guid addUser(const std::string& name);
  // A dMSA under CN=Managed Service Accounts in msDS-DelegatedMSAState `state`.
  Guid addDmsa(const std::string& name, int state);
  std::vector<std::string> values(const std::string& dn, const std::string& attribute);

 private:
  void open(bool readOnly);  // (re)opens store and directory on env_

  std::unique_ptr<StoreEnv> env_;
  ManualClock clock_{kEpochMicros};
  Xoshiro256 rng_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Directory> dir_;
  bool readOnly_;
  uint32_t ridPoolIndex_, ridPoolCount_;
  std::string domainDn_ = "DC=corp,DC=example,DC=com";
};

}  // namespace dcemu::dc::testing
