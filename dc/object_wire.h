// Objects to and from their dc/directory.capnp form inside a larger message
// (the store's records and replication's replies share this encoding).
#pragma once

#include <optional>
#include <string_view>

#include "dc/directory.capnp.h"
#include "dc/object.h"

namespace dcemu::dc {

// Local USNs and whenChanged belong to one DC; replication leaves them out.
enum class WireFields { withLocalUsns, replicatedOnly };

void writeObject(wire::Object::Builder out, const Object& obj, WireFields fields);
// Refuses malformed GUIDs, stamps and orderings with a message naming them.
// Reading a malformed message throws inside capnp; callers catch it.
Result<Object> readObject(wire::Object::Reader in);

// Bytes in and out of capnp Data fields, shared with replication's messages.
capnp::Data::Reader asData(std::string_view bytes);
std::string_view asView(capnp::Data::Reader data);
// None unless the field holds exactly 16 bytes.
std::optional<Guid> readGuid(capnp::Data::Reader data);

void writeLinkedValue(wire::LinkedValue::Builder out, const LinkEntry& link, WireFields fields);
// None when a GUID is malformed.
std::optional<LinkEntry> readLinkedValue(wire::LinkedValue::Reader in);

}  // namespace dcemu::dc
