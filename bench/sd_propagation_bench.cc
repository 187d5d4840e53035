// Prints what the security descriptor propagator costs one DC: a grant with
// container inheritance on an OU of 20,000 users (every user rewritten),
// the same grant without inheritance (every user read, none rewritten), and,
// as the baseline in the same run, 20,000 originating single-attribute
// modifies of the same users.
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "dc/directory.h"
#include "dc/provision.h"
#include "dc/store.h"

using namespace dcemu::dc;

namespace {

constexpr int64_t kEpochMicros = 1767571200LL * 1000000;
constexpr int kUsers = 20'000;
const std::string kOu = "OU=Tier1,DC=corp,DC=example,DC=com";

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void require(const Status& status) {
  if (!status.isOk()) throw std::runtime_error(status.toString());
}

// Adds one ACE for Domain Users (RID 513) to the OU's explicit ACEs.
void grant(Directory& dir, const std::string& flags) {
  auto ou = dir.read(kOu);
  require(ou.status());
  auto sddl = dir.values(*ou, "nTSecurityDescriptor");
  require(sddl.status());
  std::string text = sddl->front();
  text.insert(text.find('(', text.find("D:")),
              fmt::format("(A;{};CC;;;{})", flags, dir.domainSid()->withRid(513).toString()));
  require(dir.modify(kOu, {{Change::Op::Replace, "nTSecurityDescriptor", {text}}}));
}

}  // namespace

int main() {
  auto env = StoreEnv::inMemory();
  auto store = Store::open(*env, "/bench/dc");
  require(store.status());
  ManualClock clock{kEpochMicros};
  Xoshiro256 rng(1);
  auto dir = Directory::open(**store, {"corp.example.com", false}, clock, rng);
  require(dir.status());
  Directory& d = **dir;
  require(provisionForest(d, rng));
  require(d.add(kOu, {{"objectClass", {"organizationalUnit"}}}).status());
  for (int i = 0; i < kUsers; ++i) {
    std::string name = fmt::format("user{:05}", i);
    require(
        d.add(fmt::format("CN={},{}", name, kOu), {{"objectClass", {"user"}}, {"sAMAccountName", {name}}}).status());
  }

  auto start = std::chrono::steady_clock::now();
  grant(d, "CI");
  double inherited = secondsSince(start);
  start = std::chrono::steady_clock::now();
  grant(d, "");
  double notInherited = secondsSince(start);
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < kUsers; ++i)
    require(d.modify(fmt::format("CN=user{:05},{}", i, kOu), {{Change::Op::Replace, "description", {"changed"}}}));
  double modifies = secondsSince(start);

  fmt::print("sd_propagation_bench: one DC, an OU of {} users, memory Env\n", kUsers);
  fmt::print("  grant with inheritance (CI), every user rewritten  {:7.3f} s  {:6.1f} us per user\n", inherited,
             inherited * 1e6 / kUsers);
  fmt::print("  grant without inheritance, every user read         {:7.3f} s  {:6.1f} us per user\n", notInherited,
             notInherited * 1e6 / kUsers);
  fmt::print("  baseline: {} originating modifies                {:7.3f} s  {:6.1f} us per user\n", kUsers, modifies,
             modifies * 1e6 / kUsers);
  fmt::print("  propagation / originating modify: {:.2f}\n", inherited / modifies);
}
