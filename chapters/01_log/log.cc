#include "chapters/01_log/log.h"

#include <algorithm>
#include <functional>
#include <string>

#include "lib/lab.h"

namespace kafka {
namespace {

// The checkpoint file holds a format version line, then the offset.
std::string FormatCheckpoint(int64_t offset) {
  return "0\n" + std::to_string(offset) + "\n";
}

int64_t ParseCheckpoint(const std::string& contents) {
  size_t newline = contents.find('\n');
  if (contents.substr(0, newline) != "0") return 0;
  try {
    return std::max<int64_t>(0, std::stoll(contents.substr(newline + 1)));
  } catch (const std::exception&) {
    return 0;  // unreadable: recover everything, the safe choice
  }
}

// The length of the prefix of `batches` (whole batches, as a segment read
// returns them) that ends below `upper_bound`.
size_t BatchesBelow(ByteView batches, int64_t upper_bound) {
  size_t end = 0;
  while (end < batches.size()) {
    Result<RecordBatchHeader> header = DecodeBatchHeader(batches.subspan(end));
    if (!header.ok() || header->LastOffset() >= upper_bound) break;
    end += size_t(header->SizeInBytes());
  }
  return end;
}

}  // namespace

Log::Log(Storage& storage, std::string dir, LogConfig config)
    : storage_(storage), dir_(std::move(dir)), config_(config) {}

std::unique_ptr<Log> Log::Open(Storage& storage, const std::string& dir,
                               const LogConfig& config, int64_t now_ms) {
  // A power failure must not take a new partition's directory away with the
  // acknowledged records inside it.
  CreateDirectoriesDurably(storage, dir);
  std::unique_ptr<Log> log(new Log(storage, dir, config));
  log->LoadSegments(now_ms);
  return log;
}

void Log::LoadSegments(int64_t now_ms) {
  const std::string marker = dir_ + "/" + kCleanShutdownFile;
  const std::string checkpoint = dir_ + "/" + kRecoveryPointCheckpointFile;
  recovery_report_.clean_shutdown = storage_.Exists(marker);
  storage_.Remove(marker);  // from now on, a crash is an unclean shutdown
  if (storage_.Exists(checkpoint)) {
    recovery_point_ =
        ParseCheckpoint(AsString(ReadWholeFile(storage_, checkpoint)));
  }
  recovery_report_.recovery_point = recovery_point_;

  for (const std::string& name : storage_.List(dir_)) {
    if (std::optional<int64_t> base =
            BaseOffsetFromFileName(name, kLogFileSuffix)) {
      segments_[*base] =
          LogSegment::Open(storage_, dir_, *base, config_, now_ms);
    }
  }
  if (segments_.empty()) {
    // A new log: nothing on disk to recover.
    segments_[0] = LogSegment::Create(storage_, dir_, 0, config_);
  } else {
    RecoverSegments();
  }

  log_start_offset_ = segments_.begin()->first;
  // A DeleteRecords may have moved it into the first segment.
  const std::string start = dir_ + "/" + kLogStartOffsetCheckpointFile;
  if (storage_.Exists(start)) {
    log_start_offset_ =
        std::clamp(ParseCheckpoint(AsString(ReadWholeFile(storage_, start))),
                   log_start_offset_, log_end_offset());
  }
  recovery_point_ = std::min(recovery_point_, log_end_offset());
  if (log_end_offset() > recovery_point_) first_unflushed_append_ms_ = now_ms;
}

//! [recover segments]
void Log::RecoverSegments() {
  // After an unclean shutdown, everything from the segment holding the
  // recovery point on may hold torn or unflushed writes. Segments wholly below
  // it were fsynced and are trusted, unless their indexes are damaged.
  const int64_t first_unflushed_base =
      SegmentFor(recovery_point_) ? SegmentFor(recovery_point_)->base_offset()
                                  : segments_.begin()->first;
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    LogSegment& segment = *it->second;
    bool unflushed = !recovery_report_.clean_shutdown &&
                     segment.base_offset() >= first_unflushed_base;
    if (!unflushed && !segment.needs_recovery()) continue;
    recovery_report_.indexes_rebuilt += segment.needs_recovery();
    uint64_t truncated = segment.Recover();
    recovery_report_.segments_recovered++;
    recovery_report_.bytes_truncated += truncated;
    if (truncated > 0) {
      // Nothing after a corrupt batch can be trusted to continue the log.
      recovery_report_.segments_deleted += DeleteSegmentsAfter(it->first);
      return;
    }
  }
}
//! [recover segments]

int Log::DeleteSegmentsAfter(int64_t offset) {
  int deleted = 0;
  while (segments_.rbegin()->first > offset) {
    segments_.rbegin()->second->DeleteFiles();
    segments_.erase(segments_.rbegin()->first);
    ++deleted;
  }
  return deleted;
}

//! [append]
Result<LogAppendInfo> Log::Append(std::span<uint8_t> records, int64_t now_ms,
                                  int32_t leader_epoch) {
  Result<std::vector<BatchSlice>> batches = ValidateForAppend(records);
  if (!batches.ok()) return batches.error();
  AssignOffsets(records, *batches, log_end_offset());
  if (leader_epoch != kNoPartitionLeaderEpoch) {
    for (const BatchSlice& batch : *batches) {
      SetPartitionLeaderEpoch(records.subspan(batch.position), leader_epoch);
    }
  }
  return WriteBatches(records, *batches, now_ms);
}
//! [append]

//! [assign offsets]
void Log::AssignOffsets(std::span<uint8_t> records,
                        std::vector<BatchSlice>& batches, int64_t next_offset) {
  // BEGIN LAB lab01_log Log::AssignOffsets
  // HINT: The leader decides offsets. For each batch in order: write
  // HINT: next_offset into its baseOffset field (SetBaseOffset on the batch's
  // HINT: bytes, which start at batch.position in `records`), update
  // HINT: batch.header to match, and move next_offset past the batch's last
  // HINT: offset.
  for (BatchSlice& batch : batches) {
    SetBaseOffset(records.subspan(batch.position), next_offset);
    batch.header.base_offset = next_offset;
    next_offset = batch.header.NextOffset();
  }
  // END LAB
}
//! [assign offsets]

Result<LogAppendInfo> Log::AppendAsFollower(std::span<const uint8_t> records,
                                            int64_t now_ms) {
  Result<std::vector<BatchSlice>> batches = ValidateForAppend(records);
  if (!batches.ok()) return batches.error();
  if (Status order = CheckFollowerOffsets(*batches); !order.ok()) {
    return order.error();
  }
  return WriteBatches(records, *batches, now_ms);
}

Result<std::vector<BatchSlice>> Log::ValidateForAppend(ByteView records) const {
  Result<std::vector<BatchSlice>> batches = SplitAndValidateBatches(records);
  if (!batches.ok()) return batches.error();
  if (batches->empty()) {
    return Error{ErrorCode::kCorruptMessage, "no record batches to append"};
  }
  if (Status sizes = CheckSizes(records, *batches); !sizes.ok()) {
    return sizes.error();
  }
  return batches;
}

Status Log::CheckFollowerOffsets(const std::vector<BatchSlice>& batches) const {
  int64_t next = log_end_offset();
  for (const BatchSlice& batch : batches) {
    if (batch.header.base_offset < next) {
      return Error{ErrorCode::kUnknownServerError,
                   "unexpected append offset: a batch from " +
                       std::to_string(batch.header.base_offset) +
                       " where the log is already at " + std::to_string(next)};
    }
    next = batch.header.NextOffset();
  }
  return Status();
}

LogAppendInfo Log::WriteBatches(ByteView records,
                                const std::vector<BatchSlice>& batches,
                                int64_t now_ms) {
  LogAppendInfo info{};
  info.first_offset = batches.front().header.base_offset;
  info.last_offset = batches.back().header.LastOffset();
  info.max_timestamp = kNoTimestamp;
  for (const BatchSlice& batch : batches) {
    info.max_timestamp =
        std::max(info.max_timestamp, batch.header.max_timestamp);
    info.record_count += batch.header.records_count;
  }
  info.rolled = MaybeRoll(int64_t(records.size()), info.max_timestamp,
                          info.last_offset, now_ms);
  active_segment().Append(records, batches, now_ms);
  if (!first_unflushed_append_ms_) first_unflushed_append_ms_ = now_ms;
  FlushIfDue(now_ms);
  return info;
}

Status Log::CheckSizes(ByteView records,
                       const std::vector<BatchSlice>& batches) const {
  // Kafka's order: each batch against max.message.bytes first.
  for (const BatchSlice& batch : batches) {
    if (batch.header.SizeInBytes() > config_.max_message_bytes) {
      return Error{ErrorCode::kMessageTooLarge,
                   "batch of " + std::to_string(batch.header.SizeInBytes()) +
                       " bytes exceeds max.message.bytes " +
                       std::to_string(config_.max_message_bytes)};
    }
  }
  if (int64_t(records.size()) > config_.segment_bytes) {
    return Error{ErrorCode::kRecordListTooLarge,
                 "append of " + std::to_string(records.size()) +
                     " bytes exceeds segment.bytes " +
                     std::to_string(config_.segment_bytes)};
  }
  return Status();
}

bool Log::MaybeRoll(int64_t incoming_bytes, int64_t incoming_max_timestamp,
                    int64_t incoming_last_offset, int64_t now_ms) {
  // An empty active segment already starts at the log end offset: keep it.
  if (active_segment().empty() ||
      !active_segment().ShouldRoll(incoming_bytes, incoming_max_timestamp,
                                   incoming_last_offset, now_ms)) {
    return false;
  }
  Roll();
  return true;
}

//! [roll]
void Log::Roll() {
  int64_t new_base_offset = log_end_offset();
  active_segment().OnBecomeInactive();
  // Kafka fsyncs a segment once it is rolled: closed segments are durable
  // even when flush.messages and flush.ms never force a flush.
  for (auto& [base, segment] : segments_) {
    if (segment->next_offset() > recovery_point_) segment->Flush();
  }
  recovery_point_ = new_base_offset;
  first_unflushed_append_ms_.reset();
  WriteRecoveryPointCheckpoint();
  segments_[new_base_offset] =
      LogSegment::Create(storage_, dir_, new_base_offset, config_);
}
//! [roll]

void Log::FlushIfDue(int64_t now_ms) {
  bool too_many = log_end_offset() - recovery_point_ >= config_.flush_messages;
  bool too_old = first_unflushed_append_ms_.has_value() &&
                 now_ms - *first_unflushed_append_ms_ >= config_.flush_ms;
  if (too_many || too_old) Flush();
}

void Log::Flush() {
  // The segments' bytes first, then the checkpoint. Writing the checkpoint
  // syncs the log's directory (WriteFileAtomically), which is also what makes
  // the names of segment files created since the last flush durable: without
  // it a power failure could drop a new segment, fsynced records and all.
  for (auto& [base, segment] : segments_) {
    if (segment->next_offset() > recovery_point_) segment->Flush();
  }
  recovery_point_ = log_end_offset();
  first_unflushed_append_ms_.reset();
  WriteRecoveryPointCheckpoint();
}

void Log::Close() {
  Flush();
  WriteFileAtomically(storage_, dir_ + "/" + kCleanShutdownFile, {});
}

void Log::WriteRecoveryPointCheckpoint() {
  WriteFileAtomically(storage_, dir_ + "/" + kRecoveryPointCheckpointFile,
                      AsBytes(FormatCheckpoint(recovery_point_)));
}

LogSegment* Log::SegmentFor(int64_t offset) const {
  auto after = segments_.upper_bound(offset);
  if (after == segments_.begin()) return nullptr;
  return std::prev(after)->second.get();
}

//! [read]
Status Log::Read(int64_t offset, int32_t max_bytes, Bytes& out) const {
  return Read(offset, max_bytes, out, log_end_offset());
}

Status Log::Read(int64_t offset, int32_t max_bytes, Bytes& out,
                 int64_t upper_bound) const {
  if (offset < log_start_offset_ || offset > log_end_offset()) {
    out.clear();
    return Error{ErrorCode::kOffsetOutOfRange,
                 "offset " + std::to_string(offset) + " is outside [" +
                     std::to_string(log_start_offset_) + ", " +
                     std::to_string(log_end_offset()) + "]"};
  }
  // Usually the first segment tried has the batch; if `offset` falls after
  // that segment's last batch, the next segment starts with it.
  // A segment leaves `out` empty if it has no batch for `offset` (at the log
  // end offset, none has); `out` keeps its capacity across reads.
  for (auto it = segments_.find(SegmentFor(offset)->base_offset());
       it != segments_.end(); ++it) {
    Status status = it->second->Read(offset, max_bytes, out);
    if (!status.ok()) return status;
    if (!out.empty()) {
      out.resize(BatchesBelow(out, upper_bound));
      return Status();
    }
  }
  return Status();
}
//! [read]

std::optional<TimestampOffset> Log::FetchOffsetByTimestamp(
    int64_t timestamp) const {
  if (timestamp == kLatestTimestamp)
    return TimestampOffset{-1, log_end_offset()};
  if (timestamp == kEarliestTimestamp) {
    return TimestampOffset{-1, log_start_offset_};
  }
  for (const auto& [base, segment] : segments_) {
    if (segment->max_timestamp() < timestamp) continue;
    if (segment->next_offset() <= log_start_offset_) continue;
    if (auto found =
            segment->FindOffsetByTimestamp(timestamp, log_start_offset_)) {
      return found;
    }
  }
  return std::nullopt;
}

void Log::TruncateTo(int64_t offset) {
  if (offset >= log_end_offset()) return;
  if (offset < segments_.begin()->first) {
    TruncateFullyAndStartAt(offset);
  } else {
    DeleteSegmentsAfter(offset);
    active_segment().TruncateTo(offset);
  }
  recovery_point_ = std::min(recovery_point_, log_end_offset());
  WriteRecoveryPointCheckpoint();
}

void Log::TruncateFullyAndStartAt(int64_t offset) {
  for (auto& [base, segment] : segments_) segment->DeleteFiles();
  segments_.clear();
  segments_[offset] = LogSegment::Create(storage_, dir_, offset, config_);
  log_start_offset_ = offset;
  WriteLogStartOffsetCheckpoint();
  recovery_point_ = offset;
  WriteRecoveryPointCheckpoint();
}

//! [retention]
int Log::DeleteRetentionBreachedSegments(int64_t now_ms) {
  auto time_breached = [&](const LogSegment& segment) {
    return config_.retention_ms >= 0 &&
           now_ms - segment.LargestTimestamp() > config_.retention_ms;
  };
  int deleted = DeleteOldestSegmentsWhile(time_breached);

  int64_t bytes_over_limit = int64_t(size_in_bytes()) - config_.retention_bytes;
  auto size_breached = [&](const LogSegment& segment) {
    if (config_.retention_bytes < 0) return false;
    if (bytes_over_limit - int64_t(segment.size()) < 0) return false;
    bytes_over_limit -= int64_t(segment.size());
    return true;
  };
  return deleted + DeleteOldestSegmentsWhile(size_breached);
}
//! [retention]

int Log::DeleteOldestSegmentsWhile(
    const std::function<bool(const LogSegment&)>& deletable) {
  std::vector<int64_t> doomed;
  for (const auto& [base, segment] : segments_) {
    bool is_active = base == active_segment().base_offset();
    if ((is_active && segment->empty()) || !deletable(*segment)) break;
    doomed.push_back(base);
  }
  if (doomed.empty()) return 0;
  // Never leave the log without a segment: roll first, so the log end offset
  // survives and offsets are never reused.
  if (doomed.size() == segments_.size()) Roll();
  for (int64_t base : doomed) {
    segments_[base]->DeleteFiles();
    segments_.erase(base);
  }
  // The first segment left may begin below a log start offset that a
  // DeleteRecords set: that stays.
  log_start_offset_ = std::max(log_start_offset_, segments_.begin()->first);
  return int(doomed.size());
}

//! [increment log start offset]
Status Log::IncrementLogStartOffset(int64_t offset) {
  if (offset > log_end_offset()) {
    return Error{ErrorCode::kOffsetOutOfRange,
                 "cannot delete records up to " + std::to_string(offset) +
                     ", past the log end offset " +
                     std::to_string(log_end_offset())};
  }
  if (offset <= log_start_offset_) return Status();
  log_start_offset_ = offset;
  WriteLogStartOffsetCheckpoint();
  DeleteOldestSegmentsWhile([offset](const LogSegment& segment) {
    return segment.next_offset() <= offset;
  });
  return Status();
}
//! [increment log start offset]

void Log::WriteLogStartOffsetCheckpoint() {
  WriteFileAtomically(storage_, dir_ + "/" + kLogStartOffsetCheckpointFile,
                      AsBytes(FormatCheckpoint(log_start_offset_)));
}

uint64_t Log::size_in_bytes() const {
  uint64_t total = 0;
  for (const auto& [base, segment] : segments_) total += segment->size();
  return total;
}

}  // namespace kafka
