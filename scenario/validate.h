// `dcemu validate`: everything a run would refuse in a file, before any
// work starts (the loader checks all of it), or a line saying what the
// file describes.
#pragma once

#include <string>
#include <vector>

namespace dcemu::scenario {

struct Validation {
  std::vector<std::string> errors;  // "file:line:col: reason", each a line; empty when valid
  std::string summary;              // "FILE: valid: 3 sites, ..." when valid
};

Validation validate(const std::string& path);

}  // namespace dcemu::scenario
