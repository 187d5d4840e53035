// Kills a destination with SIGKILL at random moments of a pull and checks
// that each reopened replica holds exactly the chunks it committed (every
// source change up to its high-water mark, nothing half-applied), and that
// pulling again ends equal to the source: no loss, no double application.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "crash_pull.h"
#include "replication/convergence.h"
#include "replication/reps_from.h"

namespace dcemu::replication::testing {
namespace {

// Starts the child on `path`; returns its pid once it is about to pull.
pid_t startPullingChild(const std::string& sourcePath, const std::string& path) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    execl(PULL_CRASH_CHILD, PULL_CRASH_CHILD, sourcePath.c_str(), path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  char ready = 0;
  REQUIRE(read(fds[0], &ready, 1) == 1);
  close(fds[0]);
  return pid;
}

// Every source object whose last change the destination's high-water mark
// covers is on the destination exactly as on the source, and the
// destination holds nothing the source does not. Returns whether the
// domain pull stopped part-way.
bool checkCommittedPrefix(CrashDc& destination, CrashDc& source) {
  bool partial = false;
  for (auto nc : {dc::NamingContext::Schema, dc::NamingContext::Configuration, dc::NamingContext::Domain}) {
    auto state = loadRepsFrom(destination.dir->store(), source.dsa, nc);
    REQUIRE(state.isOk());
    std::map<dc::Guid, dc::Object> held;
    REQUIRE(destination.store
                ->forEachChangeSince(nc, 0,
                                     [&](const dc::Object& obj) {
                                       held.emplace(obj.guid, obj);
                                       return true;
                                     })
                .isOk());
    size_t fromSource = 0;
    REQUIRE(source.store
                ->forEachChangeSince(nc, 0,
                                     [&](const dc::Object& obj) {
                                       auto there = held.find(obj.guid);
                                       if (there != held.end()) ++fromSource;
                                       if (obj.usnChanged > state->highWaterMark) return true;
                                       INFO(dc::namingContextName(nc)
                                            << " object " << obj.guid.toString() << " at USN " << obj.usnChanged);
                                       REQUIRE(there != held.end());
                                       CHECK(there->second.sameReplicaAs(obj));
                                       return true;
                                     })
                .isOk());
    CHECK(fromSource == held.size());
    if (nc == dc::NamingContext::Domain)
      partial = state->highWaterMark > 0 && state->highWaterMark < source.dir->highestCommittedUsn();
  }
  return partial;
}

}  // namespace

TEST_CASE(
    "A destination killed with SIGKILL mid-pull resumes where its last chunk committed and ends equal to the "
    "source",
    "[replication][crash]") {
  auto root = std::filesystem::temp_directory_path() / ("dcemu-pull-crash-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  const std::string path = (root / "destination").string();
  const std::string sourcePath = (root / "source").string();
  {
    auto disk = dc::StoreEnv::onDisk(8 << 20);
    buildCrashSource(*disk, sourcePath);
  }

  dc::Xoshiro256 schedule(2026);
  int killedMidPull = 0, stoppedPartWay = 0;
  for (int kill = 1; kill <= 12; ++kill) {
    pid_t pid = startPullingChild(sourcePath, path);
    usleep(static_cast<useconds_t>(schedule.next() % 60'000));  // up to 60 ms into the pull
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    INFO("kill " << kill << ": child status " << status);
    REQUIRE((WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0)));
    if (WIFSIGNALED(status)) ++killedMidPull;

    auto disk = dc::StoreEnv::onDisk(8 << 20);
    auto source = openCrashSource(*disk, sourcePath);
    auto destination = openCrashDestination(*disk, path);
    if (checkCommittedPrefix(*destination, *source)) ++stoppedPartWay;
  }
  CHECK(killedMidPull >= 3);
  CHECK(stoppedPartWay >= 3);  // kills landed inside the domain NC's chunks, not only before or after

  auto disk = dc::StoreEnv::onDisk(8 << 20);
  auto source = openCrashSource(*disk, sourcePath);
  auto destination = openCrashDestination(*disk, path);
  PullResult last = pullEverything(*destination, *source);
  INFO(last.error);
  REQUIRE(last.win32 == 0);
  auto difference = firstDifference(*source->dir, *destination->dir);
  REQUIRE(difference.isOk());
  INFO((*difference ? (*difference)->object + ": " + (*difference)->what : std::string()));
  CHECK_FALSE(difference->has_value());
  std::filesystem::remove_all(root);
}

}  // namespace dcemu::replication::testing
