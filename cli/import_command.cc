// dcemu import: a real domain's export (LDIF from ldifde, ldapsearch or
// ldbsearch) into a topology file, with what was skipped and why at its
// top. Nothing is written unless the whole file loads back as valid.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "dc/text.h"
#include "import/anonymize.h"
#include "import/csv_reader.h"
#include "import/domain_reader.h"
#include "import/ldap_reader.h"
#include "import/ldif_reader.h"
#include "scenario/loader.h"
#include "scenario/writer.h"

namespace dcemu::cli {

namespace {

CommandOutput fail(CommandOutput output, std::string message, int code = 2) {
  output.err += message + "\n";
  output.exitCode = code;
  return output;
}

// The services file: host,account[,site] per line; a first line naming the
// columns is skipped.
dc::Result<std::vector<import::HostService>> readServices(const std::string& path) {
  auto rows = import::readCsvFile(path);
  if (!rows) return rows.status();
  std::vector<import::HostService> services;
  for (size_t i = 0; i < rows->size(); ++i) {
    const import::CsvRow& row = (*rows)[i];
    if (i == 0 && !row.fields.empty() && dc::iequals(dc::trim(row.fields[0]), "host")) continue;
    if (row.fields.size() < 2 || row.fields.size() > 3 || dc::trim(row.fields[0]).empty() ||
        dc::trim(row.fields[1]).empty())
      return dc::Status(dc::LdapResult::other,
                        fmt::format("{}: expected host,account or host,account,site", row.source));
    services.push_back({std::string(dc::trim(row.fields[0])), std::string(dc::trim(row.fields[1])),
                        row.fields.size() == 3 ? std::string(dc::trim(row.fields[2])) : "", row.source});
  }
  return services;
}

// The password for a simple bind: the first line of `path`.
dc::Result<std::string> readPassword(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line))
    return dc::Status(dc::LdapResult::other, fmt::format("--password-file {}: cannot be read", path));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

CommandOutput importCommand(const ImportOptions& options) {
  CommandOutput output;
  if (options.ldifFiles.empty() == options.url.empty())
    return fail(output, "dcemu import: give a DC's ldap:// URL or --ldif FILE (one or more), not both");
  if (options.out.empty()) return fail(output, "dcemu import: give --out FILE for the topology file");
  if (!options.url.empty() && !options.url.starts_with("ldap://") && !options.url.starts_with("ldaps://"))
    return fail(output, fmt::format("dcemu import: \"{}\" is not an ldap:// or ldaps:// URL", options.url));
  if (!options.url.empty() && (options.bind.empty() || options.passwordFile.empty()))
    return fail(output, "dcemu import: reading a DC needs --bind NAME and --password-file FILE");
  std::vector<import::Entry> entries;
  std::vector<std::string> inputs = options.ldifFiles;
  if (!options.url.empty()) {
    auto password = readPassword(options.passwordFile);
    if (!password) return fail(output, password.status().message());
    auto read = import::readOverLdap({options.url, options.bind, *password, options.startTls});
    if (!read) return fail(output, read.status().message(), 1);
    entries = std::move(*read);
    inputs = {options.url};
  }
  for (const std::string& file : options.ldifFiles) {
    auto read = import::readLdifFile(file);
    if (!read) return fail(output, read.status().message());
    std::move(read->begin(), read->end(), std::back_inserter(entries));
  }
  import::ImportOptions readOptions;
  readOptions.defaultSite = options.defaultSite;
  if (!options.servicesFile.empty()) {
    auto services = readServices(options.servicesFile);
    if (!services) return fail(output, services.status().message());
    readOptions.services = std::move(*services);
  }
  if (!options.repadminCsv.empty()) {
    auto rows = import::readCsvFile(options.repadminCsv);
    if (!rows) return fail(output, rows.status().message());
    readOptions.repadmin = std::move(*rows);
    readOptions.repadminFile = options.repadminCsv;
  }
  auto domain = import::readDomain(entries, readOptions);
  if (!domain) return fail(output, domain.status().message(), 1);
  if (!options.defaultSite.empty() && domain->scenario.siteIndex(options.defaultSite) < 0)
    return fail(output, fmt::format("--default-site \"{}\": no site with a DC has that name", options.defaultSite));
  if (options.anonymize) {
    import::anonymize(*domain);
    inputs = {"an export, anonymized"};
  }

  scenario::WriteOptions write;
  write.header.push_back(fmt::format("Written by dcemu import from {}.", fmt::join(inputs, ", ")));
  write.header.push_back(
      fmt::format("Domain {}: {} sites, {} DCs, {} site links, {} service accounts, {} dMSAs, "
                  "{} hosts.",
                  domain->scenario.domain, domain->scenario.sites.size(), domain->scenario.dcs.size(),
                  domain->scenario.siteLinks.size(), domain->scenario.serviceAccounts.size(),
                  domain->scenario.dmsas.size(), domain->scenario.hostGroups.size()));
  if (!domain->notes.empty()) {
    write.header.push_back("");
    write.header.push_back("Choices made:");
    for (const std::string& note : domain->notes) write.header.push_back("  " + note);
  }
  if (!domain->skipped.empty()) {
    write.header.push_back("");
    write.header.push_back("Read and not written:");
    for (const std::string& skipped : domain->skipped) write.header.push_back("  " + skipped);
  }
  const auto& sources = domain->sourceDn;
  write.commentsFor = [&](std::string_view kind, std::string_view name) -> std::vector<std::string> {
    auto found = sources.find(fmt::format("{}/{}", kind, name));
    if (found == sources.end()) return {};
    return {found->second};
  };
  std::string text = scenario::writeScenario(domain->scenario, write);

  // Whole or nothing: written beside the target, loaded back, then renamed.
  std::filesystem::path target(options.out);
  std::filesystem::path temporary = target;
  temporary += fmt::format(".{}.tmp", getpid());
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!(file << text) || !file.flush()) {
      std::filesystem::remove(temporary);
      return fail(output, fmt::format("{}: cannot be written", options.out), 1);
    }
  }
  scenario::LoadResult loaded = scenario::loadScenarioFile(temporary.string());
  if (!loaded.errors.empty()) {
    std::filesystem::remove(temporary);
    output.err += fmt::format("dcemu import: what was read makes no valid topology file ({}); nothing written\n",
                              loaded.errors.front());
    output.exitCode = 1;
    return output;
  }
  std::error_code renamed;
  std::filesystem::rename(temporary, target, renamed);
  if (renamed) {
    std::filesystem::remove(temporary);
    return fail(output, fmt::format("{}: cannot be written: {}", options.out, renamed.message()), 1);
  }
  output.out += fmt::format(
      "{}: {} sites, {} DCs, {} site links, {} service accounts, {} dMSAs, {} hosts; {} "
      "choice(s) and {} item(s) not written, listed at the top of the file\n",
      options.out, domain->scenario.sites.size(), domain->scenario.dcs.size(), domain->scenario.siteLinks.size(),
      domain->scenario.serviceAccounts.size(), domain->scenario.dmsas.size(), domain->scenario.hostGroups.size(),
      domain->notes.size(), domain->skipped.size());
  return output;
}

}  // namespace dcemu::cli
