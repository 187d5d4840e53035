// Kills a writing process (store_crash_writer) with SIGKILL at random moments and checks, after
// each reopen, that every operation is wholly there or wholly absent and
// that no USN is ever handed out twice.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "test_domain.h"

using namespace dcemu::dc;

namespace {

constexpr const char* kDomain = "corp.example.com";

uint64_t largestUsnIn(const Object& obj) {
  uint64_t largest = std::max(obj.usnCreated, obj.usnChanged);
  for (const auto& a : obj.attributes) largest = std::max({largest, a.localUsn, a.stamp.originatingUsn});
  for (const auto& l : obj.links) largest = std::max({largest, l.localUsn, l.stamp.originatingUsn});
  return largest;
}

}  // namespace

TEST_CASE("a writer killed with SIGKILL leaves whole operations and never reuses a USN") {
  auto root = std::filesystem::temp_directory_path() / "dcemu-crash-test";
  std::filesystem::remove_all(root);
  const std::string path = (root / "dc1").string();
  uint64_t committedBefore = 0;
  {
    auto env = StoreEnv::onDisk(4 << 20);
    auto store = Store::open(*env, path);
    REQUIRE(store.isOk());
    ManualClock clock(testing::kEpochMicros);
    // A stream no writer uses (writers draw from their kill's number), so
    // no writer repeats the provisioning's GUIDs.
    Xoshiro256 rng(1'000'000);
    auto dir = Directory::open(**store, {kDomain, false}, clock, rng);
    REQUIRE(dir.isOk());
    REQUIRE(provisionForest(**dir, rng).isOk());
    committedBefore = (*dir)->highestCommittedUsn();
  }

  Xoshiro256 schedule(2026);
  int opsSeen = 0;
  constexpr int kKills = 60;
  for (int kill = 1; kill <= kKills; ++kill) {
    int pipeFds[2];
    REQUIRE(pipe(pipeFds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // A fresh process image: a child of a forked process that has
      // RocksDB's threads can deadlock on a lock one of them held.
      close(pipeFds[0]);
      std::string seed = std::to_string(kill), fd = std::to_string(pipeFds[1]);
      execl(STORE_CRASH_WRITER, STORE_CRASH_WRITER, path.c_str(), seed.c_str(), fd.c_str(),
            static_cast<char*>(nullptr));
      _exit(7);
    }
    close(pipeFds[1]);
    char ready = 0;
    REQUIRE(read(pipeFds[0], &ready, 1) == 1);
    close(pipeFds[0]);
    usleep(static_cast<useconds_t>(500 + schedule.next() % 20000));  // 0.5 to 20.5 ms of writing
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    INFO("kill " << kill << ": writer status " << status);
    REQUIRE(WIFSIGNALED(status));

    auto env = StoreEnv::onDisk(4 << 20);
    auto store = Store::open(*env, path);
    REQUIRE(store.isOk());
    ManualClock clock(testing::kEpochMicros);
    Xoshiro256 rng(1000 + kill);
    auto dir = Directory::open(**store, {kDomain, false}, clock, rng);
    REQUIRE(dir.isOk());
    uint64_t committed = (*dir)->highestCommittedUsn();
    CHECK(committed >= committedBefore);
    uint64_t largest = 0;
    int users = 0;
    REQUIRE((*dir)
                ->changesSince(NamingContext::Domain, 0,
                               [&](const Object& obj) {
                                 largest = std::max(largest, largestUsnIn(obj));
                                 auto description = (*dir)->values(obj, "description");
                                 auto displayName = (*dir)->values(obj, "displayName");
                                 CHECK(*description == *displayName);
                                 if (!description->empty()) ++users;
                                 return true;
                               })
                .isOk());
    // The next USN handed out is above every USN the store holds.
    CHECK(committed >= largest);
    committedBefore = committed;
    opsSeen = users;
  }
  CHECK(opsSeen > 0);
  std::filesystem::remove_all(root);
}
