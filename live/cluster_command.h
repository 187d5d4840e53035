// dcemu cluster up|status|down and dcemu ctl: a topology file's DCs as
// processes on this machine, over loopback, and an administrator's way in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dcemu::live {

struct ClusterOptions {
  std::string file;
  std::string directory;  // the cluster directory: secret, peers, one data directory per DC
  double timeScale = 1;
  std::optional<uint64_t> seed;
  int maxRestarts = 10;  // per DC, by the supervisor
  bool tls = false;      // a new cluster's RPC over TLS with certificates of its own CA (DIR/tls)
};

// Starts a supervisor that starts every DC and restarts one that dies
// (SIGKILL included), up to maxRestarts times; returns once every DC
// serves, printing where. Exit 0, 1 when a DC did not start, 2 bad input.
int clusterUp(const ClusterOptions& options);
// Stops the supervisor and its nodes (SIGTERM, then SIGKILL after 30 s).
int clusterDown(const std::string& directory);
// repadmin /showrepl of every DC, gathered over RPC; exit 1 when a DC
// does not answer.
int clusterStatus(const std::string& directory);
struct ClusterReportOptions {
  std::string directory;
  std::string jsonFile, htmlFile, csvDirectory;  // as `dcemu run` writes them
  std::string hostsJournal;                      // default: hosts/hosts.journal in the directory
  // A duration after the file's start: the report as of then, from what
  // was journalled up to it (as `dcemu run --until` ends there); empty: now.
  std::string until;
};
// The simulator's planning report for the cluster, from what its nodes and
// hosts journalled (a DC's journal from its data directory in the cluster
// directory, or over RPC when it runs elsewhere) and, while it runs, what
// its nodes say now.
int clusterReport(const ClusterReportOptions& options);
// The simulator's convergence check over a stopped cluster's stores: each
// replica against the first writable DC's. Exit 1 when any differs.
int clusterCheck(const std::string& directory);
// One operation on one DC (docs/live.md); prints its result; exit 1 when
// refused or unreachable, 2 for bad input.
int ctl(const std::string& directory, const std::string& dc, const std::vector<std::string>& args);

// ctl's call, for programs (the live bench): the Win32 result (0 on
// success) and the text, or why there is none.
std::pair<uint32_t, std::string> ctlCall(const std::string& directory, const std::string& dc,
                                         const std::vector<std::string>& args);

}  // namespace dcemu::live
