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
      -> (serverProof :Data, replication :Replication, admin :Admin, kdc :Kdc);
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

# The KDC of this DC as the hosts' Kerberos clients reach it (`dcemu
# hosts`), and the few directory operations a dMSA migration has a host
# make (kdc::HostEnvironment). Every call names the site of the host that
# makes it: a DC that is down, or whose site a partition cuts off from the
# host's, answers `result` 1722 as it would not answer at all.
struct Pac {
  userSid @0 :Text;
  sids @1 :List(Text);
}

# KERB-DMSA-KEY-PACKAGE (MS-KILE 2.2.13).
struct KeyPackage {
  currentKeys @0 :Data;
  previousKeys @1 :Data;
  previousKeyTypes @2 :List(Int32);
  expirationTime @3 :Int64;
  fetchTime @4 :Int64;
}

struct Ticket {
  client @0 :Text;
  clientGuid @1 :Data;
  issuedBy @2 :Text;
  authTime @3 :Int64;
  startTime @4 :Int64;
  endTime @5 :Int64;
  renewTill @6 :Int64;
  pac @7 :Pac;
  keyPackage @8 :KeyPackage;  # absent unless a managed account's
  serviceKey @9 :Data;
}

struct AsRequest {
  account @0 :Text;
  clientTime @1 :Int64;
  machine @2 :Text;
}

struct KdcReply {
  error @0 :Int32;  # a KRB-ERROR code, 0 when a ticket is issued
  message @1 :Text;
  supersededBy @2 :Text;    # PA-data 170, absent unless answered
  supersededByDn @3 :Text;
  ticket @4 :Ticket;        # absent on an error
}

interface Kdc {
  # Whether this DC answers a host in `site` now: the DC locator's ping.
  reachable @7 (site :Text) -> (result :CallResult);
  asExchange @0 (site :Text, request :AsRequest) -> (result :CallResult, reply :KdcReply);
  renew @1 (site :Text, tgt :Ticket, clientTime :Int64) -> (result :CallResult, reply :KdcReply);
  # An RODC: whether it holds the account's secret.
  holdsSecret @2 (site :Text, account :Text) -> (result :CallResult, holds :Bool);
  # A writable DC, after an RODC forwarded a logon: reveals the account's
  # secret to the RODC named when the RODC's policy allows it.
  revealSecret @3 (site :Text, rodc :Text, account :Text) -> (result :CallResult, revealed :Bool);
  # An RODC: pulls the secret the writable DC named just revealed to it.
  replicateSecret @4 (site :Text, writable :Text) -> (result :CallResult);
  checkMembership @5 (site :Text, dmsaDn :Text, machine :Text)
      -> (result :CallResult, machineKnown :Bool, unreadable :Text, member :Bool);
  addToMembership @6 (site :Text, dmsaDn :Text, machine :Text, account :Text)
      -> (result :CallResult, ldapResult :Int32, error :Text);
}
