#include "replication/repadmin.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "dc/text.h"
#include "replication/reps_from.h"
#include "replication/utd.h"
#include "replication/win32.h"

namespace dcemu::replication {
namespace {

// repadmin lists the domain NC first, then configuration, then schema.
constexpr dc::NamingContext kShowReplOrder[] = {dc::NamingContext::Domain, dc::NamingContext::Configuration,
                                                dc::NamingContext::Schema};

std::string label(const DsaInfo& info) {
  return info.site + "\\" + info.name;
}

std::string timeOrNever(int64_t micros) {
  return micros == 0 ? "(never)" : repadminTime(micros);
}

void appendNeighbor(std::string& out, const DsaNames& names, const RepsFrom& partner) {
  out += fmt::format("    {} via RPC\n", names.labelOfDsa(partner.sourceDsa));
  out += fmt::format("        DSA object GUID: {}\n", partner.sourceDsa.toString());
  if (partner.lastResult == win32::kSuccess) {
    out += fmt::format("        Last attempt @ {} was successful.\n", timeOrNever(partner.lastAttempt));
    return;
  }
  out += fmt::format("        Last attempt @ {} failed, result {} (0x{:x}):\n", timeOrNever(partner.lastAttempt),
                     partner.lastResult, partner.lastResult);
  out += fmt::format("            {}\n", win32::message(partner.lastResult));
  out += fmt::format("        {} consecutive failure(s).\n", partner.consecutiveFailures);
  out += fmt::format("        Last success @ {}.\n", timeOrNever(partner.lastSuccess));
}

std::string dsaOptions(const DsaInfo& info) {
  std::vector<std::string> options;
  if (info.globalCatalog) options.push_back("IS_GC");
  if (info.readOnly) {
    options.push_back("DISABLE_OUTBOUND_REPL");
    options.push_back("IS_RODC");
  }
  if (options.empty()) return "(none)";
  std::string joined;
  for (const auto& option : options) joined += (joined.empty() ? "" : " ") + option;
  return joined;
}

// "48m:05s", "01h:04m:38s", "03d.01h:28m:40s", as replsummary prints a delta.
std::string formatDelta(int64_t micros) {
  int64_t seconds = std::max<int64_t>(micros, 0) / 1'000'000;
  int64_t days = seconds / 86400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60, secs = seconds % 60;
  if (days > 60) return ">60 days";
  if (days > 0) return fmt::format("{:02}d.{:02}h:{:02}m:{:02}s", days, hours, minutes, secs);
  if (hours > 0) return fmt::format("{:02}h:{:02}m:{:02}s", hours, minutes, secs);
  if (minutes > 0) return fmt::format("{:02}m:{:02}s", minutes, secs);
  return fmt::format("   :{:02}s", secs);
}

struct SummaryRow {
  int64_t oldestSuccess = INT64_MAX;  // 0 when a partnership never succeeded
  int fails = 0;
  int total = 0;
  int64_t latestFailure = -1;
  uint32_t latestError = 0;

  void add(const RepsFrom& partner) {
    ++total;
    oldestSuccess = std::min(oldestSuccess, partner.lastSuccess);
    if (partner.lastResult == win32::kSuccess) return;
    ++fails;
    if (partner.lastAttempt > latestFailure) {
      latestFailure = partner.lastAttempt;
      latestError = partner.lastResult;
    }
  }
};

void appendSummary(std::string& out, std::string_view heading, const std::map<std::string, SummaryRow>& rows,
                   int64_t now) {
  // repadmin's 20-column name field, widened for longer DC names so the
  // columns stay aligned.
  size_t width = 19;
  for (const auto& [name, row] : rows) width = std::max(width, name.size() + 1);
  out += fmt::format("{:<{}}largest delta    fails/total %%   error\n", heading, width + 1);
  for (const auto& [name, row] : rows) {
    std::string delta = row.oldestSuccess == 0 ? "(never)" : formatDelta(now - row.oldestSuccess);
    std::string error =
        row.fails == 0 ? "" : fmt::format("  ({}) {}", row.latestError, win32::message(row.latestError));
    out += fmt::format(" {:<{}}{:>14} {:>4} / {:>3} {:>4}{}\n", name, width, delta, row.fails, row.total,
                       row.fails * 100 / row.total, error);
  }
}

}  // namespace

const DsaInfo* DsaNames::byDsa(const dc::Guid& dsa) const {
  for (const auto& info : dsas_)
    if (info.dsa == dsa) return &info;
  return nullptr;
}

const DsaInfo* DsaNames::byInvocationId(const dc::Guid& invocationId) const {
  for (const auto& info : dsas_)
    if (std::find(info.invocationIds.begin(), info.invocationIds.end(), invocationId) != info.invocationIds.end())
      return &info;
  return nullptr;
}

std::string DsaNames::labelOfDsa(const dc::Guid& dsa) const {
  const DsaInfo* info = byDsa(dsa);
  return info ? label(*info) : dsa.toString();
}

std::string DsaNames::labelOfInvocationId(const dc::Guid& invocationId) const {
  const DsaInfo* info = byInvocationId(invocationId);
  return info ? label(*info) : invocationId.toString();
}

std::string repadminTime(int64_t micros) {
  std::time_t seconds = static_cast<std::time_t>(dc::floorSeconds(micros));
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::gmtime(seconds));
}

dc::Result<std::string> showRepl(const DcView& dc, const DsaNames& names, bool csv) {
  const DsaInfo& self = *dc.info;
  std::string out;
  if (csv) {
    out +=
        "showrepl_COLUMNS,Destination DSA Site,Destination DSA,Naming Context,Source DSA Site,Source DSA,"
        "Transport Type,Number of Failures,Last Failure Time,Last Success Time,Last Failure Status\n";
  } else {
    out += fmt::format("Repadmin: running command /showrepl against full DC {}\n", self.hostName);
    out += fmt::format("{}\nDSA Options: {}\nSite Options: (none)\n", label(self), dsaOptions(self));
    out += fmt::format("DSA object GUID: {}\nDSA invocationID: {}\n\n", self.dsa.toString(),
                       dc.dir->invocationId().toString());
    out += "==== INBOUND NEIGHBORS ======================================\n";
  }
  for (dc::NamingContext nc : kShowReplOrder) {
    auto partners = listRepsFrom(dc.dir->store(), nc);
    if (!partners) return partners.status();
    const std::string ncDn = dc.dir->namingContextDn(nc).toString();
    if (!csv && !partners->empty()) out += fmt::format("\n{}\n", ncDn);
    for (const RepsFrom& partner : *partners) {
      if (!csv) {
        appendNeighbor(out, names, partner);
        continue;
      }
      const DsaInfo* source = names.byDsa(partner.sourceDsa);
      bool failing = partner.lastResult != win32::kSuccess;
      out += fmt::format("showrepl_INFO,{},{},{},{},{},RPC,{},{},{},{}\n", dc::csvField(self.site),
                         dc::csvField(self.name), dc::csvField(ncDn), dc::csvField(source ? source->site : ""),
                         dc::csvField(source ? source->name : partner.sourceDsa.toString()),
                         partner.consecutiveFailures, failing ? repadminTime(partner.lastAttempt) : "0",
                         partner.lastSuccess ? repadminTime(partner.lastSuccess) : "0", partner.lastResult);
    }
  }
  return out;
}

dc::Result<std::vector<SummaryPartnership>> summaryPartnerships(const DcView& dc, const DsaNames& names) {
  std::vector<SummaryPartnership> out;
  for (dc::NamingContext nc : kShowReplOrder) {
    auto partners = listRepsFrom(dc.dir->store(), nc);
    if (!partners) return partners.status();
    for (const RepsFrom& partner : *partners) {
      const DsaInfo* source = names.byDsa(partner.sourceDsa);
      out.push_back({source ? source->name : partner.sourceDsa.toString(), dc.info->name, partner});
    }
  }
  return out;
}

std::string formatReplSummary(const std::vector<SummaryPartnership>& partnerships, size_t dcCount, int64_t nowMicros) {
  std::map<std::string, SummaryRow> bySource, byDestination;
  for (const SummaryPartnership& p : partnerships) {
    bySource[p.source].add(p.state);
    byDestination[p.destination].add(p.state);
  }
  std::string out = fmt::format("Replication Summary Start Time: {}\n\n", repadminTime(nowMicros));
  out += "Beginning data collection for replication summary, this may take awhile:\n  ";
  out += std::string(dcCount, '.') + "\n\n\n";
  appendSummary(out, "Source DSA", bySource, nowMicros);
  out += "\n\n";
  appendSummary(out, "Destination DSA", byDestination, nowMicros);
  return out;
}

dc::Result<std::string> replSummary(const std::vector<DcView>& dcs, int64_t nowMicros) {
  DsaNames names;
  for (const DcView& view : dcs) names.add(*view.info);
  std::vector<SummaryPartnership> all;
  for (const DcView& view : dcs) {
    auto partnerships = summaryPartnerships(view, names);
    if (!partnerships) return partnerships.status();
    all.insert(all.end(), partnerships->begin(), partnerships->end());
  }
  return formatReplSummary(all, dcs.size(), nowMicros);
}

dc::Result<std::string> showObjMeta(const DcView& dc, const DsaNames& names, std::string_view dn) {
  auto attributes = dc.dir->attributeMetadata(dn);
  if (!attributes) return attributes.status();
  auto links = dc.dir->linkMetadata(dn);
  if (!links) return links.status();
  std::string out = fmt::format("Repadmin: running command /showobjmeta against full DC {}\n\n", dc.info->hostName);
  out += fmt::format("{} entries.\n", attributes->size());
  out += "Loc.USN                           Originating DSA  Org.USN  Org.Time/Date        Ver Attribute\n";
  out += "=======                           =============== ========= =============        === =========\n";
  for (const dc::AttributeMetadata& row : *attributes) {
    out += fmt::format("{:>7} {:>40} {:>9} {} {:>4} {}\n", row.localUsn,
                       names.labelOfInvocationId(row.stamp.originatingInvocationId), row.stamp.originatingUsn,
                       repadminTime(row.stamp.originatingTime * 1'000'000), row.stamp.version, row.attribute);
  }
  out += fmt::format("\n{} entries.\n", links->size());
  out += "Type    Attribute     Last Mod Time                            Originating DSA  Loc.USN Org.USN Ver\n";
  out += "======= ============  =============                           ================= ======= ======= ===\n";
  out += "        Distinguished Name\n        =============================\n";
  for (const dc::LinkMetadata& row : *links) {
    out += fmt::format("{:<7} {:>12} {} {:>40} {:>7} {:>7} {:>3}\n", row.present ? "PRESENT" : "ABSENT", row.attribute,
                       repadminTime(row.stamp.originatingTime * 1'000'000),
                       names.labelOfInvocationId(row.stamp.originatingInvocationId), row.localUsn,
                       row.stamp.originatingUsn, row.stamp.version);
    out += fmt::format("        {}\n", row.targetDn);
  }
  return out;
}

dc::Result<std::string> showUtdVec(const DcView& dc, const DsaNames& names, dc::NamingContext nc) {
  UpToDateVector utd = replicaUtd(*dc.dir, nc);
  std::vector<std::pair<std::string, const UtdCursor*>> lines;
  for (const UtdCursor& cursor : utd.cursors())
    lines.emplace_back(names.labelOfInvocationId(cursor.invocationId), &cursor);
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "Caching GUIDs.\n..\n";
  for (const auto& [name, cursor] : lines)
    out += fmt::format("{} @ USN {:>9} @ Time {}\n", name, cursor->usn, repadminTime(cursor->lastSyncTime));
  return out;
}

}  // namespace dcemu::replication
