#include "scenario/units.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <chrono>
#include <limits>

namespace dcemu::scenario {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// Splits "<digits><unit>" at the front of `text`; returns false when no digits.
bool takeNumber(std::string_view& text, uint64_t& number) {
  size_t digits = 0;
  while (digits < text.size() && isDigit(text[digits])) ++digits;
  if (digits == 0) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec != std::errc()) return false;
  text.remove_prefix(digits);
  return true;
}

std::string_view takeUnit(std::string_view& text) {
  size_t letters = 0;
  while (letters < text.size() && !isDigit(text[letters])) ++letters;
  std::string_view unit = text.substr(0, letters);
  text.remove_prefix(letters);
  return unit;
}

template <size_t N>
Parsed<uint64_t> numberWithUnit(std::string_view text, std::string_view what,
                                const std::array<std::pair<std::string_view, uint64_t>, N>& units) {
  std::string_view rest = text;
  uint64_t number = 0;
  if (!takeNumber(rest, number)) return fmt::format("bad {} \"{}\": expected a number and a unit", what, text);
  std::string_view unit = takeUnit(rest);
  if (!rest.empty()) return fmt::format("bad {} \"{}\": one number and one unit only", what, text);
  for (const auto& [name, scale] : units) {
    if (unit != name) continue;
    if (number > std::numeric_limits<uint64_t>::max() / scale) return fmt::format("{} \"{}\" is too large", what, text);
    return number * scale;
  }
  std::string known;
  for (const auto& [name, scale] : units) known += (known.empty() ? "" : ", ") + std::string(name);
  return fmt::format("bad {} \"{}\": unknown unit \"{}\" (use {})", what, text, unit, known);
}

constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int dayIndex(std::string_view name) {
  if (name.size() != 3) return -1;
  std::string lower;
  for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (size_t i = 0; i < kDayNames.size(); ++i)
    if (lower == kDayNames[i]) return static_cast<int>(i);
  return -1;
}

}  // namespace

Parsed<int64_t> parseDuration(std::string_view text, bool allowNegative) {
  static constexpr std::array<std::pair<std::string_view, int64_t>, 6> kUnits = {{{"ms", 1000},
                                                                                  {"s", kMicrosPerSecond},
                                                                                  {"m", kMicrosPerMinute},
                                                                                  {"h", kMicrosPerHour},
                                                                                  {"d", kMicrosPerDay},
                                                                                  {"w", 7 * kMicrosPerDay}}};
  std::string_view rest = text;
  bool negative = false;
  if (allowNegative && !rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) return fmt::format("bad duration \"{}\": empty", text);
  int64_t total = 0;
  while (!rest.empty()) {
    uint64_t number = 0;
    if (!takeNumber(rest, number))
      return fmt::format("bad duration \"{}\": expected <integer><unit> parts such as \"1d12h\"", text);
    std::string_view unit = takeUnit(rest);
    int64_t scale = 0;
    for (const auto& [name, micros] : kUnits)
      if (unit == name) scale = micros;
    if (scale == 0) return fmt::format("bad duration \"{}\": unknown unit \"{}\" (use ms, s, m, h, d, w)", text, unit);
    if (number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / scale / 2))
      return fmt::format("duration \"{}\" is too large", text);
    total += static_cast<int64_t>(number) * scale;
  }
  return negative ? -total : total;
}

std::string formatDuration(int64_t micros) {
  if (micros == 0) return "0s";
  std::string out = micros < 0 ? "-" : "";
  uint64_t rest = static_cast<uint64_t>(micros < 0 ? -micros : micros);
  static constexpr std::array<std::pair<const char*, uint64_t>, 5> kUnits = {
      {{"d", kMicrosPerDay}, {"h", kMicrosPerHour}, {"m", kMicrosPerMinute}, {"s", kMicrosPerSecond}, {"ms", 1000}}};
  for (const auto& [unit, scale] : kUnits) {
    if (rest >= scale) {
      out += fmt::format("{}{}", rest / scale, unit);
      rest %= scale;
    }
  }
  if (rest > 0) out += fmt::format("{}us", rest);  // below a millisecond: shown, though not parseable
  return out;
}

Parsed<uint64_t> parseByteSize(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 7> kUnits = {{{"B", 1},
                                                                                   {"KiB", 1ULL << 10},
                                                                                   {"MiB", 1ULL << 20},
                                                                                   {"GiB", 1ULL << 30},
                                                                                   {"KB", 1000},
                                                                                   {"MB", 1000000},
                                                                                   {"GB", 1000000000}}};
  return numberWithUnit(text, "size", kUnits);
}

Parsed<uint64_t> parseBandwidth(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 4> kUnits = {
      {{"bit", 1}, {"kbit", 1000}, {"Mbit", 1000000}, {"Gbit", 1000000000}}};
  return numberWithUnit(text, "bandwidth", kUnits);
}

Parsed<int64_t> parseUtcInstant(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SSZ exactly: the examples' form, unambiguous in UTC.
  auto field = [&](size_t at, size_t length, int& out) {
    if (at + length > text.size()) return false;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + length, out);
    return ec == std::errc() && end == text.data() + at + length;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool shaped = text.size() == 20 && text[4] == '-' && text[7] == '-' && (text[10] == 'T' || text[10] == 't') &&
                text[13] == ':' && text[16] == ':' && (text[19] == 'Z' || text[19] == 'z');
  if (!shaped || !field(0, 4, year) || !field(5, 2, month) || !field(8, 2, day) || !field(11, 2, hour) ||
      !field(14, 2, minute) || !field(17, 2, second))
    return fmt::format("bad instant \"{}\": expected UTC as YYYY-MM-DDTHH:MM:SSZ", text);
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                   std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59)
    return fmt::format("bad instant \"{}\": no such date or time", text);
  int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  return ((days * 24 + hour) * 60 + minute) * kMicrosPerMinute + second * kMicrosPerSecond;
}

std::string formatUtcInstant(int64_t unixMicros) {
  int64_t seconds =
      unixMicros >= 0 ? unixMicros / kMicrosPerSecond : -((-unixMicros + kMicrosPerSecond - 1) / kMicrosPerSecond);
  std::chrono::sys_seconds instant{std::chrono::seconds(seconds)};
  auto days = std::chrono::floor<std::chrono::days>(instant);
  std::chrono::year_month_day date{days};
  std::chrono::hh_mm_ss time{instant - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), time.hours().count(),
                     time.minutes().count(), time.seconds().count());
}

std::string formatMoment(int64_t unixMicros, int64_t start) {
  int64_t offset = (unixMicros - start) / kMicrosPerSecond * kMicrosPerSecond;
  return fmt::format("{} ({}{})", formatUtcInstant(unixMicros), offset < 0 ? "-" : "+",
                     formatDuration(offset < 0 ? -offset : offset));
}

Parsed<int64_t> parseMoment(std::string_view text, int64_t start) {
  bool instant = text.size() >= 19 && text[4] == '-' && text[7] == '-';
  if (!instant) return parseDuration(text);
  std::string iso(text);
  if (iso.size() == 19 && iso[10] == ' ') iso[10] = 'T';  // repadmin's "2026-01-08 12:00:00"
  if (iso.size() == 19) iso += 'Z';
  Parsed<int64_t> parsed = parseUtcInstant(iso);
  if (auto* reason = std::get_if<std::string>(&parsed)) return *reason;
  int64_t at = std::get<int64_t>(parsed);
  if (at < start) return fmt::format("\"{}\" is before the simulated start {}", text, formatUtcInstant(start));
  return at - start;
}

Parsed<int> parseQuarterHour(std::string_view text) {
  int hour = -1, minute = -1;
  bool shaped = text.size() == 5 && text[2] == ':' &&
                std::from_chars(text.data(), text.data() + 2, hour).ptr == text.data() + 2 &&
                std::from_chars(text.data() + 3, text.data() + 5, minute).ptr == text.data() + 5;
  if (!shaped || hour < 0 || minute < 0 || minute > 59 || hour > 24 || (hour == 24 && minute != 0))
    return fmt::format("bad time of day \"{}\": expected HH:MM from 00:00 to 24:00", text);
  if (minute % 15 != 0) return fmt::format("time of day \"{}\" is not on a quarter hour", text);
  return hour * 60 + minute;
}

Parsed<uint8_t> parseDays(std::string_view text) {
  size_t dash = text.find('-');
  int first = dayIndex(text.substr(0, dash));
  int last = dash == std::string_view::npos ? first : dayIndex(text.substr(dash + 1));
  if (first < 0 || last < 0) return fmt::format("bad days \"{}\": expected e.g. \"Mon-Fri\" or \"Sat\"", text);
  uint8_t mask = 0;
  for (int d = first;; d = (d + 1) % 7) {
    mask = static_cast<uint8_t>(mask | (1u << d));
    if (d == last) break;
  }
  return mask;
}

}  // namespace dcemu::scenario
