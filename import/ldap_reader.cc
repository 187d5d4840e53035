#include "import/ldap_reader.h"

#include <fmt/format.h>
#include <lber.h>
#include <ldap.h>

#include <memory>

namespace dcemu::import {

namespace {

constexpr int kPageSize = 1000;
constexpr const char* kSdFlagsOid = "1.2.840.113556.1.4.801";  // MS-ADTS 3.1.1.3.4.1.11
constexpr int kOwnerGroupDacl = 0x1 | 0x2 | 0x4;

struct LdapDeleter {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using Connection = std::unique_ptr<LDAP, LdapDeleter>;

struct MessageDeleter {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using Message = std::unique_ptr<LDAPMessage, MessageDeleter>;

// "Invalid credentials (49): 80090308: LdapErr: ..." for a failed call.
std::string why(LDAP* ld, int rc) {
  std::string text = fmt::format("{} ({})", ldap_err2string(rc), rc);
  char* diagnostic = nullptr;
  if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS && diagnostic) {
    if (*diagnostic) text += fmt::format(": {}", diagnostic);
    ldap_memfree(diagnostic);
  }
  return text;
}

class Reader {
 public:
  explicit Reader(const LdapSource& source) : source_(source) {}

  dc::Result<std::vector<Entry>> read() {
    DCEMU_RETURN_IF_ERROR(connect());
    std::vector<std::string> contexts;
    DCEMU_RETURN_IF_ERROR(namingContexts(contexts));
    const std::string& config = contexts[0];
    const std::string& domain = contexts[1];
    DCEMU_RETURN_IF_ERROR(search("CN=Sites," + config, LDAP_SCOPE_SUBTREE, "(objectClass=*)", false));
    DCEMU_RETURN_IF_ERROR(
        search("CN=Directory Service,CN=Windows NT,CN=Services," + config, LDAP_SCOPE_BASE, "(objectClass=*)", false));
    DCEMU_RETURN_IF_ERROR(search(domain, LDAP_SCOPE_SUBTREE,
                                 "(|(objectClass=domainDNS)(objectClass=organizationalUnit)(objectClass=computer)"
                                 "(objectClass=group)(objectClass=user))",
                                 true));
    return std::move(entries_);
  }

 private:
  dc::Status fail(std::string message) const {
    return dc::Status(dc::LdapResult::other, fmt::format("{}: {}", source_.url, message));
  }

  dc::Status connect() {
    LDAP* raw = nullptr;
    int rc = ldap_initialize(&raw, source_.url.c_str());
    if (rc != LDAP_SUCCESS) return fail(fmt::format("not an LDAP URL: {}", ldap_err2string(rc)));
    ld_.reset(raw);
    int version = LDAP_VERSION3;
    ldap_set_option(raw, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(raw, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);  // the domain NC refers to the configuration NC
    timeval timeout{source_.timeoutSeconds, 0};
    ldap_set_option(raw, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
    ldap_set_option(raw, LDAP_OPT_TIMEOUT, &timeout);
    if (source_.startTls) {
      rc = ldap_start_tls_s(raw, nullptr, nullptr);
      if (rc != LDAP_SUCCESS) return fail(fmt::format("StartTLS failed: {}", why(raw, rc)));
    }
    berval password{source_.password.size(), const_cast<char*>(source_.password.data())};
    rc = ldap_sasl_bind_s(raw, source_.bindName.c_str(), LDAP_SASL_SIMPLE, &password, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return fail(fmt::format("bind as {} refused: {}", source_.bindName, why(raw, rc)));
    return dc::Status::ok();
  }

  // configurationNamingContext and defaultNamingContext from the rootDSE.
  dc::Status namingContexts(std::vector<std::string>& out) {
    const char* attrs[] = {"configurationNamingContext", "defaultNamingContext", nullptr};
    LDAPMessage* raw = nullptr;
    timeval timeout{source_.timeoutSeconds, 0};
    int rc = ldap_search_ext_s(ld_.get(), "", LDAP_SCOPE_BASE, "(objectClass=*)", const_cast<char**>(attrs), 0, nullptr,
                               nullptr, &timeout, 0, &raw);
    Message result(raw);
    if (rc != LDAP_SUCCESS) return fail(fmt::format("reading the rootDSE failed: {}", why(ld_.get(), rc)));
    LDAPMessage* entry = ldap_first_entry(ld_.get(), raw);
    for (const char* name : {"configurationNamingContext", "defaultNamingContext"}) {
      berval** values = entry ? ldap_get_values_len(ld_.get(), entry, name) : nullptr;
      if (!values || !values[0]) {
        if (values) ldap_value_free_len(values);
        return fail(fmt::format("the rootDSE gives no {}: not an Active Directory DC", name));
      }
      out.emplace_back(values[0]->bv_val, values[0]->bv_len);
      ldap_value_free_len(values);
    }
    return dc::Status::ok();
  }

  dc::Status search(const std::string& base, int scope, const char* filter, bool securityDescriptors) {
    const char* all[] = {"*", nullptr};
    const char* withSd[] = {"*", "nTSecurityDescriptor", nullptr};
    // The SD flags control: BER SEQUENCE { INTEGER flags }.
    BerElement* ber = ber_alloc_t(LBER_USE_DER);
    ber_printf(ber, "{i}", kOwnerGroupDacl);
    berval sdFlags{};
    ber_flatten2(ber, &sdFlags, 0);
    LDAPControl sdControl{const_cast<char*>(kSdFlagsOid), sdFlags, 0};
    berval cookie{0, nullptr};
    dc::Status status = dc::Status::ok();
    while (true) {
      LDAPControl* page = nullptr;
      int rc = ldap_create_page_control(ld_.get(), kPageSize, &cookie, 0, &page);
      if (rc != LDAP_SUCCESS) {
        status = fail(fmt::format("cannot make a paged-results control: {}", ldap_err2string(rc)));
        break;
      }
      LDAPControl* controls[] = {page, securityDescriptors ? &sdControl : nullptr, nullptr};
      LDAPMessage* raw = nullptr;
      timeval timeout{source_.timeoutSeconds, 0};
      rc = ldap_search_ext_s(ld_.get(), base.c_str(), scope, filter,
                             const_cast<char**>(securityDescriptors ? withSd : all), 0, controls, nullptr, &timeout, 0,
                             &raw);
      ldap_control_free(page);
      Message result(raw);
      if (rc != LDAP_SUCCESS && !(rc == LDAP_NO_SUCH_OBJECT && scope == LDAP_SCOPE_BASE)) {
        status = fail(fmt::format("searching {} failed: {}", base, why(ld_.get(), rc)));
        break;
      }
      keepEntries(raw);
      if (cookie.bv_val) ber_memfree(cookie.bv_val);
      cookie = {0, nullptr};
      LDAPControl** returned = nullptr;
      int code = 0;
      if (raw && ldap_parse_result(ld_.get(), raw, &code, nullptr, nullptr, nullptr, &returned, 0) == LDAP_SUCCESS &&
          returned) {
        if (LDAPControl* response = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, returned, nullptr)) {
          ber_int_t estimate = 0;
          ldap_parse_pageresponse_control(ld_.get(), response, &estimate, &cookie);
        }
        ldap_controls_free(returned);
      }
      if (!cookie.bv_val || cookie.bv_len == 0) break;
    }
    if (cookie.bv_val) ber_memfree(cookie.bv_val);
    ber_free(ber, 1);  // with it the control's value, which ber_flatten2 left in its buffer
    return status;
  }

  void keepEntries(LDAPMessage* result) {
    for (LDAPMessage* e = ldap_first_entry(ld_.get(), result); e; e = ldap_next_entry(ld_.get(), e)) {
      Entry entry;
      char* dn = ldap_get_dn(ld_.get(), e);
      entry.dn = dn ? dn : "";
      ldap_memfree(dn);
      entry.source = source_.url;
      BerElement* position = nullptr;
      for (char* name = ldap_first_attribute(ld_.get(), e, &position); name;
           name = ldap_next_attribute(ld_.get(), e, position)) {
        std::vector<std::string> values;
        if (berval** raw = ldap_get_values_len(ld_.get(), e, name)) {
          for (berval** v = raw; *v; ++v) values.emplace_back((*v)->bv_val, (*v)->bv_len);
          ldap_value_free_len(raw);
        }
        entry.attributes.emplace_back(name, std::move(values));
        ldap_memfree(name);
      }
      if (position) ber_free(position, 0);
      entries_.push_back(std::move(entry));
    }
  }

  const LdapSource& source_;
  Connection ld_;
  std::vector<Entry> entries_;
};

}  // namespace

dc::Result<std::vector<Entry>> readOverLdap(const LdapSource& source) {
  return Reader(source).read();
}

}  // namespace dcemu::import
