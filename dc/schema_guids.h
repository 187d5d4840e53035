// Windows' schemaIDGUID of an attribute or class of dcemu's schema, by OID,
// or none where dcemu does not have it.
#pragma once

#include <optional>
#include <string_view>

#include "dc/ids.h"

namespace dcemu::dc {

std::optional<Guid> windowsSchemaIdGuid(std::string_view oid);

}  // namespace dcemu::dc
