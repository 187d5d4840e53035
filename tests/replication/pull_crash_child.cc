// The process the crash test kills: opens the crash source at argv[1] and
// the destination at argv[2], writes one byte to stdout to say it is about
// to pull, and pulls until done (exit 0) unless killed.
#include <unistd.h>

#include <cstdio>
#include <exception>

#include "crash_pull.h"

int main(int argc, char** argv) {
  using namespace dcemu::replication::testing;
  if (argc != 3) {
    std::fprintf(stderr, "usage: pull_crash_child SOURCE_PATH DESTINATION_PATH\n");
    return 2;
  }
  try {
    auto disk = dcemu::dc::StoreEnv::onDisk(8 << 20);
    auto source = openCrashSource(*disk, argv[1]);
    auto destination = openCrashDestination(*disk, argv[2]);
    if (write(STDOUT_FILENO, "r", 1) != 1) return 3;
    auto result = pullEverything(*destination, *source);
    if (result.win32 != 0) {
      std::fprintf(stderr, "pull failed: %u %s\n", result.win32, result.error.c_str());
      return 4;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pull_crash_child: %s\n", e.what());
    return 5;
  }
}
