// The process the store crash test kills: writes to the store at PATH until
// it is killed, after writing one byte to FD once the store is open.
// Usage: store_crash_writer PATH SEED FD
#include <unistd.h>

#include <string>

#include "test_domain.h"

using namespace dcemu::dc;

namespace {

constexpr const char* kDomain = "corp.example.com";
constexpr const char* kUsers = "CN=Users,DC=corp,DC=example,DC=com";

// Each operation writes the same token into description and displayName of
// one user (at add or by modify), so a half-applied operation shows as a
// mismatch.
[[noreturn]] void runWriter(const std::string& path, uint64_t seed, int readyFd) {
  auto env = StoreEnv::onDisk(4 << 20);
  auto store = Store::open(*env, path);
  if (!store) _exit(2);
  ManualClock clock(testing::kEpochMicros + static_cast<int64_t>(seed) * 1000000000);
  Xoshiro256 rng(seed);
  auto dir = Directory::open(**store, {kDomain, false}, clock, rng);
  if (!dir) _exit(3);
  char ready = 1;
  if (write(readyFd, &ready, 1) != 1) _exit(4);
  for (int op = 0;; ++op) {
    clock.advance(1000);
    std::string token = "op-" + std::to_string(seed) + "-" + std::to_string(op);
    int user = static_cast<int>(rng.next() % 40);
    std::string dn = "CN=u" + std::to_string(user) + "," + kUsers;
    Status st = (*dir)->modify(
        dn, {{Change::Op::Replace, "description", {token}}, {Change::Op::Replace, "displayName", {token}}});
    if (st.code() == LdapResult::noSuchObject) {
      auto added = (*dir)->add(dn, {{"objectClass", {"user"}},
                                    {"sAMAccountName", {"u" + std::to_string(user)}},
                                    {"description", {token}},
                                    {"displayName", {token}}});
      if (!added) _exit(5);
    } else if (!st.isOk()) {
      _exit(6);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return 1;
  runWriter(argv[1], std::stoull(argv[2]), std::stoi(argv[3]));
}
