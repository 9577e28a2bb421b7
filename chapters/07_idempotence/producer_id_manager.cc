#include "chapters/07_idempotence/producer_id_manager.h"

#include <string>
#include <utility>

#include "lib/protocol/allocate_producer_ids.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

constexpr int16_t kVersion = 0;
const char kClientId[] = "producer-id-manager";

// The next block is asked for once 90% of this one is handed out.
int64_t PrefetchPoint(int64_t start, int32_t length) {
  return start + length * 9 / 10;
}

}  // namespace

ProducerIdManager::ProducerIdManager(Environment& env, NodeId broker_id,
                                     ControllerNodeProvider controller,
                                     std::function<int64_t()> broker_epoch)
    : env_(env),
      broker_id_(broker_id),
      controller_(std::move(controller)),
      broker_epoch_(std::move(broker_epoch)) {}

Result<int64_t> ProducerIdManager::GenerateProducerId() {
  if ((!current_ || current_->next == current_->end) && next_) {
    current_ = std::exchange(next_, std::nullopt);
  }
  if (!current_ || current_->next == current_->end) {
    MaybeRequestNextBlock();
    return Error{ErrorCode::kCoordinatorLoadInProgress,
                 "no producer ids left; a block is on its way from the "
                 "controller"};
  }
  const int64_t id = current_->next++;
  if (id >= current_->prefetch_at) MaybeRequestNextBlock();
  return id;
}

void ProducerIdManager::MaybeRequestNextBlock() {
  if (request_in_flight_ || next_ || env_.NowMs() < backoff_until_ms_) return;
  const std::optional<NodeId> controller = controller_();
  if (!controller) {
    backoff_until_ms_ = env_.NowMs() + kRetryBackoffMs;
    return;
  }
  request_in_flight_ = true;
  const AllocateProducerIdsRequest request{.broker_id = broker_id_,
                                           .broker_epoch = broker_epoch_()};
  env_.Send(
      *controller,
      {int16_t(ApiKey::kAllocateProducerIds), kVersion, 0, kClientId},
      EncodeMessage(request, ApiKey::kAllocateProducerIds, kVersion),
      kRequestTimeoutMs,
      [this](Result<Bytes> body) { HandleResponse(std::move(body)); },
      Connection::kController);
}

void ProducerIdManager::HandleResponse(Result<Bytes> body) {
  request_in_flight_ = false;
  Result<AllocateProducerIdsResponse> response =
      body.ok() ? DecodeMessage<AllocateProducerIdsResponse>(
                      *body, ApiKey::kAllocateProducerIds, kVersion, 0,
                      "AllocateProducerIdsResponse")
                : Result<AllocateProducerIdsResponse>(body.error());
  // No answer, NOT_CONTROLLER, STALE_BROKER_EPOCH (not registered yet), or
  // a block that goes backwards: the next producer to ask asks again.
  const bool usable =
      response.ok() && response->error_code == ErrorCode::kNone &&
      response->producer_id_len > 0 &&
      (!current_ || response->producer_id_start >= current_->end);
  if (!usable) {
    backoff_until_ms_ = env_.NowMs() + kRetryBackoffMs;
    return;
  }
  const int64_t start = response->producer_id_start;
  next_ = Block{.next = start,
                .end = start + response->producer_id_len,
                .prefetch_at = PrefetchPoint(start, response->producer_id_len)};
  ++blocks_received_;
}

}  // namespace kafka
