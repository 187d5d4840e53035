// The aggregate of a sweep's records: per migration, the distribution of
// "safe from", lost ACEs per seed, the chance of a failed host after the
// file's own completion and at each what-if moment (95 % Wilson score
// intervals), and the hosts that failed in how many seeds. Rendered as
// JSON, as the text `dcemu sweep` prints, and as an HTML page with the
// safe-from distribution and the failure-probability curve.
#include "report/sweep_aggregate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "scenario/units.h"

namespace dcemu::report {

namespace {

using Json = nlohmann::ordered_json;

struct Proportion {
  size_t k = 0, n = 0;
  double p() const { return n ? static_cast<double>(k) / static_cast<double>(n) : 0; }
  // The Wilson score interval at 95 % (z = 1.959964).
  std::pair<double, double> wilson() const {
    if (n == 0) return {0, 0};
    const double z = 1.959964, nn = static_cast<double>(n), phat = p();
    double denominator = 1 + z * z / nn;
    double centre = (phat + z * z / (2 * nn)) / denominator;
    double half = z * std::sqrt(phat * (1 - phat) / nn + z * z / (4 * nn * nn)) / denominator;
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
  }
};

// Six decimals: enough for any sweep's resolution, the same bytes everywhere.
double rounded(double x) {
  return std::round(x * 1e6) / 1e6;
}

// Nearest-rank percentile of sorted values.
int64_t percentile(const std::vector<int64_t>& sorted, int p) {
  size_t rank = static_cast<size_t>(std::ceil(static_cast<double>(p) / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

struct MigrationStats {
  std::string dmsa;
  std::vector<int64_t> safeFrom;  // seconds since the start, seeds where it became safe
  size_t seeds = 0;
  std::vector<int64_t> lost;  // ACEs lost, per seed
  Proportion afterCompletion;
  std::map<std::string, size_t> hostsFailed;  // "host service" → seeds
  std::map<int64_t, Proportion> whatIf;       // complete_at seconds → seeds with a failing host
};

std::optional<int64_t> seconds(const Json& time) {
  if (time.is_null()) return std::nullopt;
  return time.at("since_start_s").get<int64_t>();
}

Json distribution(std::vector<int64_t> values) {
  if (values.empty()) return Json();
  std::sort(values.begin(), values.end());
  return Json{{"min", values.front()},
              {"median", percentile(values, 50)},
              {"p95", percentile(values, 95)},
              {"max", values.back()}};
}

Json proportion(const Proportion& p) {
  auto [low, high] = p.wilson();
  return Json{{"seeds", p.n},
              {"seeds_with_failure", p.k},
              {"probability", rounded(p.p())},
              {"wilson95_low", rounded(low)},
              {"wilson95_high", rounded(high)}};
}

std::string percent(double x) {
  return fmt::format("{:.1f} %", 100 * x);
}

std::string html(const std::string& file, size_t seeds, const std::vector<MigrationStats>& stats, int64_t start);

}  // namespace

uint64_t fileHash(const std::string& bytes) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

std::string manifestJson(const ShardManifest& m) {
  Json out;
  out["format"] = "dcemu-sweep-shard";
  out["version"] = 1;
  out["file"] = m.file;
  out["file_hash"] = fmt::format("{:016x}", m.fileHash);
  out["first_seed"] = m.firstSeed;
  out["seeds"] = m.seeds;
  out["shard"] = m.shard;
  out["shards"] = m.shards;
  return out.dump(2) + "\n";
}

dc::Result<ShardManifest> parseManifest(const std::string& text, const std::string& where) {
  auto bad = [&](const std::string& why) {
    return dc::Status(dc::LdapResult::other, fmt::format("{}: {}", where, why));
  };
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return bad("not JSON");
  if (json.value("format", "") != "dcemu-sweep-shard" || json.value("version", 0) != 1)
    return bad("not a dcemu sweep shard manifest (version 1)");
  ShardManifest m;
  try {
    m.file = json.at("file").get<std::string>();
    m.fileHash = std::stoull(json.at("file_hash").get<std::string>(), nullptr, 16);
    m.firstSeed = json.at("first_seed").get<uint64_t>();
    m.seeds = json.at("seeds").get<uint64_t>();
    m.shard = json.at("shard").get<unsigned>();
    m.shards = json.at("shards").get<unsigned>();
  } catch (const std::exception& e) {
    return bad(std::string("a field is missing or of the wrong type: ") + e.what());
  }
  if (m.shards == 0 || m.shard >= m.shards) return bad(fmt::format("shard {}/{} is not a shard", m.shard, m.shards));
  return m;
}

dc::Status SweepAggregator::add(std::string_view text) {
  Json record = Json::parse(text, nullptr, false);
  if (record.is_discarded() || !record.contains("seed") || !record.contains("report"))
    return dc::Status(dc::LdapResult::other, "a seed's record is not a dcemu sweep record");
  SeedFacts facts;
  uint64_t seed = 0;
  try {
    seed = record.at("seed").get<uint64_t>();
    const Json& report = record.at("report");
    scenario::Parsed<int64_t> began = scenario::parseUtcInstant(report.at("start").at("utc").get<std::string>());
    if (auto* when = std::get_if<int64_t>(&began)) facts.start = *when;
    facts.problem = !record.at("findings").empty() || !record.at("converged").get<bool>();
    for (const Json& m : report.at("migrations")) {
      MigrationFacts migration;
      migration.dmsa = m.at("dmsa").get<std::string>();
      migration.safeFrom = seconds(m.at("safe_from"));
      migration.lost = static_cast<int64_t>(m.at("lost_aces").size());
      migration.completed = !m.at("completed").is_null();
      for (const Json& f : m.at("failures"))
        migration.failed.push_back(f.at("host").get<std::string>() + " " + f.at("service").get<std::string>());
      facts.migrations.push_back(std::move(migration));
    }
    if (!report.at("what_if").is_null()) {
      for (const Json& moment : report.at("what_if").at("moments")) {
        int64_t at = *seconds(moment.at("complete_at"));
        for (const Json& o : moment.at("outcomes"))
          facts.whatIf.push_back(
              {o.at("dmsa").get<std::string>(), at, o.at("refused").get<bool>() || !o.at("failures").empty()});
      }
    }
  } catch (const std::exception& e) {
    return dc::Status(dc::LdapResult::other, std::string("a seed's record is malformed: ") + e.what());
  }
  seeds_[seed] = std::move(facts);
  return dc::Status::ok();
}

dc::Result<SweepAggregate> SweepAggregator::finish(const ShardManifest& manifest) const {
  std::vector<MigrationStats> stats;
  size_t problems = 0;
  int64_t start = 0;
  for (const auto& [seed, facts] : seeds_) {
    start = facts.start;
    if (facts.problem) ++problems;
    for (const MigrationFacts& m : facts.migrations) {
      auto it = std::find_if(stats.begin(), stats.end(), [&](const MigrationStats& s) { return s.dmsa == m.dmsa; });
      if (it == stats.end()) it = stats.insert(stats.end(), MigrationStats{m.dmsa, {}, 0, {}, {}, {}, {}});
      ++it->seeds;
      if (m.safeFrom) it->safeFrom.push_back(*m.safeFrom);
      it->lost.push_back(m.lost);
      if (m.completed) {
        ++it->afterCompletion.n;
        if (!m.failed.empty()) ++it->afterCompletion.k;
      }
      for (const std::string& hostService : m.failed) ++it->hostsFailed[hostService];
    }
    for (const WhatIfFact& w : facts.whatIf) {
      for (MigrationStats& s : stats) {
        if (s.dmsa != w.dmsa) continue;
        Proportion& p = s.whatIf[w.at];
        ++p.n;
        if (w.failed) ++p.k;
      }
    }
  }
  const size_t seedCount = seeds_.size();

  Json out;
  out["format"] = "dcemu-sweep-aggregate";
  out["version"] = 1;
  out["file"] = manifest.file;
  out["file_hash"] = fmt::format("{:016x}", manifest.fileHash);
  out["first_seed"] = manifest.firstSeed;
  out["seeds"] = seedCount;
  out["start_utc"] = scenario::formatUtcInstant(start);
  out["seeds_with_problems"] = problems;
  out["migrations"] = Json::array();
  std::string text = fmt::format("dcemu sweep {}: seeds {} to {} ({} seeds)\n", manifest.file, manifest.firstSeed,
                                 manifest.firstSeed + manifest.seeds - 1, seedCount);
  text += fmt::format(
      "problems    {} seeds with refused steps, failed expectations or replicas that did not converge\n", problems);
  auto at = [&](int64_t s) { return scenario::formatMoment(start + s * scenario::kMicrosPerSecond, start); };
  for (const MigrationStats& s : stats) {
    Json m;
    m["dmsa"] = s.dmsa;
    m["seeds"] = s.seeds;
    m["safe_from_s"] = distribution(s.safeFrom);
    m["seeds_never_safe"] = s.seeds - s.safeFrom.size();
    Json lost = distribution(s.lost);
    lost["seeds_with_loss"] = std::count_if(s.lost.begin(), s.lost.end(), [](int64_t n) { return n > 0; });
    m["lost_aces_per_seed"] = lost;
    m["after_completion"] = s.afterCompletion.n ? proportion(s.afterCompletion) : Json();
    std::vector<std::pair<std::string, size_t>> hosts(s.hostsFailed.begin(), s.hostsFailed.end());
    std::stable_sort(hosts.begin(), hosts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    m["hosts_failed"] = Json::array();
    for (const auto& [host, seeds] : hosts) {
      auto space = host.find(' ');
      m["hosts_failed"].push_back(
          {{"host", host.substr(0, space)}, {"service", host.substr(space + 1)}, {"seeds", seeds}});
    }
    m["what_if"] = Json::array();
    for (const auto& [moment, p] : s.whatIf) {
      Json row = proportion(p);
      row["complete_at_s"] = moment;
      m["what_if"].push_back(row);
    }
    // The earliest candidate moment from which no seed has a failing host
    // (-1: none).
    int64_t cleanFrom = -1;
    for (const auto& [moment, p] : s.whatIf) {
      if (p.k > 0)
        cleanFrom = -1;
      else if (cleanFrom < 0)
        cleanFrom = moment;
    }
    m["what_if_clean_from_s"] = cleanFrom >= 0 ? Json(cleanFrom) : Json();
    out["migrations"].push_back(m);

    text += fmt::format("migration   {} ({} seeds)\n", s.dmsa, s.seeds);
    if (s.safeFrom.empty()) {
      text += "  safe from never, in any seed\n";
    } else {
      std::vector<int64_t> sorted = s.safeFrom;
      std::sort(sorted.begin(), sorted.end());
      text +=
          fmt::format("  safe from in {} of {} seeds: min {}, median {}, p95 {}, max {}\n", sorted.size(), s.seeds,
                      at(sorted.front()), at(percentile(sorted, 50)), at(percentile(sorted, 95)), at(sorted.back()));
    }
    std::vector<int64_t> lostSorted = s.lost;
    std::sort(lostSorted.begin(), lostSorted.end());
    text += fmt::format("  lost ACEs in {} of {} seeds; per seed min {}, median {}, p95 {}, max {}\n",
                        lost["seeds_with_loss"].get<size_t>(), s.seeds, lostSorted.front(), percentile(lostSorted, 50),
                        percentile(lostSorted, 95), lostSorted.back());
    if (s.afterCompletion.n) {
      auto [low, high] = s.afterCompletion.wilson();
      text += fmt::format(
          "  after the file's completion a host failed in {} of {} seeds: {} (95 % interval {} to {})\n",
          s.afterCompletion.k, s.afterCompletion.n, percent(s.afterCompletion.p()), percent(low), percent(high));
    }
    for (size_t i = 0; i < hosts.size() && i < 20; ++i)
      text +=
          fmt::format("    {} failed in {} seed{}\n", hosts[i].first, hosts[i].second, hosts[i].second == 1 ? "" : "s");
    if (hosts.size() > 20) text += fmt::format("    ... and {} more host services\n", hosts.size() - 20);
    if (!s.whatIf.empty()) {
      if (cleanFrom >= 0)
        text += fmt::format("  no seed has a failing host when completed at {} or any later moment\n", at(cleanFrom));
      else
        text += "  every candidate moment up to the last has a failing host in some seed\n";
      text += "  what if completed at: seeds with a failing host (95 % interval)\n";
      for (const auto& [moment, p] : s.whatIf) {
        auto [low, high] = p.wilson();
        text += fmt::format("    {}  {} of {}: {} ({} to {})\n", at(moment), p.k, p.n, percent(p.p()), percent(low),
                            percent(high));
      }
    }
  }
  return SweepAggregate{out.dump(2) + "\n", text, html(manifest.file, seedCount, stats, start)};
}

namespace {

// The page: per migration, a histogram of "safe from" over the seeds and
// the what-if failure probability by completion moment with its 95 % band.
std::string html(const std::string& file, size_t seeds, const std::vector<MigrationStats>& stats, int64_t start) {
  constexpr int kWidth = 900, kHeight = 220, kLeft = 60, kRight = 860, kTop = 20, kBottom = 180;
  auto label = [&](int64_t s) { return scenario::formatDuration(s * scenario::kMicrosPerSecond); };
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>dcemu sweep</title>\n"
      "<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}svg{display:block;margin:8px 0}"
      "svg text{font:11px system-ui,sans-serif}.note{color:#555}</style></head><body>\n";
  out += fmt::format(
      "<h1>dcemu sweep: {} seeds of {}</h1>\n<p class=\"note\">Times are offsets from the simulated "
      "start, {}.</p>\n",
      seeds, file, scenario::formatUtcInstant(start));
  for (const MigrationStats& s : stats) {
    out += fmt::format("<h2>{}</h2>\n", s.dmsa);
    // Safe-from histogram: 20 bins from the earliest to the latest seed.
    out += fmt::format("<h3>When it became safe ({} of {} seeds; never in {})</h3>\n", s.safeFrom.size(), s.seeds,
                       s.seeds - s.safeFrom.size());
    out +=
        fmt::format("<svg class=\"chart\" id=\"safe-from-{}\" width=\"{}\" height=\"{}\">\n", s.dmsa, kWidth, kHeight);
    if (!s.safeFrom.empty()) {
      auto [lo, hi] = std::minmax_element(s.safeFrom.begin(), s.safeFrom.end());
      int64_t low = *lo, span = std::max<int64_t>(1, *hi - *lo);
      std::vector<size_t> bins(20);
      for (int64_t v : s.safeFrom) bins[std::min<size_t>(19, static_cast<size_t>((v - low) * 20 / (span + 1)))]++;
      size_t most = *std::max_element(bins.begin(), bins.end());
      double width = (kRight - kLeft) / 20.0;
      for (size_t b = 0; b < bins.size(); ++b) {
        double h = (kBottom - kTop) * static_cast<double>(bins[b]) / static_cast<double>(most);
        out += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#2ca02c\">"
            "<title>{} seeds</title></rect>\n",
            kLeft + width * b + 1, kBottom - h, width - 2, h, bins[b]);
      }
      out += fmt::format(
          "<text x=\"{}\" y=\"{}\">+{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">+{}</text>"
          "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{} seeds</text>\n",
          kLeft, kBottom + 14, label(low), kRight, kBottom + 14, label(*hi), kLeft - 4, kTop + 8, most);
    }
    out += "</svg>\n";
    if (s.whatIf.empty()) continue;
    // Failure probability by completion moment, with the Wilson band.
    out += "<h3>Chance of a failing host, by completion moment (95 % interval shaded)</h3>\n";
    out += fmt::format("<svg class=\"chart\" id=\"what-if-{}\" width=\"{}\" height=\"{}\">\n", s.dmsa, kWidth, kHeight);
    int64_t first = s.whatIf.begin()->first, last = s.whatIf.rbegin()->first;
    auto x = [&](int64_t t) {
      return last == first
                 ? (kLeft + kRight) / 2.0
                 : kLeft + (kRight - kLeft) * static_cast<double>(t - first) / static_cast<double>(last - first);
    };
    auto y = [&](double p) { return kBottom - (kBottom - kTop) * p; };
    std::string band, line;
    for (const auto& [t, p] : s.whatIf) band += fmt::format("{:.1f},{:.1f} ", x(t), y(p.wilson().second));
    for (auto it = s.whatIf.rbegin(); it != s.whatIf.rend(); ++it)
      band += fmt::format("{:.1f},{:.1f} ", x(it->first), y(it->second.wilson().first));
    for (const auto& [t, p] : s.whatIf) line += fmt::format("{:.1f},{:.1f} ", x(t), y(p.p()));
    out += fmt::format("<polygon points=\"{}\" fill=\"#1f77b4\" fill-opacity=\"0.2\"/>\n", band);
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n", line);
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">100 %</text><text x=\"{}\" y=\"{}\" "
        "text-anchor=\"end\">0 %</text><text x=\"{}\" y=\"{}\">+{}</text><text x=\"{}\" y=\"{}\" "
        "text-anchor=\"end\">+{}</text>\n",
        kLeft - 4, kTop + 4, kLeft - 4, kBottom, kLeft, kBottom + 14, label(first), kRight, kBottom + 14, label(last));
    out += "</svg>\n";
  }
  out +=
      "<script>for(const s of document.querySelectorAll('svg.chart')){const b=s.getBBox();"
      "s.dataset.drawn=Math.round(b.width)+'x'+Math.round(b.height);}</script>\n</body></html>\n";
  return out;
}

}  // namespace

}  // namespace dcemu::report
