// Attribute values between their LDAP string form (what a client writes and
// reads) and the bytes the store keeps, per syntax, with the syntax and
// rangeUpper checks AD makes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dc/dn.h"
#include "dc/ids.h"
#include "dc/schema.h"
#include "dc/security_descriptor.h"
#include "dc/status.h"

namespace dcemu::dc {

// What converting DN- and SID-bearing values needs from the directory.
struct ValueContext {
  TrusteeResolver trustees;
  std::function<Result<Guid>(const Dn& dn)> guidOfDn;  // DN values name live objects
  std::function<std::optional<std::string>(const Guid& guid)> dnOfGuid;
  std::string schemaDn;  // CN=Schema,CN=Configuration,...: where objectCategory values point
};

// Encodes `text` for `attr` (syntax, then rangeUpper). Errors name `objectDn`.
Result<std::string> encodeValue(const AttributeDef& attr, std::string_view text, const ValueContext& context,
                                std::string_view objectDn);
// The LDAP string form of a stored value.
std::string formatValue(const AttributeDef& attr, std::string_view bytes, const ValueContext& context);

// Fixed-width encodings the directory also writes directly.
std::string encodeInt32(int64_t value);
std::string encodeInt64(int64_t value);
std::string encodeBool(bool value);
int64_t decodeInteger(std::string_view bytes);  // 4 or 8 bytes, sign-extended
// "20260105000000.0Z" from seconds since the Unix epoch, and back.
std::string formatGeneralizedTime(int64_t seconds);
std::optional<int64_t> parseGeneralizedTime(std::string_view text);

}  // namespace dcemu::dc
