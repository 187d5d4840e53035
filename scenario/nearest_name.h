// The name a user most likely meant, for "did you mean" hints in errors
// about keys of the file and names on the command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dcemu::scenario {

// " (did you mean \"tgt_lifetime\"?)" when one of `known` is a small edit
// away from the unknown `key` (ignoring case), else "".
std::string nearestKeyHint(std::string_view key, const std::vector<std::string>& known);

}  // namespace dcemu::scenario
