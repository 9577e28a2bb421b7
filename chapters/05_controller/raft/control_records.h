/// \file
/// Control records: the Raft layer's own entries in the metadata log, which
/// the listener never sees (Kafka's ControlRecordType, ControlRecordUtils and
/// the messages LeaderChangeMessage, SnapshotHeaderRecord and
/// SnapshotFooterRecord).
///
/// A control batch has the control bit (0x20) set in its attributes and one
/// record. The record's key is the control record key, version (int16, 0)
/// and type (int16):
///
///     2  LEADER_CHANGE    a new leader's first entry in its epoch
///     3  SNAPSHOT_HEADER  first batch of a snapshot file
///     4  SNAPSHOT_FOOTER  last batch of a snapshot file
///
/// and its value the message, in the flexible encoding, starting with its
/// own version field (int16).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "chapters/01_log/record_batch.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/node/node.h"

namespace kafka {

enum class ControlRecordType : int16_t {
  kLeaderChange = 2,
  kSnapshotHeader = 3,
  kSnapshotFooter = 4,
};

/// LeaderChangeMessage v0: who leads, of which voters, elected by whom.
struct LeaderChangeMessage {
  NodeId leader_id = -1;
  std::vector<NodeId> voters;
  std::vector<NodeId> granting_voters;
  bool operator==(const LeaderChangeMessage&) const = default;
};

/// A control batch of one LeaderChange record, stamped `timestamp_ms`.
Bytes MakeLeaderChangeBatch(const LeaderChangeMessage& message,
                            int64_t timestamp_ms);
/// A snapshot's header batch (SnapshotHeaderRecord v0 with the last
/// contained record's timestamp) and footer batch (SnapshotFooterRecord v0).
Bytes MakeSnapshotHeaderBatch(int64_t last_contained_log_timestamp,
                              int64_t base_offset);
Bytes MakeSnapshotFooterBatch(int64_t base_offset);

/// The type of a control batch's record; CORRUPT_MESSAGE if it has none
/// that parses.
Result<ControlRecordType> ControlTypeOf(const RecordBatch& batch);
/// The LeaderChange message of a control batch of that type.
Result<LeaderChangeMessage> DecodeLeaderChange(const RecordBatch& batch);

/// Whether a batch is a control batch.
inline bool IsControlBatch(const RecordBatchHeader& header) {
  return (header.attributes & kControlFlag) != 0;
}

}  // namespace kafka
