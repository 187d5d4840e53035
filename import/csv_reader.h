// CSV files as repadmin /csv and spreadsheets write them (RFC 4180: fields
// quoted when they hold a comma, a quote or a line break, quotes doubled).
// No CSV library is among dcemu's dependencies; this is the whole grammar.
#pragma once

#include <string>
#include <vector>

#include "dc/status.h"

namespace dcemu::import {

struct CsvRow {
  std::vector<std::string> fields;
  std::string source;  // "file:line"
};

// Every row of `path`, blank lines skipped. An unterminated quote is an
// error naming the file and line.
dc::Result<std::vector<CsvRow>> readCsvFile(const std::string& path);

}  // namespace dcemu::import
