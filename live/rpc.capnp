# The replication service a DC offers its partners over Cap'n Proto RPC.
# A connection's bootstrap capability can only authenticate; the
# replication and admin capabilities exist only after a peer has proved it
# holds the cluster secret, so no unauthenticated call can reach them.
@0xd83a6f0c4b7e2915;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dcemu::live::wire");

# Challenge-response over the shared cluster secret, mutual: the server's
# nonce is used once, and the server proves it knows the secret too.
#   clientProof = HMAC-SHA256(secret, "dcemu-client" | serverNonce | clientNonce)
#   serverProof = HMAC-SHA256(secret, "dcemu-server" | serverNonce | clientNonce)
interface Bootstrap {
  challenge @0 () -> (serverNonce :Data);
  authenticate @1 (clientNonce :Data, clientProof :Data)
      -> (serverProof :Data, replication :Replication, admin :Admin);
}

# The outcome of a call a DC answers with a Win32 code, as repsFrom records
# it; `win32` is 0 on success.
struct CallResult {
  win32 @0 :UInt32;
  error @1 :Text;
}

interface Replication {
  # The request and reply are encoded GetNcChangesRequest/GetNcChangesReply
  # messages (protocol.capnp) carried as bytes, exactly as the simulator's
  # in-process transport carries them.
  getNcChanges @0 (request :Data) -> (result :CallResult, reply :Data);
  # Change notification: `sourceDsa` committed changes to the naming
  # context (dc::NamingContext's value) and this DC should pull them.
  notify @1 (sourceDsa :Data, namingContext :UInt8) -> ();
}

interface Admin {
  # repadmin's views of this DC, in repadmin's own layouts.
  showRepl @0 (csv :Bool) -> (text :Text);
  showObjMeta @1 (dn :Text) -> (result :CallResult, text :Text);
  showUtdVec @2 (namingContext :Text) -> (result :CallResult, text :Text);
  # An operation of `dcemu ctl` (docs/live.md), its words as typed; the
  # text is what the simulator prints for the same operation.
  command @3 (args :List(Text)) -> (result :CallResult, text :Text);
}
