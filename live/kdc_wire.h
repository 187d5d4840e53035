// The KDC's messages on the wire (rpc.capnp's Kdc): kdc::AsRequest,
// kdc::Ticket and kdc::KdcReply to and from their Cap'n Proto structs.
// Reading checks what a peer could get wrong (a SID that does not parse, a
// GUID that is not 16 bytes, an unknown KRB-ERROR code) and names it.
#pragma once

#include <kj/memory.h>

#include "dc/status.h"
#include "kdc/kdc.h"
#include "live/rpc.capnp.h"

namespace dcemu::live {

void toWire(const kdc::AsRequest& request, wire::AsRequest::Builder out);
void toWire(const kdc::Ticket& ticket, wire::Ticket::Builder out);
void toWire(const kdc::KdcReply& reply, wire::KdcReply::Builder out);

kdc::AsRequest fromWire(wire::AsRequest::Reader in);
dc::Result<kdc::Ticket> fromWire(wire::Ticket::Reader in);
dc::Result<kdc::KdcReply> fromWire(wire::KdcReply::Reader in);

// The Kdc capability an authenticated peer gets: it answers from `hooks.kdc`
// (read at each call, so hooks set later count), or refuses with 1753.
struct NodeHooks;
kj::Own<wire::Kdc::Server> newKdcServer(const NodeHooks& hooks);

}  // namespace dcemu::live
