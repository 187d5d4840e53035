// The key derivation of the Group Key Distribution Service (MS-GKDI 3.1.4.1):
// NIST SP 800-108 in counter mode with HMAC-SHA512 as the PRF. gMSA and dMSA
// passwords derive from the forest's KDS root key through it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dcemu::kdc {

// `bytes` bytes of keying material from `key` for (label, context):
// K(i) = HMAC-SHA512(key, [i]32 || label || 0x00 || context || [L]32).
std::string deriveKey(std::string_view key, std::string_view label, std::string_view context, size_t bytes);

// A short, stable name for a key in reports and messages (not the key).
std::string keyFingerprint(std::string_view key);

}  // namespace dcemu::kdc
