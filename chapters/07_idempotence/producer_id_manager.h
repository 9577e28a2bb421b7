/// \file
/// Where a broker's producer ids come from: blocks of them that the active
/// controller hands out (Kafka's RPCProducerIdManager, KIP-730).
///
/// A producer id must be unique in the cluster for as long as any log
/// remembers it, or two producers would share one sequence of numbers and
/// one would see the other's batches as its duplicates. So no broker makes
/// ids up: the controller owns the counter, in the metadata log (Chapter
/// 5's ProducerIdsRecord), and gives each broker that asks a block of ids
/// (AllocateProducerIds); the broker hands them out one by one to the
/// producers that ask it (InitProducerId). A controller failover loses no
/// block, because the record is committed before the answer.
///
///   no block yet          ask for one; the producer is answered
///                         COORDINATOR_LOAD_IN_PROGRESS and asks again
///   90% of a block used   ask for the next one ahead of time, so that
///                         producers do not wait at the block's end
///   block used up         the next block, if it has come
///   the controller fails  ask again after retry.backoff.ms (50 ms)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "chapters/04_replication/controller_node_provider.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/node/node.h"

namespace kafka {

class ProducerIdManager {
 public:
  static constexpr int64_t kRetryBackoffMs = 50;
  static constexpr int64_t kRequestTimeoutMs = 30'000;

  /// `broker_epoch` is this incarnation's (the controller refuses a stale
  /// one), -1 before the broker registered.
  ProducerIdManager(Environment& env, NodeId broker_id,
                    ControllerNodeProvider controller,
                    std::function<int64_t()> broker_epoch);

  /// The next producer id, or COORDINATOR_LOAD_IN_PROGRESS while there is
  /// no block to take it from (one is asked for then).
  Result<int64_t> GenerateProducerId();

  /// How many blocks the controller has handed this broker.
  int blocks_received() const { return blocks_received_; }

 private:
  /// A block of ids: next is the first not handed out, end is one past the
  /// last, and the next block is asked for once next reaches prefetch_at.
  struct Block {
    int64_t next = 0;
    int64_t end = 0;
    int64_t prefetch_at = 0;
  };

  /// Asks the controller for a block, unless one is on its way or ready,
  /// or the last attempt failed less than kRetryBackoffMs ago.
  void MaybeRequestNextBlock();
  void HandleResponse(Result<Bytes> body);

  Environment& env_;
  NodeId broker_id_;
  ControllerNodeProvider controller_;
  std::function<int64_t()> broker_epoch_;
  std::optional<Block> current_;
  std::optional<Block> next_;
  bool request_in_flight_ = false;
  int64_t backoff_until_ms_ = 0;
  int blocks_received_ = 0;
};

}  // namespace kafka
