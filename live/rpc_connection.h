// One two-party Cap'n Proto RPC connection over an Asio socket, as both the
// server and the client side hold it, in the clear or under TLS. Internal
// to the RPC sources.
#pragma once

#include <capnp/rpc-twoparty.h>
#include <kj/compat/tls.h>

#include <string>

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
  // With `tls`, RPC starts once the TLS handshake has verified the peer (a
  // client: that it is `peer`); a failed handshake ends the connection.
  RpcConnection(asio::ip::tcp::socket tcp, capnp::rpc::twoparty::Side side, kj::TlsContext* tls = nullptr,
                const std::string& peer = {})
      : stream(open(std::move(tcp), side, tls, peer)), network(*stream, side, rpcReaderOptions()) {}

  AsioStream* socket = nullptr;  // the TCP connection, owned by `stream`
  // Declared in this order so the stream outlives the network that uses it.
  kj::Own<kj::AsyncIoStream> stream;
  capnp::TwoPartyVatNetwork network;

 private:
  kj::Own<kj::AsyncIoStream> open(asio::ip::tcp::socket tcp, capnp::rpc::twoparty::Side side, kj::TlsContext* tls,
                                  const std::string& peer) {
    auto plain = kj::heap<AsioStream>(std::move(tcp));
    socket = plain.get();
    if (!tls) return plain;
    if (side == capnp::rpc::twoparty::Side::SERVER) return kj::newPromisedStream(tls->wrapServer(kj::mv(plain)));
    return kj::newPromisedStream(tls->wrapClient(kj::mv(plain), peer));
  }
};

}  // namespace dcemu::live
