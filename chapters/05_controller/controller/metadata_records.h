/// \file
/// Metadata records: the entries of KRaft's metadata log.
///
/// Everything the controller decides (a broker registered, a topic created,
/// a partition's new leader, a config set, a broker fenced) it writes as a
/// record to the metadata log, `__cluster_metadata-0`; every controller and
/// broker replays the committed records, in order, into the same
/// MetadataImage (metadata_image.h). The log is the cluster's state, and a
/// snapshot is that state written as records again.
///
/// Kafka declares each record type as a schema with an api key of its own
/// (metadata/src/main/resources/common/metadata/*.json; the keys count apart
/// from the request api keys) and frames each record as its
/// MetadataRecordSerde does: an unsigned varint frame version (1), an
/// unsigned varint api key, an unsigned varint record version, then the
/// record's body in the flexible (KIP-482) form. This project's schemas are
/// in records/*.json, in lib/protocol's schema format, and are generated the
/// same way as the API messages. Only the record types this controller
/// writes are here; a record type it does not know is a decoding error.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "chapters/05_controller/controller/messages/broker_registration_change_record.h"
#include "chapters/05_controller/controller/messages/config_record.h"
#include "chapters/05_controller/controller/messages/feature_level_record.h"
#include "chapters/05_controller/controller/messages/fence_broker_record.h"
#include "chapters/05_controller/controller/messages/no_op_record.h"
#include "chapters/05_controller/controller/messages/partition_change_record.h"
#include "chapters/05_controller/controller/messages/partition_record.h"
#include "chapters/05_controller/controller/messages/producer_ids_record.h"
#include "chapters/05_controller/controller/messages/register_broker_record.h"
#include "chapters/05_controller/controller/messages/remove_topic_record.h"
#include "chapters/05_controller/controller/messages/topic_record.h"
#include "chapters/05_controller/controller/messages/unfence_broker_record.h"
#include "lib/bytes.h"
#include "lib/error.h"

namespace kafka {

/// One metadata record, of any type this project knows.
using MetadataRecord =
    std::variant<RegisterBrokerRecord, TopicRecord, PartitionRecord,
                 ConfigRecord, PartitionChangeRecord, FenceBrokerRecord,
                 UnfenceBrokerRecord, RemoveTopicRecord, FeatureLevelRecord,
                 ProducerIdsRecord, BrokerRegistrationChangeRecord, NoOpRecord>;

/// MetadataRecordSerde's frame version.
inline constexpr uint32_t kMetadataRecordFrameVersion = 1;

/// The metadata.version this project's records are (Kafka's
/// MetadataVersion 3.3-IV3, feature level 7: RegisterBrokerRecord and
/// BrokerRegistrationChangeRecord v1, PartitionRecord and
/// PartitionChangeRecord v0). The log begins with a FeatureLevelRecord of it.
inline constexpr std::string_view kMetadataVersionFeature = "metadata.version";
inline constexpr int16_t kMetadataVersionLevel = 7;

/// PartitionChangeRecord's "unchanged" values of leader and
/// leader_recovery_state.
inline constexpr int32_t kNoLeaderChange = -2;
inline constexpr int8_t kNoLeaderRecoveryStateChange = -1;

/// RegisterBrokerRecord's security protocol of a PLAINTEXT listener.
inline constexpr int16_t kPlaintextSecurityProtocol = 0;

/// ConfigRecord's resource types (Kafka's ConfigResource.Type).
inline constexpr int8_t kTopicConfigResource = 2;
inline constexpr int8_t kBrokerConfigResource = 4;

/// The version a record of this type is written at: the newest it has here.
int16_t RecordVersion(const MetadataRecord& record);

/// The record's api key (RegisterBrokerRecord 0, TopicRecord 2, ...).
int16_t RecordApiKey(const MetadataRecord& record);

/// The record framed as MetadataRecordSerde writes it.
Bytes EncodeMetadataRecord(const MetadataRecord& record);

/// Reads a record framed as EncodeMetadataRecord writes it: CORRUPT_MESSAGE
/// for another frame version, a truncated or malformed body, or bytes after
/// it; UNSUPPORTED_VERSION for an api key or version this project lacks.
Result<MetadataRecord> DecodeMetadataRecord(ByteView bytes);

/// One line for a person (the log dump tool, the book, a failing test):
/// "PartitionChangeRecord(topic_id=..., partition_id=0, leader=2, isr=[2, 3])".
std::string Describe(const MetadataRecord& record);

}  // namespace kafka
