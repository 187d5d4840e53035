// A live cluster as the tests start it: `dcemu cluster up` into a
// directory of the test's own, stopped and removed however the test ends.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/support/test_support.h"

namespace dcemu::live::testing {

using dcemu::testing::Ran;
using dcemu::testing::readFile;
using dcemu::testing::shell;

// The four-DC, two-site file most live tests run.
inline const std::string kTopology = std::string(DCEMU_LIVE_SCENARIOS_DIR) + "/hq-branch-live.toml";

inline std::string dcemu(const std::string& args) {
  return fmt::format("{} {}", DCEMU_BINARY, args);
}

// A cluster directory of its own, stopped and removed however the test ends.
class Cluster {
 public:
  Cluster(const std::string& name, double timeScale, int maxRestarts = 10, const std::string& file = kTopology)
      : directory_(
            (std::filesystem::temp_directory_path() / fmt::format("dcemu-live-{}-{}", name, getpid())).string()) {
    std::filesystem::remove_all(directory_);
    Ran up = shell(dcemu(fmt::format("cluster up {} --data {} --time-scale {} --max-restarts {}", file, directory_,
                                     timeScale, maxRestarts)));
    INFO(up.out);
    REQUIRE(up.exitCode == 0);
  }
  ~Cluster() {
    shell(dcemu("cluster down --data " + directory_));
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  const std::string& directory() const { return directory_; }
  Ran ctl(const std::string& dc, const std::string& args) const {
    return shell(dcemu(fmt::format("ctl --cluster {} --dc {} {}", directory_, dc, args)));
  }
  // Polls `ctl` until it exits 0, for up to `seconds`.
  bool eventually(const std::string& dc, const std::string& args, double seconds) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (ctl(dc, args).exitCode == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  Ran down() const { return shell(dcemu("cluster down --data " + directory_)); }
  Ran check() const { return shell(dcemu("cluster check --data " + directory_)); }

 private:
  std::string directory_;
};

}  // namespace dcemu::live::testing
