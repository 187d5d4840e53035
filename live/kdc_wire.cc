#include "live/kdc_wire.h"

#include <fmt/format.h>

#include "dc/object_wire.h"

namespace dcemu::live {
using dc::asData;
using dc::asView;

namespace {

void pacToWire(const kdc::Pac& pac, wire::Pac::Builder out) {
  out.setUserSid(pac.userSid.toString());
  auto sids = out.initSids(static_cast<unsigned>(pac.sids.size()));
  for (size_t i = 0; i < pac.sids.size(); ++i) sids.set(static_cast<unsigned>(i), pac.sids[i].toString());
}

dc::Result<dc::Sid> sidFromWire(capnp::Text::Reader text, std::string_view what) {
  auto sid = dc::Sid::parse(text.cStr());
  if (!sid) return dc::Status(dc::LdapResult::protocolError, fmt::format("{}: {:?} is not a SID", what, text.cStr()));
  return *sid;
}

dc::Result<kdc::Pac> pacFromWire(wire::Pac::Reader in) {
  kdc::Pac pac;
  auto user = sidFromWire(in.getUserSid(), "the PAC's user SID");
  if (!user) return user.status();
  pac.userSid = *user;
  for (capnp::Text::Reader text : in.getSids()) {
    auto sid = sidFromWire(text, "a PAC SID");
    if (!sid) return sid.status();
    pac.sids.push_back(*sid);
  }
  return pac;
}

bool knownKrbError(int code) {
  using kdc::KrbError;
  for (KrbError e : {KrbError::None, KrbError::PrincipalUnknown, KrbError::Policy, KrbError::ClientRevoked,
                     KrbError::TicketExpired, KrbError::Skew, KrbError::ServiceUnknown, KrbError::Generic})
    if (static_cast<int>(e) == code) return true;
  return false;
}

}  // namespace

void toWire(const kdc::AsRequest& request, wire::AsRequest::Builder out) {
  out.setAccount(request.account);
  out.setClientTime(request.clientTime);
  out.setMachine(request.machine);
}

void toWire(const kdc::Ticket& ticket, wire::Ticket::Builder out) {
  out.setClient(ticket.client);
  out.setClientGuid(asData(ticket.clientGuid.asBytes()));
  out.setIssuedBy(ticket.issuedBy);
  out.setAuthTime(ticket.authTime);
  out.setStartTime(ticket.startTime);
  out.setEndTime(ticket.endTime);
  out.setRenewTill(ticket.renewTill);
  pacToWire(ticket.pac, out.initPac());
  if (const auto& package = ticket.keyPackage) {
    auto p = out.initKeyPackage();
    p.setCurrentKeys(asData(package->currentKeys));
    p.setPreviousKeys(asData(package->previousKeys));
    auto types = p.initPreviousKeyTypes(static_cast<unsigned>(package->previousKeyTypes.size()));
    for (size_t i = 0; i < package->previousKeyTypes.size(); ++i)
      types.set(static_cast<unsigned>(i), package->previousKeyTypes[i]);
    p.setExpirationTime(package->expirationTime);
    p.setFetchTime(package->fetchTime);
  }
  out.setServiceKey(asData(ticket.serviceKey));
}

void toWire(const kdc::KdcReply& reply, wire::KdcReply::Builder out) {
  out.setError(static_cast<int32_t>(reply.error));
  out.setMessage(reply.message);
  if (reply.supersededBy) out.setSupersededBy(*reply.supersededBy);
  if (reply.supersededByDn) out.setSupersededByDn(*reply.supersededByDn);
  if (reply.ticket) toWire(*reply.ticket, out.initTicket());
}

kdc::AsRequest fromWire(wire::AsRequest::Reader in) {
  return {in.getAccount().cStr(), in.getClientTime(), in.getMachine().cStr()};
}

dc::Result<kdc::Ticket> fromWire(wire::Ticket::Reader in) {
  kdc::Ticket ticket;
  ticket.client = in.getClient().cStr();
  if (in.getClientGuid().size() != 16)
    return dc::Status(dc::LdapResult::protocolError,
                      fmt::format("the ticket's client GUID is {} bytes, not 16", in.getClientGuid().size()));
  ticket.clientGuid = dc::Guid::fromBytes(asView(in.getClientGuid()));
  ticket.issuedBy = in.getIssuedBy().cStr();
  ticket.authTime = in.getAuthTime();
  ticket.startTime = in.getStartTime();
  ticket.endTime = in.getEndTime();
  ticket.renewTill = in.getRenewTill();
  auto pac = pacFromWire(in.getPac());
  if (!pac) return pac.status();
  ticket.pac = std::move(*pac);
  if (in.hasKeyPackage()) {
    auto p = in.getKeyPackage();
    kdc::KeyPackage package;
    package.currentKeys = std::string(asView(p.getCurrentKeys()));
    package.previousKeys = std::string(asView(p.getPreviousKeys()));
    for (int32_t type : p.getPreviousKeyTypes()) package.previousKeyTypes.push_back(type);
    package.expirationTime = p.getExpirationTime();
    package.fetchTime = p.getFetchTime();
    ticket.keyPackage = std::move(package);
  }
  ticket.serviceKey = std::string(asView(in.getServiceKey()));
  return ticket;
}

dc::Result<kdc::KdcReply> fromWire(wire::KdcReply::Reader in) {
  kdc::KdcReply reply;
  if (!knownKrbError(in.getError()))
    return dc::Status(dc::LdapResult::protocolError,
                      fmt::format("KRB-ERROR {} is no code a KDC answers", in.getError()));
  reply.error = static_cast<kdc::KrbError>(in.getError());
  reply.message = in.getMessage().cStr();
  if (in.hasSupersededBy()) reply.supersededBy = in.getSupersededBy().cStr();
  if (in.hasSupersededByDn()) reply.supersededByDn = in.getSupersededByDn().cStr();
  if (in.hasTicket()) {
    auto ticket = fromWire(in.getTicket());
    if (!ticket) return ticket.status();
    reply.ticket = std::move(*ticket);
  }
  return reply;
}

}  // namespace dcemu::live
