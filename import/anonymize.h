// --anonymize: every name an imported domain gives (its DNS name, sites,
// DCs, site links, bridges, OUs, accounts, groups, hosts, the host part of
// SPNs) replaced by a stable pseudonym (`site-01`, `dc-03`, `host-0042`),
// so a file can be shared with a vendor. Structure is kept: the same name
// always becomes the same pseudonym, OUs keep their nesting, and the
// numbers, schedules and grants stay as they were. The comments naming
// DNs and the lists of what was left out are reduced to counts.
#pragma once

#include "import/domain_reader.h"

namespace dcemu::import {

void anonymize(ImportedDomain& domain);

}  // namespace dcemu::import
