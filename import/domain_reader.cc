#include "import/domain_reader.h"

#include <fmt/format.h>

#include "dc/text.h"
#include "import/domain_reader_internal.h"

namespace dcemu::import {

DomainReader::DomainReader(const std::vector<Entry>& entries, const ImportOptions& options)
    : entries_(entries), options_(options) {
  for (const Entry& e : entries_) {
    if (e.changeType != "add") continue;
    byDn_.emplace(key(e.dn), &e);
  }
}

dc::Result<ImportedDomain> DomainReader::read() {
  for (const Entry& e : entries_) {
    // A search continuation reference (ldbsearch's "ref:") has no DN.
    if (e.dn.empty()) continue;
    if (e.changeType != "add")
      out_.skipped.push_back(fmt::format("{} ({}): a {} change record, not an entry", e.dn, e.source, e.changeType));
  }
  DCEMU_RETURN_IF_ERROR(findNamingContexts());
  for (const Entry& e : entries_)
    if (auto sid = sidOf(e)) bySid_.emplace(sid->toString(), &e);
  readDirectoryService();
  readSites();
  DCEMU_RETURN_IF_ERROR(readServers());
  DCEMU_RETURN_IF_ERROR(readSiteLinks());
  readBridges();
  noteConfigurationLeftOut();
  DCEMU_RETURN_IF_ERROR(readReplicationState());
  classifyAccounts();
  readOus();
  readServiceAccounts();
  readDmsas();
  readRodcPolicies();
  readGrants();
  readHosts();
  readGroups();
  countOtherUsers();
  return std::move(out_);
}

const Entry* DomainReader::byDn(std::string_view dn) const {
  auto found = byDn_.find(key(dn));
  return found == byDn_.end() ? nullptr : found->second;
}

const Entry* DomainReader::bySid(const dc::Sid& sid) const {
  auto found = bySid_.find(sid.toString());
  return found == bySid_.end() ? nullptr : found->second;
}

std::string DomainReader::key(std::string_view dn) {
  auto parsed = dc::Dn::parse(dn);
  return dc::toLower(parsed ? parsed->toString() : std::string(dn));
}

std::string DomainReader::rdnValue(std::string_view dn) {
  auto parsed = dc::Dn::parse(dn);
  return parsed && !parsed->rdns().empty() ? parsed->rdn().value : std::string(dn);
}

std::string DomainReader::parentDn(std::string_view dn) {
  auto parsed = dc::Dn::parse(dn);
  return parsed && !parsed->rdns().empty() ? parsed->parent().toString() : std::string();
}

std::optional<int64_t> DomainReader::integer(const Entry& e, std::string_view attribute) {
  const std::string* text = e.first(attribute);
  if (!text) return std::nullopt;
  try {
    size_t used = 0;
    int64_t value = std::stoll(*text, &used);
    if (used == text->size()) return value;
  } catch (...) {
  }
  return std::nullopt;
}

std::optional<dc::Sid> DomainReader::sidOf(const Entry& e) const {
  const std::string* value = e.first("objectSid");
  if (!value) return std::nullopt;
  if (value->starts_with("S-1-")) return dc::Sid::parse(*value);  // ldbsearch writes SIDs as text
  return dc::Sid::fromBytes(*value);
}

std::optional<dc::SecurityDescriptor> DomainReader::securityDescriptor(const std::string& value) const {
  bool sddl = value.starts_with("O:") || value.starts_with("G:") || value.starts_with("D:") || value.starts_with("S:");
  if (sddl) {
    dc::TrusteeResolver resolver;
    resolver.domainSid = domainSid_;
    auto parsed = dc::parseSddl(value, resolver);
    return parsed ? std::optional(*parsed) : std::nullopt;
  }
  auto parsed = dc::SecurityDescriptor::fromBinary(value);
  return parsed ? std::optional(*parsed) : std::nullopt;
}

std::optional<std::string> DomainReader::relativeDn(std::string_view dn) const {
  auto parsed = dc::Dn::parse(dn);
  auto domain = dc::Dn::parse(domainDn_);
  if (!parsed || !domain || !parsed->isWithin(*domain)) return std::nullopt;
  std::vector<dc::Rdn> relative = parsed->relativeTo(*domain);
  if (relative.empty()) return std::string();
  return dc::Dn(relative).toString();
}

void DomainReader::remember(std::string_view kind, const std::string& name, const std::string& dn) {
  out_.sourceDn[fmt::format("{}/{}", kind, name)] = dn;
}

dc::Result<ImportedDomain> readDomain(const std::vector<Entry>& entries, const ImportOptions& options) {
  return DomainReader(entries, options).read();
}

}  // namespace dcemu::import
