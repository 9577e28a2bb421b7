#include "chapters/04_replication/checkpoint_file.h"

#include <charconv>
#include <limits>

namespace kafka {
namespace {

// The file's lines, each without its newline. A last line without one counts
// too, as Java's readLine reads it.
std::vector<std::string> SplitLines(const std::string& contents) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < contents.size()) {
    size_t newline = contents.find('\n', start);
    if (newline == std::string::npos) newline = contents.size();
    lines.push_back(contents.substr(start, newline - start));
    start = newline + 1;
  }
  return lines;
}

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();

}  // namespace

CheckpointFile::CheckpointFile(Storage& storage, std::string path,
                               int32_t version)
    : storage_(storage), path_(std::move(path)), version_(version) {}

void CheckpointFile::Write(const std::vector<std::string>& entry_lines) const {
  std::string contents = std::to_string(version_) + "\n" +
                         std::to_string(entry_lines.size()) + "\n";
  for (const std::string& line : entry_lines) contents += line + "\n";
  WriteFileAtomically(storage_, path_, AsBytes(contents));
}

Result<std::vector<std::string>> CheckpointFile::ReadEntryLines() const {
  if (!storage_.Exists(path_)) return std::vector<std::string>{};
  std::vector<std::string> lines =
      SplitLines(AsString(ReadWholeFile(storage_, path_)));
  if (lines.empty()) return Corrupt("no version line (the file is empty)");

  Result<int64_t> version =
      ParseCheckpointNumber(lines[0], "version", kInt32Min, kInt32Max);
  if (!version.ok()) return Corrupt("line 1: " + version.error().message);
  if (*version != version_) {
    return Corrupt("unknown version " + std::to_string(*version) +
                   " (expected " + std::to_string(version_) + ")");
  }

  if (lines.size() < 2) return Corrupt("no count line");
  Result<int64_t> count =
      ParseCheckpointNumber(lines[1], "count", 0, kInt32Max);
  if (!count.ok()) return Corrupt("line 2: " + count.error().message);

  std::vector<std::string> entries(lines.begin() + 2, lines.end());
  if (int64_t(entries.size()) != *count) {
    return Corrupt("the count line says " + std::to_string(*count) +
                   " entries, but " + std::to_string(entries.size()) +
                   " follow");
  }
  return entries;
}

Error CheckpointFile::MalformedEntry(size_t index, const std::string& line,
                                     const Error& why) const {
  // The entries start on the file's third line.
  return Corrupt("line " + std::to_string(index + 3) + " \"" + line +
                 "\": " + why.message);
}

Error CheckpointFile::Corrupt(const std::string& what) const {
  return Error{ErrorCode::kKafkaStorageError,
               "checkpoint file " + path_ + ": " + what};
}

std::vector<std::string_view> SplitCheckpointFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    start = line.find_first_not_of(" \t", start);
    if (start == std::string_view::npos) return fields;
    size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(start, end - start));
    start = end;
  }
}

Result<int64_t> ParseCheckpointNumber(std::string_view field,
                                      std::string_view name, int64_t min,
                                      int64_t max) {
  int64_t value = 0;
  const char* end = field.data() + field.size();
  auto [rest, error] = std::from_chars(field.data(), end, value);
  const std::string quoted =
      std::string(name) + " \"" + std::string(field) + "\"";
  if (error == std::errc::result_out_of_range) {
    return Error{ErrorCode::kKafkaStorageError, quoted + " is out of range"};
  }
  if (error != std::errc() || rest != end) {
    return Error{ErrorCode::kKafkaStorageError, quoted + " is not a number"};
  }
  if (value < 0 && min == 0) {
    return Error{ErrorCode::kKafkaStorageError, quoted + " is negative"};
  }
  if (value < min || value > max) {
    return Error{ErrorCode::kKafkaStorageError, quoted + " is out of range"};
  }
  return value;
}

}  // namespace kafka
