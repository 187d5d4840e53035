#include "import/ldif_reader.h"

#include <fmt/format.h>
#include <ldap.h>
#include <ldif.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "dc/text.h"

namespace dcemu::import {

namespace {

std::string_view baseName(std::string_view attribute) {
  return attribute.substr(0, attribute.find(';'));
}

std::string changeTypeOf(ber_tag_t op) {
  switch (op) {
    case LDAP_REQ_ADD: return "add";
    case LDAP_REQ_MODIFY: return "modify";
    case LDAP_REQ_DELETE: return "delete";
    case LDAP_REQ_MODRDN: return "modrdn";
    default: return "other";
  }
}

}  // namespace

const std::vector<std::string>* LdifRecord::values(std::string_view name) const {
  for (const auto& [attribute, vals] : attributes)
    if (dc::iequals(baseName(attribute), name)) return &vals;
  return nullptr;
}

const std::string* LdifRecord::first(std::string_view name) const {
  const std::vector<std::string>* vals = values(name);
  return vals && !vals->empty() ? &vals->front() : nullptr;
}

dc::Result<std::vector<LdifRecord>> readLdifFile(const std::string& path) {
  // OpenLDAP's reader takes CRLF line ends as LF, but not a byte order mark.
  std::ifstream in(path, std::ios::binary);
  if (!in) return dc::Status(dc::LdapResult::other, fmt::format("{}: cannot be read", path));
  std::stringstream contents;
  contents << in.rdbuf();
  std::string text = contents.str();
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::unique_ptr<LDIFFP, decltype(&ldif_close)> file(ldif_open_mem(text.data(), text.size(), "r"), ldif_close);
  if (!file) return dc::Status(dc::LdapResult::other, fmt::format("{}: cannot be read", path));

  std::vector<LdifRecord> records;
  unsigned long line = 0;
  char* buffer = nullptr;
  int bufferSize = 0;
  std::unique_ptr<char*, void (*)(char**)> keepBuffer(&buffer, [](char** b) { ber_memfree(*b); });
  while (true) {
    unsigned long start = line + 1;
    int read = ldif_read_record(file.get(), &line, &buffer, &bufferSize);
    if (read == 0) break;
    if (read < 0) return dc::Status(dc::LdapResult::other, fmt::format("{}:{}: unreadable LDIF", path, start));
    berval record{std::strlen(buffer), buffer};
    LDIFRecord parsed{};
    int rc = ldap_parse_ldif_record(&record, line, &parsed, "dcemu", LDIF_DEFAULT_ADD | LDIF_NO_CONTROLS);
    if (rc != LDAP_SUCCESS) {
      return dc::Status(dc::LdapResult::other,
                        fmt::format("{}:{}: not an LDIF record ({})", path, start, ldap_err2string(rc)));
    }
    LdifRecord out;
    out.dn.assign(parsed.lr_dn.bv_val ? parsed.lr_dn.bv_val : "", parsed.lr_dn.bv_len);
    out.changeType = changeTypeOf(parsed.lr_op);
    out.line = start;
    if ((parsed.lr_op == LDAP_REQ_ADD || parsed.lr_op == LDAP_REQ_MODIFY) && parsed.lrop_mods) {
      for (LDAPMod** mod = parsed.lrop_mods; *mod; ++mod) {
        std::vector<std::string> values;
        if ((*mod)->mod_op & LDAP_MOD_BVALUES && (*mod)->mod_bvalues)
          for (berval** v = (*mod)->mod_bvalues; *v; ++v) values.emplace_back((*v)->bv_val, (*v)->bv_len);
        out.attributes.emplace_back((*mod)->mod_type, std::move(values));
      }
    }
    ldap_ldif_record_done(&parsed);
    records.push_back(std::move(out));
  }
  return records;
}

}  // namespace dcemu::import
