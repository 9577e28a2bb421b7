#include "chapters/05_controller/raft/raft_log.h"

#include <algorithm>
#include <cstdio>

#include "chapters/05_controller/raft/control_records.h"
#include "chapters/05_controller/raft/raft_config.h"

namespace kafka {
namespace {

constexpr char kSnapshotSuffix[] = ".checkpoint";

Error NotASnapshot(const std::string& why) {
  return Error{ErrorCode::kCorruptMessage, "snapshot: " + why};
}

bool IsControlOfType(const RecordBatch& batch, ControlRecordType type) {
  if (!IsControlBatch(batch.header)) return false;
  Result<ControlRecordType> found = ControlTypeOf(batch);
  return found.ok() && *found == type;
}

}  // namespace

std::string SnapshotFileName(const SnapshotId& id) {
  char name[64];
  std::snprintf(name, sizeof(name), "%020lld-%010d%s",
                static_cast<long long>(id.end_offset), id.epoch,
                kSnapshotSuffix);
  return name;
}

std::optional<SnapshotId> SnapshotIdFromFileName(const std::string& name) {
  long long end_offset = 0;
  int epoch = 0;
  char rest[16] = {};
  if (name.size() != 20 + 1 + 10 + std::string(kSnapshotSuffix).size() ||
      std::sscanf(name.c_str(), "%20lld-%10d%15s", &end_offset, &epoch, rest) !=
          3 ||
      std::string(rest) != kSnapshotSuffix) {
    return std::nullopt;
  }
  return SnapshotId{end_offset, epoch};
}

Bytes EncodeSnapshot(const std::vector<Bytes>& records,
                     int64_t last_contained_log_timestamp) {
  Bytes file = MakeSnapshotHeaderBatch(last_contained_log_timestamp, 0);
  int64_t next_offset = 1;
  for (size_t first = 0; first < records.size();
       first += kSnapshotBatchRecords) {
    std::vector<SimpleRecord> chunk;
    const size_t last = std::min(records.size(), first + kSnapshotBatchRecords);
    for (size_t i = first; i < last; ++i) {
      chunk.push_back(
          {last_contained_log_timestamp, std::nullopt, records[i], {}});
    }
    const Bytes batch = EncodeRecordBatch(MakeBatch(chunk, next_offset));
    file.insert(file.end(), batch.begin(), batch.end());
    next_offset += int64_t(chunk.size());
  }
  const Bytes footer = MakeSnapshotFooterBatch(next_offset);
  file.insert(file.end(), footer.begin(), footer.end());
  return file;
}

Result<std::vector<Bytes>> DecodeSnapshot(ByteView file) {
  Result<std::vector<BatchSlice>> slices = SplitAndValidateBatches(file);
  if (!slices.ok()) return NotASnapshot(slices.error().message);
  std::vector<RecordBatch> batches;
  for (const BatchSlice& slice : *slices) {
    Result<RecordBatch> batch = DecodeRecordBatch(
        file.subspan(slice.position, slice.header.SizeInBytes()),
        slice.position);
    if (!batch.ok()) return NotASnapshot(batch.error().message);
    batches.push_back(std::move(*batch));
  }
  if (batches.size() < 2 ||
      !IsControlOfType(batches.front(), ControlRecordType::kSnapshotHeader) ||
      !IsControlOfType(batches.back(), ControlRecordType::kSnapshotFooter)) {
    return NotASnapshot("no header first and footer last");
  }
  std::vector<Bytes> records;
  for (size_t i = 1; i + 1 < batches.size(); ++i) {
    if (IsControlBatch(batches[i].header)) continue;
    for (const Record& record : batches[i].records) {
      records.push_back(record.value.value_or(Bytes()));
    }
  }
  return records;
}

std::string MetadataLogDir(const std::string& data_dir) {
  return data_dir + "/" + kMetadataTopicName + "-" +
         std::to_string(kMetadataPartition);
}

RaftLog::RaftLog(Storage& storage, const std::string& data_dir,
                 const LogConfig& config, int64_t now_ms)
    : storage_(storage),
      log_(Log::Open(storage, MetadataLogDir(data_dir), config, now_ms)),
      epochs_(storage, log_->dir()) {
  // As Chapter 4's ReplicatedPartition: a lost or corrupt cache is rebuilt
  // from the batches, and entries whose batches recovery cut are dropped.
  const bool missing = !storage_.Exists(epochs_.path());
  if (!epochs_.load_error().ok() ||
      (missing && end_offset() > start_offset())) {
    RebuildLeaderEpochCache(*log_, epochs_);
  }
  epochs_.TruncateFromEnd(end_offset());
}

int32_t RaftLog::last_fetched_epoch() const {
  if (std::optional<int32_t> latest = epochs_.LatestEpoch()) return *latest;
  if (std::optional<SnapshotId> snapshot = latest_snapshot()) {
    return snapshot->epoch;
  }
  return 0;
}

Result<LogAppendInfo> RaftLog::AppendAsLeader(Bytes batch, int32_t epoch,
                                              int64_t now_ms) {
  const int64_t start = end_offset();
  Result<LogAppendInfo> appended = log_->Append(batch, now_ms, epoch);
  if (!appended.ok()) return appended;
  epochs_.Assign(epoch, start);
  log_->Flush();
  return appended;
}

Result<LogAppendInfo> RaftLog::AppendAsFollower(ByteView records,
                                                int64_t now_ms) {
  Result<std::vector<BatchSlice>> batches = SplitAndValidateBatches(records);
  if (!batches.ok()) return batches.error();
  Result<LogAppendInfo> appended = log_->AppendAsFollower(records, now_ms);
  if (!appended.ok()) return appended;
  for (const BatchSlice& batch : *batches) {
    if (batch.header.partition_leader_epoch >= 0) {
      epochs_.Assign(batch.header.partition_leader_epoch,
                     batch.header.base_offset);
    }
  }
  log_->Flush();
  return appended;
}

EpochEndOffset RaftLog::EndOffsetForEpoch(int32_t epoch) const {
  const std::optional<SnapshotId> snapshot = latest_snapshot();
  if (epochs_.entries().empty() && snapshot && snapshot->epoch == epoch) {
    return {epoch, snapshot->end_offset};
  }
  return epochs_.EndOffsetFor(epoch, end_offset());
}

std::optional<EpochEndOffset> RaftLog::Diverging(int64_t offset,
                                                 int32_t epoch) const {
  if (offset == 0) return std::nullopt;  // an empty log agrees with any
  const std::optional<SnapshotId> snapshot = latest_snapshot();
  if (snapshot && snapshot->end_offset == offset && snapshot->epoch == epoch) {
    return std::nullopt;
  }
  const EpochEndOffset end = EndOffsetForEpoch(epoch);
  if (end.epoch == epoch && end.end_offset >= offset) return std::nullopt;
  return end;
}

int64_t RaftLog::TruncationOffsetFor(const EpochEndOffset& diverging) const {
  if (diverging.end_offset < 0) return end_offset();
  const EpochEndOffset own = EndOffsetForEpoch(diverging.epoch);
  if (own.epoch == kUndefinedEpoch || own.epoch != diverging.epoch) {
    // This log never had the leader's epoch: back to the end of its own
    // largest epoch below it (or the leader's offset), and ask again.
    return std::min({own.end_offset < 0 ? diverging.end_offset : own.end_offset,
                     diverging.end_offset, end_offset()});
  }
  return std::min({own.end_offset, diverging.end_offset, end_offset()});
}

void RaftLog::TruncateTo(int64_t offset) {
  if (offset < end_offset()) log_->TruncateTo(offset);
  epochs_.TruncateFromEnd(end_offset());
}

std::optional<SnapshotId> RaftLog::latest_snapshot() const {
  std::optional<SnapshotId> latest;
  for (const std::string& name : storage_.List(log_->dir())) {
    std::optional<SnapshotId> id = SnapshotIdFromFileName(name);
    if (id && (!latest || *id > *latest)) latest = id;
  }
  return latest;
}

std::string RaftLog::SnapshotPath(const SnapshotId& id) const {
  return log_->dir() + "/" + SnapshotFileName(id);
}

void RaftLog::CreateSnapshot(const SnapshotId& id,
                             const std::vector<Bytes>& records,
                             int64_t now_ms) {
  WriteFileAtomically(storage_, SnapshotPath(id),
                      EncodeSnapshot(records, now_ms));
  const int64_t new_start = std::min(id.end_offset, end_offset());
  if (log_->IncrementLogStartOffset(new_start).ok()) {
    epochs_.TruncateFromStart(start_offset());
  }
  DeleteSnapshotsBefore(id);
}

void RaftLog::DeleteSnapshotsBefore(const SnapshotId& id) {
  for (const std::string& name : storage_.List(log_->dir())) {
    std::optional<SnapshotId> other = SnapshotIdFromFileName(name);
    if (other && *other < id) storage_.Remove(log_->dir() + "/" + name);
  }
}

Result<Bytes> RaftLog::ReadSnapshotChunk(const SnapshotId& id, int64_t position,
                                         int32_t max_bytes,
                                         int64_t& size) const {
  const std::string path = SnapshotPath(id);
  if (!storage_.Exists(path)) {
    return Error{ErrorCode::kSnapshotNotFound,
                 "no snapshot " + SnapshotFileName(id)};
  }
  std::unique_ptr<File> file = storage_.Open(path);
  size = int64_t(file->Size());
  if (position < 0 || position > size) {
    return Error{ErrorCode::kPositionOutOfRange,
                 "position " + std::to_string(position) + " outside " +
                     SnapshotFileName(id)};
  }
  Bytes chunk(
      size_t(std::min<int64_t>(std::max(max_bytes, 1), size - position)));
  chunk.resize(file->ReadAt(uint64_t(position), chunk));
  return chunk;
}

Result<std::vector<Bytes>> RaftLog::InstallSnapshot(const SnapshotId& id,
                                                    ByteView file) {
  Result<std::vector<Bytes>> records = DecodeSnapshot(file);
  if (!records.ok()) return records;
  WriteFileAtomically(storage_, SnapshotPath(id), file);
  log_->TruncateFullyAndStartAt(id.end_offset);
  epochs_.Clear();
  DeleteSnapshotsBefore(id);
  return records;
}

Result<std::vector<Bytes>> RaftLog::ReadSnapshot(const SnapshotId& id) const {
  const std::string path = SnapshotPath(id);
  if (!storage_.Exists(path)) {
    return Error{ErrorCode::kSnapshotNotFound,
                 "no snapshot " + SnapshotFileName(id)};
  }
  return DecodeSnapshot(ReadWholeFile(storage_, path));
}

}  // namespace kafka
