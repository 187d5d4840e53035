// A running DC (Windows or Samba) read over LDAP with OpenLDAP's libldap:
// the same objects docs/import.md's exports hold, read with paged results
// (1000 a page, AD's default MaxPageSize) and the SD flags control (owner,
// group and DACL), so an account that is not an administrator gets the
// OUs' security descriptors.
#pragma once

#include <string>
#include <vector>

#include "dc/status.h"
#include "import/entry.h"

namespace dcemu::import {

struct LdapSource {
  std::string url;       // ldap://host[:port] or ldaps://host[:port]
  std::string bindName;  // a UPN, DOMAIN\user or a DN, as AD takes for a simple bind
  std::string password;
  bool startTls = false;  // StartTLS on an ldap:// URL
  int timeoutSeconds = 30;
};

dc::Result<std::vector<Entry>> readOverLdap(const LdapSource& source);

}  // namespace dcemu::import
