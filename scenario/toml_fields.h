// Reading one TOML table of a topology file field by field: each getter
// checks the type and the syntax of its value and reports a mistake at the
// value's file:line:col; keys no getter asked for are reported as unknown
// when the reader finishes. The loader is written in terms of this.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/nearest_name.h"
#include "scenario/scenario.h"

namespace dcemu::scenario {

class LoadErrors {
 public:
  explicit LoadErrors(std::string file) : file_(std::move(file)) {}
  void add(const toml::source_region& where, std::string_view reason);
  void add(const Location& where, std::string_view reason);
  Location locate(const toml::source_region& where) const;
  bool empty() const { return messages_.empty(); }
  // In file order.
  std::vector<std::string> messages() const;

 private:
  std::string file_;
  std::vector<std::pair<Location, std::string>> messages_;
};

class TomlFields {
 public:
  // `what` names the table in messages, e.g. "[[dc]]" or "step".
  TomlFields(const toml::table& table, std::string what, LoadErrors& errors);
  TomlFields(const TomlFields&) = delete;
  // Reports every key that was never asked for.
  void finish();

  bool has(std::string_view key) const;
  Location where() const;  // of the table itself
  Location whereOf(std::string_view key) const;

  std::optional<std::string> string(std::string_view key, bool required = false);
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max, bool required = false);
  std::optional<double> number(std::string_view key, double min, double max);
  std::optional<bool> boolean(std::string_view key);
  std::optional<int64_t> duration(std::string_view key, bool required = false, bool allowNegative = false);
  std::optional<std::vector<std::string>> strings(std::string_view key, bool required = false);
  // A string or a list of strings, as step attribute values are written.
  std::optional<std::vector<std::string>> stringOrStrings(std::string_view key);
  const toml::node* node(std::string_view key);  // marks the key as used
  // Reports `reason` at the value of `key`.
  void fail(std::string_view key, std::string_view reason);

 private:
  const toml::node* lookup(std::string_view key, bool required);

  const toml::table& table_;
  std::string what_;
  LoadErrors& errors_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace dcemu::scenario
