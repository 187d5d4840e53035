#include "import/ldif_reader.h"

#include <fmt/format.h>
#include <ldap.h>
#include <ldif.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "dc/text.h"

namespace dcemu::import {

namespace {

std::string changeTypeOf(ber_tag_t op) {
  switch (op) {
    case LDAP_REQ_ADD: return "add";
    case LDAP_REQ_MODIFY: return "modify";
    case LDAP_REQ_DELETE: return "delete";
    case LDAP_REQ_MODRDN: return "modrdn";
    default: return "other";
  }
}

// OpenLDAP's LDIF reader says why it refused a record on stderr; that text
// goes into dcemu's one-line error instead.
thread_local std::string libraryMessage;

void keepLibraryMessage(const char* text) {
  std::string line(dc::trim(text));
  std::replace(line.begin(), line.end(), '\n', ' ');
  line = std::string(dc::trim(line));
  if (!line.empty()) libraryMessage = line;
}

// ldap_parse_ldif_record also prints its refusal straight to stderr (as
// "<errstr>: invalid format (line N) ..."); while a file is parsed, stderr
// goes to a temporary file whose text the error then quotes.
class StderrCapture {
 public:
  StderrCapture() : file_(std::tmpfile()) {
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    if (file_ && saved_ >= 0) dup2(fileno(file_), STDERR_FILENO);
  }
  ~StderrCapture() {
    restore();
    if (file_) std::fclose(file_);
  }
  // What was written since, on one line.
  std::string text() {
    restore();
    if (!file_) return "";
    std::string out;
    std::rewind(file_);
    for (int c; (c = std::fgetc(file_)) != EOF;) out += c == '\n' ? ' ' : static_cast<char>(c);
    return std::string(dc::trim(out));
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
  }
  std::FILE* file_;
  int saved_ = -1;
};

}  // namespace

dc::Result<std::vector<Entry>> readLdifFile(const std::string& path) {
  // OpenLDAP's reader takes CRLF line ends as LF, but not a byte order mark.
  std::ifstream in(path, std::ios::binary);
  if (!in) return dc::Status(dc::LdapResult::other, fmt::format("{}: cannot be read", path));
  std::stringstream contents;
  contents << in.rdbuf();
  std::string text = contents.str();
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::unique_ptr<LDIFFP, decltype(&ldif_close)> file(ldif_open_mem(text.data(), text.size(), "r"), ldif_close);
  if (!file) return dc::Status(dc::LdapResult::other, fmt::format("{}: cannot be read", path));

  ber_set_option(nullptr, LBER_OPT_LOG_PRINT_FN, reinterpret_cast<void*>(&keepLibraryMessage));
  libraryMessage.clear();
  std::vector<Entry> records;
  unsigned long line = 0;
  char* buffer = nullptr;
  int bufferSize = 0;
  std::unique_ptr<char*, void (*)(char**)> keepBuffer(&buffer, [](char** b) { ber_memfree(*b); });
  StderrCapture printed;
  while (true) {
    unsigned long start = line + 1;
    int read = ldif_read_record(file.get(), &line, &buffer, &bufferSize);
    if (read == 0) break;
    if (read < 0) return dc::Status(dc::LdapResult::other, fmt::format("{}:{}: unreadable LDIF", path, start));
    berval record{std::strlen(buffer), buffer};
    LDIFRecord parsed{};
    int rc = ldap_parse_ldif_record(&record, line, &parsed, "LDIF", LDIF_DEFAULT_ADD | LDIF_NO_CONTROLS);
    if (rc != LDAP_SUCCESS) {
      std::string why = printed.text();
      if (why.empty()) why = ldap_err2string(rc);
      if (!libraryMessage.empty()) why += " (" + libraryMessage + ")";
      return dc::Status(dc::LdapResult::other, fmt::format("{}:{}: not an LDIF record: {}", path, start, why));
    }
    Entry out;
    out.dn.assign(parsed.lr_dn.bv_val ? parsed.lr_dn.bv_val : "", parsed.lr_dn.bv_len);
    out.changeType = changeTypeOf(parsed.lr_op);
    out.source = fmt::format("{}:{}", path, start);
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
