# Objects, attribute values, linked values and stamps: one encoding for what a
# DC persists in its store and what replication carries (replication's
# protocol.capnp imports this file). Field meanings follow MS-DRSR.
@0x8267d18482bb975f;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dcemu::dc::wire");

# The replication metadata of one attribute or of the name/parent of an
# object (kept as the stamp of the `name` attribute, as AD does).
struct Stamp {
  version @0 :UInt32;                # 1 on first write, +1 on each originating write; wraps
  originatingTime @1 :Int64;         # whole seconds since the Unix epoch: AD's resolution
  originatingInvocationId @2 :Data;  # 16-byte GUID of the originating DC's database
  originatingUsn @3 :UInt64;         # that DC's USN for the write
}

struct Attribute {
  attributeId @0 :UInt32;   # ATTRTYP
  values @1 :List(Data);    # empty: removed; the stamp stays so the removal replicates
  stamp @2 :Stamp;
  localUsn @3 :UInt64;      # this DC's USN when it last took a change here; never replicated
}

# One value of a linked attribute (link value replication, LVR).
struct LinkedValue {
  attributeId @0 :UInt32;   # the forward link's ATTRTYP
  target @1 :Data;          # objectGUID of the target
  active @2 :Bool;          # false: removed, kept so the removal replicates
  timeCreated @3 :Int64;    # seconds; first in the value conflict order
  stamp @4 :Stamp;          # version, timeChanged (= originatingTime), invocation, USN
  localUsn @5 :UInt64;
}

struct Object {
  guid @0 :Data;            # objectGUID, 16 bytes
  parentGuid @1 :Data;      # empty for a naming-context head
  attributes @2 :List(Attribute);   # sorted by attributeId
  links @3 :List(LinkedValue);      # sorted by (attributeId, target)
  usnCreated @4 :UInt64;    # local
  usnChanged @5 :UInt64;    # local: the largest localUsn above
  whenChanged @6 :Int64;    # local: microseconds of the last change this DC took
}
