// The Kdc capability of rpc.capnp: each call checks that this DC answers
// the caller's site now, then asks the node's KdcService.
#include <fmt/format.h>

#include <chrono>

#include "dc/object_wire.h"
#include "live/kdc_wire.h"
#include "live/rpc_server.h"
#include "replication/win32.h"

namespace dcemu::live {
namespace win32 = replication::win32;

namespace {

// Reports how long a call took to the node's `served` hook when it ends.
class ServeTimer {
 public:
  ServeTimer(const NodeHooks& hooks, std::string_view method)
      : hooks_(hooks), method_(method), began_(std::chrono::steady_clock::now()) {}
  ~ServeTimer() {
    if (hooks_.served)
      hooks_.served(method_, std::chrono::duration<double>(std::chrono::steady_clock::now() - began_).count());
  }

 private:
  const NodeHooks& hooks_;
  std::string_view method_;
  std::chrono::steady_clock::time_point began_;
};

class KdcImpl final : public wire::Kdc::Server {
 public:
  explicit KdcImpl(const NodeHooks& hooks) : hooks_(hooks) {}

  kj::Promise<void> reachable(ReachableContext context) override {
    answering(context.getParams().getSite(), context.getResults().initResult());
    return kj::READY_NOW;
  }

  kj::Promise<void> asExchange(AsExchangeContext context) override {
    ServeTimer timer(hooks_, "asExchange");
    auto params = context.getParams();
    auto results = context.getResults();
    if (KdcService* kdc = answering(params.getSite(), results.initResult()))
      toWire(kdc->asExchange(fromWire(params.getRequest())), results.initReply());
    return kj::READY_NOW;
  }

  kj::Promise<void> renew(RenewContext context) override {
    ServeTimer timer(hooks_, "renew");
    auto params = context.getParams();
    auto results = context.getResults();
    KdcService* kdc = answering(params.getSite(), results.initResult());
    if (!kdc) return kj::READY_NOW;
    auto tgt = fromWire(params.getTgt());
    if (!tgt) return refuse(results.getResult(), tgt.status());
    toWire(kdc->renew(*tgt, params.getClientTime()), results.initReply());
    return kj::READY_NOW;
  }

  kj::Promise<void> holdsSecret(HoldsSecretContext context) override {
    ServeTimer timer(hooks_, "holdsSecret");
    auto params = context.getParams();
    auto results = context.getResults();
    if (KdcService* kdc = answering(params.getSite(), results.initResult()))
      results.setHolds(kdc->holdsSecret(params.getAccount().cStr()));
    return kj::READY_NOW;
  }

  kj::Promise<void> revealSecret(RevealSecretContext context) override {
    ServeTimer timer(hooks_, "revealSecret");
    auto params = context.getParams();
    auto results = context.getResults();
    KdcService* kdc = answering(params.getSite(), results.initResult());
    if (!kdc) return kj::READY_NOW;
    auto revealed = kdc->revealSecret(params.getRodc().cStr(), params.getAccount().cStr());
    if (!revealed) return refuse(results.getResult(), revealed.status());
    results.setRevealed(*revealed);
    return kj::READY_NOW;
  }

  kj::Promise<void> replicateSecret(ReplicateSecretContext context) override {
    ServeTimer timer(hooks_, "replicateSecret");
    auto params = context.getParams();
    auto results = context.getResults();
    KdcService* kdc = answering(params.getSite(), results.initResult());
    if (!kdc) return kj::READY_NOW;
    if (dc::Status status = kdc->replicateSecret(params.getWritable().cStr()); !status.isOk())
      return refuse(results.getResult(), status);
    return kj::READY_NOW;
  }

  kj::Promise<void> checkMembership(CheckMembershipContext context) override {
    ServeTimer timer(hooks_, "checkMembership");
    auto params = context.getParams();
    auto results = context.getResults();
    KdcService* kdc = answering(params.getSite(), results.initResult());
    if (!kdc) return kj::READY_NOW;
    kdc::MembershipCheck check = kdc->checkMembership(params.getDmsaDn().cStr(), params.getMachine().cStr());
    results.setMachineKnown(check.machineKnown);
    if (check.unreadable) results.setUnreadable(*check.unreadable);
    results.setMember(check.member);
    return kj::READY_NOW;
  }

  kj::Promise<void> addToMembership(AddToMembershipContext context) override {
    ServeTimer timer(hooks_, "addToMembership");
    auto params = context.getParams();
    auto results = context.getResults();
    KdcService* kdc = answering(params.getSite(), results.initResult());
    if (!kdc) return kj::READY_NOW;
    dc::Status status =
        kdc->addToMembership(params.getDmsaDn().cStr(), params.getMachine().cStr(), params.getAccount().cStr());
    results.setLdapResult(static_cast<int32_t>(status.code()));
    results.setError(status.message());
    return kj::READY_NOW;
  }

 private:
  // The node's KDC when it answers a host in `site`; otherwise null, with
  // the refusal in `result`.
  KdcService* answering(capnp::Text::Reader site, wire::CallResult::Builder result) {
    result.setWin32(0);
    if (!hooks_.kdc) {
      result.setWin32(win32::kEndpointNotRegistered);
      result.setError("this server runs no KDC");
      return nullptr;
    }
    auto [code, why] = hooks_.kdc->refusalFor(site.cStr());
    if (code == 0) return hooks_.kdc;
    result.setWin32(code);
    result.setError(why);
    return nullptr;
  }

  static kj::Promise<void> refuse(wire::CallResult::Builder result, const dc::Status& status) {
    result.setWin32(win32::kInvalidParameter);
    result.setError(status.message());
    return kj::READY_NOW;
  }

  const NodeHooks& hooks_;
};

}  // namespace

kj::Own<wire::Kdc::Server> newKdcServer(const NodeHooks& hooks) {
  return kj::heap<KdcImpl>(hooks);
}

}  // namespace dcemu::live
