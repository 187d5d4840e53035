#include "report/logon_log.h"

#include <algorithm>

#include "dc/text.h"

namespace dcemu::report {

void LogonLog::record(const std::string& host, const std::string& service, const kdc::LogonOutcome& outcome) {
  HostService& entry = byName_[{dc::toLower(host), dc::toLower(service)}];
  if (entry.attempts.empty()) entry.host = host, entry.service = service;
  Attempt attempt{outcome.at, outcome.ok, 0};
  if (!outcome.ok) {
    auto [found, added] = causeIndex_.emplace(std::pair(outcome.dc, outcome.reason), causes_.size());
    if (added) causes_.emplace_back(outcome.dc, outcome.reason);
    attempt.cause = found->second;
  }
  entry.attempts.push_back(attempt);
}

bool LogonLog::failingAt(const std::string& host, const std::string& service, int64_t at) const {
  auto entry = byName_.find({dc::toLower(host), dc::toLower(service)});
  if (entry == byName_.end()) return false;
  const std::vector<Attempt>& attempts = entry->second.attempts;
  // Attempts are recorded in time order.
  auto after = std::upper_bound(attempts.begin(), attempts.end(), at,
                                [](int64_t t, const Attempt& attempt) { return t < attempt.at; });
  return after != attempts.begin() && !std::prev(after)->ok;
}

std::vector<kdc::LogonOutcome> LogonLog::failuresSince(const std::string& host, const std::string& service,
                                                       int64_t from) const {
  std::vector<kdc::LogonOutcome> failures;
  auto entry = byName_.find({dc::toLower(host), dc::toLower(service)});
  if (entry == byName_.end()) return failures;
  for (const Attempt& attempt : entry->second.attempts) {
    if (attempt.ok || attempt.at < from) continue;
    kdc::LogonOutcome failure;
    failure.at = attempt.at;
    failure.dc = causes_[attempt.cause].first;
    failure.reason = causes_[attempt.cause].second;
    failures.push_back(std::move(failure));
  }
  return failures;
}

std::vector<ReportFailurePeriod> LogonLog::periods(
    const std::function<bool(const std::string& host, const std::string& service, int64_t at)>& counts) const {
  std::vector<ReportFailurePeriod> out;
  for (const auto& [key, entry] : byName_) {
    bool open = false;
    for (const Attempt& attempt : entry.attempts) {
      if (attempt.ok || !counts(entry.host, entry.service, attempt.at)) {
        open = false;
        continue;
      }
      const auto& [dc, reason] = causes_[attempt.cause];
      if (open && out.back().dc == dc && out.back().reason == reason) {
        out.back().to = attempt.at;
        ++out.back().count;
        continue;
      }
      out.push_back({entry.host, entry.service, dc, reason, attempt.at, attempt.at, 1, ""});
      open = true;
    }
  }
  return out;
}

}  // namespace dcemu::report
