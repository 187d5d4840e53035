#include "kdc/kdf.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace dcemu::kdc {
namespace {

void appendBigEndian32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

}  // namespace

std::string deriveKey(std::string_view key, std::string_view label, std::string_view context, size_t bytes) {
  std::string out;
  for (uint32_t counter = 1; out.size() < bytes; ++counter) {
    std::string input;
    appendBigEndian32(input, counter);
    input.append(label);
    input.push_back('\0');
    input.append(context);
    appendBigEndian32(input, static_cast<uint32_t>(bytes * 8));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest, &length))
      throw std::runtime_error("HMAC-SHA512 failed");  // only when OpenSSL itself is broken
    out.append(reinterpret_cast<const char*>(digest), length);
  }
  out.resize(bytes);
  return out;
}

std::string keyFingerprint(std::string_view key) {
  std::string digest = deriveKey(key, "fingerprint", "", 4);
  return fmt::format("{:02x}{:02x}{:02x}{:02x}", static_cast<uint8_t>(digest[0]), static_cast<uint8_t>(digest[1]),
                     static_cast<uint8_t>(digest[2]), static_cast<uint8_t>(digest[3]));
}

}  // namespace dcemu::kdc
