// Windows' schemaIDGUIDs for the attributes and classes of dcemu's schema:
// the published 2016 schema's (dc/schema_published.cc), and below those of
// the Windows Server 2025 dMSA attributes and class, which it lacks (MS-ADA2
// 2.301, 2.377-2.378, 2.478-2.480 and MS-ADSC).
#include "dc/schema_guids.h"

#include <map>
#include <string>
#include <string_view>

#include "dc/schema_published.h"

namespace dcemu::dc {

namespace {

struct WindowsGuid {
  const char* oid;
  const char* guid;
};

constexpr WindowsGuid kWindowsGuids[] = {
    {"1.2.840.113556.1.4.2373", "3752e002-43be-48c8-b3ca-2cb2fffbc8a1"},  // msDS-SupersededManagedAccountLink
    {"1.2.840.113556.1.4.2374", "fa05730a-9efd-4bba-a4a6-1c9e54ef57d5"},  // msDS-SupersededManagedAccountLinkBL
    {"1.2.840.113556.1.4.2371", "a4693096-a4c3-4ecd-b8cb-73cd6398b7a2"},  // msDS-SupersededServiceAccountState
    {"1.2.840.113556.1.4.2372", "2f5c138a-bd38-4016-88b4-0ec87cbb4919"},  // msDS-DelegatedMSAState
    {"1.2.840.113556.1.5.302", "0feb936f-47b3-49f2-9386-1dedc2c23765"},   // msDS-DelegatedManagedServiceAccount
    {"1.2.840.113556.1.4.2375", "a0945b2b-57a2-43bd-b327-4d112a4e8bd1"},  // msDS-ManagedAccountPrecededByLink
    {"1.2.840.113556.1.4.2376", "94774af0-5355-402c-9c9a-12470c873e4a"},  // msDS-ManagedAccountPrecededByLinkBL
};

}  // namespace

std::optional<Guid> windowsSchemaIdGuid(std::string_view oid) {
  // Access checks ask on every write: a map built once.
  static const std::map<std::string, Guid, std::less<>> byOid = [] {
    std::map<std::string, Guid, std::less<>> map;
    for (const PublishedAttribute& a : publishedAttributes()) map.emplace(a.oid, *Guid::parse(a.schemaIdGuid));
    for (const PublishedClass& c : publishedClasses()) map.emplace(c.oid, *Guid::parse(c.schemaIdGuid));
    for (const WindowsGuid& known : kWindowsGuids) map.emplace(known.oid, *Guid::parse(known.guid));
    return map;
  }();
  auto found = byOid.find(oid);
  if (found == byOid.end()) return std::nullopt;
  return found->second;
}

}  // namespace dcemu::dc
