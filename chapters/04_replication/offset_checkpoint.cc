#include "chapters/04_replication/offset_checkpoint.h"

#include <limits>
#include <utility>
#include <vector>

#include "chapters/04_replication/checkpoint_file.h"

namespace kafka {
namespace {

using PartitionOffset = std::pair<TopicPartition, int64_t>;

// "topic partition offset", as OffsetCheckpointFile's formatter writes it.
std::string FormatEntry(const TopicPartition& partition, int64_t offset) {
  return partition.topic + " " + std::to_string(partition.partition) + " " +
         std::to_string(offset);
}

Result<PartitionOffset> ParseEntry(std::string_view line) {
  std::vector<std::string_view> fields = SplitCheckpointFields(line);
  if (fields.size() != 3) {
    return Error{ErrorCode::kKafkaStorageError,
                 "expected 3 fields, topic, partition and offset"};
  }
  Result<int64_t> partition = ParseCheckpointNumber(
      fields[1], "partition", 0, std::numeric_limits<int32_t>::max());
  if (!partition.ok()) return partition.error();
  Result<int64_t> offset = ParseCheckpointNumber(
      fields[2], "offset", 0, std::numeric_limits<int64_t>::max());
  if (!offset.ok()) return offset.error();
  return PartitionOffset{
      TopicPartition{std::string(fields[0]), int32_t(*partition)}, *offset};
}

}  // namespace

Result<std::map<TopicPartition, int64_t>> ReadOffsetCheckpoint(
    Storage& storage, const std::string& path) {
  Result<std::vector<PartitionOffset>> entries =
      CheckpointFile(storage, path, kOffsetCheckpointVersion)
          .Read<PartitionOffset>(ParseEntry);
  if (!entries.ok()) return entries.error();
  std::map<TopicPartition, int64_t> offsets;
  for (const auto& [partition, offset] : *entries) offsets[partition] = offset;
  return offsets;
}

void WriteOffsetCheckpoint(Storage& storage, const std::string& path,
                           const std::map<TopicPartition, int64_t>& offsets) {
  std::vector<std::string> lines;
  for (const auto& [partition, offset] : offsets) {
    lines.push_back(FormatEntry(partition, offset));
  }
  CheckpointFile(storage, path, kOffsetCheckpointVersion).Write(lines);
}

}  // namespace kafka
