#include "live/rpc_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace dcemu::live {
namespace {

std::string proof(std::string_view role, std::string_view secret, std::string_view serverNonce,
                  std::string_view clientNonce) {
  std::string message;
  message.append(role).append(serverNonce).append(clientNonce);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length))
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace

std::string randomNonce() {
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size())) != 1)
    throw std::runtime_error("the system's random source failed");
  return nonce;
}

std::string clientProof(std::string_view secret, std::string_view serverNonce, std::string_view clientNonce) {
  return proof("dcemu-client", secret, serverNonce, clientNonce);
}

std::string serverProof(std::string_view secret, std::string_view serverNonce, std::string_view clientNonce) {
  return proof("dcemu-server", secret, serverNonce, clientNonce);
}

bool proofsMatch(std::string_view expected, std::string_view given) {
  return expected.size() == given.size() && CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

}  // namespace dcemu::live
