#include "live/metrics.h"

#include <fmt/format.h>

#include <cmath>

namespace dcemu::live {
namespace {

std::string escapeLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  return fmt::format("{}", value);
}

}  // namespace

void MetricsText::family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void MetricsText::sample(std::string_view name, const Labels& labels, double value) {
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    for (size_t i = 0; i < labels.size(); ++i)
      text_ += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, escapeLabel(labels[i].second));
    text_ += '}';
  }
  text_ += ' ' + number(value) + '\n';
}

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

void Histogram::write(MetricsText& out, std::string_view name, const Labels& labels) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    Labels withBound = labels;
    withBound.emplace_back("le", i < bounds_.size() ? number(bounds_[i]) : "+Inf");
    out.sample(fmt::format("{}_bucket", name), withBound, static_cast<double>(cumulative));
  }
  out.sample(fmt::format("{}_sum", name), labels, sum_);
  out.sample(fmt::format("{}_count", name), labels, static_cast<double>(count_));
}

}  // namespace dcemu::live
