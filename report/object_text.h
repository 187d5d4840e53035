// An object as `dcemu get` and `dcemu ctl get` print it, as Get-ADObject
// -Properties or repadmin /showattr would: each attribute asked for (or
// every one it holds, sorted) with its values, security descriptors in SDDL
// with the domain's SIDs written as names.
#pragma once

#include <string>
#include <vector>

#include "dc/directory.h"

namespace dcemu::report {

std::string objectText(const dc::Directory& dir, const dc::Object& object, const std::vector<std::string>& attributes);

}  // namespace dcemu::report
