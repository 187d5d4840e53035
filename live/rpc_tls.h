// TLS for the RPC connections of a cluster (kj-tls), as an option: every
// party (each DC, the hosts process, and administrators' commands) holds a
// certificate the cluster's own CA issued, with its name as the DNS name.
// Both sides verify the other's against the CA alone, and a client checks
// that the DC it reached is the one it meant. The HMAC handshake over the
// cluster secret still runs inside. `dcemu cluster up --tls` issues the
// certificates into DIR/tls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dc/status.h"

namespace kj {
class TlsContext;
}

namespace dcemu::live {

// A party's name in its certificate and the files: a DC's name in lower
// case, or "admin", or "hosts".
std::string tlsName(const std::string& party);

class RpcTls {
 public:
  // Reads DIRECTORY/ca.crt and the party's DIRECTORY/NAME.crt and NAME.key.
  static dc::Result<std::unique_ptr<RpcTls>> load(const std::string& directory, const std::string& party);
  ~RpcTls();
  kj::TlsContext& context() { return *context_; }

 private:
  struct Material;
  RpcTls() = default;
  std::unique_ptr<Material> material_;  // outlives the context that refers to it
  std::unique_ptr<kj::TlsContext> context_;
};

// Issues a new cluster CA (P-256, 10 years) and a certificate and key for
// each of `parties` into `directory` (created; keys mode 600). The CA's own
// key is not kept: a cluster's parties are fixed when it is made.
dc::Status issueClusterCertificates(const std::string& directory, const std::vector<std::string>& parties);

}  // namespace dcemu::live
