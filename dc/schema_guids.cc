// Windows' schemaIDGUIDs for the attributes and classes of dcemu's schema,
// from Microsoft's published schema (the Windows Server v1903 schema LDIF,
// MS-ADA1/2/3, MS-ADSC; the Windows Server 2025 dMSA attributes and class
// from MS-ADA2 2.301, 2.377-2.378, 2.478-2.480 and MS-ADSC).
#include "dc/schema_guids.h"

#include <string_view>

namespace dcemu::dc {

namespace {

struct WindowsGuid {
  const char* oid;
  const char* guid;
};

constexpr WindowsGuid kWindowsGuids[] = {
    {"1.2.840.113556.1.5.4", "bf967a81-0de6-11d0-a285-00aa003049e2"},        // builtinDomain
    {"2.5.4.3", "bf96793f-0de6-11d0-a285-00aa003049e2"},                     // cn
    {"1.2.840.113556.1.3.30", "bf967a86-0de6-11d0-a285-00aa003049e2"},       // computer
    {"1.2.840.113556.1.5.12", "bf967a87-0de6-11d0-a285-00aa003049e2"},       // configuration
    {"1.2.840.113556.1.3.23", "bf967a8b-0de6-11d0-a285-00aa003049e2"},       // container
    {"1.2.840.113556.1.2.135", "bf967944-0de6-11d0-a285-00aa003049e2"},      // cost
    {"1.2.840.113556.1.3.11", "bf967a8d-0de6-11d0-a285-00aa003049e2"},       // crossRef
    {"1.2.840.113556.1.5.7000.53", "ef9e60e0-56f7-11d1-a9c6-0000f80367c1"},  // crossRefContainer
    {"0.9.2342.19200300.100.1.25", "19195a55-6da0-11d0-afd3-00c04fd930c9"},  // dc
    {"2.5.4.13", "bf967950-0de6-11d0-a285-00aa003049e2"},                    // description
    {"1.2.840.113556.1.2.13", "bf967953-0de6-11d0-a285-00aa003049e2"},       // displayName
    {"2.5.4.49", "bf9679e4-0de6-11d0-a285-00aa003049e2"},                    // distinguishedName
    {"1.2.840.113556.1.3.9", "bf967a8f-0de6-11d0-a285-00aa003049e2"},        // dMD
    {"1.2.840.113556.1.4.619", "72e39547-7b18-11d1-adef-00c04fd8d5cd"},      // dNSHostName
    {"1.2.840.113556.1.4.28", "bf967959-0de6-11d0-a285-00aa003049e2"},       // dnsRoot
    {"1.2.840.113556.1.5.66", "19195a5a-6da0-11d0-afd3-00c04fd930c9"},       // domain
    {"1.2.840.113556.1.5.67", "19195a5b-6da0-11d0-afd3-00c04fd930c9"},       // domainDNS
    {"1.2.840.113556.1.4.36", "bf967963-0de6-11d0-a285-00aa003049e2"},       // enabledConnection
    {"1.2.840.113556.1.4.40", "bf967979-0de6-11d0-a285-00aa003049e2"},       // fromServer
    {"1.2.840.113556.1.5.8", "bf967a9c-0de6-11d0-a285-00aa003049e2"},        // group
    {"1.2.840.113556.1.4.750", "9a9a021e-4a5b-11d1-a9c3-0000f80367c1"},      // groupType
    {"1.2.840.113556.1.2.14", "bf967982-0de6-11d0-a285-00aa003049e2"},       // hasMasterNCs
    {"1.2.840.113556.1.2.1", "bf96798c-0de6-11d0-a285-00aa003049e2"},        // instanceType
    {"1.2.840.113556.1.5.141", "26d97376-6070-11d1-a9c6-0000f80367c1"},      // interSiteTransport
    {"1.2.840.113556.1.5.140", "26d97375-6070-11d1-a9c6-0000f80367c1"},      // interSiteTransportContainer
    {"1.2.840.113556.1.2.115", "bf96798e-0de6-11d0-a285-00aa003049e2"},      // invocationId
    {"1.2.840.113556.1.2.48", "bf96798f-0de6-11d0-a285-00aa003049e2"},       // isDeleted
    {"1.2.840.113556.1.4.781", "52ab8670-5709-11d1-a9c6-0000f80367c1"},      // lastKnownParent
    {"1.2.840.113556.1.4.662", "28630ebf-41d5-11d1-a9c1-0000f80367c1"},      // lockoutTime
    {"1.2.840.113556.1.5.139", "52ab8671-5709-11d1-a9c6-0000f80367c1"},      // lostAndFound
    {"1.2.840.113556.1.4.653", "0296c120-40da-11d1-a9c0-0000f80367c1"},      // managedBy
    {"1.2.840.113556.1.4.654", "0296c124-40da-11d1-a9c0-0000f80367c1"},      // managedObjects
    {"2.5.4.31", "bf9679c0-0de6-11d0-a285-00aa003049e2"},                    // member
    {"1.2.840.113556.1.2.102", "bf967991-0de6-11d0-a285-00aa003049e2"},      // memberOf
    {"1.2.840.113556.1.4.2182", "3f78c3e5-f79a-46bd-a0b8-9d18116ddc79"},     // msDS-AllowedToActOnBehalfOfOtherIdentity
    {"1.2.840.113556.1.4.1787", "800d94d7-b7a1-42a1-b14d-7cae1423d07f"},     // msDS-AllowedToDelegateTo
    {"1.2.840.113556.1.4.2295", "b87a0ad8-54f7-49c1-84a0-e64d12853588"},     // msDS-AssignedAuthNPolicy
    {"1.2.840.113556.1.4.2296", "2d131b3c-d39f-4aee-815e-8db4bc1ce7ac"},     // msDS-AssignedAuthNPolicyBL
    {"1.2.840.113556.1.4.2285", "b23fc141-0df5-4aea-b33d-6cf493077b3f"},     // msDS-AssignedAuthNPolicySilo
    {"1.2.840.113556.1.4.2286", "33140514-f57a-47d2-8ec4-04c4666600c7"},     // msDS-AssignedAuthNPolicySiloBL
    {"1.2.840.113556.1.5.294", "ab6a1156-4dc7-40f5-9180-8e4ce42fe5cd"},      // msDS-AuthNPolicy
    {"1.2.840.113556.1.5.292", "f9f0461e-697d-4689-9299-37e61d617b0d"},      // msDS-AuthNPolicySilo
    {"1.2.840.113556.1.4.2287", "164d1e05-48a6-4886-a8e9-77a2006e3c77"},     // msDS-AuthNPolicySiloMembers
    {"1.2.840.113556.1.4.2288", "11fccbc7-fbe4-4951-b4b7-addf6f9efd44"},     // msDS-AuthNPolicySiloMembersBL
    {"1.2.840.113556.1.5.282", "7b8b558a-93a5-4af7-adca-c017e67f1057"},      // msDS-GroupManagedServiceAccount
    {"1.2.840.113556.1.4.2200", "888eedd6-ce04-df40-b462-b8a50e41ba38"},     // msDS-GroupMSAMembership
    {"1.2.840.113556.1.4.2196", "e362ed86-b728-0842-b27d-2dea7a9df218"},     // msDS-ManagedPassword
    {"1.2.840.113556.1.4.2197", "0e78295a-c6d3-0a40-b491-d62251ffa0a6"},     // msDS-ManagedPasswordId
    {"1.2.840.113556.1.4.2199", "f8758ef7-ac76-8843-a2ee-a26b4dcaf409"},     // msDS-ManagedPasswordInterval
    {"1.2.840.113556.1.4.2198", "d0d62131-2d4a-d04f-99d9-1c63646229a4"},     // msDS-ManagedPasswordPreviousId
    {"1.2.840.113556.1.5.264", "ce206244-5827-4a86-ba1c-1c0c386c1b64"},      // msDS-ManagedServiceAccount
    {"1.2.840.113556.1.4.1926", "15585999-fd49-4d66-b25d-eeb96aba8174"},     // msDS-NeverRevealGroup
    {"1.2.840.113556.1.4.1924", "185c7821-3749-443a-bd6a-288899071adb"},     // msDS-RevealedUsers
    {"1.2.840.113556.1.4.1928", "303d9f4a-1dd6-4b38-8fc5-33afe8c988ad"},     // msDS-RevealOnDemandGroup
    {"1.2.840.113556.1.4.2373", "3752e002-43be-48c8-b3ca-2cb2fffbc8a1"},     // msDS-SupersededManagedAccountLink
    {"1.2.840.113556.1.4.2374", "fa05730a-9efd-4bba-a4a6-1c9e54ef57d5"},     // msDS-SupersededManagedAccountLinkBL
    {"1.2.840.113556.1.4.1963", "20119867-1d04-4ab7-9371-cfc3d5df0afd"},     // msDS-SupportedEncryptionTypes
    {"1.2.840.113556.1.5.278", "aa02fd41-17e0-4f18-8687-b2239649736b"},      // msKds-ProvRootKey
    {"1.2.840.113556.1.4.2175", "26627c27-08a2-0a40-a1b1-8dce85b42993"},     // msKds-RootKeyData
    {"1.2.840.113556.1.4.1", "bf967a0e-0de6-11d0-a285-00aa003049e2"},        // name
    {"1.2.840.113556.1.2.16", "bf9679d6-0de6-11d0-a285-00aa003049e2"},       // nCName
    {"1.2.840.113556.1.5.71", "19195a60-6da0-11d0-afd3-00c04fd930c9"},       // nTDSConnection
    {"1.2.840.113556.1.5.7000.47", "f0f8ffab-1191-11d0-a060-00aa006c33ed"},  // nTDSDSA
    {"1.2.840.113556.1.5.254", "85d16ec1-0791-4bc8-8ab3-70980602ff8c"},      // nTDSDSARO
    {"1.2.840.113556.1.5.72", "19195a5f-6da0-11d0-afd3-00c04fd930c9"},       // nTDSService
    {"1.2.840.113556.1.2.281", "bf9679e3-0de6-11d0-a285-00aa003049e2"},      // nTSecurityDescriptor
    {"2.5.4.0", "bf9679e5-0de6-11d0-a285-00aa003049e2"},                     // objectClass
    {"1.2.840.113556.1.4.2", "bf9679e7-0de6-11d0-a285-00aa003049e2"},        // objectGUID
    {"1.2.840.113556.1.4.146", "bf9679e8-0de6-11d0-a285-00aa003049e2"},      // objectSid
    {"1.2.840.113556.1.4.363", "3e978925-8c01-11d0-afda-00c04fd930c9"},      // operatingSystem
    {"1.2.840.113556.1.4.364", "3e978926-8c01-11d0-afda-00c04fd930c9"},      // operatingSystemVersion
    {"1.2.840.113556.1.4.307", "19195a53-6da0-11d0-afd3-00c04fd930c9"},      // options
    {"2.5.6.7", "bf967aa4-0de6-11d0-a285-00aa003049e2"},                     // organizationalPerson
    {"2.5.6.5", "bf967aa5-0de6-11d0-a285-00aa003049e2"},                     // organizationalUnit
    {"2.5.4.11", "bf9679f0-0de6-11d0-a285-00aa003049e2"},                    // ou
    {"2.5.6.6", "bf967aa7-0de6-11d0-a285-00aa003049e2"},                     // person
    {"1.2.840.113556.1.4.98", "bf967a00-0de6-11d0-a285-00aa003049e2"},       // primaryGroupID
    {"1.2.840.113556.1.4.96", "bf967a0a-0de6-11d0-a285-00aa003049e2"},       // pwdLastSet
    {"1.2.840.113556.1.4.1336", "45ba9d1a-56fa-11d2-90d0-00c04fd91ab1"},     // replInterval
    {"1.2.840.113556.1.4.221", "3e0abfd0-126a-11d0-a060-00aa006c33ed"},      // sAMAccountName
    {"1.2.840.113556.1.4.302", "6e7b626c-64f2-11d0-afd2-00c04fd930c9"},      // sAMAccountType
    {"1.2.840.113556.1.4.211", "dd712224-10e4-11d0-a05f-00aa006c33ed"},      // schedule
    {"1.2.840.113556.1.5.17", "bf967a92-0de6-11d0-a285-00aa003049e2"},       // server
    {"1.2.840.113556.1.4.515", "26d9736d-6070-11d1-a9c6-0000f80367c1"},      // serverReference
    {"1.2.840.113556.1.4.516", "26d9736e-6070-11d1-a9c6-0000f80367c1"},      // serverReferenceBL
    {"1.2.840.113556.1.5.7000.48", "f780acc0-56f0-11d1-a9c6-0000f80367c1"},  // serversContainer
    {"1.2.840.113556.1.4.771", "f3a64788-5306-11d1-a9c5-0000f80367c1"},      // servicePrincipalName
    {"1.2.840.113556.1.5.31", "bf967ab3-0de6-11d0-a285-00aa003049e2"},       // site
    {"1.2.840.113556.1.5.147", "d50c2cde-8951-11d1-aebc-0000f80367c1"},      // siteLink
    {"1.2.840.113556.1.5.148", "d50c2cdf-8951-11d1-aebc-0000f80367c1"},      // siteLinkBridge
    {"1.2.840.113556.1.4.822", "d50c2cdd-8951-11d1-aebc-0000f80367c1"},      // siteLinkList
    {"1.2.840.113556.1.4.821", "d50c2cdc-8951-11d1-aebc-0000f80367c1"},      // siteList
    {"1.2.840.113556.1.5.107", "7a4117da-cd67-11d0-afff-0000f80367c1"},      // sitesContainer
    {"1.2.840.113556.1.4.375", "e0fa1e62-9b45-11d0-afdd-00c04fd930c9"},      // systemFlags
    {"1.2.840.113556.1.2.54", "16c3a860-1273-11d0-a060-00aa006c33ed"},       // tombstoneLifetime
    {"1.2.840.113556.1.2.301", "5fd424a1-1262-11d0-a060-00aa006c33ed"},      // garbageCollPeriod (MS-ADA1 2.268)
    {"2.5.6.0", "bf967ab7-0de6-11d0-a285-00aa003049e2"},                     // top
    {"1.2.840.113556.1.4.791", "26d97374-6070-11d1-a9c6-0000f80367c1"},      // transportType
    {"1.2.840.113556.1.5.9", "bf967aba-0de6-11d0-a285-00aa003049e2"},        // user
    {"1.2.840.113556.1.4.8", "bf967a68-0de6-11d0-a285-00aa003049e2"},        // userAccountControl
    {"1.2.840.113556.1.2.120", "bf967a6f-0de6-11d0-a285-00aa003049e2"},      // uSNChanged
    {"1.2.840.113556.1.2.19", "bf967a70-0de6-11d0-a285-00aa003049e2"},       // uSNCreated
    {"1.2.840.113556.1.2.3", "bf967a77-0de6-11d0-a285-00aa003049e2"},        // whenChanged
    {"1.2.840.113556.1.2.2", "bf967a78-0de6-11d0-a285-00aa003049e2"},        // whenCreated
    {"1.2.840.113556.1.4.2371", "a4693096-a4c3-4ecd-b8cb-73cd6398b7a2"},     // msDS-SupersededServiceAccountState
    {"1.2.840.113556.1.4.2372", "2f5c138a-bd38-4016-88b4-0ec87cbb4919"},     // msDS-DelegatedMSAState
    {"1.2.840.113556.1.5.302", "0feb936f-47b3-49f2-9386-1dedc2c23765"},      // msDS-DelegatedManagedServiceAccount
    {"1.2.840.113556.1.4.2375", "a0945b2b-57a2-43bd-b327-4d112a4e8bd1"},     // msDS-ManagedAccountPrecededByLink
    {"1.2.840.113556.1.4.2376", "94774af0-5355-402c-9c9a-12470c873e4a"},     // msDS-ManagedAccountPrecededByLinkBL
};

}  // namespace

std::optional<Guid> windowsSchemaIdGuid(std::string_view oid) {
  for (const WindowsGuid& known : kWindowsGuids)
    if (oid == known.oid) return Guid::parse(known.guid);
  return std::nullopt;
}

}  // namespace dcemu::dc
