// What `repadmin` prints, in its own layouts, computed from DCs' stored
// state: /showrepl (and its /csv form), /replsummary, /showobjmeta and
// /showutdvec. repadmin names DSAs "Site\DC" by reading the configuration
// NC; the caller supplies those names, since the simulator knows them from
// the topology and a live node from its configuration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dc/directory.h"
#include "replication/reps_from.h"

namespace dcemu::replication {

struct DsaInfo {
  dc::Guid dsa;                         // objectGUID of the DC's nTDSDSA object
  std::vector<dc::Guid> invocationIds;  // every invocationID it has had
  std::string site;
  std::string name;      // the server's name, e.g. "DC1"
  std::string hostName;  // dNSHostName, e.g. "dc1.corp.example"
  bool readOnly = false;
  bool globalCatalog = false;
};

class DsaNames {
 public:
  void add(DsaInfo info) { dsas_.push_back(std::move(info)); }
  const DsaInfo* byDsa(const dc::Guid& dsa) const;
  const DsaInfo* byInvocationId(const dc::Guid& invocationId) const;
  // "Site\DC" as repadmin prints a DSA, or the GUID itself when unknown (as
  // repadmin does for a DSA that no longer exists).
  std::string labelOfDsa(const dc::Guid& dsa) const;
  std::string labelOfInvocationId(const dc::Guid& invocationId) const;

 private:
  std::vector<DsaInfo> dsas_;
};

// A DC whose replication state a view reads.
struct DcView {
  const dc::Directory* dir;
  const DsaInfo* info;
};

// "2026-01-01 10:15:00", repadmin's time layout, in UTC.
std::string repadminTime(int64_t micros);

// repadmin /showrepl [/csv] against one DC: its inbound neighbors per
// naming context with the outcome of the last attempt.
dc::Result<std::string> showRepl(const DcView& dc, const DsaNames& names, bool csv);

// repadmin /replsummary over `dcs` at `nowMicros`: per source and per
// destination DSA the largest delta since a successful replication, the
// failed and total partnerships, and the most recent error.
dc::Result<std::string> replSummary(const std::vector<DcView>& dcs, int64_t nowMicros);

// /replsummary in two halves, for DCs in other processes: each DC's inbound
// partnerships, and the summary of partnerships gathered from `dcCount` DCs.
struct SummaryPartnership {
  std::string source, destination;  // DC names
  RepsFrom state;
};
dc::Result<std::vector<SummaryPartnership>> summaryPartnerships(const DcView& dc, const DsaNames& names);
std::string formatReplSummary(const std::vector<SummaryPartnership>& partnerships, size_t dcCount, int64_t nowMicros);

// repadmin /showobjmeta for the object `dn` on one DC: every attribute's
// stamp, then every linked value's.
dc::Result<std::string> showObjMeta(const DcView& dc, const DsaNames& names, std::string_view dn);

// repadmin /showutdvec for `nc` on one DC: one line per originating DC.
dc::Result<std::string> showUtdVec(const DcView& dc, const DsaNames& names, dc::NamingContext nc);

}  // namespace dcemu::replication
