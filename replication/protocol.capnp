# IDL_DRSGetNCChanges and change notification, following MS-DRSR, carried the
# same way in the simulator (as these encoded bytes) and over Cap'n Proto RPC.
@0xc4f1d9a3b2e8f701;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dcemu::replication::wire");

using Directory = import "/dc/directory.capnp";

enum NamingContext {
  schema @0;
  configuration @1;
  domain @2;
}

# "I have seen every originating write of that DC up to that USN."
struct UtdCursor {
  invocationId @0 :Data;   # 16 bytes
  usn @1 :UInt64;
  lastSyncTime @2 :Int64;  # microseconds since the Unix epoch
}

# Flags, as MS-DRSR's DRS_OPTIONS where one exists.
const flagWritableReplica :UInt32 = 0x10;       # DRS_WRIT_REP
const flagGetAncestors :UInt32 = 0x800;         # DRS_GET_ANC: ancestors before their children
const flagFullSync :UInt32 = 0x40;              # DRS_FULL_SYNC_NOW: ignore the destination's UTD

struct GetNcChangesRequest {
  destinationDsa @0 :Data;          # objectGUID of the destination's nTDSDSA
  destinationInvocationId @1 :Data;
  namingContext @2 :NamingContext;
  highWaterMark @3 :UInt64;         # highest source USN the destination has processed
  utd @4 :List(UtdCursor);          # the destination's up-to-dateness vector
  flags @5 :UInt32;
  maxObjects @6 :UInt32;
  maxBytes @7 :UInt64;
  # The source invocationID the high-water mark was learned from (MS-DRSR's
  # uuidInvocIdSrc). A source whose invocationID has since changed (restored
  # from backup) has a different USN history, so it starts from USN 0 and
  # lets the UTD decide what to send. Absent on a first pull.
  highWaterMarkInvocationId @8 :Data;
}

# One value of a linked attribute and the object that holds it (REPLVALINF).
struct LinkedValueChange {
  source @0 :Data;                  # objectGUID of the object holding the forward link
  value @1 :Directory.LinkedValue;
}

struct GetNcChangesReply {
  sourceDsa @0 :Data;
  sourceInvocationId @1 :Data;
  namingContext @2 :NamingContext;
  # Changed objects in the source's USN order (ancestors first under
  # GET_ANC), each with only the attributes the destination's UTD does not
  # cover, each attribute with its stamp. Links travel in `linkedValues`.
  objects @3 :List(Directory.Object);
  linkedValues @4 :List(LinkedValueChange);
  highWaterMark @5 :UInt64;         # where the next request starts
  moreData @6 :Bool;
  sourceUtd @7 :List(UtdCursor);    # on the last chunk only: what the destination may merge
}

# A source telling a partner it has changes (intra-site, or USE_NOTIFY links).
struct ChangeNotification {
  sourceDsa @0 :Data;
  namingContext @1 :NamingContext;
  highestUsn @2 :UInt64;
}

# What a DC keeps about replication in its store's dsa-state family.

struct UpToDateVector {
  cursors @0 :List(UtdCursor);      # sorted by invocationId
}

# One inbound partner for one naming context (MS-DRSR's REPS_FROM).
struct RepsFrom {
  sourceDsa @0 :Data;
  sourceInvocationId @1 :Data;      # a changed one (a restore with a new ID) resets the high-water mark
  highWaterMark @2 :UInt64;
  lastAttempt @3 :Int64;            # microseconds; 0 = never
  lastSuccess @4 :Int64;
  lastResult @5 :UInt32;            # Win32 error code, 0 = success
  consecutiveFailures @6 :UInt32;
}
