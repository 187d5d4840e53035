// What the dcemu subcommands do, as functions from arguments to the text
// they print and the exit status, so that tests run exactly what users run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dcemu::cli {

struct CommandOutput {
  std::string out;  // stdout
  std::string err;  // stderr: one line per problem
  int exitCode = 0;
};

struct RunOptions {
  std::optional<uint64_t> seed;      // overrides [simulation] seed
  std::optional<std::string> until;  // a duration; default the scenario's span
  std::string traceFile;             // empty: no trace file
  std::string eventsFile;            // empty: no events file
  std::string storeDirectory;        // empty: the stores live in memory
  // The what-if table: "" for every 12 hours, or a duration; on by default
  // when a migration is started and the file never completes it.
  std::optional<std::string> whatIfEvery;
  std::optional<std::string> completeAt;  // one candidate moment instead
  bool noWhatIf = false;
  unsigned jobs = 0;         // what-if forks at once; 0: one per core
  std::string jsonFile;      // the whole report as JSON (docs/report-format.md)
  std::string htmlFile;      // the report as one HTML page with charts
  std::string csvDirectory;  // the report's tables as CSV files
  bool progress = false;     // a progress line on stderr (a terminal)
  // Exit 1 when a migration is at risk (all of them, or the dMSAs named).
  std::optional<std::vector<std::string>> failOnRisk;
};

// dcemu run: simulate, check convergence, print the summary.
CommandOutput runCommand(const std::string& file, const RunOptions& options);
// dcemu topology: the KCC's connections as stored in the configuration NC.
CommandOutput topologyCommand(const std::string& file, bool dot);

struct SweepOptions {
  uint64_t firstSeed = 1;
  uint64_t seeds = 100;
  unsigned jobs = 0;                       // seeds at once; 0: one per core
  std::string shard;                       // "I/K": this process runs the seeds whose index % K == I
  std::string outDirectory;                // per-seed records, the manifest and the aggregate
  std::optional<std::string> whatIfEvery;  // "" for every 12 hours
  bool noWhatIf = false;
  std::string jsonFile, htmlFile;                           // the aggregate
  std::function<void(size_t done, size_t total)> progress;  // as seeds finish
};

// dcemu sweep: the file once per seed; per-seed records (the planning
// report) under --out and the aggregate per migration (docs/sweep-format.md).
CommandOutput sweepCommand(const std::string& file, const SweepOptions& options);

struct AuditOptions {
  std::string at;           // default: time zero
  std::string dc;           // default: the first DC
  bool likeScript = false;  // list exactly what Akamai's Get-BadSuccessorOUPermissions.ps1 lists
};

// dcemu audit: BadSuccessor exposure of the domain's OUs and containers,
// and which accounts each exposed principal could take over; exit 1 when
// anything is exposed.
CommandOutput auditCommand(const std::string& file, const AuditOptions& options);

struct ImportOptions {
  std::string url;                     // ldap://HOST[:PORT] or ldaps://: read a running DC
  std::string bind;                    // its simple bind name (UPN, DOMAIN\user or DN)
  std::string passwordFile;            // the password, on the file's first line
  bool startTls = false;
  std::vector<std::string> ldifFiles;  // or: ldifde, ldapsearch or ldbsearch exports
  std::string servicesFile;            // host,account[,site] per line
  std::string repadminCsv;             // repadmin /showrepl * /csv: today's failing connections
  std::string defaultSite;             // hosts no services line places; default: the site with the most DCs
  std::string out;                     // the topology file to write
  bool anonymize = false;              // every name a stable pseudonym, to share the file
};

// dcemu import: a running DC, or a domain's LDIF export, into a topology file.
CommandOutput importCommand(const ImportOptions& options);

struct MergeOptions {
  std::string outDirectory;
  std::string jsonFile, htmlFile;
};

// dcemu merge: shards' --out directories into the aggregate one sweep of
// all their seeds would have written, byte for byte.
CommandOutput mergeCommand(const std::vector<std::string>& directories, const MergeOptions& options);

struct RepadminOptions {
  std::string view;                      // showrepl | replsummary | showobjmeta | showutdvec
  std::string at;                        // a duration after the start
  std::string dc;                        // empty: every DC (showrepl) / required (showobjmeta, showutdvec)
  std::string object;                    // showobjmeta: a DN (relative to the domain or whole) or a topology name
  std::string namingContext = "domain";  // showutdvec: domain | configuration | schema
  bool csv = false;
  std::optional<uint64_t> seed;
};

// dcemu repadmin: simulate to `at` and print what repadmin would.
CommandOutput repadminCommand(const std::string& file, const RepadminOptions& options);

struct GetOptions {
  std::string at;                       // an offset from the start or a UTC instant
  std::string dc;                       // the DC whose replica is read
  std::string object;                   // a DN (relative to the domain or whole) or a name the file gives
  std::vector<std::string> attributes;  // empty: every attribute the object holds
  std::optional<uint64_t> seed;
};

// dcemu get: simulate to `at` and print the object's attributes as that DC
// holds them, as Get-ADObject -Properties or repadmin /showattr would.
CommandOutput getCommand(const std::string& file, const GetOptions& options);
}  // namespace dcemu::cli
