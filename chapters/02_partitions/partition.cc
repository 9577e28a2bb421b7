#include "chapters/02_partitions/partition.h"

#include <string>

#include "chapters/01_log/record_batch.h"
#include "lib/compression/compression.h"

namespace kafka {
namespace {

Error InvalidRecord(const std::string& why) {
  return Error{ErrorCode::kInvalidRecord, why};
}

// Whether the records' offsetDeltas are 0, 1, ..., count - 1, reading only
// the front of each record; the first that is not is a record error. A
// record too damaged to read is left to the log's validation, which answers
// CORRUPT_MESSAGE.
std::optional<RecordError> CheckRecordOffsetDeltas(ByteView records,
                                                   int32_t count) {
  ByteReader reader(records);
  for (int32_t expected = 0; expected < count; ++expected) {
    const int32_t length = reader.ReadVarint("record length");
    const size_t start = reader.position();
    reader.ReadInt8("attributes");
    reader.ReadVarlong("timestampDelta");
    const int32_t offset_delta = reader.ReadVarint("offsetDelta");
    if (!reader.ok() || length < int32_t(reader.position() - start)) {
      return std::nullopt;
    }
    if (offset_delta != expected) {
      return RecordError{expected,
                         "offsetDelta " + std::to_string(offset_delta) +
                             ", expected " + std::to_string(expected)};
    }
    reader.ReadRaw(size_t(length) - (reader.position() - start), "record");
  }
  return std::nullopt;
}

// CheckRecordOffsetDeltas on a batch's records, decompressed first if they
// are compressed. Records that do not decompress are left to the log's
// validation, which answers CORRUPT_MESSAGE.
std::optional<RecordError> CheckOffsetDeltas(ByteView batch,
                                             const RecordBatchHeader& header) {
  const ByteView records = batch.subspan(kBatchHeaderSize);
  const int32_t count = header.records_count;
  auto codec = CompressionTypeFromId(header.compression_codec());
  if (!codec) return std::nullopt;
  if (*codec == CompressionType::kNone) {
    return CheckRecordOffsetDeltas(records, count);
  }
  Result<Bytes> decompressed =
      Decompress(*codec, records, kMaxDecompressedRecordsSize);
  if (!decompressed.ok()) return std::nullopt;
  return CheckRecordOffsetDeltas(*decompressed, count);
}

// The refusal of a batch because of `errors` (Kafka's
// RecordValidationException): INVALID_RECORD, with a message that sums them
// up, for Produce v8's error_message.
Error RefusedRecords(const std::vector<RecordError>& errors) {
  std::string message =
      std::to_string(errors.size()) + " record(s) refused, the first: record " +
      std::to_string(errors[0].batch_index) + ", " + errors[0].message;
  return InvalidRecord(message);
}

//! [validate batch]
// What Kafka's log checks of a batch from a client, beyond Chapter 1's
// checks of its bytes (UnifiedLog.analyzeAndValidateRecords and
// LogValidator.validateBatch): the leader assigns offsets, so the producer
// sends base offset 0 and offsets without gaps; and only the broker writes
// control batches (transaction markers, Chapter 8). A record that breaks
// them is named in `record_errors`.
Status ValidateClientBatch(ByteView batch,
                           std::vector<RecordError>& record_errors) {
  Result<RecordBatchHeader> header = DecodeBatchHeader(batch);
  if (!header.ok()) return header.status();
  if (header->base_offset != 0) {
    return InvalidRecord("a client's batch has base offset 0, not " +
                         std::to_string(header->base_offset));
  }
  if (header->records_count <= 0 ||
      header->last_offset_delta + 1 != header->records_count) {
    return InvalidRecord(
        "lastOffsetDelta " + std::to_string(header->last_offset_delta) +
        " does not fit recordsCount " + std::to_string(header->records_count));
  }
  if (header->attributes & kControlFlag) {
    return InvalidRecord("clients may not write control batches");
  }
  if (std::optional<RecordError> error = CheckOffsetDeltas(batch, *header)) {
    record_errors.push_back(*error);
    return RefusedRecords(record_errors);
  }
  return Status();
}
//! [validate batch]

}  // namespace

Result<LogAppendInfo> Partition::AppendRecordsToLeader(
    ByteView batch, int64_t now_ms, std::vector<RecordError>& record_errors) {
  if (Status valid = ValidateClientBatch(batch, record_errors); !valid.ok()) {
    return valid.error();
  }
  return AppendInternalRecords(batch, now_ms);
}

Result<LogAppendInfo> Partition::AppendInternalRecords(ByteView batch,
                                                       int64_t now_ms) {
  Bytes appended(batch.begin(), batch.end());  // the log sets offsets in place
  return log_.Append(appended, now_ms, leader_epoch());
}

int64_t Partition::UpperBound(FetchIsolation isolation) const {
  switch (isolation) {
    case FetchIsolation::kLogEnd:
      return log_end_offset();
    case FetchIsolation::kHighWatermark:
      return high_watermark();
    case FetchIsolation::kTxnCommitted:
      return last_stable_offset();
  }
  return high_watermark();
}

Status Partition::Read(int64_t offset, int32_t max_bytes,
                       FetchIsolation isolation, Bytes& out) const {
  return log_.Read(offset, max_bytes, out, UpperBound(isolation));
}

Result<int64_t> Partition::DeleteRecordsOnLeader(int64_t offset) {
  const int64_t up_to =
      offset == kHighWatermarkOffset ? high_watermark() : offset;
  if (up_to < 0 || up_to > high_watermark()) {
    return Error{ErrorCode::kOffsetOutOfRange,
                 "cannot delete records up to " + std::to_string(offset) +
                     ": the high watermark is " +
                     std::to_string(high_watermark())};
  }
  if (Status moved = log_.IncrementLogStartOffset(up_to); !moved.ok()) {
    return moved.error();
  }
  return log_start_offset();
}

Status Partition::CheckCurrentLeaderEpoch(int32_t current_leader_epoch) const {
  if (current_leader_epoch == kNoLeaderEpochCheck) return Status();
  if (current_leader_epoch < leader_epoch()) {
    return Error{ErrorCode::kFencedLeaderEpoch,
                 "epoch " + std::to_string(current_leader_epoch) +
                     " is older than the leader's, " +
                     std::to_string(leader_epoch())};
  }
  if (current_leader_epoch > leader_epoch()) {
    return Error{ErrorCode::kUnknownLeaderEpoch,
                 "epoch " + std::to_string(current_leader_epoch) +
                     " is newer than the leader's, " +
                     std::to_string(leader_epoch())};
  }
  return Status();
}

std::optional<TimestampOffset> Partition::FetchOffsetForTimestamp(
    int64_t timestamp) const {
  if (timestamp == kLatestTimestamp) {
    return TimestampOffset{-1, high_watermark()};
  }
  if (timestamp == kMaxTimestamp) return FindMaxTimestamp();
  if (timestamp == kEarliestLocalTimestamp) {
    return log_.FetchOffsetByTimestamp(kEarliestTimestamp);
  }
  return log_.FetchOffsetByTimestamp(timestamp);
}

// Reads the batches below the high watermark, headers first: the batch with
// the largest maxTimestamp holds the record, found among its records (with
// LogAppendTime every record has the batch's time, so the first is it).
std::optional<TimestampOffset> Partition::FindMaxTimestamp() const {
  std::optional<RecordBatchHeader> best;
  Bytes best_batch;
  for (int64_t offset = log_start_offset(); offset < high_watermark();) {
    Bytes chunk;
    if (!Read(offset, 1 << 20, FetchIsolation::kHighWatermark, chunk).ok() ||
        chunk.empty()) {
      break;
    }
    Result<std::vector<BatchSlice>> slices = SplitAndValidateBatches(chunk);
    if (!slices.ok() || slices->empty()) break;
    for (const BatchSlice& slice : *slices) {
      if (!best || slice.header.max_timestamp > best->max_timestamp) {
        best = slice.header;
        best_batch.assign(
            chunk.begin() + slice.position,
            chunk.begin() + slice.position + slice.header.SizeInBytes());
      }
    }
    offset = slices->back().header.NextOffset();
  }
  if (!best) return std::nullopt;
  Result<RecordBatch> batch = DecodeRecordBatch(best_batch);
  if (!batch.ok() || (best->attributes & kTimestampTypeMask)) {
    return TimestampOffset{best->max_timestamp, best->base_offset};
  }
  for (const Record& record : batch->records) {
    if (best->base_timestamp + record.timestamp_delta == best->max_timestamp) {
      return TimestampOffset{best->max_timestamp,
                             best->base_offset + record.offset_delta};
    }
  }
  return TimestampOffset{best->max_timestamp, best->LastOffset()};
}

}  // namespace kafka
