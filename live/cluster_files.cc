#include "live/cluster_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>

#include "dc/text.h"
#include "live/rpc_auth.h"
#include "scenario/units.h"

namespace dcemu::live {
namespace {

dc::Status refused(std::string message) {
  return dc::Status(dc::LdapResult::unwillingToPerform, std::move(message));
}

}  // namespace

dc::Result<Address> parseAddress(const std::string& text, bool anyPort) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return refused(fmt::format("address {:?}: expected HOST:PORT", text));
  Address address{text.substr(0, colon), 0};
  std::string port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535 ||
      (value == 0 && !anyPort))
    return refused(fmt::format("address {:?}: the port must be a number from {} to 65535", text, anyPort ? 0 : 1));
  address.port = static_cast<uint16_t>(value);
  return address;
}

bool IgnoringCase::operator()(const std::string& a, const std::string& b) const {
  return dc::toLower(a) < dc::toLower(b);
}

dc::Result<Peers> readPeers(const std::string& path) {
  std::ifstream in(path);
  if (!in) return refused(fmt::format("peers file {}: cannot be read", path));
  Peers peers;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string name, address, extra;
    if (!(words >> name)) continue;
    if (!(words >> address) || (words >> extra))
      return refused(fmt::format("{}:{}: expected NAME HOST:PORT", path, number));
    auto parsed = parseAddress(address);
    if (!parsed) return refused(fmt::format("{}:{}: {}", path, number, parsed.status().message()));
    if (!peers.emplace(name, *parsed).second)
      return refused(fmt::format("{}:{}: {} is listed twice", path, number, name));
  }
  return peers;
}

dc::Status writePeers(const std::string& path, const Peers& peers, std::string_view what) {
  std::ofstream out(path, std::ios::trunc);
  out << "# NAME HOST:PORT, one DC a line: " << what << "\n";
  for (const auto& [name, address] : peers) out << name << ' ' << address.host << ':' << address.port << '\n';
  out.close();
  if (!out) return refused(fmt::format("peers file {}: cannot be written", path));
  return dc::Status::ok();
}

dc::Result<std::string> readSecret(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return refused(fmt::format("secret file {}: cannot be read", path));
  // Group access is allowed: Kubernetes mounts a Secret for the pod's
  // fsGroup. Everyone else is not.
  if (info.st_mode & S_IRWXO) return refused(fmt::format("secret file {}: anyone may read it (chmod 600)", path));
  std::ifstream in(path, std::ios::binary);
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < 16) return refused(fmt::format("secret file {}: a secret is at least 16 bytes", path));
  return secret;
}

dc::Status writeNewSecret(const std::string& path) {
  std::string hex;
  for (unsigned char byte : randomNonce()) hex += fmt::format("{:02x}", byte);
  hex += '\n';
  // Created 0600: no moment when another user could read it.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  bool written = fd >= 0 && ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  if (fd >= 0) ::close(fd);
  if (!written) return refused(fmt::format("secret file {}: cannot be written", path));
  return dc::Status::ok();
}

int64_t wallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

dc::Result<ClusterClock> readClusterClock(const std::string& directory) {
  std::string epochText;
  ClusterClock clock;
  std::ifstream(directory + "/epoch") >> epochText;
  auto epoch = scenario::parseUtcInstant(epochText);
  if (auto* why = std::get_if<std::string>(&epoch))
    return dc::Status(dc::LdapResult::other, fmt::format("{}/epoch: {}", directory, *why));
  clock.epochUnixMicros = std::get<int64_t>(epoch);
  if (!(std::ifstream(directory + "/time-scale") >> clock.scale) || !(clock.scale > 0) || clock.scale > 1e6)
    return dc::Status(dc::LdapResult::other,
                      fmt::format("{}/time-scale: a number above 0 and at most 1000000", directory));
  return clock;
}

}  // namespace dcemu::live
