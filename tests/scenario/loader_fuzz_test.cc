// Mutated example files: whatever the damage, the loader answers with
// one-line `file:line:col: reason` errors or a scenario, never a crash; and
// a file it accepts runs (its first simulated hour) without an error that
// validate should have given.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "dc/rng.h"
#include "scenario/loader.h"
#include "tests/support/test_support.h"

namespace dcemu::scenario {
namespace {

using namespace dcemu::testing;

// Pieces a mutation may insert: TOML syntax and values the format is
// sensitive to.
const char* const kFragments[] = {
    "=",
    "\"",
    "[",
    "]]",
    "{",
    "}",
    ",",
    "\n",
    "-1",
    "0",
    "4294967296",
    "1e309",
    "\"24:00\"",
    "\"0m\"",
    "\"-5m\"",
    "\"99999999w\"",
    "true",
    "[[step]]\n",
    "[[dc]]\n",
    "\"\"",
    "\"\\u0000\"",
    "nan",
    "inf",
    "\"Mon-Sun\"",
    "name = \"x\"\n",
    "at = \"1h\"\n",
    "kind = \"partition\"\n",
    "action = \"expect\"\n",
    "object = \"ghost\"\n",
    "count = 10000001\n",
    "tombstone_lifetime = \"1d\"\n",
    "tree = true\n",
    "link = { value = \"x\" }\n",
};

std::string mutate(const std::string& text, dc::Xoshiro256& rng) {
  std::string out = text;
  int edits = 1 + static_cast<int>(rng.next() % 3);
  for (int e = 0; e < edits && !out.empty(); ++e) {
    size_t at = rng.next() % out.size();
    switch (rng.next() % 6) {
      case 0: out[at] = static_cast<char>(rng.next() % 256); break;                   // a byte flipped
      case 1: out.erase(at, 1 + rng.next() % 40); break;                              // a span cut
      case 2: out.insert(at, kFragments[rng.next() % std::size(kFragments)]); break;  // syntax inserted
      case 3: {                                                                       // a line repeated
        size_t begin = out.rfind('\n', at);
        begin = begin == std::string::npos ? 0 : begin + 1;
        size_t end = out.find('\n', at);
        std::string line = out.substr(begin, end == std::string::npos ? std::string::npos : end - begin + 1);
        out.insert(begin, line);
        break;
      }
      case 4: out.resize(at); break;  // truncated
      case 5: {                       // a digit run replaced
        size_t digit = out.find_first_of("0123456789", at);
        if (digit != std::string::npos) out.replace(digit, 1, std::to_string(rng.next() % 100000));
        break;
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("Mutated example files give one-line located errors or run, never a crash", "[sim][loader][fuzz]") {
  std::vector<std::string> files;
  for (const char* dir : {DCEMU_TOPOLOGIES_DIR, DCEMU_TOPOLOGIES_DIR "/reference", DCEMU_SCENARIOS_DIR})
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".toml" && entry.file_size() < 16384) files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 20);
  size_t accepted = 0, refused = 0, ran = 0;
  for (const std::string& file : files) {
    const std::string text = readFile(file);
    dc::Xoshiro256 rng(std::hash<std::string>{}(std::filesystem::path(file).filename().string()));
    // DCEMU_FUZZ_ROUNDS explores further than the suite's 60 per file.
    const int rounds = std::getenv("DCEMU_FUZZ_ROUNDS") ? std::atoi(std::getenv("DCEMU_FUZZ_ROUNDS")) : 60;
    for (int i = 0; i < rounds; ++i) {
      std::string mutated = mutate(text, rng);
      if (std::getenv("DCEMU_FUZZ_DUMP")) std::ofstream(std::getenv("DCEMU_FUZZ_DUMP"), std::ios::binary) << mutated;
      scenario::LoadResult loaded = scenario::parseScenario(mutated, "m.toml");
      INFO(file << " mutation " << i << "\n" << mutated);
      if (!loaded.errors.empty()) {
        ++refused;
        for (const std::string& error : loaded.errors) {
          CHECK(error.rfind("m.toml:", 0) == 0);
          CHECK(error.find('\n') == std::string::npos);
        }
        continue;
      }
      ++accepted;
      // What validate accepts, run must run: write it and run an hour
      // through the command users run (every fifth, to bound the time).
      // Files a mutation made enterprise-sized are left to the soak bench.
      size_t users = 0;
      for (const scenario::UserBatch& batch : loaded.scenario->userBatches) users += static_cast<size_t>(batch.count);
      if (i % 5 != 0 || users > 20000) continue;
      auto path = std::filesystem::temp_directory_path() / fmt::format("dcemu-fuzz-{}.toml", i);
      std::ofstream(path, std::ios::binary) << mutated;
      cli::CommandOutput run = cli::runCommand(path.string(), {.until = "1h"});
      std::filesystem::remove(path);
      INFO(run.out << run.err);
      CHECK(run.err.find(".toml:") == std::string::npos);  // no load error at run time
      CHECK(run.out.find("convergence") != std::string::npos);
      ++ran;
    }
  }
  // The mutations reach both outcomes.
  CHECK(refused > 100);
  CHECK(accepted > 10);
  CHECK(ran > 2);
}

}  // namespace dcemu::scenario
