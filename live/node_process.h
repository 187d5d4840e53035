// dcemu node: one DC of a topology file as a process. Its store is on disk
// (provisioned on first start exactly as the simulator provisions that DC,
// reopened on every later start), its node (node/) is the simulator's,
// driven here by scaled wall-clock time and Cap'n Proto RPC to the
// partners the KCC gives it, with each site path's latency, jitter and
// bandwidth (the simulator's network model) applied to the bytes on the
// wire. It serves its partners, `dcemu ctl`, and /metrics and /healthz.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace dcemu::live {

struct NodeOptions {
  std::string file;
  std::string dc;
  std::string dataDirectory;
  std::string listen = "127.0.0.1:0";  // the replication service
  std::string peersFile;               // NAME HOST:PORT per DC (cluster_files.h)
  std::string secretFile;
  std::string metricsListen;  // HOST:PORT for /metrics and /healthz; empty: none
  // The wall-clock instant of the file's start (ISO 8601 UTC); default: the
  // first start's, kept in the data directory, so a restart goes on.
  std::string epoch;
  std::string portFile;  // written once listening: "replication PORT" and "metrics PORT"
  double timeScale = 1;  // simulated seconds per wall-clock second
  std::optional<uint64_t> seed;
  // TLS for every RPC connection: the directory with the cluster CA's
  // certificate and this DC's (rpc_tls.h); empty: none.
  std::string tlsDirectory;
};

// Runs until SIGTERM or SIGINT. Bad input gives one line on stderr and
// exit 2 before anything starts; a store that will not open, exit 1.
int runNode(const NodeOptions& options);

}  // namespace dcemu::live
