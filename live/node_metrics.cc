// A node's /metrics: what an operator graphs and alerts on for a DC —
// its USN, its pulls and their results per partner, what replication
// applied and what conflicts dropped, notifications, its RPC service, and
// how long pulls take.
#include <fmt/format.h>

#include "live/live_node.h"

namespace dcemu::live {

std::string LiveNode::metricsText() const {
  MetricsText out;
  const Labels dc = {{"dc", nameOf(index_)}};
  auto with = [&](Labels extra) {
    Labels labels = dc;
    labels.insert(labels.end(), extra.begin(), extra.end());
    return labels;
  };
  out.family("dcemu_usn_highest_committed", "gauge", "The DC's highest committed USN.");
  out.sample("dcemu_usn_highest_committed", dc, static_cast<double>(node_->directory()->highestCommittedUsn()));
  out.family("dcemu_simulated_time_seconds", "gauge", "The DC's clock: Unix seconds of simulated time.");
  out.sample("dcemu_simulated_time_seconds", dc, static_cast<double>(clock_.nowMicros()) / 1e6);
  out.family("dcemu_originating_writes_total", "counter",
             "Originating writes on this DC: dcemu ctl's and the file's workload.");
  out.sample("dcemu_originating_writes_total", dc, static_cast<double>(originatingWrites_));

  out.family("dcemu_pulls_total", "counter", "Inbound replications of one naming context, by partner and result.");
  for (const auto& [source, stats] : partners_) {
    out.sample("dcemu_pulls_total", with({{"partner", nameOf(source)}, {"result", "success"}}),
               static_cast<double>(stats.pulls - stats.pullsFailed));
    out.sample("dcemu_pulls_total", with({{"partner", nameOf(source)}, {"result", "failure"}}),
               static_cast<double>(stats.pullsFailed));
  }
  auto perPartner = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    out.family(name, type, help);
    for (const auto& [source, stats] : partners_)
      out.sample(name, with({{"partner", nameOf(source)}}), static_cast<double>(value(stats)));
  };
  perPartner("dcemu_partner_consecutive_failures", "gauge",
             "Failed pulls from the partner since its last success, as repadmin /showrepl counts them.",
             [](const PartnerStats& s) { return s.consecutiveFailures; });
  perPartner("dcemu_partner_last_success_seconds", "gauge", "Simulated Unix seconds of the last successful pull.",
             [](const PartnerStats& s) { return static_cast<double>(s.lastSuccess) / 1e6; });
  perPartner("dcemu_partner_last_result", "gauge", "The Win32 result of the last pull from the partner (0: success).",
             [](const PartnerStats& s) { return s.lastResult; });

  out.family("dcemu_changes_applied_total", "counter", "Inbound changes whose stamp won and were written, by kind.");
  out.sample("dcemu_changes_applied_total", with({{"kind", "object"}}), static_cast<double>(applied_.objectsCreated));
  out.sample("dcemu_changes_applied_total", with({{"kind", "attribute"}}),
             static_cast<double>(applied_.attributesApplied));
  out.sample("dcemu_changes_applied_total", with({{"kind", "link"}}), static_cast<double>(applied_.linksApplied));
  out.family("dcemu_changes_dropped_total", "counter",
             "Inbound changes whose stamp lost to the value this DC holds, by kind.");
  out.sample("dcemu_changes_dropped_total", with({{"kind", "attribute"}}),
             static_cast<double>(applied_.attributesLost));
  out.sample("dcemu_changes_dropped_total", with({{"kind", "link"}}), static_cast<double>(applied_.linksLost));
  out.family("dcemu_conflicts_total", "counter", "Replication conflicts resolved on this DC, by kind.");
  out.sample("dcemu_conflicts_total", with({{"kind", "name"}}), static_cast<double>(applied_.nameConflicts));
  out.sample("dcemu_conflicts_total", with({{"kind", "orphan"}}), static_cast<double>(applied_.orphansMoved));
  out.sample("dcemu_conflicts_total", with({{"kind", "single-valued-link"}}),
             static_cast<double>(applied_.singleValueLosers));
  out.family("dcemu_replication_bytes_received_total", "counter", "GetNCChanges reply bytes received.");
  out.sample("dcemu_replication_bytes_received_total", dc, static_cast<double>(applied_.bytesReceived));

  out.family("dcemu_notifications_total", "counter", "Change notifications, by direction.");
  out.sample("dcemu_notifications_total", with({{"direction", "sent"}}), static_cast<double>(notificationsSent_));
  out.sample("dcemu_notifications_total", with({{"direction", "received"}}),
             static_cast<double>(notificationsReceived_));

  out.family("dcemu_kdc_replies_total", "counter",
             "The KDC's answers to the hosts: AS exchanges and TGT renewals, by outcome (ok or the KRB-ERROR).");
  for (const auto& [key, count] : kdcReplies_)
    out.sample("dcemu_kdc_replies_total", with({{"exchange", key.first}, {"outcome", key.second}}),
               static_cast<double>(count));
  out.family("dcemu_dmsa_membership_writes_total", "counter",
             "Hosts adding their machine to a dMSA's msDS-GroupMSAMembership on this DC, by LDAP result.");
  for (const auto& [result, count] : membershipWrites_)
    out.sample("dcemu_dmsa_membership_writes_total", with({{"result", result}}), static_cast<double>(count));

  const ServerCounts& server = server_->counts();
  out.family("dcemu_rpc_connections_open", "gauge", "Open connections to the replication service.");
  out.sample("dcemu_rpc_connections_open", dc, static_cast<double>(server.connectionsOpen));
  out.family("dcemu_rpc_connections_accepted_total", "counter", "Connections accepted by the replication service.");
  out.sample("dcemu_rpc_connections_accepted_total", dc, static_cast<double>(server.connectionsAccepted));
  out.family("dcemu_rpc_connections_evicted_total", "counter",
             "Connections that had not authenticated, closed at the limit for a newcomer.");
  out.sample("dcemu_rpc_connections_evicted_total", dc, static_cast<double>(server.connectionsEvicted));
  out.family("dcemu_rpc_connections_refused_total", "counter",
             "Connections refused at the limit, every open one having authenticated.");
  out.sample("dcemu_rpc_connections_refused_total", dc, static_cast<double>(server.connectionsRefused));
  out.family("dcemu_rpc_authentication_failures_total", "counter", "Peers refused for a wrong cluster secret.");
  out.sample("dcemu_rpc_authentication_failures_total", dc, static_cast<double>(server.authenticationFailures));
  out.family("dcemu_rpc_get_nc_changes_served_total", "counter", "GetNCChanges requests this DC answered.");
  out.sample("dcemu_rpc_get_nc_changes_served_total", dc, static_cast<double>(server.requestsServed));

  out.family("dcemu_pull_duration_seconds", "histogram",
             "Wall-clock seconds from a pull's start to its end, link delays included.");
  pullSeconds_.write(out, "dcemu_pull_duration_seconds", dc);
  out.family("dcemu_rpc_serve_duration_seconds", "histogram",
             "Wall-clock seconds this DC took to answer an RPC call, by method: getNcChanges and the KDC's.");
  for (const auto& [method, histogram] : serveSeconds_)
    histogram.write(out, "dcemu_rpc_serve_duration_seconds", with({{"method", method}}));
  return out.text();
}

}  // namespace dcemu::live
