// The planning report's files: JSON, HTML and CSV, as `dcemu run` and
// `dcemu cluster report` write them.
#include <filesystem>
#include <fstream>

#include "report/report.h"
#include "report/report_json.h"

namespace dcemu::report {

std::vector<std::string> writeReportFiles(const PlanningReport& report, const std::string& jsonFile,
                                          const std::string& htmlFile, const std::string& csvDirectory) {
  std::vector<std::pair<std::string, std::string>> files;  // (path, contents)
  if (!jsonFile.empty()) files.push_back({jsonFile, reportJson(report).dump(2) + "\n"});
  if (!htmlFile.empty()) files.push_back({htmlFile, reportHtml(report)});
  if (!csvDirectory.empty()) {
    std::error_code error;
    std::filesystem::create_directory(csvDirectory, error);
    for (auto& [name, table] : reportCsvFiles(report))
      files.push_back({(std::filesystem::path(csvDirectory) / name).string(), std::move(table)});
  }
  std::vector<std::string> failed;
  for (const auto& [path, contents] : files) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out.flush()) failed.push_back(path);
  }
  return failed;
}

}  // namespace dcemu::report
