#include "scenario/machine_memory.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace dcemu::scenario {

uint64_t availableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (!line.starts_with("MemAvailable:")) continue;
    std::istringstream fields(line.substr(13));
    uint64_t kib = 0;
    if (fields >> kib) return kib * 1024;
  }
  return static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string gibibytes(uint64_t bytes) {
  return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1ULL << 30));
}

std::string tooLargeToRead(const std::string& path, uint64_t fileBytes, uint64_t available) {
  uint64_t needed = fileBytes * kParseBytesPerFileByte;
  if (needed <= available) return "";
  return fmt::format(
      "{}: too large for this machine: reading its {} MB needs about {} and {} is available; "
      "describe many users with [[user_group]] instead of one [[user]] each",
      path, fileBytes / 1000000, gibibytes(needed), gibibytes(available));
}

uint64_t estimatedStoreBytes(const Scenario& scenario) {
  constexpr uint64_t kBuiltInObjects = 200;  // the forest, domain and configuration a DC starts with
  uint64_t objects = kBuiltInObjects + scenario.users.size() + scenario.groups.size() +
                     scenario.serviceAccounts.size() + scenario.dmsas.size() + scenario.ous.size() +
                     scenario.sites.size() * 2 + scenario.dcs.size() * 4 + scenario.siteLinks.size();
  for (const UserBatch& batch : scenario.userBatches) objects += static_cast<uint64_t>(batch.count);
  for (const HostGroup& group : scenario.hostGroups) objects += static_cast<uint64_t>(group.count);
  return objects * kMemoryBytesPerObject + scenario.dcs.size() * kMemoryBytesPerDc;
}

}  // namespace dcemu::scenario
