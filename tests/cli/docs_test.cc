// The project's docs are all a user has: their example file runs as
// written, every link in the README and docs/ resolves to a file of this
// repository, and none points outside it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli/commands.h"
#include "tests/support/test_support.h"

namespace dcemu::cli {
namespace {

using namespace dcemu::testing;

using Catch::Matchers::Contains;

const std::filesystem::path kRoot = std::filesystem::path(DCEMU_DOCS_DIR).parent_path();

TEST_CASE("The format reference's own example runs and answers when completion is safe", "[sim][docs]") {
  std::string doc = readFile(kRoot / "docs" / "topology-format.md");
  std::smatch example;
  REQUIRE(std::regex_search(doc, example, std::regex("## Writing your own[^`]*```toml\\n([^`]*)```")));
  auto path = std::filesystem::temp_directory_path() / "dcemu-docs-example.toml";
  std::ofstream(path) << example[1].str();
  cli::CommandOutput run = cli::runCommand(path.string(), {.jobs = 2});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.out, Contains("migration   dmsa_sql superseding svc_sql: 2 host services in 1 site"));
  CHECK_THAT(run.out, Contains("dmsa_sql: earliest completion with no failing host"));
}

TEST_CASE("The README's worked example is what dcemu prints for it", "[sim][docs]") {
  std::string readme = readFile(kRoot / "README.md");
  std::smatch example;
  REQUIRE(std::regex_search(readme, example, std::regex("## A worked example[\\s\\S]*?```\n([\\s\\S]*?)```")));
  cli::CommandOutput run = cli::runCommand((kRoot / "topologies" / "migration-planning.toml").string(), {.jobs = 2});
  REQUIRE(run.exitCode == 0);
  std::istringstream lines(example[1].str());
  size_t checked = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line == "  ...") continue;  // where the README leaves lines out
    INFO(line);
    CHECK_THAT(run.out, Contains(line + "\n"));
    ++checked;
  }
  CHECK(checked > 20);
}

TEST_CASE("Every link in the README and docs resolves inside the repository", "[sim][docs]") {
  std::vector<std::filesystem::path> pages = {kRoot / "README.md"};
  for (const auto& entry : std::filesystem::directory_iterator(kRoot / "docs"))
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  std::regex link("\\]\\(([^)]+)\\)");
  size_t links = 0;
  for (const auto& page : pages) {
    std::string text = readFile(page);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link); it != std::sregex_iterator(); ++it) {
      std::string target = (*it)[1].str();
      INFO(page.filename().string() << " links to " << target);
      CHECK(target.find("://") == std::string::npos);
      std::string file = target.substr(0, target.find('#'));
      if (file.empty()) continue;
      auto resolved = std::filesystem::weakly_canonical(page.parent_path() / file);
      CHECK(std::filesystem::exists(resolved));
      auto relative = std::filesystem::relative(resolved, kRoot).string();
      CHECK_FALSE(relative.starts_with(".."));
      ++links;
    }
    // Nor in prose: no path out of the repository.
    INFO(page.filename().string());
    CHECK(text.find("../shared") == std::string::npos);
  }
  CHECK(links > 5);
}

}  // namespace
}  // namespace dcemu::cli
