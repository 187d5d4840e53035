// The handshake that opens a replication connection: challenge-response
// over the cluster's shared secret, in both directions (rpc.capnp). Proofs
// are HMAC-SHA256; nonces come from the operating system's CSPRNG, since a
// predictable nonce would let a recorded handshake be replayed.
#pragma once

#include <string>
#include <string_view>

namespace dcemu::live {

inline constexpr size_t kNonceBytes = 32;

std::string randomNonce();
std::string clientProof(std::string_view secret, std::string_view serverNonce, std::string_view clientNonce);
std::string serverProof(std::string_view secret, std::string_view serverNonce, std::string_view clientNonce);
// Compares in constant time, so timing does not reveal a proof's prefix.
bool proofsMatch(std::string_view expected, std::string_view given);

}  // namespace dcemu::live
