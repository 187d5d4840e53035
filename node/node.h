// One DC composed: its store and the directory over it, its replication
// scheduler, its KDC's policy and the write observer that watches its
// replica, opened and closed as the DC starts and stops. The simulator's
// world holds one per DC and a live process holds its own; both drive it
// through the same Harness (replication_scheduler.h), so neither assembles
// a DC by hand and a live DC cannot drift from a simulated one.
//
// A node reads no clock and draws from no unseeded source: the harness
// gives it the clock its directory reads (which a clock-skew fault moves)
// and the DC's seeded random stream.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "dc/rng.h"
#include "dc/store.h"
#include "kdc/host_client.h"
#include "node/replication_scheduler.h"
#include "replication/connections.h"

namespace dcemu::node {

// What a DC is, as the topology gives it.
struct DcSettings {
  int index = 0;  // in the topology file, the same in every harness
  std::string name;
  dc::DirectoryOptions directory;  // its domain, whether it is an RODC, its RID pools
  dc::Guid dsa;                    // its NTDS Settings' objectGUID
  kdc::KerberosPolicy kerberos;
  replication::ReplicationSettings replication;
};

class Node {
 public:
  // `connections` is the whole topology's; the scheduler keeps the DC's own.
  Node(DcSettings settings, Harness& harness, const std::vector<replication::Connection>& connections, dc::Clock& clock,
       dc::Xoshiro256 rng);
  ~Node();  // the directory before its store

  const DcSettings& settings() const { return settings_; }
  int index() const { return settings_.index; }
  const std::string& name() const { return settings_.name; }
  bool readOnly() const { return settings_.directory.readOnly; }
  const kdc::KerberosPolicy& kerberosPolicy() const { return settings_.kerberos; }

  // Closes what is open, then opens the DC's store at `path` in `env` and
  // its directory; on failure the node stays closed.
  dc::Status open(dc::StoreEnv& env, const std::string& path);
  // The same over a store opened elsewhere (at provisioning, or on another
  // thread).
  dc::Status open(std::unique_ptr<dc::Store> store);
  // Closes the directory and the store: a DC that stops or is replaced.
  void close();
  // Null while the store is closed.
  dc::Directory* directory() const { return directory_.get(); }
  dc::Store* store() const { return store_.get(); }

  // The DC stops (its pending notifications and running pulls die with
  // it) or starts again; a stopped DC's store may stay open (a process
  // that stays up while its DC is down) or be closed.
  void stop() { scheduler_.stop(); }
  void start();

  // Sees every write to the objects it watches, on every opening of the
  // replica (the observer outlives a restart).
  void setWriteObserver(dc::Directory::WriteObserver observer);

  ReplicationScheduler& replication() { return scheduler_; }
  const ReplicationScheduler& replication() const { return scheduler_; }

 private:
  DcSettings settings_;
  dc::Clock& clock_;
  dc::Xoshiro256 rng_;
  ReplicationScheduler scheduler_;
  std::unique_ptr<dc::Store> store_;
  std::unique_ptr<dc::Directory> directory_;
  dc::Directory::WriteObserver observer_;
};

}  // namespace dcemu::node
