// Loading and provisioning large files against size: a domain of two DCs
// with N users described by one [[user_group]], loaded through the
// scenario loader and both replicas provisioned in memory, as `dcemu run`
// does before its first event. Sizes run in increasing order, so the peak
// RSS after each is that size's own; the smallest size is the baseline the
// others' cost per user is compared with. The aim: 1,000,000 users in
// under 20 s and 2 GiB.
//
// Usage: load_bench [N ...]   (default: 100000 300000 1000000)
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "scenario/loader.h"
#include "sim/world.h"

namespace {

using namespace dcemu;

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double peakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

std::string usersFile(long users) {
  return fmt::format(
      "[domain]\nname = \"corp.example.com\"\n[[site]]\nname = \"HQ\"\n"
      "[[dc]]\nname = \"DC1\"\nsite = \"HQ\"\n[[dc]]\nname = \"DC2\"\nsite = \"HQ\"\n"
      "[[user_group]]\nprefix = \"emp\"\ncount = {}\n",
      users);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<long> sizes;
  for (int i = 1; i < argc; ++i) {
    char* end = nullptr;
    long n = std::strtol(argv[i], &end, 10);
    if (*end != '\0' || n <= 0) {
      fmt::print(stderr, "load_bench: '{}' is not a positive number of users\n", argv[i]);
      return 2;
    }
    sizes.push_back(n);
  }
  if (sizes.empty()) sizes = {100000, 300000, 1000000};

  fmt::print("dcemu load bench: two DCs, N users, provisioned in memory (the first row is the baseline)\n");
  fmt::print("  {:>9}  {:>9}  {:>12}  {:>8}  {:>13}\n", "N", "load", "us per user", "/ first", "peak RSS MiB");
  double firstPerUser = 0;
  for (long n : sizes) {
    auto began = std::chrono::steady_clock::now();
    scenario::LoadResult loaded = scenario::parseScenario(usersFile(n), "bench.toml");
    if (!loaded.scenario) {
      fmt::print(stderr, "{}\n", loaded.errors.front());
      return 1;
    }
    auto world = sim::World::create(*loaded.scenario, 1, false);
    double load = seconds(began);
    if (!world) {
      fmt::print(stderr, "{}\n", world.status().toString());
      return 1;
    }
    world->reset();
    double perUser = load * 1e6 / static_cast<double>(n);
    if (firstPerUser == 0) firstPerUser = perUser;
    fmt::print("  {:>9}  {:>7.1f} s  {:>12.1f}  {:>7.2f}x  {:>13.0f}\n", n, load, perUser, perUser / firstPerUser,
               peakRssMiB());
  }
  return 0;
}
