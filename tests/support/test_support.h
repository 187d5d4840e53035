// What the command-line tests share: the example files by name, reading a
// file whole, and running a command line as a user's shell would.
#pragma once

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dcemu::testing {

// topologies/<name>.
inline std::string topology(const std::string& name) {
  return std::string(DCEMU_TOPOLOGIES_DIR) + "/" + name;
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Ran {
  int exitCode = -1;
  std::string out;  // stdout and stderr, in order
};

// Runs `command` through the shell, its stderr with its stdout.
inline Ran shell(const std::string& command) {
  Ran ran;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe);
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) ran.out.append(buffer, n);
  int status = pclose(pipe);
  ran.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ran;
}

}  // namespace dcemu::testing
