// What a host's Kerberos client reaches of the simulated domain: the DCs
// that are up and reachable from its site, their replicas and KDCs, and
// the world's event log. Internal to the world.
#pragma once

#include "report/membership.h"
#include "scenario/host_plan.h"
#include "sim/world.h"

namespace dcemu::sim {

class World::HostAccess final : public kdc::ReplicaHostEnvironment {
 public:
  explicit HostAccess(World& world) : world_(world) {}
  int site = 0;  // the site of the host being served

  int64_t now() const override { return world_.queue_.now(); }
  std::string domain() const override { return world_.scenario_.domain; }
  bool answers(int dc) const override {
    const SimDc& d = world_.dcs_[dc];
    return world_.dcs_[dc].node->replication().up() && d.node->directory() && world_.network_.reachable(site, d.site);
  }
  bool readOnly(int dc) const override { return world_.dcs_[dc].node->readOnly(); }
  std::string dcName(int dc) const override { return world_.dcs_[dc].node->name(); }
  dc::Directory& directory(int dc) override { return *world_.dcs_[dc].node->directory(); }
  kdc::KerberosPolicy policy(int dc) const override { return world_.dcs_[dc].node->kerberosPolicy(); }
  void wrote(int dc, const std::string& dn) override { world_.originated(dc, dn, {"msDS-GroupMSAMembership"}); }
  void log(kdc::Event event) override { world_.logEvent(std::move(event)); }
  int forwardTarget(int rodc) const override {
    const SimDc& from = world_.dcs_[rodc];
    for (const std::vector<int>& tier : scenario::locatorTiers(world_.scenario_, from.site)) {
      for (int dc : tier) {
        const SimDc& d = world_.dcs_[dc];
        if (!d.node->readOnly() && world_.dcs_[dc].node->replication().up() && d.node->directory() &&
            world_.network_.reachable(from.site, d.site))
          return dc;
      }
    }
    return -1;
  }
  void secretRevealed(int rodc, int writable) override {
    world_.startPull(rodc, writable, dc::NamingContext::Domain, PullReason::Secret, true);
  }

 private:
  World& world_;
};

}  // namespace dcemu::sim
