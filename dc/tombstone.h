// The shape of a tombstone (MS-ADTS 3.1.1.5.5.6.1) and how a DC brings an
// object to it:
//  - it keeps only the attributes the delete retains (schema's
//    preserveOnDelete, plus the object's RDN attribute);
//  - its own linked values are inactive (values on other objects that
//    target it keep their state; reads do not show them: see
//    Directory::visibleLinks);
//  - it lives in its naming context's Deleted Objects container under the
//    mangled name "<name>\nDEL:<guid>".
// A replicated tombstone that does not have that shape (a concurrent edit
// or rename won by stamp) is brought to it by an originating update on the
// applying DC (MS-DRSR 5.160 RecycleObj): each attribute it changes gets a
// new stamp through `restamp`, except linked values, which are "simply
// removed" (deactivated without a stamp).
#pragma once

#include <functional>
#include <optional>

#include "dc/ids.h"
#include "dc/object.h"
#include "dc/schema.h"

namespace dcemu::dc {

bool isTombstone(const Object& obj);
// Whether a tombstone of `obj` keeps attribute `def`.
bool keptOnTombstone(const Schema& schema, const Object& obj, const AttributeDef& def);
// Brings `obj` (a tombstone) to that shape, calling `restamp` on every
// attribute entry whose values it changed; returns whether anything changed.
bool enforceTombstoneShape(const Schema& schema, Object& obj, const std::optional<Guid>& deletedObjects,
                           const std::function<void(AttributeEntry&)>& restamp);

}  // namespace dcemu::dc
