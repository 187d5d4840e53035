// Small text helpers shared by the parsers: ASCII case folding (LDAP names
// and DNs compare case-insensitively) and trimming.
#pragma once

#include <string>
#include <string_view>

namespace dcemu::dc {

std::string toLower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
std::string toUpperAscii(std::string_view text);
std::string_view trim(std::string_view text);

}  // namespace dcemu::dc
