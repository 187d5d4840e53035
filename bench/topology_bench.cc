// The KCC and `dcemu topology` against size: a hub with N spoke sites (two
// DCs in the hub, one per spoke, a link per spoke) and one site of N DCs.
// For each size: the KCC alone (computeTopology), what `dcemu topology`
// does (loading the file's scenario and provisioning the first DC with the
// connections), and the start of `dcemu run` (every DC provisioned, in
// memory, with its connections and repsFrom), so that the growth with N is
// visible; the smallest size of each shape is the baseline the others are
// compared with. The aims: a hub of 3,000 spokes and a site of 1,000 DCs
// each under 5 s.
//
// Usage: topology_bench [hub|site N]  (one shape at its smallest size and
// at N; by default both shapes at every size)
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <string>
#include <string_view>

#include "replication/kcc.h"
#include "scenario/layout.h"
#include "scenario/loader.h"
#include "sim/world.h"

namespace {

using namespace dcemu;

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::string hubFile(int spokes) {
  std::string out =
      "[domain]\nname = \"corp.example.com\"\n[[site]]\nname = \"Hub\"\n"
      "[[dc]]\nname = \"HUB-DC1\"\nsite = \"Hub\"\n[[dc]]\nname = \"HUB-DC2\"\nsite = \"Hub\"\n";
  for (int i = 1; i <= spokes; ++i)
    out += fmt::format(
        "[[site]]\nname = \"S{0:04}\"\n[[dc]]\nname = \"S{0:04}-DC1\"\nsite = \"S{0:04}\"\n"
        "[[site_link]]\nname = \"Hub-S{0:04}\"\nsites = [\"Hub\", \"S{0:04}\"]\ninterval = \"60m\"\n",
        i);
  return out;
}

std::string siteFile(int dcs) {
  std::string out = "[domain]\nname = \"corp.example.com\"\n[[site]]\nname = \"HQ\"\n";
  for (int i = 1; i <= dcs; ++i) out += fmt::format("[[dc]]\nname = \"DC{:04}\"\nsite = \"HQ\"\n", i);
  return out;
}

void bench(const char* shape, const std::vector<int>& sizes, std::string (*file)(int)) {
  fmt::print("{}\n  {:>6}  {:>10}  {:>12}  {:>14}  {:>10}  {:>12}  {:>10}\n", shape, "N", "KCC", "KCC / first",
             "dcemu topology", "/ first", "run start", "/ first");
  double firstKcc = 0, firstTopology = 0, firstStart = 0;
  for (int n : sizes) {
    scenario::LoadResult loaded = scenario::parseScenario(file(n), "bench.toml");
    if (!loaded.scenario) {
      fmt::print(stderr, "{}\n", loaded.errors.front());
      return;
    }
    auto began = std::chrono::steady_clock::now();
    auto origin = scenario::provisionOrigin(*loaded.scenario, 1);
    double topology = seconds(began);
    replication::KccInput input = loaded.scenario->siteGraph();
    for (size_t i = 0; i < loaded.scenario->dcs.size(); ++i) {
      const replication::DsaInfo& dsa = (*origin)->layout.dsaInfos[i];
      input.dcs.push_back({dsa.name, dsa.dsa, loaded.scenario->dcs[i].site, loaded.scenario->dcs[i].rodc});
    }
    began = std::chrono::steady_clock::now();
    replication::KccResult result = replication::computeTopology(input);
    double kcc = seconds(began);
    origin->reset();
    began = std::chrono::steady_clock::now();
    auto started = sim::World::create(*loaded.scenario, 1, false);
    double start = seconds(began);
    if (!started) {
      fmt::print(stderr, "{}\n", started.status().toString());
      return;
    }
    started->reset();
    if (firstKcc == 0) firstKcc = kcc, firstTopology = topology, firstStart = start;
    fmt::print(
        "  {:>6}  {:>7.1f} ms  {:>11.1f}x  {:>11.1f} ms  {:>9.1f}x  {:>10.0f} ms  {:>9.1f}x   ({} connections)\n", n,
        kcc * 1000, kcc / firstKcc, topology * 1000, topology / firstTopology, start * 1000, start / firstStart,
        result.connections.size());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string shape = argc == 3 ? argv[1] : "";
  std::string_view sizeText = argc == 3 ? argv[2] : "";
  int size = 0;
  auto parsed = std::from_chars(sizeText.data(), sizeText.data() + sizeText.size(), size);
  bool sizeOk =
      parsed.ec == std::errc() && parsed.ptr == sizeText.data() + sizeText.size() && size >= 1 && size <= 100000;
  if (argc != 1 && (argc != 3 || (shape != "hub" && shape != "site") || !sizeOk)) {
    fmt::print(stderr, "usage: topology_bench [hub|site N], N from 1 to 100000\n");
    return 2;
  }
  fmt::print("dcemu topology bench: time against size (the first row of each shape is the baseline)\n");
  if (shape != "site")
    bench("a hub and N spoke sites",
          shape.empty() ? std::vector<int>{100, 300, 1000, 3000} : std::vector<int>{100, size}, hubFile);
  if (shape != "hub")
    bench("one site of N DCs", shape.empty() ? std::vector<int>{50, 100, 200, 400, 1000} : std::vector<int>{50, size},
          siteFile);
  return 0;
}
