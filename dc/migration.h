// The dMSA migration operations (shared/reference/dmsa.md, "What the
// migration operations change"): Start, Complete, Undo and Reset of
// Start-/Complete-/Undo-/Reset-ADServiceAccountMigration, also reachable as
// the rootDSE modify `migrateADServiceAccount: <dMSA DN>:<old DN>:<Op>`.
// Each is one originating write spanning the dMSA, the old account and,
// at completion, the old account's AuthN policy silos.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dc/directory.h"

namespace dcemu::dc {

enum class MigrationOp : int { Reset = 0, Start = 1, Complete = 2, Undo = 3 };
std::string_view migrationOpName(MigrationOp op);  // "Start", ...

struct MigrationRequest {
  std::string dmsaDn;
  std::string accountDn;  // the superseded (old) account
  MigrationOp op = MigrationOp::Start;
};

// The migration operations exist from Windows Server 2025 (MS-ADTS
// 3.1.1.3.3 lists migrateADServiceAccount for it alone). A DC of an older
// version knows no such rootDSE attribute and refuses it as any unknown
// one, unwillingToPerform (Samba's rootdse.c: "rootdse_modify: unknown
// attribute to change!"), changing nothing and logging no 3085, which it
// does not know either. OK on Windows Server 2025.
Status refuseMigrationOnOlderDc(std::string_view dc, std::string_view windowsVersion);

// Parses the rootDSE attribute's value "<dMSA DN>:<old account DN>:<Op>".
Result<MigrationRequest> parseMigrationRequest(std::string_view value);

// What DC event 3085 reports: the result, and both accounts' states as
// they were before the operation (absent when the object was not found or
// had no state).
struct MigrationOutcome {
  Status status;
  std::optional<int64_t> dmsaStateBefore;     // msDS-DelegatedMSAState
  std::optional<int64_t> accountStateBefore;  // msDS-SupersededServiceAccountState
};

// Runs one operation as `requester`, who must hold Domain Admins (or be the
// system). Refused, with nothing written: on an RODC; for an old account
// that is an MSA, gMSA or dMSA; Start on a dMSA not in state 0 or already
// linked, or for an account already linked to another dMSA; Complete
// without Start; Undo and Reset of a pair not linked; unknown DNs.
MigrationOutcome migrateServiceAccount(Directory& dir, const MigrationRequest& request, const Principal& requester);

// The rootDSE modify: `change` must replace or add `migrateADServiceAccount`
// with one value.
MigrationOutcome modifyRootDse(Directory& dir, const Change& change, const Principal& requester);

// The dMSA state attribute's values (msDS-DelegatedMSAState).
namespace dmsa_state {
inline constexpr int64_t kUnlinked = 0;
inline constexpr int64_t kStarted = 1;
inline constexpr int64_t kCompleted = 2;
inline constexpr int64_t kStandalone = 3;
}  // namespace dmsa_state

// The Windows error the seeds' event 3085 shows for a refused operation.
inline constexpr int kErrorUnableToProceed = 5005;

}  // namespace dcemu::dc
