/// \file
/// Sparse indexes over a segment: offset → file position, and time → offset.
///
/// A segment's .log file is only a sequence of batches; to serve "read from
/// offset N" without scanning from the start, Kafka keeps two small files
/// beside it:
///
///     .index       8-byte entries: relative offset int32, position int32
///     .timeindex  12-byte entries: timestamp int64, relative offset int32
///
/// An .index entry says "the batch whose last offset is base + relative offset
/// starts at this position"; a .timeindex entry says "records up to this
/// offset have timestamps up to this one".
///
/// Both are sparse: an entry is added only after index.interval.bytes of log
/// (4 KiB by default), so the index of a 1 GiB segment stays around 2 MiB and
/// fits in memory. A lookup finds the last entry at or before the target (a
/// binary search), then the segment scans forward from there through a few
/// batches.
///
/// Offsets are stored relative to the segment's base offset, in 4 bytes, which
/// is one reason a segment never spans more than 2^31 offsets.
///
/// Kafka memory-maps these files, so a new entry costs no system call and
/// reaches the file through the page cache some time later. Here each index
/// keeps its entries in a vector and writes the new ones to its file on Flush
/// (when the segment is flushed, rolled or closed). Either way an index file
/// can lag behind its segment after a crash; that is why recovery rebuilds the
/// indexes of every segment it checks, and why an index that is missing or
/// fails the sanity check is rebuilt from the .log file.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <vector>

#include "lib/error.h"
#include "lib/storage/storage.h"

namespace kafka {

/// An entry of the offset index, in absolute offsets.
struct OffsetPosition {
  int64_t offset;
  int32_t position;

  bool operator==(const OffsetPosition&) const = default;
};
/// "{offset 42, position 4096}", so that a failed test names the fields.
std::ostream& operator<<(std::ostream& out, const OffsetPosition& entry);

/// An entry of the time index, in absolute offsets.
struct TimestampOffset {
  int64_t timestamp;
  int64_t offset;

  bool operator==(const TimestampOffset&) const = default;
};
/// "{timestamp 1000, offset 42}", for test failures.
std::ostream& operator<<(std::ostream& out, const TimestampOffset& entry);

/// The file handling both indexes share: a fixed-size entry type, loaded from
/// and appended to a file, truncated at an entry boundary.
template <typename Entry>
class IndexFile {
 public:
  IndexFile(std::unique_ptr<File> file, int64_t base_offset,
            int32_t max_index_bytes);

  const std::vector<Entry>& entries() const { return entries_; }
  bool IsFull() const { return entries_.size() >= max_entries_; }
  /// Removes the entries for offsets >= offset.
  void TruncateTo(int64_t offset);
  /// Drops every entry (before a rebuild).
  void Reset();
  /// Writes the entries not yet in the file, and fsyncs it.
  void Flush();

 protected:
  void Append(const Entry& entry);
  /// Keeps the first `count` entries.
  void Keep(size_t count);
  /// True if the file held a whole number of entries when it was loaded.
  bool loaded_whole_entries() const { return loaded_whole_entries_; }

  int64_t base_offset_;

 private:
  std::unique_ptr<File> file_;
  size_t max_entries_;
  std::vector<Entry> entries_;
  size_t entries_in_file_ =
      0;  ///< entries_[0, entries_in_file_) are in the file
  bool loaded_whole_entries_ = true;
};

/// The .index file: offset → position of the batch, one entry every
/// index.interval.bytes (OffsetIndex.java).
class OffsetIndex : public IndexFile<OffsetPosition> {
 public:
  static constexpr int kEntrySize = 8;
  using IndexFile::IndexFile;

  /// Adds an entry; offsets and positions must increase.
  void Append(int64_t offset, int32_t position);
  /// The last entry with offset <= target, or {base offset, 0} if none: where a
  /// scan for `target` can start.
  OffsetPosition Lookup(int64_t target) const;
  /// Checks the entries are well formed and point inside a log of `log_size`
  /// bytes (Kafka's OffsetIndex.sanityCheck).
  Status SanityCheck(uint64_t log_size) const;
};

/// The .timeindex file: largest timestamp so far → its offset
/// (TimeIndex.java).
class TimeIndex : public IndexFile<TimestampOffset> {
 public:
  static constexpr int kEntrySize = 12;
  using IndexFile::IndexFile;

  /// Adds an entry only if `timestamp` is larger than the last entry's, so the
  /// index stays sorted by both timestamp and offset.
  void MaybeAppend(int64_t timestamp, int64_t offset);
  /// The last entry with timestamp <= target, or {-1, base offset} if none.
  TimestampOffset Lookup(int64_t target) const;
  Status SanityCheck() const;
};

}  // namespace kafka
