// dcemu hosts: the file's host population as one process of Kerberos
// clients (kdc::HostClient, the simulator's), talking to a running
// cluster's DCs over RPC (rpc.capnp's Kdc). Each client logs on at its
// seeded moment in the first two hours and renews every TGT lifetime, on
// the cluster's scaled clock; its DC locator asks a DC whether it answers
// the host's site, so DCs that are down or cut off are passed over as in
// the simulator. Every logon and every event a host logs is journalled
// for `dcemu cluster report`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace dcemu::live {

struct HostsOptions {
  std::string file;
  std::string clusterDirectory;  // secret, peers, epoch and time-scale of `cluster up`
  std::string journalFile;       // default: hosts/hosts.journal in the cluster directory
  std::optional<uint64_t> seed;
};

// Runs until SIGTERM or SIGINT. Bad input gives one line on stderr and
// exit 2 before anything starts.
int runHosts(const HostsOptions& options);

// Where the hosts process keeps its journal and log under a cluster directory.
std::string hostsDirectoryOf(const std::string& clusterDirectory);

}  // namespace dcemu::live
