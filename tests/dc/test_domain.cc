#include "test_domain.h"

#include <catch2/catch.hpp>

namespace dcemu::dc::testing {

TestDomain::TestDomain(uint64_t seed, bool readOnly, uint32_t ridPoolIndex, uint32_t ridPoolCount)
    : env_(StoreEnv::inMemory(8 << 20)),
      rng_(seed),
      readOnly_(readOnly),
      ridPoolIndex_(ridPoolIndex),
      ridPoolCount_(ridPoolCount) {
  // Provisioning is done writable; an RODC's replica arrives the same way.
  open(/*readOnly=*/false);
  Status st = provisionForest(*dir_, rng_);
  INFO(st.toString());
  REQUIRE(st.isOk());
  if (readOnly_) reopen();
}

void TestDomain::reopen() {
  open(readOnly_);
}

void TestDomain::open(bool readOnly) {
  dir_.reset();
  store_.reset();
  auto store = Store::open(*env_, "/dc");
  REQUIRE(store.isOk());
  store_ = std::move(*store);
  auto dir = Directory::open(*store_, DirectoryOptions{"corp.example.com", readOnly, ridPoolIndex_, ridPoolCount_},
                             clock_, rng_);
  REQUIRE(dir.isOk());
  dir_ = std::move(*dir);
}

Guid TestDomain::addOu(const std::string& name) {
  auto guid = dir_->add(dn("OU=" + name), {{"objectClass", {"organizationalUnit"}}});
  INFO(guid.status().toString());
  REQUIRE(guid.isOk());
  return *guid;
}

Guid TestDomain::addUser(const std::string& name) {
  auto guid = dir_->add(dn("CN=" + name + ",CN=Users"), {{"objectClass", {"user"}}, {"sAMAccountName", {name}}});
  INFO(guid.status().toString());
  REQUIRE(guid.isOk());
  return *guid;
}

Guid TestDomain::addDmsa(const std::string& name, int state) {
  auto guid = dir_->add(dn("CN=" + name + ",CN=Managed Service Accounts"),
                        {{"objectClass", {"msDS-DelegatedManagedServiceAccount"}},
                         {"sAMAccountName", {name + "$"}},
                         {"msDS-DelegatedMSAState", {std::to_string(state)}},
                         {"msDS-ManagedPasswordInterval", {"30"}}});
  INFO(guid.status().toString());
  REQUIRE(guid.isOk());
  return *guid;
}

std::vector<std::string> TestDomain::values(const std::string& dn, const std::string& attribute) {
  auto obj = dir_->read(dn);
  INFO(obj.status().toString());
  REQUIRE(obj.isOk());
  auto v = dir_->values(*obj, attribute);
  INFO(v.status().toString());
  REQUIRE(v.isOk());
  return *v;
}

}  // namespace dcemu::dc::testing
