// A real domain's objects, as an export or a server gives them, turned into
// a topology file's Scenario: its sites, DCs, site links and bridges, its
// tombstone lifetime, and the accounts, hosts, dMSAs, groups and OU grants
// a migration plan needs. What the file cannot say is listed, with why,
// never dropped in silence.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "dc/status.h"
#include "import/csv_reader.h"
#include "import/entry.h"
#include "scenario/scenario.h"

namespace dcemu::import {

// Which host runs which account (the services CSV: host,account[,site]).
struct HostService {
  std::string host, account, site;  // site may be empty
  std::string source;               // "file:line"
};

struct ImportOptions {
  std::vector<HostService> services;
  // The site of hosts no services line places: none means the site with
  // the most DCs (the first by name among equals).
  std::string defaultSite;
  // `repadmin /showrepl * /csv`: connections failing now become
  // connection-broken faults from the start.
  std::vector<CsvRow> repadmin;
  std::string repadminFile;
};

struct ImportedDomain {
  scenario::Scenario scenario;
  // The DN each written entry came from, by "kind/name" ("site/HQ").
  std::map<std::string, std::string> sourceDn;
  std::vector<std::string> skipped;  // what was read and not written, and why
  std::vector<std::string> notes;    // choices the importer made
};

// An entry the file cannot take at all (a schedule no window list can
// say, a link interval Windows would not hold) is an error naming its DN.
dc::Result<ImportedDomain> readDomain(const std::vector<Entry>& entries, const ImportOptions& options);

}  // namespace dcemu::import
