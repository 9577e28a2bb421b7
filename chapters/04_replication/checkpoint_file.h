/// \file
/// Kafka's checkpoint file: a small text file of entries, one a line.
///
/// A broker keeps several: the high watermarks of its partitions
/// (replication-offset-checkpoint, one per data directory) and each
/// partition's leader epochs (leader-epoch-checkpoint). All share one
/// format:
///
///     0            the format version
///     2            how many entries follow
///     orders 0 17  one entry a line, its fields apart by spaces
///     orders 1 4
///
/// The file is always rewritten whole and atomically (a temporary file,
/// synced, renamed over the old one, the directory synced), so a crash leaves
/// the old contents or the new ones. Whatever else is found in it is damage
/// (bit rot, a hand edit, another program) and reading it fails with
/// KAFKA_STORAGE_ERROR, with a message naming the file and what was wrong,
/// as Kafka's KafkaStorageException does.
///
/// This is Kafka's CheckpointFile (server-common) and its EntryFormatters.
/// What Kafka does differently: it creates an empty file when it opens a
/// checkpoint, and reads an empty file, or one without a count line, as no
/// entries. Here nothing writes such a file, so it is damage; a missing file
/// is no entries.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/error.h"
#include "lib/storage/storage.h"

namespace kafka {

/// Reads one entry line into an entry, or says what is wrong with it.
template <typename Entry>
using CheckpointEntryParser = std::function<Result<Entry>(std::string_view)>;

/// One checkpoint file: its path and the format version it is written in.
class CheckpointFile {
 public:
  CheckpointFile(Storage& storage, std::string path, int32_t version);

  const std::string& path() const { return path_; }

  /// Replaces the file, atomically, with the version line, the count line
  /// and `entry_lines`, each ended by a newline.
  void Write(const std::vector<std::string>& entry_lines) const;

  /// The entry lines; none if the file is missing. KAFKA_STORAGE_ERROR if
  /// the version line is missing, not a number or not this file's version;
  /// if the count line is missing or not a number; or if there are fewer or
  /// more entry lines than the count says.
  Result<std::vector<std::string>> ReadEntryLines() const;

  /// The entries, each line read by `parse`. A line `parse` rejects is a
  /// KAFKA_STORAGE_ERROR naming the file, the line and why.
  template <typename Entry>
  Result<std::vector<Entry>> Read(
      const CheckpointEntryParser<Entry>& parse) const {
    Result<std::vector<std::string>> lines = ReadEntryLines();
    if (!lines.ok()) return lines.error();
    std::vector<Entry> entries;
    for (size_t i = 0; i < lines->size(); ++i) {
      const std::string& line = (*lines)[i];
      Result<Entry> entry = parse(line);
      if (!entry.ok()) return MalformedEntry(i, line, entry.error());
      entries.push_back(std::move(entry).value());
    }
    return entries;
  }

 private:
  /// The error for the `index`th entry line.
  Error MalformedEntry(size_t index, const std::string& line,
                       const Error& why) const;
  Error Corrupt(const std::string& what) const;

  Storage& storage_;
  std::string path_;
  int32_t version_;
};

/// An entry line's fields: the runs of characters between spaces or tabs
/// (Kafka splits at whitespace).
std::vector<std::string_view> SplitCheckpointFields(std::string_view line);

/// A field that is a decimal number in [min, max]; `name` says which field
/// for the error ("start offset -5 is negative" reads better than a number).
Result<int64_t> ParseCheckpointNumber(std::string_view field,
                                      std::string_view name, int64_t min,
                                      int64_t max);

}  // namespace kafka
