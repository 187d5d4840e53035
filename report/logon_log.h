// Every logon and renewal of every host service in a run, kept compactly:
// what the report needs to say which host services failed outside a
// migration's completion (when, where and why), and what the what-if needs
// to ask whether a host service was failing at a moment of the run
// without a completion.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kdc/host_client.h"
#include "report/report.h"

namespace dcemu::report {

class LogonLog {
 public:
  void record(const std::string& host, const std::string& service, const kdc::LogonOutcome& outcome);

  // Whether the host service's latest attempt at or before `at` failed: it
  // could not log on then.
  bool failingAt(const std::string& host, const std::string& service, int64_t at) const;

  // Its failed attempts at or after `from`, in time order (time, DC and
  // reason set).
  std::vector<kdc::LogonOutcome> failuresSince(const std::string& host, const std::string& service, int64_t from) const;

  // Its failed attempts in periods (consecutive failures with the same DC
  // and reason), host services in name order; `counts(host, service, at)`
  // chooses the failures that belong.
  std::vector<ReportFailurePeriod> periods(
      const std::function<bool(const std::string& host, const std::string& service, int64_t at)>& counts) const;

 private:
  struct Attempt {
    int64_t at = 0;
    bool ok = false;
    uint32_t cause = 0;  // failures: the index of its (DC, reason) in causes_
  };
  struct HostService {
    std::string host, service;  // as the file spells them
    std::vector<Attempt> attempts;
  };
  std::map<std::pair<std::string, std::string>, HostService> byName_;  // lowercased
  std::vector<std::pair<std::string, std::string>> causes_;
  std::map<std::pair<std::string, std::string>, uint32_t> causeIndex_;
};

}  // namespace dcemu::report
