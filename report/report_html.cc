// The planning report as one self-contained HTML page: no network, no
// script libraries, inline SVG charts drawn here from the report's data.
// Per migration: membership coverage per site over time, each host's ACE
// on each DC over time with lost updates marked, and how long the start
// took to cross each site link; then the what-if table's failures by
// completion moment. A short inline script writes each chart's drawn box
// into the page (data-drawn) so that a headless browser can check it.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "report/report.h"
#include "scenario/units.h"

namespace dcemu::report {

namespace {

constexpr const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728"};
constexpr int kWidth = 960;
constexpr size_t kHostsDrawn = 40;
// Blocking and failing hosts are drawn beyond that, up to this many.
constexpr size_t kTroubledHostsDrawn = 200;
constexpr size_t kDcsDrawn = 12;

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Maps [from, to] onto [left, right] pixels.
struct Axis {
  int64_t from, to;
  double left, right;
  double at(int64_t t) const {
    if (to <= from) return left;
    return left + (right - left) * static_cast<double>(std::clamp(t, from, to) - from) / static_cast<double>(to - from);
  }
};

// Whether the host is allowed on every DC its locator may use, as a list of
// (time, allowed) changes, from its ACE history.
std::vector<std::pair<int64_t, bool>> coverageChanges(const ReportHost& host) {
  std::map<std::string, bool> present;
  std::vector<std::pair<int64_t, bool>> changes;
  bool covered = false;
  for (const ReportAceChange& c : host.aceHistory) {
    present[c.dc] = c.present;
    bool now = !host.locatorDcs.empty() && std::all_of(host.locatorDcs.begin(), host.locatorDcs.end(),
                                                       [&](const std::string& dc) { return present[dc]; });
    if (now != covered) changes.push_back({c.at, now});
    covered = now;
  }
  return changes;
}

class HtmlReport {
 public:
  explicit HtmlReport(const PlanningReport& report) : r_(report) {}

  std::string render() {
    out_ += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
    out_ += fmt::format("<title>dcemu planning report: {}</title>\n", escape(r_.file));
    out_ +=
        "<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:17px;"
        "margin-top:32px}h3{font-size:15px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;"
        "padding:3px 8px;text-align:left}th{background:#f3f3f3}svg{display:block;margin:8px 0;background:#fff}"
        "svg text{font:11px system-ui,sans-serif}.note{color:#555}.bad{color:#b00}.good{color:#070}</style>\n";
    out_ += "</head><body>\n";
    out_ += fmt::format("<h1>dcemu planning report</h1>\n<p>{} (seed {}), simulated from {} to {}</p>\n",
                        escape(r_.file), r_.seed, scenario::formatUtcInstant(r_.start), escape(at(r_.end)));
    decisions();
    for (const MigrationReport& m : r_.migrations) migration(m);
    failsRegardless();
    for (const ReportRodc& rodc : r_.rodcs) rodcPolicy(rodc);
    if (r_.whatIf) whatIf(*r_.whatIf);
    // Records each chart's drawn box, for checks in a headless browser.
    out_ +=
        "<script>for(const s of document.querySelectorAll('svg.chart')){const b=s.getBBox();"
        "s.dataset.drawn=Math.round(b.width)+'x'+Math.round(b.height);}</script>\n";
    out_ += "</body></html>\n";
    return out_;
  }

 private:
  std::string at(int64_t t) const { return scenario::formatMoment(t, r_.start); }
  std::string at(const std::optional<int64_t>& t) const { return t ? at(*t) : "-"; }

  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    out_ += "<table><tr>";
    for (const std::string& h : header) out_ += "<th>" + escape(h) + "</th>";
    out_ += "</tr>\n";
    for (const auto& row : rows) {
      out_ += "<tr>";
      for (const std::string& cell : row) out_ += "<td>" + escape(cell) + "</td>";
      out_ += "</tr>\n";
    }
    out_ += "</table>\n";
  }

  // Vertical lines at the migration's steps, labelled.
  void stepMarks(const MigrationReport& m, const Axis& x, int top, int bottom) {
    for (const ReportStep& step : m.steps) {
      double px = x.at(step.at);
      out_ += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>"
          "<text x=\"{3:.1f}\" y=\"{4}\">{5}</text>\n",
          px, top, bottom, px + 3, top + 10, escape(step.op));
    }
  }

  // The time axis under a chart: a tick and a label every day (every 6 h in
  // runs up to 2 days, every week beyond 20 days), from the simulated start.
  void timeAxis(const Axis& x, int y) {
    out_ += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/>\n", x.left, y, x.right, y);
    int64_t span = x.to - x.from;
    int64_t step = span > 20 * scenario::kMicrosPerDay  ? 7 * scenario::kMicrosPerDay
                   : span > 2 * scenario::kMicrosPerDay ? scenario::kMicrosPerDay
                                                        : scenario::kMicrosPerHour * 6;
    for (int64_t t = 0; t <= span; t += step)
      out_ += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#888\"/>"
          "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">+{4}</text>\n",
          x.at(x.from + t), y, y + 4, y + 15, scenario::formatDuration(t));
  }

  // The file's faults (light red) and closed schedule windows (grey) behind
  // a chart's rows [top, bottom]: faults only and full height when `dc` is
  // empty, else both where they cut off that DC.
  void shadePeriods(const Axis& x, double top, double bottom, const std::string& dc = {}) {
    for (const ReportPeriod& p : r_.periods) {
      // Across a whole chart only faults: a nightly link would grey most of it.
      if (dc.empty() && p.closedSchedule) continue;
      if (!dc.empty() && std::find(p.dcs.begin(), p.dcs.end(), dc) == p.dcs.end()) continue;
      out_ += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}: {} to "
          "{}</title></rect>\n",
          x.at(p.from), top, std::max(0.5, x.at(p.to) - x.at(p.from)), bottom - top,
          p.closedSchedule ? "#e8e8e8" : "#fbdcdc", escape(p.label), escape(at(p.from)), escape(at(p.to)));
    }
  }

  // One labelled row per fault and per link with a schedule, under a chart.
  int periodStrip(const Axis& x, int y) {
    std::vector<std::string> labels;
    for (const ReportPeriod& p : r_.periods)
      if (std::find(labels.begin(), labels.end(), p.label) == labels.end()) labels.push_back(p.label);
    for (size_t i = 0; i < labels.size(); ++i) {
      int rowY = y + static_cast<int>(i) * 12;
      out_ += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", x.left - 4, rowY + 9,
                          escape(labels[i]));
      for (const ReportPeriod& p : r_.periods)
        if (p.label == labels[i])
          out_ += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"9\" fill=\"{}\"/>\n", x.at(p.from),
                              rowY, std::max(0.5, x.at(p.to) - x.at(p.from)), p.closedSchedule ? "#aaa" : "#d62728");
    }
    return static_cast<int>(labels.size()) * 12;
  }

  void coverageChart(const MigrationReport& m) {
    std::map<std::string, std::vector<const ReportHost*>> bySite;
    for (const ReportHost& h : m.hosts) bySite[h.site].push_back(&h);
    if (bySite.empty()) return;
    std::set<std::string> labels;
    for (const ReportPeriod& p : r_.periods) labels.insert(p.label);
    const int top = 20, bottom = 180, height = 220 + static_cast<int>(labels.size()) * 12;
    Axis x{r_.start, r_.end, 130, kWidth - 150.0};
    out_ +=
        "<h3>Membership coverage per site</h3>\n<p class=\"note\">Share of each site's host services allowed by "
        "the membership on every DC their locator may use. Shaded: the file's faults; below the axis, a row for each "
        "fault (red) and for each site link's closed schedule windows (grey).</p>\n";
    out_ += fmt::format("<svg class=\"chart\" id=\"coverage-{}\" width=\"{}\" height=\"{}\">\n", escape(m.dmsa), kWidth,
                        height);
    shadePeriods(x, top, bottom);
    for (int pct : {0, 50, 100}) {
      double y = bottom - (bottom - top) * pct / 100.0;
      out_ += fmt::format(
          "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#eee\"/>"
          "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}%</text>\n",
          x.left, y, x.right, y, x.left - 4, y + 4, pct);
    }
    size_t colour = 0;
    for (const auto& [site, hosts] : bySite) {
      std::vector<std::pair<int64_t, int>> deltas;  // (time, +1 or -1)
      for (const ReportHost* h : hosts)
        for (const auto& [t, covered] : coverageChanges(*h)) deltas.push_back({t, covered ? 1 : -1});
      std::sort(deltas.begin(), deltas.end());
      std::string points = fmt::format("{:.1f},{}", x.left, bottom);
      int covered = 0;
      auto y = [&](int n) { return bottom - (bottom - top) * static_cast<double>(n) / hosts.size(); };
      for (const auto& [t, d] : deltas) {
        points += fmt::format(" {:.1f},{:.1f}", x.at(t), y(covered));
        covered += d;
        points += fmt::format(" {:.1f},{:.1f}", x.at(t), y(covered));
      }
      points += fmt::format(" {:.1f},{:.1f}", x.right, y(covered));
      const char* c = kColours[colour++ % std::size(kColours)];
      out_ += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n", c, points);
      out_ += fmt::format("<text x=\"{:.1f}\" y=\"{}\" fill=\"{}\">{} ({} hosts)</text>\n", x.right + 8,
                          top + 14 * colour, c, escape(site), hosts.size());
    }
    stepMarks(m, x, top, bottom);
    timeAxis(x, bottom);
    periodStrip(x, bottom + 22);
    out_ += "</svg>\n";
  }

  void presenceChart(const MigrationReport& m) {
    if (m.hosts.empty()) return;
    std::vector<std::string> dcs;
    for (const ReportDc& d : m.dcs)
      if (dcs.size() < kDcsDrawn) dcs.push_back(d.name);
    // Hosts that block the migration or failed after its completion are
    // always drawn, first; the others follow up to the cap.
    std::vector<size_t> order;
    auto troubled = [&](const ReportHost& h) {
      return std::any_of(m.blockers.begin(), m.blockers.end(),
                         [&](const ReportBlocker& b) { return b.host == h.host && b.service == h.service; }) ||
             std::any_of(m.failures.begin(), m.failures.end(),
                         [&](const ReportFailure& f) { return f.host == h.host && f.service == h.service; });
    };
    for (size_t h = 0; h < m.hosts.size(); ++h)
      if (troubled(m.hosts[h])) order.push_back(h);
    const size_t troubledCount = order.size();
    for (size_t h = 0; h < m.hosts.size(); ++h)
      if (!troubled(m.hosts[h])) order.push_back(h);
    size_t hosts = std::min(m.hosts.size(), std::max(kHostsDrawn, std::min(troubledCount, kTroubledHostsDrawn)));
    const int lane = 9, row = static_cast<int>(dcs.size()) * lane + 8, top = 10;
    const int height = top + static_cast<int>(hosts) * row + 30;
    Axis x{r_.start, r_.end, 130, kWidth - 110.0};
    out_ += fmt::format(
        "<h3>Each host's ACE on each DC</h3>\n<p class=\"note\">One band per host, one lane per "
        "DC (named on the right), green while the DC's membership allows the host; red marks: the ACE lost to a "
        "replication conflict; shaded: the DC cut off by a fault (red) or its site link's schedule closed "
        "(grey).{}</p>\n",
        m.hosts.size() > hosts ? fmt::format(" {} of {} hosts: the {} that block or failed first, then the others.",
                                             hosts, m.hosts.size(), troubledCount)
                               : "");
    out_ += fmt::format("<svg class=\"chart\" id=\"presence-{}\" width=\"{}\" height=\"{}\">\n", escape(m.dmsa), kWidth,
                        height);
    for (size_t h = 0; h < hosts; ++h) {
      const ReportHost& host = m.hosts[order[h]];
      int y0 = top + static_cast<int>(h) * row;
      out_ += fmt::format("<text x=\"4\" y=\"{}\">{}</text>\n", y0 + row / 2 + 3, escape(host.host));
      for (size_t d = 0; d < dcs.size(); ++d) {
        int y = y0 + static_cast<int>(d) * lane;
        shadePeriods(x, y, y + lane - 1, dcs[d]);
        out_ += fmt::format("<text x=\"{:.1f}\" y=\"{}\" style=\"font-size:8px\">{}</text>\n", x.right + 4,
                            y + lane - 1, escape(dcs[d]));
        // The start of the band being drawn; INT64_MIN while the ACE is
        // absent (an optional here draws GCC 12's false maybe-uninitialized).
        int64_t since = INT64_MIN;
        auto band = [&](int64_t from, int64_t to) {
          out_ += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"#2ca02c\"/>\n",
                              x.at(from), y, std::max(0.5, x.at(to) - x.at(from)), lane - 1);
        };
        for (const ReportAceChange& c : host.aceHistory) {
          if (c.dc != dcs[d]) continue;
          if (c.present && since == INT64_MIN) since = c.at;
          if (!c.present && since != INT64_MIN) band(since, c.at), since = INT64_MIN;
          if (c.lost)
            out_ += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"2\" height=\"{}\" fill=\"#d62728\"/>\n",
                                x.at(c.at) - 1, y - 1, lane + 1);
        }
        if (since != INT64_MIN) band(since, r_.end);
      }
    }
    stepMarks(m, x, top, height - 30);
    timeAxis(x, height - 30);
    out_ += "</svg>\n";
  }

  void crossingChart(const MigrationReport& m) {
    if (m.startCrossings.empty()) return;
    int64_t longest = 1;
    for (const ReportLinkDelay& c : m.startCrossings) longest = std::max(longest, c.delay);
    const int bar = 18, height = static_cast<int>(m.startCrossings.size()) * (bar + 6) + 10;
    out_ += "<h3>How long the start took to cross each site link</h3>\n";
    out_ += fmt::format("<svg class=\"chart\" id=\"crossings-{}\" width=\"{}\" height=\"{}\">\n", escape(m.dmsa),
                        kWidth, height);
    for (size_t i = 0; i < m.startCrossings.size(); ++i) {
      const ReportLinkDelay& c = m.startCrossings[i];
      int y = 5 + static_cast<int>(i) * (bar + 6);
      double w = std::max(1.0, 500.0 * static_cast<double>(c.delay) / static_cast<double>(longest));
      out_ += fmt::format(
          "<text x=\"4\" y=\"{}\">{} ({} to {})</text><rect x=\"300\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" "
          "fill=\"#1f77b4\"/><text x=\"{:.1f}\" y=\"{}\">{}</text>\n",
          y + 13, escape(c.link), escape(c.from), escape(c.to), y, w, bar, 306 + w, y + 13,
          scenario::formatDuration(c.delay / scenario::kMicrosPerSecond * scenario::kMicrosPerSecond));
    }
    out_ += "</svg>\n";
  }

  // GO or NO-GO per migration, first, as in the text.
  void decisions() {
    if (r_.migrations.empty()) return;
    std::vector<std::vector<std::string>> rows;
    for (const MigrationReport& m : r_.migrations) {
      std::string why = m.decision.reason;
      for (const std::string& note : m.decision.notes) why += " (" + note + ")";
      rows.push_back({m.decision.go ? "GO" : "NO-GO", m.dmsa, at(m.decision.completeFrom), why});
    }
    out_ += "<h2 id=\"decisions\">Decisions</h2>\n";
    table({"decision", "migration", "complete from", "why"}, rows);
  }

  void failsRegardless() {
    if (r_.failsRegardless.empty()) return;
    std::vector<std::vector<std::string>> rows;
    for (const ReportFailurePeriod& p : r_.failsRegardless)
      rows.push_back({p.host, p.service, p.dmsa.empty() ? "-" : p.dmsa, at(p.from), at(p.to), std::to_string(p.count),
                      p.dc.empty() ? "-" : p.dc, p.reason});
    out_ += "<h2 id=\"fails-regardless\">Failed logons regardless of a migration</h2>\n";
    table({"host", "service", "migration", "from", "to", "failures", "DC", "cause"}, rows);
  }

  void rodcPolicy(const ReportRodc& rodc) {
    auto names = [](const std::vector<std::string>& list) {
      return list.empty() ? std::string("-") : fmt::format("{}", fmt::join(list, ", "));
    };
    auto survives = [](const RodcAccountState& a) {
      return a.cached ? "yes: cached" : a.allowed ? "once cached (allowed)" : "no: " + a.refusal;
    };
    out_ += fmt::format("<h2 id=\"rodc-{}\">RODC {} in {}: password replication policy</h2>\n", escape(rodc.name),
                        escape(rodc.name), escape(rodc.site));
    table({"allowed", "denied", "cached"}, {{names(rodc.allowed), names(rodc.denied), names(rodc.cached)}});
    std::vector<std::vector<std::string>> rows;
    for (const RodcHostService& hs : rodc.hostServices)
      rows.push_back({hs.host, hs.service, hs.now.account + ": " + survives(hs.now),
                      hs.dmsa ? hs.dmsa->account + ": " + survives(*hs.dmsa) : "-"});
    if (!rows.empty())
      table({"host", "service", "logs on through a WAN outage", "after completion, as the dMSA"}, rows);
    for (const std::string& line : rodc.advice) out_ += fmt::format("<p class=\"note\">{}</p>\n", escape(line));
  }

  void migration(const MigrationReport& m) {
    out_ += fmt::format("<h2>{} superseding {}</h2>\n", escape(m.dmsa), escape(m.account));
    std::vector<std::vector<std::string>> steps;
    for (const ReportStep& s : m.steps) steps.push_back({s.op, s.dc, at(s.at)});
    if (!steps.empty()) table({"step", "DC", "at"}, steps);
    if (m.hosts.empty())
      out_ += "<p class=\"good\">No host runs a service as this account: safe from the start.</p>\n";
    else if (m.safeFrom)
      out_ += fmt::format("<p class=\"good\">Safe from {}.</p>\n", escape(at(*m.safeFrom)));
    else
      out_ += fmt::format("<p class=\"bad\">Not safe at {}. What blocks it:</p>\n", escape(at(r_.end)));
    if (!m.blockers.empty()) {
      std::vector<std::vector<std::string>> rows;
      for (const BlockerGroup& g : groupBlockers(m.blockers))
        rows.push_back({g.first->host, g.first->service, g.dcs, at(g.first->nextLogon), g.first->reason});
      table({"host", "service", "missing on", "next logon", "reason"}, rows);
    }
    if (!m.failures.empty()) {
      std::vector<std::vector<std::string>> rows;
      for (const ReportFailure& f : m.failures)
        rows.push_back({f.host, f.service, at(f.at), f.dc, std::to_string(f.count), f.reason});
      out_ += "<h3>Logons that failed after completion</h3>\n";
      table({"host", "service", "first failed", "DC", "failures", "reason"}, rows);
    }
    coverageChart(m);
    presenceChart(m);
    crossingChart(m);
  }

  void whatIf(const WhatIfTable& t) {
    if (t.moments.empty()) return;
    out_ += "<h2>What if each migration were completed at another moment</h2>\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : t.earliest)
      rows.push_back({e.dmsa, e.at ? at(*e.at) : "none in the window", at(e.lastFailing),
                      e.at ? (e.staysSafe ? "yes" : "no") : "-"});
    table({"migration", "earliest completion with no failing host", "last moment with a failure", "stays safe after"},
          rows);
    // One row per migration, each on its own scale: one migration's many
    // failures would flatten the others' on a shared one.
    std::vector<std::string> names;
    for (const WhatIfMoment& moment : t.moments)
      for (const auto& o : moment.outcomes)
        if (std::find(names.begin(), names.end(), o.dmsa) == names.end()) names.push_back(o.dmsa);
    const int rowHeight = 70, gap = 14, top = 10;
    const int height = top + static_cast<int>(names.size()) * (rowHeight + gap) + 24;
    Axis x{r_.start, r_.end, 130, kWidth - 40.0};
    double barWidth = std::max(1.0, (x.right - x.left) / static_cast<double>(t.moments.size()) * 0.7);
    out_ += "<h3>Host services that would fail, by completion moment</h3>\n";
    out_ +=
        "<p class=\"note\">One row per migration, each on its own scale (its largest count at the top); a "
        "full-height grey bar: the completion would be refused. Shaded: the file's faults.</p>\n";
    out_ += fmt::format("<svg class=\"chart\" id=\"what-if\" width=\"{}\" height=\"{}\">\n", kWidth, height);
    for (size_t k = 0; k < names.size(); ++k) {
      int rowTop = top + static_cast<int>(k) * (rowHeight + gap), rowBottom = rowTop + rowHeight;
      size_t most = 1;
      for (const WhatIfMoment& moment : t.moments)
        for (const auto& o : moment.outcomes)
          if (o.dmsa == names[k]) most = std::max(most, o.failures.size());
      shadePeriods(x, rowTop, rowBottom);
      const char* colour = kColours[k % std::size(kColours)];
      out_ += fmt::format(
          "<text x=\"{0}\" y=\"{1}\" fill=\"{2}\">{3}</text><text x=\"{4}\" y=\"{5}\" "
          "text-anchor=\"end\">{6}</text><text x=\"{4}\" y=\"{7}\" text-anchor=\"end\">0</text>"
          "<line x1=\"{8}\" y1=\"{7}\" x2=\"{9}\" y2=\"{7}\" stroke=\"#ccc\"/>\n",
          4, rowTop + rowHeight / 2 + 4, colour, escape(names[k]), x.left - 4, rowTop + 9, most, rowBottom, x.left,
          x.right);
      for (const WhatIfMoment& moment : t.moments) {
        for (const auto& o : moment.outcomes) {
          if (o.dmsa != names[k]) continue;
          double h = rowHeight * static_cast<double>(o.refused ? most : o.failures.size()) / most;
          out_ += fmt::format(
              "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
              "<title>{}: {} at {}</title></rect>\n",
              x.at(moment.at) - barWidth / 2, rowBottom - h, barWidth, std::max(h, 0.0), o.refused ? "#999" : colour,
              escape(o.dmsa), o.refused ? "refused" : std::to_string(o.failures.size()), escape(at(moment.at)));
        }
      }
    }
    timeAxis(x, height - 24);
    out_ += "</svg>\n";
  }

  const PlanningReport& r_;
  std::string out_;
};

}  // namespace

std::string reportHtml(const PlanningReport& report) {
  return HtmlReport(report).render();
}

}  // namespace dcemu::report
