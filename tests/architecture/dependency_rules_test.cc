// The house's rules (docs/architecture.md): each folder is one CMake
// library whose link list names exactly the folders it may use, and no
// source file includes a header of a folder its library cannot reach, nor
// another folder's *_internal.h. Read from the tree itself, so that a
// wrong include or a widened link list fails here before it spreads.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using Graph = std::map<std::string, std::set<std::string>>;

const std::vector<std::string> kFolders = {"dc",     "replication", "kdc",  "node", "scenario",
                                           "import", "report",      "sim",  "live", "cli"};

// The arrows as docs/architecture.md draws them.
const Graph kArrows = {
    {"dc", {}},
    {"replication", {"dc"}},
    {"kdc", {"dc"}},
    {"node", {"replication", "kdc"}},
    {"scenario", {"replication", "kdc"}},
    {"import", {"scenario"}},
    {"report", {"scenario", "kdc"}},
    {"sim", {"node", "scenario", "report"}},
    {"live", {"replication", "kdc", "node", "scenario", "report"}},
    {"cli", {"sim", "live", "report", "scenario", "import"}},
};

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The folder a dcemu library belongs to: dcemu_rpc is live's RPC half.
std::string folderOfLibrary(const std::string& library) {
  std::string name = library.substr(std::string("dcemu_").size());
  return name == "rpc" ? "live" : name;
}

// Each folder's dcemu libraries' link lists, as its CMakeLists.txt gives them.
Graph linkGraph(const fs::path& root) {
  Graph graph;
  const std::regex link(R"(target_link_libraries\((dcemu_\w+)([^)]*)\))");
  const std::regex library(R"(\bdcemu_(\w+))");
  for (const std::string& folder : kFolders) {
    std::string text = readFile(root / folder / "CMakeLists.txt");
    graph[folder];
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link); it != std::sregex_iterator(); ++it) {
      if (folderOfLibrary((*it)[1]) != folder) continue;
      std::string uses = (*it)[2];
      for (auto used = std::sregex_iterator(uses.begin(), uses.end(), library); used != std::sregex_iterator();
           ++used) {
        std::string target = folderOfLibrary("dcemu_" + (*used)[1].str());
        if (target != "warnings" && target != folder) graph[folder].insert(target);
      }
    }
  }
  return graph;
}

std::set<std::string> reachable(const Graph& graph, const std::string& from) {
  std::set<std::string> seen{from};
  std::vector<std::string> todo{from};
  while (!todo.empty()) {
    std::string next = todo.back();
    todo.pop_back();
    for (const std::string& to : graph.at(next))
      if (seen.insert(to).second) todo.push_back(to);
  }
  return seen;
}

struct Include {
  std::string file, header;
};

// Every `#include "folder/..."` of the folder's sources.
std::vector<Include> projectIncludes(const fs::path& root, const std::string& folder) {
  std::vector<Include> includes;
  const std::regex include(R"(^\s*#\s*include\s*"([a-z_]+)/([^"]+)\")");
  for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
    std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_search(line, m, include))
        includes.push_back({fs::relative(entry.path(), root).string(), m[1].str() + "/" + m[2].str()});
    }
  }
  return includes;
}

TEST_CASE("each folder's library links exactly the folders the house's arrows allow") {
  Graph graph = linkGraph(DCEMU_SOURCE_DIR);
  for (const std::string& folder : kFolders) {
    INFO(folder << "/CMakeLists.txt");
    CHECK(graph.at(folder) == kArrows.at(folder));
  }
}

TEST_CASE("no source includes a header of a folder its library cannot reach, nor another folder's internals") {
  const fs::path root = DCEMU_SOURCE_DIR;
  Graph graph = linkGraph(root);
  std::set<std::string> folders(kFolders.begin(), kFolders.end());
  std::vector<std::string> violations;
  for (const std::string& folder : kFolders) {
    std::set<std::string> allowed = reachable(graph, folder);
    for (const Include& include : projectIncludes(root, folder)) {
      std::string target = include.header.substr(0, include.header.find('/'));
      if (!folders.count(target)) continue;  // generated headers and third parties
      if (!allowed.count(target))
        violations.push_back(include.file + " includes " + include.header + ": " + folder + " may not use " + target);
      else if (target != folder && include.header.ends_with("_internal.h"))
        violations.push_back(include.file + " includes " + include.header + ", internal to " + target);
    }
  }
  INFO([&] {
    std::string all;
    for (const std::string& v : violations) all += v + "\n";
    return all;
  }());
  CHECK(violations.empty());
}

TEST_CASE("the rules themselves catch a wrong include: live reaching into the simulator") {
  // The check above on a graph where live could reach sim would pass
  // anything; this one holds that it cannot.
  Graph graph = linkGraph(DCEMU_SOURCE_DIR);
  CHECK_FALSE(reachable(graph, "live").count("sim"));
  CHECK_FALSE(reachable(graph, "sim").count("live"));
  CHECK_FALSE(reachable(graph, "scenario").count("node"));
  CHECK_FALSE(reachable(graph, "report").count("sim"));
  CHECK_FALSE(reachable(graph, "import").count("node"));
}

}  // namespace
