#include "dc/provision.h"

#include <fmt/format.h>

namespace dcemu::dc {
namespace {

// A Deleted Objects container's security descriptor as Windows makes it
// (Samba's provisioning copies it): protected, so nothing a grant on the
// domain head passes down reaches tombstones.
constexpr const char* kDeletedObjectsSd = "O:SYG:SYD:PAI(A;;RPWPCCDCLCRCWOWDSDSW;;;SY)(A;;RPLC;;;BA)";

// 1970-01-01 in FILETIME units (100 ns since 1601-01-01).
constexpr int64_t kFileTimeOfUnixEpoch = 116444736000000000LL;

struct Adder {
  Directory& dir;
  std::string suffix;  // the naming context's DN
  Status status;

  void operator()(const std::string& relative, std::vector<AttributeInput> attrs) {
    if (!status.isOk()) return;
    auto added = dir.add(relative + "," + suffix, attrs);
    if (!added) status = added.status();
  }
};

}  // namespace

Status provisionForest(Directory& dir, Rng& rng) {
  auto word = [&] { return static_cast<uint32_t>(rng.next()); };
  Sid domainSid = *Sid::parse(fmt::format("S-1-5-21-{}-{}-{}", word(), word(), word()));
  auto sidOf = [&](uint32_t r) { return domainSid.withRid(r).toString(); };
  const std::string domainDn = dir.namingContextDn(NamingContext::Domain).toString();
  const std::string configDn = dir.namingContextDn(NamingContext::Configuration).toString();

  auto head = dir.createNamingContextHead(NamingContext::Domain, "domainDNS", {{"objectSid", {domainSid.toString()}}});
  if (!head) return head.status();
  head = dir.createNamingContextHead(NamingContext::Configuration, "configuration", {});
  if (!head) return head.status();
  head = dir.createNamingContextHead(NamingContext::Schema, "dMD", {});
  if (!head) return head.status();

  Adder config{dir, configDn, {}};
  config("CN=Deleted Objects", {{"objectClass", {"container"}}, {"nTSecurityDescriptor", {kDeletedObjectsSd}}});
  config("CN=Sites", {{"objectClass", {"sitesContainer"}}});
  config("CN=Inter-Site Transports,CN=Sites", {{"objectClass", {"interSiteTransportContainer"}}});
  config("CN=IP,CN=Inter-Site Transports,CN=Sites", {{"objectClass", {"interSiteTransport"}},
                                                     {"transportDLLName", {"ismip.dll"}},
                                                     {"transportAddressAttribute", {"dNSHostName"}}});
  config("CN=Partitions", {{"objectClass", {"crossRefContainer"}}});
  config("CN=LostAndFoundConfig", {{"objectClass", {"lostAndFound"}}});
  // The forest's KDS root key (Add-KdsRootKey), named by its GUID as AD
  // names them; every DC derives the same managed passwords from it.
  config("CN=Services", {{"objectClass", {"container"}}});
  config("CN=Group Key Distribution Service,CN=Services", {{"objectClass", {"container"}}});
  // Forests made since Windows Server 2003 SP1 set a 180-day tombstone lifetime.
  config("CN=Windows NT,CN=Services", {{"objectClass", {"container"}}});
  config(std::string(kDirectoryServiceObject),
         {{"objectClass", {"nTDSService"}}, {"tombstoneLifetime", {std::to_string(kDefaultTombstoneLifetimeDays)}}});
  config(std::string(kKdsRootKeysContainer), {{"objectClass", {"container"}}});
  std::string rootKey;
  for (int i = 0; i < 8; ++i) rootKey += fmt::format("{:016x}", rng.next());
  // Its parameters as Add-KdsRootKey writes them (MS-GKDI 3.1.4.1): SP800-108
  // counter-mode HMAC, Diffie-Hellman with 512-bit private and 2048-bit
  // public keys, usable at once. msKds-DomainID names the DC that made it;
  // dcemu has none yet here, and every DC derives the same keys from it
  // whichever it names, so it names the domain.
  const std::string fileTime = std::to_string(dir.nowMicros() * 10 + kFileTimeOfUnixEpoch);
  config(fmt::format("CN={},{}", Guid::random(rng).toString(), kKdsRootKeysContainer),
         {{"objectClass", {"msKds-ProvRootKey"}},
          {"msKds-RootKeyData", {rootKey}},
          {"msKds-Version", {"1"}},
          {"msKds-KDFAlgorithmID", {"SP800_108_CTR_HMAC"}},
          {"msKds-SecretAgreementAlgorithmID", {"DH"}},
          {"msKds-PrivateKeyLength", {"512"}},
          {"msKds-PublicKeyLength", {"2048"}},
          {"msKds-CreateTime", {fileTime}},
          {"msKds-UseStartTime", {fileTime}},
          {"msKds-DomainID", {domainDn}}});
  DCEMU_RETURN_IF_ERROR(config.status);

  Adder domain{dir, domainDn, {}};
  for (const char* name : {"Users", "Computers", "Managed Service Accounts", "System"})
    domain(fmt::format("CN={}", name), {{"objectClass", {"container"}}});
  domain("CN=Deleted Objects", {{"objectClass", {"container"}}, {"nTSecurityDescriptor", {kDeletedObjectsSd}}});
  domain("CN=LostAndFound", {{"objectClass", {"lostAndFound"}}});
  domain("OU=Domain Controllers", {{"objectClass", {"organizationalUnit"}}});
  domain("CN=Builtin", {{"objectClass", {"builtinDomain"}}, {"objectSid", {"S-1-5-32"}}});
  auto user = [&](const char* name, uint32_t r, int64_t uacValue) {
    domain(fmt::format("CN={},CN=Users", name), {{"objectClass", {"user"}},
                                                 {"sAMAccountName", {name}},
                                                 {"objectSid", {sidOf(r)}},
                                                 {"userAccountControl", {std::to_string(uacValue)}}});
  };
  user("Administrator", rid::kAdministrator, uac::kNormalAccount | uac::kDontExpirePassword);
  user("krbtgt", rid::kKrbtgt, uac::kNormalAccount | uac::kAccountDisable);
  const std::string admin = "CN=Administrator,CN=Users," + domainDn;
  auto group = [&](const char* name, uint32_t r, const char* groupType, std::vector<std::string> members) {
    std::vector<AttributeInput> attrs = {
        {"objectClass", {"group"}}, {"sAMAccountName", {name}}, {"objectSid", {sidOf(r)}}, {"groupType", {groupType}}};
    if (!members.empty()) attrs.push_back({"member", std::move(members)});
    domain(fmt::format("CN={},CN=Users", name), std::move(attrs));
  };
  // groupType: global security -2147483646, universal security -2147483640.
  group("Domain Admins", rid::kDomainAdmins, "-2147483646", {admin});
  group("Domain Users", rid::kDomainUsers, "-2147483646", {});
  group("Domain Computers", rid::kDomainComputers, "-2147483646", {});
  group("Domain Controllers", rid::kDomainControllers, "-2147483646", {});
  group("Enterprise Admins", rid::kEnterpriseAdmins, "-2147483640", {admin});
  group("Read-only Domain Controllers", rid::kReadOnlyDomainControllers, "-2147483646", {});
  // The RODC password replication groups (domain-local, -2147483644), with
  // Windows' default denied members among the accounts dcemu provisions.
  const std::string krbtgt = "CN=krbtgt,CN=Users," + domainDn;
  group("Allowed RODC Password Replication Group", rid::kAllowedRodcPasswordReplication, "-2147483644", {});
  group("Denied RODC Password Replication Group", rid::kDeniedRodcPasswordReplication, "-2147483644",
        {"CN=Domain Admins,CN=Users," + domainDn, "CN=Enterprise Admins,CN=Users," + domainDn,
         "CN=Domain Controllers,CN=Users," + domainDn, "CN=Read-only Domain Controllers,CN=Users," + domainDn, krbtgt});
  // BUILTIN\Administrators: a builtin domain-local group (-2147483643).
  domain("CN=Administrators,CN=Builtin", {{"objectClass", {"group"}},
                                          {"sAMAccountName", {"Administrators"}},
                                          {"objectSid", {"S-1-5-32-544"}},
                                          {"groupType", {"-2147483643"}},
                                          {"member", {admin}}});
  return domain.status;
}

}  // namespace dcemu::dc
