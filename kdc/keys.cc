#include "kdc/keys.h"

#include <fmt/format.h>

#include <algorithm>

#include "dc/provision.h"
#include "kdc/kdf.h"

namespace dcemu::kdc {
namespace {

// The (L0, L1, L2) index of the key cycle containing `micros` (MS-GKDI:
// 32 L2 keys per L1, 32 L1 keys per L0), as the derivation's context.
std::string cycleIndex(int64_t micros) {
  int64_t cycle = micros / kKeyCycleMicros;
  return fmt::format("{}.{}.{}", cycle / 1024, (cycle / 32) % 32, cycle % 32);
}

std::string passwordAt(std::string_view rootKey, const dc::Sid& account, int64_t epochStart) {
  return deriveKey(rootKey, "KDS service", account.toString() + "|" + cycleIndex(epochStart), 32);
}

}  // namespace

ManagedPassword managedPassword(std::string_view rootKey, const dc::Sid& account, int64_t createdMicros,
                                int64_t intervalDays, int64_t nowMicros) {
  if (intervalDays <= 0) intervalDays = kDefaultPasswordIntervalDays;
  // MS-ADTS 3.1.1.4.5.39: the interval counts whole 10-hour KDS key cycles
  // (intervalDays × 24 / 10, rounded down, at least one).
  int64_t cycles = std::max<int64_t>(1, intervalDays * 24 / 10);
  int64_t interval = cycles * kKeyCycleMicros;
  int64_t epochs = nowMicros > createdMicros ? (nowMicros - createdMicros) / interval : 0;
  ManagedPassword out;
  out.epochStart = createdMicros + epochs * interval;
  out.nextRollover = out.epochStart + interval;
  out.current = passwordAt(rootKey, account, out.epochStart);
  out.previous = passwordAt(rootKey, account, out.epochStart - interval);
  return out;
}

std::string passwordKey(std::string_view rootKey, const dc::Guid& account) {
  return deriveKey(rootKey, "password", account.toString(), 32);
}

dc::Result<std::string> kdsRootKey(const dc::Directory& dir) {
  std::string container =
      fmt::format("{},{}", dc::kKdsRootKeysContainer, dir.namingContextDn(dc::NamingContext::Configuration).toString());
  const dc::AttributeDef* data = dir.schema().attribute("msKds-RootKeyData");
  // The children by GUID: their DNs are not needed.
  auto parent = dir.read(container);
  std::optional<std::string> found;
  if (parent) {
    dir.store().forEachChild(dc::NamingContext::Configuration, parent->guid, [&](const dc::Guid& child) {
      if (found) return;
      auto key = dir.viewByGuid(child);
      if (const std::string* bytes = key ? (*key)->firstValue(data->id) : nullptr) found = *bytes;
    });
  }
  if (found) return *found;
  return dc::Status(dc::LdapResult::unavailable, "no KDS root key in this replica (" + container + ")");
}

}  // namespace dcemu::kdc
