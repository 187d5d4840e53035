// A node's KDC as the hosts process reaches it over RPC (rpc.capnp's Kdc):
// the KDC operations of kdc::ReplicaHostEnvironment for this DC alone,
// behind the check that the DC answers the caller's site now. Internal to
// live/.
#pragma once

#include <fmt/format.h>

#include "live/live_node.h"
#include "replication/win32.h"
#include "report/membership.h"
#include "scenario/host_plan.h"

namespace dcemu::live {

class LiveNode::LocalKdc final : public kdc::ReplicaHostEnvironment, public KdcService {
 public:
  explicit LocalKdc(LiveNode& node) : node_(node) {}

  // kdc::ReplicaHostEnvironment, for this DC alone: the hosts process
  // locates DCs and forwards an RODC's requests itself.
  int64_t now() const override { return node_.now(); }
  std::string domain() const override { return node_.scenario_.domain; }
  bool answers(int dc) const override { return dc == node_.index_; }
  bool readOnly(int dc) const override { return node_.scenario_.dcs[dc].rodc; }
  std::string dcName(int dc) const override { return node_.nameOf(dc); }
  int forwardTarget(int) const override { return -1; }
  void log(kdc::Event) override {}
  dc::Directory& directory(int) override { return *node_.node_->directory(); }
  kdc::KerberosPolicy policy(int dc) const override { return scenario::kerberosPolicy(node_.scenario_, dc); }
  void wrote(int, const std::string& dn) override { node_.originated(dn, {"msDS-GroupMSAMembership"}); }
  void secretRevealed(int, int) override { revealed_ = true; }

  // KdcService
  std::pair<uint32_t, std::string> refusalFor(const std::string& site) override {
    const scenario::Scenario& s = node_.scenario_;
    int hostSite = s.siteIndex(site);
    if (hostSite < 0) return {replication::win32::kInvalidParameter, fmt::format("no site {} in the file", site)};
    if (!node_.node_->replication().up())
      return {replication::win32::kRpcServerUnavailable, node_.nameOf(node_.index_) + " is down"};
    if (!node_.network_.reachable(hostSite, s.dcs[node_.index_].site))
      return {replication::win32::kRpcServerUnavailable,
              fmt::format("{} cannot be reached from site {}", node_.nameOf(node_.index_), site)};
    return {0, ""};
  }
  kdc::KdcReply asExchange(const kdc::AsRequest& request) override {
    return counted("as", ReplicaHostEnvironment::asExchange(node_.index_, request));
  }
  kdc::KdcReply renew(const kdc::Ticket& tgt, int64_t clientTime) override {
    return counted("renewal", ReplicaHostEnvironment::renew(node_.index_, tgt, clientTime));
  }
  bool holdsSecret(const std::string& account) override {
    return ReplicaHostEnvironment::holdsSecret(node_.index_, account);
  }
  dc::Result<bool> revealSecret(const std::string& rodc, const std::string& account) override {
    int index = node_.scenario_.dcIndex(rodc);
    if (index < 0 || !node_.scenario_.dcs[index].rodc)
      return dc::Status(dc::LdapResult::noSuchObject, fmt::format("{} is no RODC of the file", rodc));
    revealed_ = false;
    ReplicaHostEnvironment::revealSecret(index, node_.index_, account);
    return revealed_;
  }
  dc::Status replicateSecret(const std::string& writable) override {
    int index = node_.scenario_.dcIndex(writable);
    if (index < 0 || node_.scenario_.dcs[index].rodc)
      return dc::Status(dc::LdapResult::noSuchObject, fmt::format("{} is no writable DC of the file", writable));
    node_.node_->replication().pull(index, dc::NamingContext::Domain, node::PullReason::Secret, {.forced = true});
    return dc::Status::ok();
  }
  kdc::MembershipCheck checkMembership(const std::string& dmsaDn, const std::string& machine) override {
    return ReplicaHostEnvironment::checkMembership(node_.index_, dmsaDn, machine);
  }
  dc::Status addToMembership(const std::string& dmsaDn, const std::string& machine,
                             const std::string& account) override {
    dc::Status status = ReplicaHostEnvironment::addToMembership(node_.index_, dmsaDn, machine, account);
    ++node_.membershipWrites_[status.isOk() ? "success" : std::string(dc::ldapResultName(status.code()))];
    return status;
  }

 private:
  // For /metrics: the KDC's answers by exchange and outcome.
  kdc::KdcReply counted(const char* exchange, kdc::KdcReply reply) {
    ++node_.kdcReplies_[{exchange, reply.ok() ? "ok" : std::string(kdc::krbErrorName(reply.error))}];
    return reply;
  }

  LiveNode& node_;
  bool revealed_ = false;
};

}  // namespace dcemu::live
