#include "chapters/01_log/log_segment.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "lib/lab.h"

namespace kafka {
namespace {

std::string PathOf(const std::string& dir, int64_t base_offset,
                   const std::string& suffix) {
  return dir + "/" + SegmentFileName(base_offset, suffix);
}

// The length of the longest prefix of `bytes` made of whole batches: a read
// of max_bytes usually cuts its last batch short. Every length is checked
// before it is used (DecodeBatchHeader): a damaged batchLength ends the prefix
// instead of looping on it, and the read that starts at that batch reports
// CORRUPT_MESSAGE.
size_t WholeBatchesPrefix(ByteView bytes) {
  size_t end = 0;
  while (bytes.size() - end >= size_t(kBatchHeaderSize)) {
    Result<RecordBatchHeader> header = DecodeBatchHeader(bytes.subspan(end));
    if (!header.ok()) break;
    size_t batch_size = size_t(header->SizeInBytes());
    if (batch_size > bytes.size() - end) break;
    end += batch_size;
  }
  return end;
}

}  // namespace

std::string SegmentFileName(int64_t base_offset, const std::string& suffix) {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020lld",
                static_cast<long long>(base_offset));
  return digits + suffix;
}

std::optional<int64_t> BaseOffsetFromFileName(const std::string& name,
                                              const std::string& suffix) {
  const size_t digits = 20;
  if (name.size() != digits + suffix.size() ||
      name.compare(digits, suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  int64_t base_offset = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    base_offset = base_offset * 10 + (name[i] - '0');
  }
  return base_offset;
}

LogSegment::LogSegment(Storage& storage, const std::string& dir,
                       int64_t base_offset, const LogConfig& config)
    : storage_(storage),
      dir_(dir),
      base_offset_(base_offset),
      config_(config),
      log_file_(storage.Open(PathOf(dir, base_offset, kLogFileSuffix))),
      offset_index_(storage.Open(PathOf(dir, base_offset, kIndexFileSuffix)),
                    base_offset, config.segment_index_bytes),
      time_index_(storage.Open(PathOf(dir, base_offset, kTimeIndexFileSuffix)),
                  base_offset, config.segment_index_bytes) {
  ResetState();
}

std::unique_ptr<LogSegment> LogSegment::Create(Storage& storage,
                                               const std::string& dir,
                                               int64_t base_offset,
                                               const LogConfig& config) {
  return std::unique_ptr<LogSegment>(
      new LogSegment(storage, dir, base_offset, config));
}

std::unique_ptr<LogSegment> LogSegment::Open(Storage& storage,
                                             const std::string& dir,
                                             int64_t base_offset,
                                             const LogConfig& config,
                                             int64_t now_ms) {
  bool indexes_exist =
      storage.Exists(PathOf(dir, base_offset, kIndexFileSuffix)) &&
      storage.Exists(PathOf(dir, base_offset, kTimeIndexFileSuffix));
  auto segment = Create(storage, dir, base_offset, config);
  bool indexes_sane =
      indexes_exist &&
      segment->offset_index_.SanityCheck(segment->size()).ok() &&
      segment->time_index_.SanityCheck().ok();
  segment->needs_recovery_ = !indexes_sane || !segment->LoadTailState();
  segment->created_ms_ = now_ms;
  return segment;
}

void LogSegment::ResetState() {
  next_offset_ = base_offset_;
  max_timestamp_so_far_ = -1;
  offset_of_max_timestamp_so_far_ = base_offset_;
  rolling_based_timestamp_.reset();
  bytes_since_last_index_entry_ = 0;
}

//! [should roll]
bool LogSegment::ShouldRoll(int64_t incoming_bytes,
                            int64_t incoming_max_timestamp,
                            int64_t incoming_last_offset,
                            int64_t now_ms) const {
  // BEGIN LAB lab01_log LogSegment::ShouldRoll
  // HINT: Roll when any of these holds (config_ has the settings):
  // HINT: * the segment would grow past segment_bytes;
  // HINT: * it is not empty, and it has waited more than segment_ms for a
  // HINT:   roll (TimeWaitedForRoll, given to you);
  // HINT: * either index is full (both can be);
  // HINT: * the incoming last offset, relative to the base offset,
  // HINT:   does not fit in an int32.
  bool too_big = int64_t(size()) > config_.segment_bytes - incoming_bytes;
  bool too_old = !empty() && TimeWaitedForRoll(now_ms, incoming_max_timestamp) >
                                 config_.segment_ms;
  bool index_full = offset_index_.IsFull() || time_index_.IsFull();
  bool offset_overflow =
      incoming_last_offset - base_offset_ > std::numeric_limits<int32_t>::max();
  return too_big || too_old || index_full || offset_overflow;
  // END LAB
}
//! [should roll]

//! [time waited for roll]
int64_t LogSegment::TimeWaitedForRoll(int64_t now_ms,
                                      int64_t incoming_max_timestamp) const {
  if (rolling_based_timestamp_.value_or(kNoTimestamp) >= 0) {
    return incoming_max_timestamp - *rolling_based_timestamp_;
  }
  return now_ms - created_ms_;
}
//! [time waited for roll]

int64_t LogSegment::LargestTimestamp() const {
  if (max_timestamp_so_far_ >= 0) return max_timestamp_so_far_;
  return log_file_->LastModifiedMs();
}

void LogSegment::Append(ByteView records,
                        const std::vector<BatchSlice>& batches,
                        int64_t now_ms) {
  if (empty()) created_ms_ = now_ms;
  uint64_t start = size();
  log_file_->Append(records);
  for (const BatchSlice& batch : batches) {
    IndexBatch(batch.header, start + batch.position);
  }
}

//! [index batch]
void LogSegment::IndexBatch(const RecordBatchHeader& header,
                            uint64_t position) {
  if (header.max_timestamp > max_timestamp_so_far_) {
    max_timestamp_so_far_ = header.max_timestamp;
    offset_of_max_timestamp_so_far_ = header.LastOffset();
  }
  if (bytes_since_last_index_entry_ > config_.index_interval_bytes) {
    offset_index_.Append(header.LastOffset(), static_cast<int32_t>(position));
    time_index_.MaybeAppend(max_timestamp_so_far_,
                            offset_of_max_timestamp_so_far_);
    bytes_since_last_index_entry_ = 0;
  }
  bytes_since_last_index_entry_ += header.SizeInBytes();
  next_offset_ = header.NextOffset();
  if (!rolling_based_timestamp_)
    rolling_based_timestamp_ = header.max_timestamp;
}
//! [index batch]

std::optional<BatchLocation> LogSegment::ReadBatchHeaderAt(
    uint64_t position) const {
  uint8_t buffer[kBatchHeaderSize];
  size_t n = log_file_->ReadAt(position, buffer);
  Result<RecordBatchHeader> header =
      DecodeBatchHeader(ByteView(buffer, n), position);
  if (!header.ok()) return std::nullopt;
  if (position + header->SizeInBytes() > size()) return std::nullopt;  // torn
  return BatchLocation{header.value(), position};
}

std::optional<BatchLocation> LogSegment::FindBatch(int64_t offset) const {
  uint64_t position = offset_index_.Lookup(offset).position;
  while (position < size()) {
    std::optional<BatchLocation> batch = ReadBatchHeaderAt(position);
    if (!batch) return std::nullopt;
    if (batch->header.LastOffset() >= offset) return batch;
    position += batch->header.SizeInBytes();
  }
  return std::nullopt;
}

//! [segment read]
Status LogSegment::Read(int64_t offset, int32_t max_bytes, Bytes& out) const {
  std::optional<BatchLocation> first = FindBatch(offset);
  if (!first) {
    out.clear();
    if (offset >= next_offset_) return Status();  // not in this segment
    // The segment should hold `offset` but no batch header on the way to it
    // is readable: the file was damaged after it was opened.
    return Error{ErrorCode::kCorruptMessage,
                 "segment " + SegmentFileName(base_offset_, kLogFileSuffix) +
                     " has no readable batch for offset " +
                     std::to_string(offset)};
  }
  // At least the first batch, even if it alone is larger than max_bytes
  // (KIP-74): otherwise a consumer could never get past a large batch.
  uint64_t wanted = std::max<uint64_t>(std::max(max_bytes, 0),
                                       uint64_t(first->header.SizeInBytes()));
  out.resize(std::min(wanted, size() - first->position));
  out.resize(log_file_->ReadAt(first->position, out));
  out.resize(WholeBatchesPrefix(out));
  return Status();
}
//! [segment read]

std::optional<TimestampOffset> LogSegment::FindOffsetByTimestamp(
    int64_t timestamp, int64_t starting_offset) const {
  int64_t start_offset =
      std::max(time_index_.Lookup(timestamp).offset, starting_offset);
  uint64_t position = offset_index_.Lookup(start_offset).position;
  while (position < size()) {
    std::optional<BatchLocation> batch = ReadBatchHeaderAt(position);
    if (!batch) return std::nullopt;
    if (batch->header.max_timestamp >= timestamp) {
      Bytes bytes(batch->header.SizeInBytes());
      log_file_->ReadAt(position, bytes);
      Result<RecordBatch> decoded = DecodeRecordBatch(bytes, position);
      if (!decoded.ok()) return std::nullopt;
      for (const Record& record : decoded->records) {
        int64_t record_time =
            decoded->header.base_timestamp + record.timestamp_delta;
        const int64_t offset =
            decoded->header.base_offset + record.offset_delta;
        if (record_time >= timestamp && offset >= starting_offset) {
          return TimestampOffset{record_time, offset};
        }
      }
    }
    position += batch->header.SizeInBytes();
  }
  return std::nullopt;
}

//! [recover]
uint64_t LogSegment::Recover() {
  // BEGIN LAB lab01_log LogSegment::Recover
  // HINT: Start again from nothing: ResetState() and Reset() both indexes.
  // HINT: Walk the file from position 0. For each batch, read its header
  // HINT: (ReadBatchHeaderAt), then its bytes, and check them with
  // HINT: ValidateRecordBatch; stop at the first batch that is missing, torn,
  // HINT: invalid, or whose base offset goes backwards (< next_offset_).
  // HINT: Each valid batch goes through IndexBatch. Cut the file where you
  // HINT: stopped, write the rebuilt indexes out (Flush them), and return how
  // HINT: many bytes you cut.
  ResetState();
  offset_index_.Reset();
  time_index_.Reset();
  needs_recovery_ = false;
  uint64_t position = 0;
  while (position < size()) {
    std::optional<BatchLocation> batch = ReadBatchHeaderAt(position);
    if (!batch || batch->header.base_offset < next_offset_) break;
    Bytes bytes(batch->header.SizeInBytes());
    log_file_->ReadAt(position, bytes);
    if (!ValidateRecordBatch(bytes, position).ok()) break;
    IndexBatch(batch->header, position);
    position += bytes.size();
  }
  uint64_t truncated = size() - position;
  log_file_->Truncate(position);
  offset_index_.Flush();
  time_index_.Flush();
  return truncated;
  // END LAB
}
//! [recover]

bool LogSegment::LoadTailState() {
  ResetState();
  if (empty()) return true;
  std::optional<BatchLocation> first = ReadBatchHeaderAt(0);
  if (!first) return false;
  rolling_based_timestamp_ = first->header.max_timestamp;
  if (!time_index_.entries().empty()) {
    max_timestamp_so_far_ = time_index_.entries().back().timestamp;
    offset_of_max_timestamp_so_far_ = time_index_.entries().back().offset;
  }
  uint64_t position = 0;
  if (!offset_index_.entries().empty()) {
    position = offset_index_.entries().back().position;
  }
  bytes_since_last_index_entry_ = int64_t(size() - position);
  while (position < size()) {
    std::optional<BatchLocation> batch = ReadBatchHeaderAt(position);
    if (!batch) return false;
    if (batch->header.max_timestamp > max_timestamp_so_far_) {
      max_timestamp_so_far_ = batch->header.max_timestamp;
      offset_of_max_timestamp_so_far_ = batch->header.LastOffset();
    }
    next_offset_ = batch->header.NextOffset();
    position += batch->header.SizeInBytes();
  }
  return true;
}

void LogSegment::TruncateTo(int64_t offset) {
  std::optional<BatchLocation> first_removed = FindBatch(offset);
  if (!first_removed) return;
  int64_t new_next_offset = first_removed->header.base_offset;
  log_file_->Truncate(first_removed->position);
  offset_index_.TruncateTo(new_next_offset);
  time_index_.TruncateTo(new_next_offset);
  LoadTailState();
}

void LogSegment::OnBecomeInactive() {
  if (max_timestamp_so_far_ >= 0) {
    time_index_.MaybeAppend(max_timestamp_so_far_,
                            offset_of_max_timestamp_so_far_);
  }
}

void LogSegment::Flush() {
  log_file_->Sync();
  offset_index_.Flush();
  time_index_.Flush();
}

void LogSegment::DeleteFiles() {
  for (const char* suffix :
       {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
    storage_.Remove(PathOf(dir_, base_offset_, suffix));
  }
}

}  // namespace kafka
