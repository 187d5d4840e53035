// The state readDomain's two halves (topology_reader.cc, account_reader.cc)
// share; not part of import's API.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dc/dn.h"
#include "dc/ids.h"
#include "dc/security_descriptor.h"
#include "import/domain_reader.h"

namespace dcemu::import {

// Below it: the domain's built-in accounts and groups.
inline constexpr uint32_t kFirstAccountRid = 1000;

// A Windows Server version from a computer's operatingSystem and
// operatingSystemVersion ("10.0 (26100)"), or none for a client or an
// unknown system; and the build number in operatingSystemVersion (0: none).
std::optional<std::string> windowsServerVersionOf(const Entry& computer);
int buildNumberOf(const Entry& computer);

class DomainReader {
 public:
  DomainReader(const std::vector<Entry>& entries, const ImportOptions& options);
  dc::Result<ImportedDomain> read();

 private:
  // topology_reader.cc
  dc::Status findNamingContexts();
  void readDirectoryService();
  void readSites();
  dc::Status readServers();
  dc::Status readSiteLinks();
  void readBridges();
  void noteConfigurationLeftOut();
  dc::Status readReplicationState();
  // account_reader.cc
  bool isBuiltin(const Entry& e) const;  // a SID below kFirstAccountRid
  // Marks the groups `account` is a member of (built-ins aside) as wanted.
  void wantGroupsOf(const Entry& account);
  void classifyAccounts();
  void readOus();
  void readServiceAccounts();
  void readDmsas();
  void readHosts();
  void readGrants();
  void readRodcPolicies();
  void readGroups();
  void countOtherUsers();

  // Lookups.
  const Entry* byDn(std::string_view dn) const;
  const Entry* bySid(const dc::Sid& sid) const;
  static std::string key(std::string_view dn);  // a DN compared as AD does: parsed, lowercased
  static std::string rdnValue(std::string_view dn);
  static std::string parentDn(std::string_view dn);  // "" when `dn` does not parse
  static std::optional<int64_t> integer(const Entry& e, std::string_view attribute);
  std::optional<dc::Sid> sidOf(const Entry& e) const;
  // A security descriptor as a tool wrote it: binary, or SDDL (ldbsearch).
  std::optional<dc::SecurityDescriptor> securityDescriptor(const std::string& value) const;
  // The DN relative to the domain ("OU=Servers,OU=Plant"), or none.
  std::optional<std::string> relativeDn(std::string_view dn) const;
  void remember(std::string_view kind, const std::string& name, const std::string& dn);
  // The name a principal has in the file (service account, host, user or
  // group), declaring it as a user or group when nothing else does.
  std::optional<std::string> principalName(const dc::Sid& sid);

  const std::vector<Entry>& entries_;
  const ImportOptions& options_;
  ImportedDomain out_;
  std::map<std::string, const Entry*> byDn_;
  std::map<std::string, const Entry*> bySid_;
  std::string domainDn_, configDn_;
  std::optional<dc::Sid> domainSid_;
  std::map<std::string, int> siteOfDn_;  // site DN key → index
  std::set<std::string> dcComputers_;    // computer DN keys of DCs
  // Account DN key → the name it has in the file, by what it became.
  std::map<std::string, std::string> serviceAccounts_, hosts_, users_, groups_, dmsas_;
  std::set<std::string> wantedHosts_;  // computer DN keys a service, membership or grant names
  std::set<std::string> wantedGroups_;
};

}  // namespace dcemu::import
