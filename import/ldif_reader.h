// LDIF files (RFC 2849) as ldifde, ldapsearch and ldbsearch write them, read
// with OpenLDAP's LDIF reader: records of a DN and its attributes, base64
// values decoded, folded lines joined, comments dropped. Change records
// other than add are kept with their change type so a caller can refuse
// them by name.
#pragma once

#include <string>
#include <vector>

#include "dc/status.h"
#include "import/entry.h"

namespace dcemu::import {

// Every record of `path`. A malformed record is an error naming the file
// and line; nothing is returned then.
dc::Result<std::vector<Entry>> readLdifFile(const std::string& path);

}  // namespace dcemu::import
