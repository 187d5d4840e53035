// One two-party Cap'n Proto RPC connection over an Asio socket, as both the
// server and the client side hold it. Internal to the RPC sources.
#pragma once

#include <capnp/rpc-twoparty.h>

#include "live/asio_stream.h"
#include "replication/message.h"

namespace dcemu::live {
using replication::kMaxMessageBytes;

// The largest RPC message either side reads: a GetNCChanges payload of
// kMaxMessageBytes plus the call's envelope. Larger ones drop the
// connection before their segments are read; nesting keeps capnp's limit.
inline capnp::ReaderOptions rpcReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = (kMaxMessageBytes + (64 << 10)) / sizeof(capnp::word);
  return options;
}

struct RpcConnection {
  RpcConnection(asio::ip::tcp::socket socket, capnp::rpc::twoparty::Side side)
      : stream(std::move(socket)), network(stream, side, rpcReaderOptions()) {}

  // Declared in this order so the stream outlives the network that uses it.
  AsioStream stream;
  capnp::TwoPartyVatNetwork network;
};

}  // namespace dcemu::live
