#include "scenario/validate.h"

#include <fmt/format.h>

#include "scenario/loader.h"

namespace dcemu::scenario {

Validation validate(const std::string& path) {
  LoadResult loaded = loadScenarioFile(path);
  if (!loaded.errors.empty()) return {std::move(loaded.errors), ""};
  const Scenario& s = *loaded.scenario;
  auto count = [](size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); };
  size_t rodcs = 0, hosts = 0, legacy = 0;
  for (const DcSpec& dc : s.dcs) rodcs += dc.rodc;
  for (const HostGroup& group : s.hostGroups) {
    size_t n = group.hostNames().size();
    hosts += n;
    if (!group.dmsaCapable) legacy += n;
  }
  std::string dcs = count(s.dcs.size(), "DC", "DCs");
  if (rodcs > 0) dcs += fmt::format(" ({} read-only)", rodcs);
  std::string hostText = count(hosts, "host", "hosts");
  if (legacy > 0) hostText += fmt::format(" ({} not dMSA-capable)", legacy);
  return {{},
          fmt::format("{}: valid: {}, {}, {}, {}, {}, {}, {}", path, count(s.sites.size(), "site", "sites"), dcs,
                      count(s.siteLinks.size(), "site link", "site links"), hostText,
                      count(s.dmsas.size(), "dMSA", "dMSAs"), count(s.steps.size(), "step", "steps"),
                      count(s.faults.size(), "fault", "faults"))};
}

}  // namespace dcemu::scenario
