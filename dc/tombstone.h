// What every DC enforces on a tombstone by itself, with no new stamps, so
// that replicas converge whatever order the delete and concurrent changes
// arrive in (a delete wins over concurrent edits of what it strips):
//  - it holds no values of the attributes deletion strips; a concurrent edit
//    that wins by stamp keeps its stamp, not its value;
//  - its own linked values are inactive (values on other objects that
//    target it keep their state; reads do not show them: see
//    Directory::visibleLinks);
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

}  // namespace dcemu::dc
