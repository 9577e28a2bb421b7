/// \file
/// The seams of Chapter 4's ReplicaManager that later chapters fill.
///
/// Chapter 4's ReplicaManager and Partition are the same code in every
/// later broker. What a later chapter changes about them goes through one of
/// these, unset (Chapter 4's behaviour) until that chapter's broker sets it:
///
///   produce_acks     how a produce is answered: Chapter 6's
///                    min.insync.replicas check and delayed produce
///   producer_state   what each partition remembers of its producers:
///                    Chapter 7's duplicate and sequence checks
#pragma once

#include "chapters/04_replication/partition_producer_state.h"
#include "chapters/04_replication/produce_acks.h"

namespace kafka {

struct ReplicaManagerSeams {
  /// Unset: AnswerAfterLeaderAppend.
  ProduceAcksFactory produce_acks;
  /// Unset: NoProducerState.
  ProducerStateFactory producer_state;
};

}  // namespace kafka
