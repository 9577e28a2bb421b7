#include "chapters/04_replication/leader_epoch_cache.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <sstream>

#include "chapters/04_replication/checkpoint_file.h"

namespace kafka {
namespace {

// "epoch start-offset", as LeaderEpochCheckpointFile's formatter writes it.
std::string FormatEpochEntry(const EpochEntry& entry) {
  return std::to_string(entry.epoch) + " " + std::to_string(entry.start_offset);
}

Result<EpochEntry> ParseEpochEntry(std::string_view line) {
  std::vector<std::string_view> fields = SplitCheckpointFields(line);
  if (fields.size() != 2) {
    return Error{ErrorCode::kKafkaStorageError,
                 "expected 2 fields, epoch and start offset"};
  }
  Result<int64_t> epoch = ParseCheckpointNumber(
      fields[0], "epoch", 0, std::numeric_limits<int32_t>::max());
  if (!epoch.ok()) return epoch.error();
  Result<int64_t> start_offset = ParseCheckpointNumber(
      fields[1], "start offset", 0, std::numeric_limits<int64_t>::max());
  if (!start_offset.ok()) return start_offset.error();
  return EpochEntry{int32_t(*epoch), *start_offset};
}

std::string Describe(const std::vector<EpochEntry>& entries) {
  std::ostringstream out;
  for (size_t i = 0; i < entries.size(); ++i) {
    out << (i == 0 ? "" : ", ") << entries[i];
  }
  return out.str();
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const EpochEntry& entry) {
  return out << "(epoch " << entry.epoch << ", start " << entry.start_offset
             << ")";
}

std::ostream& operator<<(std::ostream& out, const EpochEndOffset& answer) {
  return out << "(epoch " << answer.epoch << ", end " << answer.end_offset
             << ")";
}

LeaderEpochCache::LeaderEpochCache(Storage& storage, std::string partition_dir)
    : storage_(storage),
      path_(std::move(partition_dir) + "/" + kLeaderEpochCheckpointFile) {
  CheckpointFile file(storage_, path_, kLeaderEpochCheckpointVersion);
  Result<std::vector<EpochEntry>> loaded =
      file.Read<EpochEntry>(ParseEpochEntry);
  if (!loaded.ok()) {
    load_error_ = loaded.error();
    return;
  }
  for (const EpochEntry& entry : *loaded) AssignEntry(entry);
}

void LeaderEpochCache::Assign(int32_t epoch, int64_t start_offset) {
  if (AssignEntry({epoch, start_offset})) WriteFile();
}

void LeaderEpochCache::Assign(const std::vector<EpochEntry>& entries) {
  bool changed = false;
  for (const EpochEntry& entry : entries) changed |= AssignEntry(entry);
  if (changed) WriteFile();
}

bool LeaderEpochCache::AssignEntry(const EpochEntry& entry) {
  if (entry.epoch < 0 || entry.start_offset < 0) {
    std::ostringstream warning;
    warning << "ignored an invalid leader epoch entry " << entry;
    Warn(warning.str());
    return false;
  }
  if (!IsUpdateNeeded(entry)) return false;
  RemoveConflictingEntries(entry);
  entries_.push_back(entry);
  return true;
}

bool LeaderEpochCache::IsUpdateNeeded(const EpochEntry& entry) const {
  if (entries_.empty()) return true;
  const EpochEntry& latest = entries_.back();
  return entry.epoch != latest.epoch ||
         entry.start_offset < latest.start_offset;
}

void LeaderEpochCache::RemoveConflictingEntries(const EpochEntry& entry) {
  std::vector<EpochEntry> removed;
  while (!entries_.empty() &&
         (entries_.back().epoch >= entry.epoch ||
          entries_.back().start_offset >= entry.start_offset)) {
    removed.insert(removed.begin(), entries_.back());
    entries_.pop_back();
  }
  // An epoch that starts where the new one does wrote nothing: replacing it
  // loses no data and is expected (a leader elected and replaced at once).
  const bool lost_nothing =
      removed.empty() ||
      (removed.size() == 1 && removed[0].start_offset == entry.start_offset);
  if (lost_nothing) return;
  std::ostringstream warning;
  warning << "new epoch entry " << entry
          << " caused truncation of conflicting entries " << Describe(removed)
          << "; the cache now holds " << entries_.size() << " entries";
  Warn(warning.str());
}

std::optional<int32_t> LeaderEpochCache::LatestEpoch() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back().epoch;
}

std::optional<int32_t> LeaderEpochCache::PreviousEpoch(int32_t epoch) const {
  std::optional<int32_t> previous;
  for (const EpochEntry& entry : entries_) {
    if (entry.epoch >= epoch) break;
    previous = entry.epoch;
  }
  return previous;
}

std::optional<int64_t> LeaderEpochCache::StartOffsetOf(int32_t epoch) const {
  for (const EpochEntry& entry : entries_) {
    if (entry.epoch == epoch) return entry.start_offset;
  }
  return std::nullopt;
}

EpochEndOffset LeaderEpochCache::EndOffsetFor(int32_t epoch,
                                              int64_t log_end_offset) const {
  if (epoch == kUndefinedEpoch) return EpochEndOffset{};
  // The latest epoch is still being written to: it ends at the log end.
  if (LatestEpoch() == epoch) return {epoch, log_end_offset};
  auto higher = std::find_if(
      entries_.begin(), entries_.end(),
      [epoch](const EpochEntry& entry) { return entry.epoch > epoch; });
  // Above every epoch known here, or no epochs at all.
  if (higher == entries_.end()) return EpochEndOffset{};
  // Below every epoch known here: those batches are gone from this log.
  if (higher == entries_.begin()) return {epoch, higher->start_offset};
  // The largest epoch <= `epoch` ends where the next larger one starts.
  return {std::prev(higher)->epoch, higher->start_offset};
}

void LeaderEpochCache::TruncateFromEnd(int64_t end_offset) {
  if (end_offset < 0) return;
  bool changed = false;
  while (!entries_.empty() && entries_.back().start_offset >= end_offset) {
    entries_.pop_back();
    changed = true;
  }
  if (changed) WriteFile();
}

void LeaderEpochCache::TruncateFromStart(int64_t start_offset) {
  auto first_kept = std::find_if(entries_.begin(), entries_.end(),
                                 [start_offset](const EpochEntry& entry) {
                                   return entry.start_offset > start_offset;
                                 });
  if (first_kept == entries_.begin()) return;
  // The last entry at or below the new start is the epoch it belongs to.
  auto covering = std::prev(first_kept);
  if (covering == entries_.begin() && covering->start_offset == start_offset) {
    return;
  }
  covering->start_offset = start_offset;
  entries_.erase(entries_.begin(), covering);
  WriteFile();
}

void LeaderEpochCache::Clear() { ResetTo({}); }

void LeaderEpochCache::ResetTo(const std::vector<EpochEntry>& entries) {
  entries_.clear();
  for (const EpochEntry& entry : entries) AssignEntry(entry);
  WriteFile();
}

void LeaderEpochCache::WriteFile() {
  std::vector<std::string> lines;
  for (const EpochEntry& entry : entries_)
    lines.push_back(FormatEpochEntry(entry));
  CheckpointFile(storage_, path_, kLeaderEpochCheckpointVersion).Write(lines);
}

void LeaderEpochCache::Warn(const std::string& warning) const {
  if (warning_sink_)
    warning_sink_("[LeaderEpochCache " + path_ + "] " + warning);
}

namespace {

// Adds the epoch of each batch in `batches` (whole batches, as Log::Read
// returns them) to `entries`; returns the offset after the last one.
int64_t CollectEpochs(ByteView batches, int64_t log_start_offset,
                      int64_t next_offset, std::vector<EpochEntry>& entries) {
  size_t position = 0;
  while (position < batches.size()) {
    Result<RecordBatchHeader> header =
        DecodeBatchHeader(batches.subspan(position), position);
    if (!header.ok()) break;
    if (header->partition_leader_epoch >= 0) {
      entries.push_back({header->partition_leader_epoch,
                         std::max(header->base_offset, log_start_offset)});
    }
    next_offset = header->NextOffset();
    position += size_t(header->SizeInBytes());
  }
  return next_offset;
}

}  // namespace

void RebuildLeaderEpochCache(const Log& log, LeaderEpochCache& cache) {
  constexpr int32_t kReadBytes = 1 << 20;
  std::vector<EpochEntry> entries;
  Bytes batches;
  int64_t offset = log.log_start_offset();
  while (offset < log.log_end_offset()) {
    if (!log.Read(offset, kReadBytes, batches).ok()) break;
    const int64_t next =
        CollectEpochs(batches, log.log_start_offset(), offset, entries);
    if (next <= offset) break;  // nothing more to read
    offset = next;
  }
  cache.ResetTo(entries);
}

}  // namespace kafka
