#include "sim/trace.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace dcemu::sim {

void Trace::record(TraceEvent event) {
  // The canonical line: args as "key=value" separated by spaces.
  std::string args;
  for (const auto& [key, value] : event.args) args += (args.empty() ? "" : " ") + key + "=" + value;
  std::string line =
      fmt::format("{} {} {} {} {} {}\n", event.start, event.duration, event.lane, event.category, event.name, args);
  for (unsigned char c : line) {
    hash_ ^= c;
    hash_ *= 1099511628211ULL;
  }
  if (keep_) events_.push_back(std::move(event));
}

dc::Status Trace::writeChromeJson(const std::string& path, const std::vector<std::string>& lanes) const {
  nlohmann::json events = nlohmann::json::array();
  // Perfetto shows the world's lane (faults) first, then a lane per DC.
  auto tid = [](int lane) { return lane + 1; };
  events.push_back({{"ph", "M"}, {"pid", 1}, {"tid", 0}, {"name", "thread_name"}, {"args", {{"name", "world"}}}});
  for (size_t i = 0; i < lanes.size(); ++i)
    events.push_back({{"ph", "M"},
                      {"pid", 1},
                      {"tid", tid(static_cast<int>(i))},
                      {"name", "thread_name"},
                      {"args", {{"name", lanes[i]}}}});
  for (const TraceEvent& e : events_) {
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [key, value] : e.args) {
      bool whole = !value.empty() && value.size() < 19 &&
                   value.find_first_not_of("0123456789", value[0] == '-' ? 1 : 0) == std::string::npos && value != "-";
      if (whole)
        args[key] = std::stoll(value);
      else
        args[key] = value;
    }
    nlohmann::json j = {{"pid", 1},          {"tid", tid(e.lane)}, {"ts", e.start},
                        {"cat", e.category}, {"name", e.name},     {"args", args}};
    if (e.duration > 0) {
      j["ph"] = "X";
      j["dur"] = e.duration;
    } else {
      j["ph"] = "i";
      j["s"] = "t";
    }
    events.push_back(std::move(j));
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return dc::Status(dc::LdapResult::other, fmt::format("{}: cannot write the trace file", path));
  out << nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() << "\n";
  if (!out) return dc::Status(dc::LdapResult::other, fmt::format("{}: writing the trace file failed", path));
  return dc::Status::ok();
}

}  // namespace dcemu::sim
