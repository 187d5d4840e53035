// dcemu topology, repadmin and get: each builds the world from the
// file and reads it as the matching Windows tool would.
#include "cli/commands.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/command_support.h"
#include "dc/text.h"
#include "replication/repadmin.h"
#include "report/object_text.h"
#include "scenario/layout.h"
#include "scenario/loader.h"
#include "scenario/nearest_name.h"
#include "scenario/scenario.h"
#include "scenario/units.h"
#include "sim/world.h"

namespace dcemu::cli {

CommandOutput topologyCommand(const std::string& file, bool dot) {
  CommandOutput output;
  std::optional<scenario::Scenario> scenario = loadForCommand(file, output);
  if (!scenario) return output;
  auto origin = scenario::provisionOrigin(*scenario, scenario->seed);
  if (!origin) {
    output.err += fmt::format("{}: cannot simulate: {}\n", file, origin.status().message());
    output.exitCode = 1;
    return output;
  }
  const scenario::Scenario& s = *scenario;
  // What the configuration NC holds, read back as repadmin /showconn would.
  // The first writable DC, which provisions the forest, holds every DC's
  // connection objects.
  const dc::Directory& dir = *(*origin)->directory;
  struct Row {
    int destination;
    std::string name, source, transport;
  };
  std::vector<Row> rows;
  const int dcCount = static_cast<int>(s.dcs.size());
  for (int i = 0; i < dcCount; ++i) {
    std::string settings =
        fmt::format("CN=NTDS Settings,CN={},CN=Servers,CN={},CN=Sites,{}", s.dcs[i].name, s.sites[s.dcs[i].site].name,
                    dir.namingContextDn(dc::NamingContext::Configuration).toString());
    for (const std::string& child : dir.childrenOf(settings)) {
      auto obj = dir.read(child);
      if (!obj) continue;
      auto from = dir.values(*obj, "fromServer");
      auto transport = dir.values(*obj, "transportType");
      std::string source = from && !from->empty() ? from->front() : "?";
      // CN=NTDS Settings,CN=<server>,CN=Servers,CN=<site>,...: "Site\Server".
      auto server = dc::Dn::parse(source);
      std::string label = source;
      if (server && server->rdns().size() > 3)
        label = fmt::format("{}\\{}", server->rdns()[3].value, server->rdns()[1].value);
      rows.push_back({i, dc::Dn::parse(child)->rdns()[0].value, label,
                      transport && !transport->empty() ? "IP (inter-site)" : "RPC (intra-site)"});
    }
  }
  if (dot) {
    std::string out = "digraph topology {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n";
    for (size_t site = 0; site < s.sites.size(); ++site) {
      out += fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n", s.sites[site].name, s.sites[site].name);
      for (const scenario::DcSpec& d : s.dcs)
        if (d.site == static_cast<int>(site))
          out += fmt::format("    \"{}\" [label=\"{}{}\"];\n", d.name, d.name, d.rodc ? " (RODC)" : "");
      out += "  }\n";
    }
    for (const Row& row : rows) {
      std::string source = row.source.substr(row.source.find('\\') + 1);
      bool inter = row.transport.starts_with("IP");
      out += fmt::format("  \"{}\" -> \"{}\"{};\n", source, s.dcs[row.destination].name,
                         inter ? " [style=bold, color=blue]" : "");
    }
    for (const scenario::SiteLink& link : s.siteLinks) {
      out += fmt::format("  // site link {}: cost {}, every {}{}\n", link.name, link.cost,
                         scenario::formatDuration(link.interval), link.schedule.isAlways() ? "" : ", scheduled");
      for (size_t a = 0; a + 1 < link.sites.size(); ++a) {
        // Site links join clusters: drawn between the first DC of each site.
        auto firstDc = [&](int site) -> std::string {
          for (const scenario::DcSpec& d : s.dcs)
            if (d.site == site) return d.name;
          return "";
        };
        out += fmt::format("  \"{}\" -> \"{}\" [dir=none, style=dashed, color=gray, label=\"{} ({})\"];\n",
                           firstDc(link.sites[a]), firstDc(link.sites[a + 1]), link.name, link.cost);
      }
    }
    output.out = out + "}\n";
    return output;
  }
  std::string out;
  for (int i = 0; i < dcCount; ++i) {
    const replication::DsaInfo& info = (*origin)->layout.dsaInfos[i];
    out += fmt::format("{}\\{}\nDSA Options: {}\nDSA object GUID: {}\nDSA invocationID: {}\n\n", info.site, info.name,
                       info.readOnly ? "DISABLE_OUTBOUND_REPL IS_RODC" : "IS_GC", info.dsa.toString(),
                       info.invocationIds.front().toString());
    out += "==== KCC CONNECTION OBJECTS ============================================\n";
    int count = 0;
    for (const Row& row : rows) {
      if (row.destination != i) continue;
      ++count;
      out += fmt::format(
          "Connection --\n    Connection name : {}\n        Source: {}\n        TransportType: {}\n"
          "        options: isGenerated\n",
          row.name, row.source, row.transport);
    }
    out += fmt::format("{} connections found.\n\n", count);
  }
  output.out = out;
  return output;
}

CommandOutput repadminCommand(const std::string& file, const RepadminOptions& options) {
  CommandOutput output;
  std::optional<scenario::Scenario> scenario = loadForCommand(file, output);
  if (!scenario) return output;
  auto at = momentOption("--at", options.at, scenario->start, output);
  if (!at) return output;
  auto world = worldForCommand(file, *scenario, options.seed.value_or(scenario->seed), output);
  if (!world) return output;
  world->runUntil(*at);
  replication::DsaNames names = world->dsaNames();
  std::vector<int> dcs;
  if (!options.dc.empty()) {
    int index = world->dcIndex(options.dc);
    if (index < 0) {
      output.err += fmt::format("--dc \"{}\": no such DC in {}\n", options.dc, file);
      output.exitCode = 2;
      return output;
    }
    dcs.push_back(index);
  } else if (options.view == "showobjmeta" || options.view == "showutdvec") {
    output.err += fmt::format("repadmin {}: --dc is required\n", options.view);
    output.exitCode = 2;
    return output;
  } else {
    for (int i = 0; i < world->dcCount(); ++i) dcs.push_back(i);
  }
  auto view = [&](int i) { return replication::DcView{world->directory(i), &world->dsaInfo(i)}; };
  auto emit = [&](const dc::Result<std::string>& text) {
    if (text) {
      output.out += *text;
    } else {
      output.err += text.status().message() + "\n";
      output.exitCode = 1;
    }
  };
  for (int i : dcs) {
    if (!world->directory(i)) {
      output.err += fmt::format("{}: the DC is down at {}\n", world->dsaInfo(i).name, options.at);
      output.exitCode = 1;
      return output;
    }
  }
  if (options.view == "showrepl") {
    for (int i : dcs) emit(replication::showRepl(view(i), names, options.csv));
  } else if (options.view == "replsummary") {
    std::vector<replication::DcView> views;
    for (int i : dcs) views.push_back(view(i));
    emit(replication::replSummary(views, world->now()));
  } else if (options.view == "showobjmeta") {
    if (options.object.empty()) {
      output.err += "repadmin showobjmeta: --object is required\n";
      output.exitCode = 2;
      return output;
    }
    auto dn = world->objectDn(dcs.front(), options.object);
    if (!dn) {
      output.err += fmt::format("--object \"{}\": {}\n", options.object, dn.status().message());
      output.exitCode = 1;
      return output;
    }
    emit(replication::showObjMeta(view(dcs.front()), names, *dn));
  } else if (options.view == "showutdvec") {
    std::optional<dc::NamingContext> nc;
    for (auto candidate : {dc::NamingContext::Domain, dc::NamingContext::Configuration, dc::NamingContext::Schema})
      if (dc::toLower(options.namingContext) == dc::namingContextName(candidate)) nc = candidate;
    if (!nc) {
      output.err += fmt::format("--nc \"{}\": use domain, configuration or schema\n", options.namingContext);
      output.exitCode = 2;
      return output;
    }
    emit(replication::showUtdVec(view(dcs.front()), names, *nc));
  } else {
    output.err += fmt::format("repadmin: unknown view \"{}\" (use showrepl, replsummary, showobjmeta or showutdvec)\n",
                              options.view);
    output.exitCode = 2;
  }
  return output;
}

CommandOutput getCommand(const std::string& file, const GetOptions& options) {
  CommandOutput output;
  std::optional<scenario::Scenario> loaded = loadForCommand(file, output);
  if (!loaded) return output;
  const scenario::Scenario& scenario = *loaded;
  auto at = momentOption("--at", options.at, scenario.start, output);
  if (!at) return output;
  if (*at > scenario.effectiveDuration()) {
    output.err += fmt::format("--at \"{}\": after the file's end at {}\n", options.at,
                              scenario::formatMoment(scenario.start + scenario.effectiveDuration(), scenario.start));
    output.exitCode = 2;
    return output;
  }
  int index = scenario.dcIndex(options.dc);
  if (index < 0) {
    output.err += fmt::format("--dc \"{}\": no such DC in {}\n", options.dc, file);
    output.exitCode = 2;
    return output;
  }
  const dc::Schema& schema = dc::Schema::builtin();
  for (const std::string& name : options.attributes) {
    if (!schema.attribute(name)) {
      output.err += fmt::format("attribute \"{}\": no such attribute in the schema\n", name);
      output.exitCode = 2;
      return output;
    }
  }
  auto world = worldForCommand(file, scenario, options.seed.value_or(scenario.seed), output);
  if (!world) return output;
  world->runUntil(*at);
  const dc::Directory* dir = world->directory(index);
  if (!dir) {
    output.err += fmt::format("{}: the DC is down at {}\n", scenario.dcs[index].name,
                              scenario::formatMoment(scenario.start + *at, scenario.start));
    output.exitCode = 1;
    return output;
  }
  auto dn = world->objectDn(index, options.object);
  auto object = dn ? dir->read(*dn) : dc::Result<dc::Object>(dn.status());
  if (!object) {
    // A name (not a DN) the file does not give: the nearest one it does.
    std::string hint;
    if (options.object.find('=') == std::string::npos) {
      std::vector<std::string> names;
      for (const auto& d : scenario.dmsas) names.push_back(d.name);
      for (const auto& a : scenario.serviceAccounts) names.push_back(a.name);
      for (const auto& u : scenario.users) names.push_back(u.name);
      for (const auto& g : scenario.groups) names.push_back(g.name);
      for (const auto& group : scenario.hostGroups)
        for (const std::string& host : group.hostNames()) names.push_back(host);
      hint = scenario::nearestKeyHint(options.object, names);
    }
    output.err +=
        fmt::format("\"{}\" on {}: {}{}\n", options.object, scenario.dcs[index].name, object.status().message(), hint);
    output.exitCode = 1;
    return output;
  }
  output.out = fmt::format("{} on {} at {}\n", *dn, scenario.dcs[index].name,
                           scenario::formatMoment(scenario.start + *at, scenario.start)) +
               report::objectText(*dir, *object, options.attributes);
  return output;
}

}  // namespace dcemu::cli
