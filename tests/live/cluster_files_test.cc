// The files a live cluster shares: peers, addresses and the secret, read
// with one-line errors that name the file (and line), whatever the bytes.
#include "live/cluster_files.h"

#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

namespace dcemu::live {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

fs::path scratch(const std::string& name) {
  return fs::temp_directory_path() / fmt::format("dcemu-files-{}-{}", getpid(), name);
}

TEST_CASE("A peers file maps DC names, without case, to addresses, and names its line when wrong", "[live][files]") {
  fs::path path = scratch("peers");
  std::ofstream(path)
      << "# where the DCs listen\nHQ-DC1 127.0.0.1:7001\n  hq-dc2   dc2.corp.example.com:7002  # one\n\n";
  auto peers = readPeers(path.string());
  REQUIRE(peers);
  CHECK(peers->size() == 2);
  CHECK(peers->at("hq-dc1").port == 7001);
  CHECK(peers->at("HQ-DC2").host == "dc2.corp.example.com");
  CHECK(peers->begin()->first == "HQ-DC1");  // as written

  std::ofstream(path) << "HQ-DC1 127.0.0.1:7001\nhq-dc1 127.0.0.1:7002\n";
  auto twice = readPeers(path.string());
  REQUIRE_FALSE(twice);
  CHECK(twice.status().message() == path.string() + ":2: hq-dc1 is listed twice");
  fs::remove(path);
}

TEST_CASE("Addresses are HOST:PORT with a port from 1 (or 0, where any port will do) to 65535", "[live][files]") {
  CHECK(parseAddress("127.0.0.1:7000"));
  CHECK_FALSE(parseAddress("127.0.0.1:0"));
  CHECK(parseAddress("127.0.0.1:0", true));
  for (const char* bad : {"", ":7000", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "h:7000x"}) {
    INFO(bad);
    auto parsed = parseAddress(bad);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.status().message(), StartsWith("address"));
  }
}

TEST_CASE("Mutated peers files never crash the reader and fail in one line naming the file", "[live][files][fuzz]") {
  const std::string valid = "# peers\nHQ-DC1 127.0.0.1:7001\nHQ-DC2 127.0.0.1:7002\nBR-DC1 br.example:7003\n";
  fs::path path = scratch("fuzz");
  std::mt19937 rng(17);
  int refused = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text = valid;
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0 && !text.empty(); --edits) {
      size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text[at] = static_cast<char>(rng() % 256); break;
        case 1: text.insert(at, 1, static_cast<char>(rng() % 256)); break;
        case 2: text.erase(at, 1 + rng() % 8); break;
        default: text.resize(at); break;
      }
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    auto peers = readPeers(path.string());
    if (peers) continue;
    ++refused;
    INFO(text);
    CHECK_THAT(peers.status().message(), StartsWith(path.string()));
    CHECK(peers.status().message().find('\n') == std::string::npos);
  }
  CHECK(refused > 100);
  fs::remove(path);
}

TEST_CASE("The secret must be 16 bytes or more and not readable by everyone", "[live][files]") {
  fs::path path = scratch("secret");
  REQUIRE(writeNewSecret(path.string()).isOk());
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  auto secret = readSecret(path.string());
  REQUIRE(secret);
  CHECK(secret->size() == 64);  // 32 random bytes as hex, the newline dropped
  CHECK(*readSecret(path.string()) == *secret);
  fs::permissions(path, fs::perms::others_read, fs::perm_options::add);
  CHECK_THAT(readSecret(path.string()).status().message(), Contains("anyone may read it"));
  std::ofstream(path, std::ios::trunc) << "too short\n";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  CHECK_THAT(readSecret(path.string()).status().message(), Contains("at least 16 bytes"));
  fs::remove(path);
  CHECK_THAT(readSecret(path.string()).status().message(), Contains("cannot be read"));
}

}  // namespace
}  // namespace dcemu::live
