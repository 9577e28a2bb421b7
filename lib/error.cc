#include "lib/error.h"

#include <ostream>

namespace kafka {

std::string_view ErrorName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnknownServerError:
      return "UNKNOWN_SERVER_ERROR";
    case ErrorCode::kNone:
      return "NONE";
    case ErrorCode::kOffsetOutOfRange:
      return "OFFSET_OUT_OF_RANGE";
    case ErrorCode::kCorruptMessage:
      return "CORRUPT_MESSAGE";
    case ErrorCode::kRequestTimedOut:
      return "REQUEST_TIMED_OUT";
    case ErrorCode::kNetworkException:
      return "NETWORK_EXCEPTION";
    case ErrorCode::kCoordinatorLoadInProgress:
      return "COORDINATOR_LOAD_IN_PROGRESS";
    case ErrorCode::kMessageTooLarge:
      return "MESSAGE_TOO_LARGE";
    case ErrorCode::kOffsetMetadataTooLarge:
      return "OFFSET_METADATA_TOO_LARGE";
    case ErrorCode::kRecordListTooLarge:
      return "RECORD_LIST_TOO_LARGE";
    case ErrorCode::kNotEnoughReplicas:
      return "NOT_ENOUGH_REPLICAS";
    case ErrorCode::kNotEnoughReplicasAfterAppend:
      return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case ErrorCode::kUnsupportedVersion:
      return "UNSUPPORTED_VERSION";
    case ErrorCode::kInvalidRequest:
      return "INVALID_REQUEST";
    case ErrorCode::kOutOfOrderSequenceNumber:
      return "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case ErrorCode::kDuplicateSequenceNumber:
      return "DUPLICATE_SEQUENCE_NUMBER";
    case ErrorCode::kInvalidProducerEpoch:
      return "INVALID_PRODUCER_EPOCH";
    case ErrorCode::kKafkaStorageError:
      return "KAFKA_STORAGE_ERROR";
    case ErrorCode::kUnknownProducerId:
      return "UNKNOWN_PRODUCER_ID";
    case ErrorCode::kUnknownTopicOrPartition:
      return "UNKNOWN_TOPIC_OR_PARTITION";
    case ErrorCode::kLeaderNotAvailable:
      return "LEADER_NOT_AVAILABLE";
    case ErrorCode::kNotLeaderOrFollower:
      return "NOT_LEADER_OR_FOLLOWER";
    case ErrorCode::kCoordinatorNotAvailable:
      return "COORDINATOR_NOT_AVAILABLE";
    case ErrorCode::kNotCoordinator:
      return "NOT_COORDINATOR";
    case ErrorCode::kInvalidTopicException:
      return "INVALID_TOPIC_EXCEPTION";
    case ErrorCode::kInvalidRequiredAcks:
      return "INVALID_REQUIRED_ACKS";
    case ErrorCode::kTopicAlreadyExists:
      return "TOPIC_ALREADY_EXISTS";
    case ErrorCode::kInvalidPartitions:
      return "INVALID_PARTITIONS";
    case ErrorCode::kInvalidReplicationFactor:
      return "INVALID_REPLICATION_FACTOR";
    case ErrorCode::kInvalidReplicaAssignment:
      return "INVALID_REPLICA_ASSIGNMENT";
    case ErrorCode::kInvalidConfig:
      return "INVALID_CONFIG";
    case ErrorCode::kInvalidRecord:
      return "INVALID_RECORD";
    case ErrorCode::kIllegalGeneration:
      return "ILLEGAL_GENERATION";
    case ErrorCode::kInconsistentGroupProtocol:
      return "INCONSISTENT_GROUP_PROTOCOL";
    case ErrorCode::kInvalidGroupId:
      return "INVALID_GROUP_ID";
    case ErrorCode::kUnknownMemberId:
      return "UNKNOWN_MEMBER_ID";
    case ErrorCode::kInvalidSessionTimeout:
      return "INVALID_SESSION_TIMEOUT";
    case ErrorCode::kRebalanceInProgress:
      return "REBALANCE_IN_PROGRESS";
    case ErrorCode::kNonEmptyGroup:
      return "NON_EMPTY_GROUP";
    case ErrorCode::kGroupIdNotFound:
      return "GROUP_ID_NOT_FOUND";
    case ErrorCode::kGroupSubscribedToTopic:
      return "GROUP_SUBSCRIBED_TO_TOPIC";
    case ErrorCode::kUnsupportedCompressionType:
      return "UNSUPPORTED_COMPRESSION_TYPE";
    case ErrorCode::kMemberIdRequired:
      return "MEMBER_ID_REQUIRED";
    case ErrorCode::kFencedInstanceId:
      return "FENCED_INSTANCE_ID";
    case ErrorCode::kFetchSessionIdNotFound:
      return "FETCH_SESSION_ID_NOT_FOUND";
    case ErrorCode::kInvalidFetchSessionEpoch:
      return "INVALID_FETCH_SESSION_EPOCH";
    case ErrorCode::kFencedLeaderEpoch:
      return "FENCED_LEADER_EPOCH";
    case ErrorCode::kUnknownLeaderEpoch:
      return "UNKNOWN_LEADER_EPOCH";
    case ErrorCode::kUnknownTopicId:
      return "UNKNOWN_TOPIC_ID";
    case ErrorCode::kEligibleLeadersNotAvailable:
      return "ELIGIBLE_LEADERS_NOT_AVAILABLE";
    case ErrorCode::kNotController:
      return "NOT_CONTROLLER";
    case ErrorCode::kOperationNotAttempted:
      return "OPERATION_NOT_ATTEMPTED";
    case ErrorCode::kInvalidUpdateVersion:
      return "INVALID_UPDATE_VERSION";
    case ErrorCode::kIneligibleReplica:
      return "INELIGIBLE_REPLICA";
    case ErrorCode::kNewLeaderElected:
      return "NEW_LEADER_ELECTED";
    case ErrorCode::kStaleBrokerEpoch:
      return "STALE_BROKER_EPOCH";
    case ErrorCode::kPreferredLeaderNotAvailable:
      return "PREFERRED_LEADER_NOT_AVAILABLE";
    case ErrorCode::kElectionNotNeeded:
      return "ELECTION_NOT_NEEDED";
    case ErrorCode::kInconsistentVoterSet:
      return "INCONSISTENT_VOTER_SET";
    case ErrorCode::kSnapshotNotFound:
      return "SNAPSHOT_NOT_FOUND";
    case ErrorCode::kPositionOutOfRange:
      return "POSITION_OUT_OF_RANGE";
    case ErrorCode::kDuplicateBrokerRegistration:
      return "DUPLICATE_BROKER_REGISTRATION";
    case ErrorCode::kBrokerIdNotRegistered:
      return "BROKER_ID_NOT_REGISTERED";
    case ErrorCode::kInconsistentClusterId:
      return "INCONSISTENT_CLUSTER_ID";
    case ErrorCode::kClusterAuthorizationFailed:
      return "CLUSTER_AUTHORIZATION_FAILED";
    case ErrorCode::kMismatchedEndpointType:
      return "MISMATCHED_ENDPOINT_TYPE";
    case ErrorCode::kUnsupportedEndpointType:
      return "UNSUPPORTED_ENDPOINT_TYPE";
  }
  return "UNKNOWN_ERROR_CODE";
}

std::string Error::ToString() const {
  return std::string(ErrorName(code)) + ": " + message;
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) {
  return out << ErrorName(code) << " (" << static_cast<int>(code) << ")";
}

std::ostream& operator<<(std::ostream& out, const Error& error) {
  return out << error.ToString();
}

}  // namespace kafka
