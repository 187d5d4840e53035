#include "live/journal.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace dcemu::live {

JournalWriter::~JournalWriter() {
  if (file_) std::fclose(file_);
}

dc::Status JournalWriter::open(const std::string& path) {
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) return dc::Status(dc::LdapResult::other, fmt::format("{}: {}", path, std::strerror(errno)));
  return dc::Status::ok();
}

void JournalWriter::write(const std::vector<std::string>& fields) {
  if (!file_) return;
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += '\t';
    for (char c : fields[i]) line += c == '\t' || c == '\n' || c == '\r' ? ' ' : c;
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

JournalRecords parseJournal(std::string_view text) {
  JournalRecords records;
  size_t begin = 0;
  for (size_t end = text.find('\n'); end != std::string_view::npos; begin = end + 1, end = text.find('\n', begin)) {
    std::vector<std::string> fields;
    std::string_view line = text.substr(begin, end - begin);
    size_t from = 0;
    for (size_t tab = line.find('\t'); tab != std::string_view::npos; from = tab + 1, tab = line.find('\t', from))
      fields.emplace_back(line.substr(from, tab - from));
    fields.emplace_back(line.substr(from));
    records.push_back(std::move(fields));
  }
  return records;
}

dc::Result<JournalRecords> readJournal(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return JournalRecords{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return dc::Status(dc::LdapResult::other, fmt::format("{}: cannot be read", path));
  std::stringstream whole;
  whole << in.rdbuf();
  return parseJournal(whole.str());
}

}  // namespace dcemu::live
