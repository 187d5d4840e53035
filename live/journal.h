// The records a live cluster keeps for `dcemu cluster report`: each node's
// observations of the dMSAs a migration tracks and the migration steps it
// ran (DATA/<dc>/risk.journal), and the hosts process's logons and events
// (DATA/hosts/hosts.journal). One record per line, its fields separated by
// tabs; a last line a crash cut short is skipped when read.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "dc/status.h"

namespace dcemu::live {

class JournalWriter {
 public:
  JournalWriter() = default;
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Appends to `path`, creating it.
  dc::Status open(const std::string& path);
  bool isOpen() const { return file_ != nullptr; }
  // One record, written through to the file before returning. Tabs and
  // line breaks inside a field become spaces.
  void write(const std::vector<std::string>& fields);

 private:
  std::FILE* file_ = nullptr;
};

using JournalRecords = std::vector<std::vector<std::string>>;

// Every whole record of the journal at `path`; none when it does not exist.
dc::Result<JournalRecords> readJournal(const std::string& path);
// Every whole record of a journal's text (as `ctl risk-journal` sends it).
JournalRecords parseJournal(std::string_view text);

}  // namespace dcemu::live
