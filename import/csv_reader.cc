#include "import/csv_reader.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace dcemu::import {

dc::Result<std::vector<CsvRow>> readCsvFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return dc::Status(dc::LdapResult::other, fmt::format("{}: cannot be read", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  bool quoted = false, fieldStarted = false;
  int line = 1, rowLine = 1;
  auto endRow = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!blank) {
      row.source = fmt::format("{}:{}", path, rowLine);
      rows.push_back(std::move(row));
    }
    row = CsvRow();
    fieldStarted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !fieldStarted) {
      quoted = fieldStarted = true;
    } else if (c == ',') {
      row.fields.push_back(std::move(field));
      field.clear();
      fieldStarted = false;
    } else if (c == '\n') {
      endRow();
      rowLine = ++line;
    } else if (c != '\r') {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) return dc::Status(dc::LdapResult::other, fmt::format("{}:{}: a quoted field never ends", path, rowLine));
  if (fieldStarted || !row.fields.empty()) endRow();
  return rows;
}

}  // namespace dcemu::import
