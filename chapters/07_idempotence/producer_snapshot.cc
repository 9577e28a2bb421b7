#include "chapters/07_idempotence/producer_snapshot.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "lib/crc32c.h"

namespace kafka {
namespace {

constexpr std::string_view kSuffix = ".snapshot";
constexpr size_t kHeaderBytes = 2 + 4;  // version, crc
constexpr size_t kEntryBytes = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
constexpr int32_t kNoCoordinatorEpoch = -1;
constexpr int64_t kNoTxnFirstOffset = -1;

Error Corrupt(const std::string& problem) {
  return Error{ErrorCode::kKafkaStorageError,
               "corrupt producer snapshot: " + problem};
}

void WriteEntry(ByteWriter& out, const ProducerStateEntry& entry) {
  const BatchMetadata& newest = entry.batches().front();
  out.WriteInt64(entry.producer_id());
  out.WriteInt16(entry.producer_epoch());
  out.WriteInt32(newest.last_sequence);
  out.WriteInt64(newest.last_offset);
  out.WriteInt32(int32_t(newest.last_offset - newest.first_offset));
  out.WriteInt64(newest.timestamp);
  out.WriteInt32(kNoCoordinatorEpoch);
  out.WriteInt64(kNoTxnFirstOffset);
}

// A producer's state with the one batch a snapshot keeps of it.
ProducerStateEntry ReadEntry(ByteReader& in) {
  RecordBatchHeader newest;
  newest.producer_id = in.ReadInt64("producer id");
  newest.producer_epoch = in.ReadInt16("producer epoch");
  const int32_t last_sequence = in.ReadInt32("last sequence");
  const int64_t last_offset = in.ReadInt64("last offset");
  newest.last_offset_delta = in.ReadInt32("offset delta");
  newest.max_timestamp = in.ReadInt64("timestamp");
  in.ReadInt32("coordinator epoch");
  in.ReadInt64("txn first offset");
  newest.base_offset = last_offset - newest.last_offset_delta;
  // The first sequence, counting back across a wrap past 2147483647.
  int64_t first_sequence = int64_t(last_sequence) - newest.last_offset_delta;
  if (first_sequence < 0) first_sequence += int64_t(1) << 31;
  newest.base_sequence = int32_t(first_sequence);
  ProducerStateEntry entry(newest.producer_id);
  entry.AddBatch(newest);
  return entry;
}

}  // namespace

std::string ProducerSnapshotFileName(int64_t offset) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld", static_cast<long long>(offset));
  return std::string(name) + std::string(kSuffix);
}

std::optional<int64_t> ProducerSnapshotOffsetOf(std::string_view file_name) {
  if (file_name.size() != 20 + kSuffix.size() ||
      !file_name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  int64_t offset = 0;
  for (char digit : file_name.substr(0, 20)) {
    if (digit < '0' || digit > '9') return std::nullopt;
    offset = offset * 10 + (digit - '0');
  }
  return offset;
}

Bytes EncodeProducerSnapshot(const ProducerStateManager& state) {
  Bytes body;
  ByteWriter entries(body);
  int32_t count = 0;
  for (const auto& [producer_id, entry] : state.producers()) {
    if (entry.batches().empty()) continue;
    WriteEntry(entries, entry);
    ++count;
  }
  Bytes counted;
  ByteWriter with_count(counted);
  with_count.WriteInt32(count);
  with_count.WriteRaw(body);

  Bytes snapshot;
  ByteWriter out(snapshot);
  out.WriteInt16(kProducerSnapshotVersion);
  out.WriteUint32(Crc32c(counted));
  out.WriteRaw(counted);
  return snapshot;
}

Result<std::vector<ProducerStateEntry>> DecodeProducerSnapshot(ByteView bytes) {
  ByteReader in(bytes);
  const int16_t version = in.ReadInt16("version");
  const uint32_t crc = in.ReadUint32("crc");
  if (!in.ok()) return Corrupt(in.error());
  if (version != kProducerSnapshotVersion) {
    return Corrupt("unknown version " + std::to_string(version));
  }
  if (Crc32c(bytes.subspan(kHeaderBytes)) != crc) {
    return Corrupt("the CRC does not match the contents");
  }
  const int32_t count = in.ReadInt32("producer count");
  if (!in.ok()) return Corrupt(in.error());
  if (count < 0 || in.remaining() != size_t(count) * kEntryBytes) {
    return Corrupt("a count of " + std::to_string(count) + " producers for " +
                   std::to_string(in.remaining()) + " bytes of entries");
  }
  std::vector<ProducerStateEntry> entries;
  for (int32_t i = 0; i < count; ++i) entries.push_back(ReadEntry(in));
  return entries;
}

void ProducerSnapshotFiles::Write(const ProducerStateManager& state) const {
  WriteFileAtomically(storage_, PathOf(state.map_end_offset()),
                      EncodeProducerSnapshot(state));
}

std::vector<int64_t> ProducerSnapshotFiles::Offsets() const {
  std::vector<int64_t> offsets;
  for (const std::string& name : storage_.List(dir_)) {
    if (std::optional<int64_t> offset = ProducerSnapshotOffsetOf(name)) {
      offsets.push_back(*offset);
    }
  }
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

std::optional<ProducerStateManager> ProducerSnapshotFiles::LoadNewestAtOrBelow(
    int64_t offset, const std::function<void(const std::string&)>& warn) {
  DeleteAfter(offset);
  std::vector<int64_t> offsets = Offsets();
  for (auto newest = offsets.rbegin(); newest != offsets.rend(); ++newest) {
    const std::string path = PathOf(*newest);
    Result<std::vector<ProducerStateEntry>> entries =
        DecodeProducerSnapshot(ReadWholeFile(storage_, path));
    if (!entries.ok()) {
      warn(path + ": " + entries.error().message + "; deleted");
      storage_.Remove(path);
      continue;
    }
    ProducerStateManager state(*newest);
    for (ProducerStateEntry& entry : *entries) state.Load(std::move(entry));
    return state;
  }
  return std::nullopt;
}

void ProducerSnapshotFiles::DeleteAfter(int64_t offset) {
  for (int64_t snapshot : Offsets()) {
    if (snapshot > offset) storage_.Remove(PathOf(snapshot));
  }
}

void ProducerSnapshotFiles::DeleteBefore(int64_t offset) {
  for (int64_t snapshot : Offsets()) {
    if (snapshot < offset) storage_.Remove(PathOf(snapshot));
  }
}

std::string ProducerSnapshotFiles::PathOf(int64_t offset) const {
  return dir_ + "/" + ProducerSnapshotFileName(offset);
}

}  // namespace kafka
