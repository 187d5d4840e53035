#include "scenario/toml_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "scenario/units.h"

namespace dcemu::scenario {

std::string Location::toString() const {
  return fmt::format("{}:{}:{}", file, line, column);
}

Location LoadErrors::locate(const toml::source_region& where) const {
  return Location{file_, where.begin.line, where.begin.column};
}

void LoadErrors::add(const toml::source_region& where, std::string_view reason) {
  add(locate(where), reason);
}

void LoadErrors::add(const Location& where, std::string_view reason) {
  messages_.emplace_back(where, fmt::format("{}: {}", where.toString(), reason));
}

std::vector<std::string> LoadErrors::messages() const {
  auto sorted = messages_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
  });
  std::vector<std::string> out;
  for (auto& [where, message] : sorted) out.push_back(std::move(message));
  return out;
}

TomlFields::TomlFields(const toml::table& table, std::string what, LoadErrors& errors)
    : table_(table), what_(std::move(what)), errors_(errors) {}

void TomlFields::finish() {
  for (const auto& [key, value] : table_) {
    if (used_.count(key.str())) continue;
    std::vector<std::string> known(used_.begin(), used_.end());
    errors_.add(key.source(),
                fmt::format("unknown key \"{}\" in {}{}", key.str(), what_, nearestKeyHint(key.str(), known)));
  }
}

bool TomlFields::has(std::string_view key) const {
  return table_.contains(key);
}

Location TomlFields::where() const {
  return errors_.locate(table_.source());
}

Location TomlFields::whereOf(std::string_view key) const {
  const toml::node* value = table_.get(key);
  return value ? errors_.locate(value->source()) : where();
}

const toml::node* TomlFields::lookup(std::string_view key, bool required) {
  used_.insert(std::string(key));
  const toml::node* value = table_.get(key);
  if (!value && required) errors_.add(table_.source(), fmt::format("{} needs \"{}\"", what_, key));
  return value;
}

const toml::node* TomlFields::node(std::string_view key) {
  return lookup(key, false);
}

void TomlFields::fail(std::string_view key, std::string_view reason) {
  errors_.add(whereOf(key), fmt::format("{} in {}", reason, what_));
}

std::optional<std::string> TomlFields::string(std::string_view key, bool required) {
  const toml::node* value = lookup(key, required);
  if (!value) return std::nullopt;
  if (auto text = value->value<std::string>(); text && value->is_string()) return *text;
  fail(key, fmt::format("\"{}\" must be a string", key));
  return std::nullopt;
}

std::optional<int64_t> TomlFields::integer(std::string_view key, int64_t min, int64_t max, bool required) {
  const toml::node* value = lookup(key, required);
  if (!value) return std::nullopt;
  if (!value->is_integer()) {
    fail(key, fmt::format("\"{}\" must be an integer", key));
    return std::nullopt;
  }
  int64_t n = *value->value<int64_t>();
  if (n < min || n > max) {
    fail(key, fmt::format("\"{}\" = {} is out of range {}..{}", key, n, min, max));
    return std::nullopt;
  }
  return n;
}

std::optional<double> TomlFields::number(std::string_view key, double min, double max) {
  const toml::node* value = lookup(key, false);
  if (!value) return std::nullopt;
  if (!value->is_number()) {
    fail(key, fmt::format("\"{}\" must be a number", key));
    return std::nullopt;
  }
  double n = *value->value<double>();
  if (n < min || n > max) {
    fail(key, fmt::format("\"{}\" = {} is out of range {}..{}", key, n, min, max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> TomlFields::boolean(std::string_view key) {
  const toml::node* value = lookup(key, false);
  if (!value) return std::nullopt;
  if (value->is_boolean()) return *value->value<bool>();
  fail(key, fmt::format("\"{}\" must be true or false", key));
  return std::nullopt;
}

std::optional<int64_t> TomlFields::duration(std::string_view key, bool required, bool allowNegative) {
  auto text = string(key, required);
  if (!text) return std::nullopt;
  auto parsed = parseDuration(*text, allowNegative);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    fail(key, *reason);
    return std::nullopt;
  }
  return std::get<int64_t>(parsed);
}

std::optional<std::vector<std::string>> TomlFields::strings(std::string_view key, bool required) {
  const toml::node* value = lookup(key, required);
  if (!value) return std::nullopt;
  const toml::array* list = value->as_array();
  if (!list) {
    fail(key, fmt::format("\"{}\" must be a list of strings", key));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const toml::node& item : *list) {
    if (!item.is_string()) {
      errors_.add(item.source(), fmt::format("\"{}\" must hold strings only in {}", key, what_));
      return std::nullopt;
    }
    out.push_back(*item.value<std::string>());
  }
  return out;
}

std::optional<std::vector<std::string>> TomlFields::stringOrStrings(std::string_view key) {
  const toml::node* value = table_.get(key);
  if (value && value->is_string()) {
    used_.insert(std::string(key));
    return std::vector<std::string>{*value->value<std::string>()};
  }
  return strings(key);
}

}  // namespace dcemu::scenario
