#include "scenario/nearest_name.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace dcemu::scenario {

std::string nearestKeyHint(std::string_view key, const std::vector<std::string>& known) {
  // Levenshtein distance over lowercase letters, one row at a time.
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t above = row[j];
        bool same =
            std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  const std::string* best = nullptr;
  size_t bestDistance = std::max<size_t>(2, key.size() / 3) + 1;
  for (const std::string& candidate : known) {
    size_t d = distance(key, candidate);
    if (d < bestDistance) best = &candidate, bestDistance = d;
  }
  return best ? fmt::format(" (did you mean \"{}\"?)", *best) : std::string();
}

}  // namespace dcemu::scenario
