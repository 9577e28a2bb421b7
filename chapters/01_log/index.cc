#include "chapters/01_log/index.h"

#include <algorithm>
#include <ostream>
#include <string>

#include "chapters/01_log/record_batch.h"
#include "lib/bytes.h"
#include "lib/lab.h"

namespace kafka {

std::ostream& operator<<(std::ostream& out, const OffsetPosition& entry) {
  return out << "{offset " << entry.offset << ", position " << entry.position
             << "}";
}

std::ostream& operator<<(std::ostream& out, const TimestampOffset& entry) {
  return out << "{timestamp " << entry.timestamp << ", offset " << entry.offset
             << "}";
}
namespace {

// On disk, offsets are relative to the segment's base offset (int32).
void WriteEntry(ByteWriter& writer, const OffsetPosition& entry, int64_t base) {
  writer.WriteInt32(static_cast<int32_t>(entry.offset - base));
  writer.WriteInt32(entry.position);
}

void WriteEntry(ByteWriter& writer, const TimestampOffset& entry,
                int64_t base) {
  writer.WriteInt64(entry.timestamp);
  writer.WriteInt32(static_cast<int32_t>(entry.offset - base));
}

void ReadEntry(ByteReader& reader, int64_t base, OffsetPosition& entry) {
  entry.offset = base + reader.ReadInt32("relativeOffset");
  entry.position = reader.ReadInt32("position");
}

void ReadEntry(ByteReader& reader, int64_t base, TimestampOffset& entry) {
  entry.timestamp = reader.ReadInt64("timestamp");
  entry.offset = base + reader.ReadInt32("relativeOffset");
}

template <typename Entry>
constexpr size_t EntrySize() {
  return std::is_same_v<Entry, OffsetPosition> ? OffsetIndex::kEntrySize
                                               : TimeIndex::kEntrySize;
}

Error CorruptIndex(const std::string& problem) {
  return Error{ErrorCode::kCorruptMessage, "corrupt index: " + problem};
}

}  // namespace

template <typename Entry>
IndexFile<Entry>::IndexFile(std::unique_ptr<File> file, int64_t base_offset,
                            int32_t max_index_bytes)
    : base_offset_(base_offset),
      file_(std::move(file)),
      max_entries_(static_cast<size_t>(max_index_bytes) / EntrySize<Entry>()) {
  Bytes contents(file_->Size());
  contents.resize(file_->ReadAt(0, contents));
  loaded_whole_entries_ = contents.size() % EntrySize<Entry>() == 0;
  ByteReader reader(contents);
  while (reader.remaining() >= EntrySize<Entry>()) {
    Entry entry;
    ReadEntry(reader, base_offset_, entry);
    entries_.push_back(entry);
  }
  entries_in_file_ = entries_.size();
}

template <typename Entry>
void IndexFile<Entry>::Reset() {
  Keep(0);
  loaded_whole_entries_ = true;
}

template <typename Entry>
void IndexFile<Entry>::Append(const Entry& entry) {
  entries_.push_back(entry);
}

template <typename Entry>
void IndexFile<Entry>::Flush() {
  Bytes encoded;
  ByteWriter writer(encoded);
  for (size_t i = entries_in_file_; i < entries_.size(); ++i) {
    WriteEntry(writer, entries_[i], base_offset_);
  }
  file_->Append(encoded);
  entries_in_file_ = entries_.size();
  file_->Sync();
}

template <typename Entry>
void IndexFile<Entry>::TruncateTo(int64_t offset) {
  auto first_removed = std::lower_bound(
      entries_.begin(), entries_.end(), offset,
      [](const Entry& e, int64_t offset) { return e.offset < offset; });
  Keep(static_cast<size_t>(first_removed - entries_.begin()));
}

template <typename Entry>
void IndexFile<Entry>::Keep(size_t count) {
  entries_.resize(std::min(count, entries_.size()));
  if (entries_in_file_ > entries_.size()) {
    entries_in_file_ = entries_.size();
    file_->Truncate(entries_in_file_ * EntrySize<Entry>());
  }
}

template class IndexFile<OffsetPosition>;
template class IndexFile<TimestampOffset>;

void OffsetIndex::Append(int64_t offset, int32_t position) {
  IndexFile::Append({offset, position});
}

//! [offset index lookup]
OffsetPosition OffsetIndex::Lookup(int64_t target) const {
  // BEGIN LAB lab01_log OffsetIndex::Lookup
  // HINT: entries() is sorted by offset. Find the last entry whose offset is
  // HINT: <= target (std::upper_bound finds the first one that is greater).
  // HINT: With no such entry, a scan must start at the segment's beginning.
  auto after = std::upper_bound(entries().begin(), entries().end(), target,
                                [](int64_t offset, const OffsetPosition& e) {
                                  return offset < e.offset;
                                });
  if (after == entries().begin()) return {base_offset_, 0};
  return *(after - 1);
  // END LAB
}
//! [offset index lookup]

Status OffsetIndex::SanityCheck(uint64_t log_size) const {
  if (!loaded_whole_entries()) return CorruptIndex("partial entry at the end");
  OffsetPosition previous{base_offset_ - 1, -1};
  for (const OffsetPosition& entry : entries()) {
    if (entry.offset <= previous.offset ||
        entry.position <= previous.position) {
      return CorruptIndex("entries out of order at offset " +
                          std::to_string(entry.offset));
    }
    if (entry.position < 0 || uint64_t(entry.position) >= log_size) {
      return CorruptIndex("position " + std::to_string(entry.position) +
                          " is outside the log");
    }
    previous = entry;
  }
  return Status();
}

void TimeIndex::MaybeAppend(int64_t timestamp, int64_t offset) {
  // An empty index counts as ending at NO_TIMESTAMP, so a segment of batches
  // without timestamps gets no entries (TimeIndex.maybeAppend).
  int64_t last = entries().empty() ? kNoTimestamp : entries().back().timestamp;
  if (timestamp <= last) return;
  IndexFile::Append({timestamp, offset});
}

TimestampOffset TimeIndex::Lookup(int64_t target) const {
  auto after =
      std::upper_bound(entries().begin(), entries().end(), target,
                       [](int64_t timestamp, const TimestampOffset& e) {
                         return timestamp < e.timestamp;
                       });
  if (after == entries().begin()) return {-1, base_offset_};
  return *(after - 1);
}

Status TimeIndex::SanityCheck() const {
  if (!loaded_whole_entries()) return CorruptIndex("partial entry at the end");
  for (size_t i = 1; i < entries().size(); ++i) {
    if (entries()[i].timestamp <= entries()[i - 1].timestamp ||
        entries()[i].offset < entries()[i - 1].offset) {
      return CorruptIndex("time index entries out of order");
    }
  }
  return Status();
}

}  // namespace kafka
