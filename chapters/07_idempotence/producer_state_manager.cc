#include "chapters/07_idempotence/producer_state_manager.h"

#include <string>
#include <utility>

namespace kafka {
namespace {

// CheckClientBatch's answer "append it".
std::optional<BatchMetadata> Append() { return std::nullopt; }

}  // namespace

Result<std::optional<BatchMetadata>> ProducerStateManager::CheckClientBatch(
    const RecordBatchHeader& batch) const {
  if (batch.producer_id == kNoProducerId) return Append();
  if (batch.base_sequence < 0 || batch.producer_epoch < 0) {
    return Error{ErrorCode::kInvalidRecord,
                 "producer " + std::to_string(batch.producer_id) +
                     ": a batch with a producer id needs an epoch and a "
                     "sequence"};
  }
  const ProducerStateEntry* found = Find(batch.producer_id);
  const ProducerStateEntry entry =
      found != nullptr ? *found : ProducerStateEntry(batch.producer_id);
  if (std::optional<BatchMetadata> duplicate =
          entry.FindDuplicateBatch(batch)) {
    return duplicate;
  }
  if (Status epoch = CheckProducerEpoch(entry, batch, AppendOrigin::kClient);
      !epoch.ok()) {
    return epoch.error();
  }
  if (Status sequence = CheckSequence(entry, batch); !sequence.ok()) {
    return sequence.error();
  }
  return Append();
}

void ProducerStateManager::Update(const RecordBatchHeader& batch) {
  map_end_offset_ = batch.NextOffset();
  if (batch.producer_id == kNoProducerId) return;
  auto [entry, inserted] =
      producers_.try_emplace(batch.producer_id, batch.producer_id);
  entry->second.AddBatch(batch);
}

const ProducerStateEntry* ProducerStateManager::Find(
    int64_t producer_id) const {
  auto found = producers_.find(producer_id);
  return found == producers_.end() ? nullptr : &found->second;
}

void ProducerStateManager::Load(ProducerStateEntry entry) {
  const int64_t producer_id = entry.producer_id();
  producers_.insert_or_assign(producer_id, std::move(entry));
}

void ProducerStateManager::RemoveExpiredProducers(int64_t now_ms,
                                                  int64_t expiration_ms) {
  std::erase_if(producers_, [&](const auto& producer) {
    return now_ms - producer.second.LastTimestamp() >= expiration_ms;
  });
}

void ProducerStateManager::TruncateHead(int64_t log_start_offset) {
  std::erase_if(producers_, [&](const auto& producer) {
    const auto& batches = producer.second.batches();
    return batches.empty() || batches.front().last_offset < log_start_offset;
  });
  if (map_end_offset_ < log_start_offset) map_end_offset_ = log_start_offset;
}

void ProducerStateManager::TruncateFullyAndStartAt(int64_t offset) {
  producers_.clear();
  map_end_offset_ = offset;
}

}  // namespace kafka
