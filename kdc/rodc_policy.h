// An RODC's password replication policy (MS-ADTS 3.1.1.4.5 on RODCs,
// Microsoft's "RODC password replication policy" guidance): the RODC holds
// only the secrets revealed to it (msDS-RevealedUsers on its computer
// object), and a writable DC reveals an account's secret to it only when the
// account is, directly or through groups, in its msDS-RevealOnDemandGroup
// and in none of its msDS-NeverRevealGroup.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dc/directory.h"

namespace dcemu::kdc {

// Whether the RODC whose computer account is `rodcAccount` ("BR-RODC1$")
// holds `account`'s secret, as `dir` (any replica) records it.
bool rodcHoldsSecret(const dc::Directory& dir, const std::string& rodcAccount, const dc::Guid& account);

// Whether the policy, as `dir` holds it, lets the RODC cache `account`'s
// secret; when not, `why` says which rule refused it.
bool rodcMayCache(const dc::Directory& dir, const std::string& rodcAccount, const dc::Guid& account,
                  std::string* why = nullptr);

// The RODC's policy as `dir` holds it: the DNs of its
// msDS-RevealOnDemandGroup (allowed), msDS-NeverRevealGroup (denied) and
// msDS-RevealedUsers (the secrets it holds), as `repadmin /prp view` lists
// them. None when `dir` has no such RODC account.
struct RodcPolicyLists {
  std::vector<std::string> allowed, denied, revealed;
};
std::optional<RodcPolicyLists> rodcPolicyLists(const dc::Directory& dir, const std::string& rodcAccount);

// The writable DC `dir` reveals `account`'s secret to the RODC: adds it to
// the RODC's msDS-RevealedUsers (an originating write that replicates).
// Refused when the policy does not allow it. Returns the RODC object's DN.
dc::Result<std::string> revealToRodc(dc::Directory& dir, const std::string& rodcAccount, const dc::Guid& account);

}  // namespace dcemu::kdc
