// Live nodes as processes on loopback (dcemu cluster up), measured as an
// administrator would see them, beside Samba 4.17's figures for the same
// jobs (measured on this machine kind, two Samba AD DCs in network
// namespaces, quoted) and beside the source DC's own rate of writing the
// same objects, measured in the same run:
//
//   full       N new users written on one DC, replicated to its partner
//   initial    32,000 new users replicated to a partner (dcemu provisions
//              replicas as installs from media; this is the nearest job)
//   incr       1,000 changes pulled into a 26,000-object directory
//   notify     a write's arrival on an intra-site partner, notify_first 0
//   chain L    a write's arrival on the farthest DC of three sites in a
//              row, both links L ms and notifying, against 6 L (each hop: a
//              notification, a request and a reply, one way each)
//   memory     each node's PSS at the end
//
// Usage: live_bench [USERS]   (default 100000)
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "live/cluster_command.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// A cluster of a generated file, at time scale 1, down when done.
class Cluster {
 public:
  Cluster(const std::string& name, const std::string& file, bool tls = false) {
    directory_ = (fs::temp_directory_path() / fmt::format("dcemu-live-bench-{}-{}", name, getpid())).string();
    fs::remove_all(directory_);
    std::ofstream(directory_ + ".toml") << file;
    std::string up = run(fmt::format("{} cluster up {}.toml --data {}{}", DCEMU_BINARY, directory_, directory_,
                                     tls ? " --tls" : ""));
    if (up.find("up in") == std::string::npos) throw std::runtime_error(up);
  }
  ~Cluster() {
    run(fmt::format("{} cluster down --data {}", DCEMU_BINARY, directory_));
    fs::remove_all(directory_);
    fs::remove(directory_ + ".toml");
  }
  std::string ctl(const std::string& dc, const std::vector<std::string>& args) const {
    auto [code, text] = dcemu::live::ctlCall(directory_, dc, args);
    if (code != 0) throw std::runtime_error(fmt::format("ctl {} {}: {}", dc, args.front(), text));
    return text;
  }
  uint64_t usn(const std::string& dc) const { return std::stoull(ctl(dc, {"usn"})); }
  bool has(const std::string& dc, const std::string& dn) const {
    return dcemu::live::ctlCall(directory_, dc, {"get", dn, "objectGUID"}).first == 0;
  }
  // Waits until `dc`'s USN reaches `target`; returns the seconds it took.
  double untilUsn(const std::string& dc, uint64_t target, Clock::time_point from) const {
    while (usn(dc) < target) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return since(from);
  }
  // The node process of `dc`.
  pid_t pid(const std::string& dc) const {
    std::string out = run(fmt::format("pgrep -f -- '[-]-dc {} --data {}/'", dc, directory_));
    return out.empty() ? 0 : std::stoi(out);
  }
  // User and system CPU seconds of `dc`'s process so far.
  double cpuSeconds(const std::string& dc) const {
    std::ifstream stat(fmt::format("/proc/{}/stat", pid(dc)));
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::vector<std::string> values((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
    return (std::stod(values[11]) + std::stod(values[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  double pssMiB(const std::string& dc) const {
    std::ifstream rollup(fmt::format("/proc/{}/smaps_rollup", pid(dc)));
    for (std::string line; std::getline(rollup, line);)
      if (line.starts_with("Pss:")) return std::stod(line.substr(4)) / 1024;
    return 0;
  }

 private:
  std::string directory_;
};

std::string twoDcs(int users) {
  std::string file =
      "[domain]\nname = \"corp.example.com\"\n[replication]\nnotify_first = \"0s\"\nnotify_subsequent = \"0s\"\n"
      "max_objects = 1000\n[[site]]\nname = \"HQ\"\n[[dc]]\nname = \"DC1\"\nsite = \"HQ\"\n"
      "[[dc]]\nname = \"DC2\"\nsite = \"HQ\"\n";
  if (users > 0) file += fmt::format("[[user_group]]\nprefix = \"emp\"\ncount = {}\n", users);
  return file;
}

std::string chain(int latencyMs) {
  std::string file =
      "[domain]\nname = \"corp.example.com\"\n[replication]\nnotify_first = \"0s\"\nnotify_subsequent = \"0s\"\n";
  for (const char* site : {"A", "B", "C"})
    file += fmt::format("[[site]]\nname = \"{0}\"\n[[dc]]\nname = \"{0}-DC1\"\nsite = \"{0}\"\n", site);
  for (auto [from, to] : {std::pair{"A", "B"}, std::pair{"B", "C"}})
    file += fmt::format(
        "[[site_link]]\nname = \"{0}-{1}\"\nsites = [\"{0}\", \"{1}\"]\ninterval = \"15m\"\nlatency = \"{2}ms\"\n"
        "notify = true\n",
        from, to, latencyMs);
  return file;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// N new users written on DC1, pulled by DC2 (over TLS with `tls`); prints one row.
void fullSync(const char* label, int users, const std::string& samba, bool tls = false) {
  Cluster cluster(fmt::format("{}-{}", label, users), twoDcs(0), tls);
  uint64_t target = cluster.usn("DC2") + static_cast<uint64_t>(users);
  double cpuBefore = cluster.cpuSeconds("DC1") + cluster.cpuSeconds("DC2");
  auto start = Clock::now();
  std::string populated = cluster.ctl("DC1", {"populate", "bench", std::to_string(users)});
  double local = since(start);
  auto written = Clock::now();
  double replicated = cluster.untilUsn("DC2", target, written);
  double cpu = cluster.cpuSeconds("DC1") + cluster.cpuSeconds("DC2") - cpuBefore;
  std::string metrics = run(fmt::format(
      "curl -s http://$(awk '/^DC2 /{{print $2}}' {}/metrics)/metrics",
      fs::temp_directory_path().string() + fmt::format("/dcemu-live-bench-{}-{}-{}", label, users, getpid())));
  std::smatch bytes;
  double mib =
      std::regex_search(metrics, bytes, std::regex(R"(dcemu_replication_bytes_received_total\{[^}]*\} ([0-9.e+]+))"))
          ? std::stod(bytes[1].str()) / (1 << 20)
          : 0;
  fmt::print(
      "{:<8} {:>7} objects  written locally {:>8.0f}/s   replicated {:>6.2f} s {:>8.0f} objects/s  "
      "{:>5.1f} MB/s  {:>5.2f} CPU s per 1,000   PSS {:.0f} + {:.0f} MiB   Samba: {}\n",
      label, users, users / local, replicated, users / replicated, mib * 1.048576 / replicated, cpu * 1000 / users,
      cluster.pssMiB("DC1"), cluster.pssMiB("DC2"), samba);
}

}  // namespace

int main(int argc, char** argv) {
  int users = argc > 1 ? std::atoi(argv[1]) : 100000;
  fmt::print("live_bench: dcemu nodes as processes on loopback, time scale 1; baseline: the source's own writes\n");
  fullSync("full", users, "475-575 objects/s at 5-6k users, 325/s at 26k");
  fullSync("initial", 32000, "a new DC's initial sync of 32,000 objects in 50 s (640/s)");
  fullSync("tls", users, "(the first row over TLS: what encryption costs)", true);

  {
    Cluster cluster("incr", twoDcs(26000));
    uint64_t target = cluster.usn("DC2") + 1000;
    auto start = Clock::now();
    cluster.ctl("DC1", {"touch", "emp", "1000"});
    double local = since(start);
    auto written = Clock::now();
    double pulled = cluster.untilUsn("DC2", target, written);
    fmt::print(
        "incr     1,000 changes into 26,000 objects: written locally in {:.3f} s, pulled in {:.3f} s "
        "({:.0f} changes/s)   Samba: 25.6-28.6 s\n",
        local, pulled, 1000 / pulled);

    std::vector<double> delays;
    for (int i = 0; i < 20; ++i) {
      std::string dn = fmt::format("CN=probe-{},CN=Users", i);
      auto sent = Clock::now();
      cluster.ctl("DC1", {"add", dn, "objectClass=user"});
      while (!cluster.has("DC2", dn)) std::this_thread::sleep_for(std::chrono::microseconds(200));
      delays.push_back(since(sent));
    }
    fmt::print("notify   write to arrival on an intra-site partner: median {:.1f} ms over 20 writes   Samba: 2.2 s\n",
               median(delays) * 1000);
    fmt::print("memory   PSS at 27,020 objects: DC1 {:.0f} MiB, DC2 {:.0f} MiB   Samba: 1.3-1.9 GiB at 28,600\n",
               cluster.pssMiB("DC1"), cluster.pssMiB("DC2"));
  }

  for (int latency : {0, 20, 60}) {
    Cluster cluster(fmt::format("chain{}", latency), chain(latency));
    std::vector<double> delays;
    for (int i = 0; i < 5; ++i) {
      std::string dn = fmt::format("CN=chain-{},CN=Users", i);
      auto start = Clock::now();
      cluster.ctl("A-DC1", {"add", dn, "objectClass=user"});
      while (!cluster.has("C-DC1", dn)) std::this_thread::sleep_for(std::chrono::microseconds(200));
      delays.push_back(since(start));
    }
    double measured = median(delays) * 1000;
    fmt::print(
        "chain {:>2} three sites, links {} ms: farthest DC after {:.1f} ms (median of 5), configured {} ms, "
        "dcemu adds {:.1f} ms\n",
        latency, latency, measured, 6 * latency, measured - 6 * latency);
  }
  return 0;
}
