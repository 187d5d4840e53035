// Small text helpers shared by the parsers and writers: ASCII case folding
// (LDAP names and DNs compare case-insensitively), trimming, CSV fields.
#pragma once

#include <string>
#include <string_view>

namespace dcemu::dc {

std::string toLower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
std::string toUpperAscii(std::string_view text);
std::string_view trim(std::string_view text);
// A CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote
// or a line break (as DNs and reasons do), its quotes doubled.
std::string csvField(std::string_view text);

}  // namespace dcemu::dc
