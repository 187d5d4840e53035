// The shape of a tombstone (MS-ADTS 3.1.1.5.5.6.1) and how a DC brings an
// object to it:
//  - it keeps only the attributes the delete retains (schema's
//    preserveOnDelete, plus the object's RDN attribute);
//  - reads show none of its linked values (Directory::visibleLinks), and
//    none of the values on other objects that target it;
//  - it lives in its naming context's Deleted Objects container under the
//    mangled name "<name>\nDEL:<guid>".
// A replicated tombstone that does not have that shape (a concurrent edit
// or rename won by stamp) is brought to it by an originating update on the
// applying DC (MS-DRSR 5.160 RecycleObj): each attribute it changes gets a
// new stamp through `restamp`. Its linked values keep the state their
// stamps give them: the deleting DC made every value it held inactive with
// a stamp; a value added concurrently elsewhere stays as stamped, unseen
// while the object is a tombstone. (RecycleObj removes such values without
// a stamp; doing so here would make a reanimated object's values depend on
// the order changes arrived in, so replicas would diverge.)
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
