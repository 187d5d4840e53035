// The topology file's timeline on a live node: each [[fault]] as this DC
// sees it (a cut link or site for everyone, dc-down, replication-broken
// and clock-skew for the DC it names) and each [[step]] run on this DC, at
// its moment of simulated time. Steps go through the same operations as
// `dcemu ctl`. A node that starts after a moment does not run what was due
// then, as a DC that was off would not have; a fault that is on when it
// starts is on.
#include <fmt/format.h>

#include "dc/text.h"
#include "live/live_node.h"
#include "replication/win32.h"
#include "scenario/provision.h"
#include "scenario/scenario.h"

namespace dcemu::live {

void LiveNode::scheduleTimeline() {
  const int64_t now = this->now();
  for (size_t id = 0; id < scenario_.faults.size(); ++id) {
    const scenario::Fault& fault = scenario_.faults[id];
    if (fault.kind == "usn-rollback" || fault.kind == "random-partitions" || fault.kind == "connection-broken") {
      log(fmt::format("line {}: {} faults are not run live", fault.where.line, fault.kind));
      continue;
    }
    int64_t from = scenario_.start + fault.from, to = scenario_.start + fault.to;
    if (to <= now) continue;
    if (from <= now) {
      runFault(fault, static_cast<int>(id), true);
    } else {
      at(from, [this, &fault, id] { runFault(fault, static_cast<int>(id), true); });
    }
    at(to, [this, &fault, id] { runFault(fault, static_cast<int>(id), false); });
  }
  for (const scenario::Step& step : scenario_.steps) {
    const std::string& dc = step.action == "replicate" ? step.to : step.dc;
    if (scenario_.dcIndex(dc) != index_ || scenario_.start + step.at <= now) continue;
    at(scenario_.start + step.at, [this, &step] { runStep(step); });
  }
}

void LiveNode::runFault(const scenario::Fault& fault, int id, bool on) {
  const bool mine = !fault.dc.empty() && scenario_.dcIndex(fault.dc) == index_;
  if (fault.kind == "partition") {
    network_.partitionLink(scenario_.linkIndex(fault.link), on);
  } else if (fault.kind == "isolate-site") {
    network_.isolateSite(scenario_.siteIndex(fault.site), on);
  } else if (fault.kind == "slow-link") {
    network_.slowLink(scenario_.linkIndex(fault.link), id, on ? std::optional<int64_t>(fault.latency) : std::nullopt);
  } else if (fault.kind == "replication-broken" && mine) {
    node_->replication().broken += on ? 1 : -1;
  } else if (fault.kind == "clock-skew" && mine) {
    clock_.setSkew(on ? fault.offset : 0);
  } else if (fault.kind == "dc-down" && mine) {
    // The process stays, as a supervisor would otherwise restart it: it
    // stops replicating and answering, and starts again as a DC does.
    if (on) {
      node_->stop();
    } else {
      node_->start();
      node_->replication().pullFromEveryPartner(node::PullReason::Restart);
    }
  } else {
    return;
  }
  log(fmt::format("line {}: {} {}", fault.where.line, fault.kind, on ? "begins" : "ends"));
}

// The DN a step names: its `dn` (relative to the domain), or the object its
// `object` label gave at provisioning or at an earlier ldap-add.
std::optional<std::string> LiveNode::stepDn(const scenario::Step& step) const {
  if (step.object.empty()) return step.dn;
  std::string label = dc::toLower(step.object);
  if (auto added = addedLabels_.find(label); added != addedLabels_.end()) return added->second;
  if (auto guid = layout_.objects.find(label); guid != layout_.objects.end())
    if (auto dn = node_->directory()->dnOf(guid->second)) return *dn;
  return std::nullopt;
}

void LiveNode::runStep(const scenario::Step& step) {
  std::vector<std::string> args;
  auto values = [&](const char* kind, const scenario::AttributeValues& attributes) {
    for (const auto& [name, list] : attributes) {
      if (list.empty()) args.push_back(fmt::format("{}{}=", kind, name));
      for (const std::string& value : list) args.push_back(fmt::format("{}{}={}", kind, name, value));
    }
  };
  const std::string& action = step.action;
  std::optional<std::string> dn = stepDn(step);
  if (action == "ldap-add") {
    args = {"add", step.dn};
    values("", step.attrs);
    if (!step.id.empty()) addedLabels_[dc::toLower(step.id)] = step.dn;
  } else if (action == "ldap-modify" && dn) {
    args = {"modify", *dn};
    values("replace:", step.replace);
    values("add:", step.add);
    values("delete:", step.remove);
  } else if (action == "ldap-delete" && dn) {
    args = {"delete", *dn};
    if (step.tree) args.push_back("tree");
  } else if (action == "ldap-rename" && dn) {
    args = {"rename", *dn, step.newDn};
  } else if (action == "replicate") {
    args = {"replicate", step.from};
    if (step.forced) args.push_back("force");
    if (step.full) args.push_back("full");
  } else if (action == "disable-replication" || action == "enable-replication") {
    args = {action, step.direction.empty() ? "both" : step.direction};
  } else if (action.ends_with("-migration")) {
    args = {action, step.dmsa};
    if (!step.superseded.empty()) args.push_back(step.superseded);
  } else if (action == "new-dmsa") {
    const scenario::DmsaSpec* spec = nullptr;
    for (const scenario::DmsaSpec& dmsa : scenario_.dmsas)
      if (dc::toLower(dmsa.name) == dc::toLower(step.dmsa)) spec = &dmsa;
    std::string dmsaDn = scenario::dmsaDn(scenario_, *spec);
    auto added = node_->directory()->add(dmsaDn, scenario::dmsaAttributes(*spec),
                                         scenario::administratorOf(*node_->directory()));
    if (added) originated(dmsaDn, {"objectClass"});
    log(fmt::format("line {}: new-dmsa {}: {}", step.where.line, spec->name,
                    added ? "ok" : "refused: " + added.status().toString()));
    return;
  } else {
    log(fmt::format("line {}: {} steps are not run live", step.where.line, action));
    return;
  }
  if (!node_->replication().up()) {
    log(fmt::format("line {}: {}: refused: {} is down", step.where.line, action, nameOf(index_)));
    return;
  }
  auto [code, text] = command(args);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  log(fmt::format("line {}: {}: {}{}", step.where.line, action, code == 0 ? "" : "error: ", text));
}

}  // namespace dcemu::live
