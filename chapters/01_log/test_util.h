/// \file
/// Helpers shared by Chapter 1's tests: building batches and reading them back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chapters/01_log/log.h"
#include "chapters/01_log/record_batch.h"
#include "lib/compression/compression.h"
#include "lib/storage/memory_storage.h"

namespace kafka::testing {

/// An encoded batch of `count` records with keys "k<i>", values of `value_size`
/// bytes, all at `timestamp`.
inline Bytes BatchOf(int count, int64_t timestamp = 1000,
                     size_t value_size = 10) {
  std::vector<SimpleRecord> records;
  for (int i = 0; i < count; ++i) {
    records.push_back({.timestamp = timestamp,
                       .key = ToBytes("k" + std::to_string(i)),
                       .value = Bytes(value_size, uint8_t('a' + i % 26)),
                       .headers = {}});
  }
  return EncodeRecordBatch(MakeBatch(records));
}

/// BatchOf's batch with its records compressed by `codec`, as a producer
/// with compression.type set sends it.
inline Bytes CompressedBatchOf(int count, CompressionType codec,
                               int64_t timestamp = 1000) {
  RecordBatch batch = DecodeRecordBatch(BatchOf(count, timestamp)).value();
  batch.header.attributes = static_cast<int16_t>(codec);
  return EncodeRecordBatch(batch);
}

/// Batches back to back, as one Produce request carries them.
inline Bytes Concat(const std::vector<Bytes>& batches) {
  Bytes all;
  for (const Bytes& batch : batches)
    all.insert(all.end(), batch.begin(), batch.end());
  return all;
}

/// Decodes every batch in a read result (fails the test on a bad one).
inline std::vector<RecordBatch> DecodeAll(ByteView bytes) {
  std::vector<RecordBatch> batches;
  Result<std::vector<BatchSlice>> slices = SplitAndValidateBatches(bytes);
  if (!slices.ok()) throw std::runtime_error(slices.error().ToString());
  for (const BatchSlice& slice : *slices) {
    batches.push_back(
        DecodeRecordBatch(
            bytes.subspan(slice.position, slice.header.SizeInBytes()))
            .value());
  }
  return batches;
}

/// The offsets of every record in a read result.
inline std::vector<int64_t> OffsetsIn(ByteView bytes) {
  std::vector<int64_t> offsets;
  for (const RecordBatch& batch : DecodeAll(bytes)) {
    for (const Record& record : batch.records) {
      offsets.push_back(batch.header.base_offset + record.offset_delta);
    }
  }
  return offsets;
}

/// Log::Read into a fresh buffer.
inline Result<Bytes> ReadLog(const Log& log, int64_t offset,
                             int32_t max_bytes) {
  Bytes out;
  Status status = log.Read(offset, max_bytes, out);
  if (!status.ok()) return status.error();
  return out;
}

/// Reads the whole log, from its start offset to its end, in small steps.
inline std::vector<int64_t> ReadAllOffsets(const Log& log) {
  std::vector<int64_t> offsets;
  int64_t next = log.log_start_offset();
  while (next < log.log_end_offset()) {
    Bytes bytes = ReadLog(log, next, 1).value();
    for (int64_t offset : OffsetsIn(bytes)) {
      if (offset >= next) offsets.push_back(offset);
    }
    next = DecodeAll(bytes).back().header.NextOffset();
  }
  return offsets;
}

/// A log on an in-memory disk, reopened as a broker restart would.
class MemoryLogFixture {
 public:
  explicit MemoryLogFixture(LogConfig config = {}) : config_(config) {
    disk_.set_clock([this] { return now_ms_; });
    Reopen();
  }

  void Reopen() {
    log_.reset();
    log_ = Log::Open(disk_, "topic-0", config_, now_ms_);
  }

  LogAppendInfo Append(Bytes batch) {
    Result<LogAppendInfo> info = log_->Append(batch, now_ms_);
    if (!info.ok()) throw std::runtime_error(info.error().ToString());
    return info.value();
  }

  Log& log() { return *log_; }
  MemoryStorage& disk() { return disk_; }
  LogConfig& config() { return config_; }
  int64_t now_ms_ = 1000;

 private:
  MemoryStorage disk_;
  LogConfig config_;
  std::unique_ptr<Log> log_;
};

}  // namespace kafka::testing
