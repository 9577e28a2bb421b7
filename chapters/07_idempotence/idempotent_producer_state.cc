#include "chapters/07_idempotence/idempotent_producer_state.h"

#include <algorithm>
#include <utility>

namespace kafka {
namespace {

constexpr int32_t kReplayReadBytes = 1 << 20;

LogAppendInfo AppendInfoOf(const BatchMetadata& duplicate) {
  return {.first_offset = duplicate.first_offset,
          .last_offset = duplicate.last_offset,
          .max_timestamp = duplicate.timestamp,
          .record_count =
              int32_t(duplicate.last_offset - duplicate.first_offset + 1),
          .rolled = false};
}

}  // namespace

IdempotentProducerState::IdempotentProducerState(const Log& log,
                                                 ProducerStateConfig config,
                                                 int64_t now_ms,
                                                 WarningSink warn)
    : log_(log),
      config_(config),
      warn_(std::move(warn)),
      snapshots_(log.storage(), log.dir()),
      last_expiration_check_ms_(now_ms) {
  Load();
}

//! [load]
void IdempotentProducerState::Load() {
  std::optional<ProducerStateManager> snapshot =
      snapshots_.LoadNewestAtOrBelow(log_.log_end_offset(), warn_);
  state_ = snapshot ? std::move(*snapshot)
                    : ProducerStateManager(log_.log_start_offset());
  state_.TruncateHead(log_.log_start_offset());
  ReplayLogFrom(state_.map_end_offset());
}

void IdempotentProducerState::ReplayLogFrom(int64_t offset) {
  Bytes read;
  while (offset < log_.log_end_offset()) {
    if (!log_.Read(offset, kReplayReadBytes, read).ok() || read.empty()) return;
    Result<std::vector<BatchSlice>> batches = SplitAndValidateBatches(read);
    if (!batches.ok() || batches->empty()) return;
    for (const BatchSlice& batch : *batches) {
      // The first batch read may begin below `offset`.
      if (batch.header.LastOffset() >= offset) state_.Update(batch.header);
    }
    offset = batches->back().header.NextOffset();
  }
}
//! [load]

Result<std::optional<LogAppendInfo>> IdempotentProducerState::CheckClientBatch(
    const RecordBatchHeader& batch, int64_t now_ms) {
  MaybeRemoveExpiredProducers(now_ms);
  state_.TruncateHead(log_.log_start_offset());
  Result<std::optional<BatchMetadata>> checked = state_.CheckClientBatch(batch);
  if (!checked.ok()) return checked.error();
  if (!checked->has_value()) return std::optional<LogAppendInfo>();
  return std::optional<LogAppendInfo>(AppendInfoOf(**checked));
}

void IdempotentProducerState::OnAppended(
    std::span<const RecordBatchHeader> batches, bool rolled, int64_t) {
  for (const RecordBatchHeader& batch : batches) state_.Update(batch);
  if (rolled) TakeSnapshot();
}

void IdempotentProducerState::OnTruncated() { Load(); }

void IdempotentProducerState::OnShutdown() { TakeSnapshot(); }

void IdempotentProducerState::TakeSnapshot() {
  state_.TruncateHead(log_.log_start_offset());
  snapshots_.Write(state_);
  snapshots_.DeleteBefore(log_.segments().begin()->first);
}

void IdempotentProducerState::MaybeRemoveExpiredProducers(int64_t now_ms) {
  if (now_ms - last_expiration_check_ms_ <
      config_.producer_id_expiration_check_interval_ms) {
    return;
  }
  last_expiration_check_ms_ = now_ms;
  state_.RemoveExpiredProducers(now_ms, config_.producer_id_expiration_ms);
}

ProducerStateFactory MakeIdempotentProducerState(ProducerStateConfig config) {
  return [config](const Log& log, int64_t now_ms,
                  std::function<void(const std::string&)> warn) {
    return std::make_unique<IdempotentProducerState>(log, config, now_ms,
                                                     std::move(warn));
  };
}

}  // namespace kafka
