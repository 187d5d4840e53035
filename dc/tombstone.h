// What every DC enforces on a tombstone by itself, with no new stamps, so
// that replicas converge whatever order the delete and concurrent changes
// arrive in (a delete wins over concurrent edits of what it strips):
//  - it holds no values of the attributes deletion strips; a concurrent edit
//    that wins by stamp keeps its stamp, not its value;
//  - its own linked values are inactive, and so is every linked value on any
//    object that targets it (reads never show them; the DC that learns of
//    the delete deactivates them locally, as AD removes a deleted object's
//    links);
//  - it lives in its naming context's Deleted Objects container under the
//    mangled name "<name>\nDEL:<guid>", even when a concurrent rename won
//    the name's stamp.
#pragma once

#include <optional>

#include "dc/ids.h"
#include "dc/object.h"
#include "dc/schema.h"

namespace dcemu::dc {

bool isTombstone(const Object& obj);
// Brings `obj` (a tombstone) to that shape; returns whether anything changed.
bool enforceTombstoneShape(const Schema& schema, Object& obj, const std::optional<Guid>& deletedObjects);
// Deactivates `source`'s linked values that target `target`; returns whether any was active.
bool deactivateLinksTo(Object& source, const Guid& target);

}  // namespace dcemu::dc
