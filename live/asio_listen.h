// Opening a listening TCP socket on an Asio acceptor, for the replication
// service and the HTTP endpoint. Included only by sources that include
// Asio already.
#pragma once

#include <fmt/format.h>

#include <asio.hpp>
#include <string>

#include "dc/status.h"

namespace dcemu::live {

// Listens on `address`:`port` (an IP address; port 0 picks a free one) and
// returns the port; `what` starts the error ("listen on ...").
inline dc::Result<uint16_t> listenOn(asio::ip::tcp::acceptor& acceptor, const std::string& address, uint16_t port,
                                     std::string_view what) {
  auto fail = [&](std::string_view reason) {
    return dc::Status(dc::LdapResult::unavailable, fmt::format("{}listen on {}:{}: {}", what, address, port, reason));
  };
  asio::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) return fail("not an IP address");
  asio::ip::tcp::endpoint endpoint(ip, port);
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail(ec.message());
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec) return fail(ec.message());
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return fail(ec.message());
  return acceptor.local_endpoint().port();
}

}  // namespace dcemu::live
