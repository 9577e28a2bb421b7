/// \file
/// Printing the metadata log for people: what Kafka's kafka-dump-log.sh
/// prints with --cluster-metadata-decoder (DumpLogSegments'
/// ClusterMetadataLogMessageParser).
///
/// The metadata log, `__cluster_metadata-0`, is an ordinary segment file of
/// record batches (Chapter 1), and a snapshot (`%020d-%010d.checkpoint`) is
/// too. Each batch is printed as one line of its header fields, in
/// DumpLogSegments' order, then each record on a line of its own starting
/// with "| ": a data batch's records are metadata records, decoded and
/// described (metadata_records.h's Describe); a control batch's record is
/// the Raft layer's own (LeaderChange, SnapshotHeader, SnapshotFooter).
///
///   baseOffset: 0 lastOffset: 0 count: 1 ... isControl: true ...
///   | offset: 0 CreateTime: ... LeaderChange: {"version":0,...}
///   baseOffset: 1 lastOffset: 2 count: 2 ... isControl: false ...
///   | offset: 1 CreateTime: ... payload: FeatureLevelRecord(...)
///   | offset: 2 CreateTime: ... payload: TopicRecord(name="t", ...)
///
/// Kafka prints a data record as JSON ({"type":"TOPIC_RECORD",...}); this
/// project prints its one-line Describe instead.
#pragma once

#include <ostream>

#include "lib/bytes.h"

namespace kafka {

/// Prints the batches in `contents` (a .log segment or a .checkpoint file)
/// to `out`. Returns false if it met bytes that are no valid batch (it says
/// so and stops there) or a record that does not decode (it says so and
/// goes on).
bool DumpMetadataLog(ByteView contents, std::ostream& out);

}  // namespace kafka
