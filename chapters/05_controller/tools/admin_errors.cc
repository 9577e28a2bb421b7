#include "chapters/05_controller/tools/admin_errors.h"

#include <array>
#include <string_view>

namespace kafka {
namespace {

// Kafka's exception class and default message for a code (Errors.java).
struct ExceptionInfo {
  ErrorCode code;
  std::string_view class_name;
  std::string_view default_message;
};

constexpr std::array kExceptions = {
    ExceptionInfo{ErrorCode::kUnknownServerError, "UnknownServerException",
                  "The server experienced an unexpected error when processing "
                  "the request."},
    ExceptionInfo{ErrorCode::kUnknownTopicOrPartition,
                  "UnknownTopicOrPartitionException",
                  "This server does not host this topic-partition."},
    ExceptionInfo{ErrorCode::kLeaderNotAvailable, "LeaderNotAvailableException",
                  "There is no leader for this topic-partition as we are in "
                  "the middle of a leadership election."},
    ExceptionInfo{ErrorCode::kRequestTimedOut, "TimeoutException",
                  "The request timed out."},
    ExceptionInfo{ErrorCode::kNetworkException, "NetworkException",
                  "The server disconnected before a response was received."},
    ExceptionInfo{ErrorCode::kInvalidTopicException, "InvalidTopicException",
                  "The request attempted to perform an operation on an "
                  "invalid topic."},
    ExceptionInfo{ErrorCode::kClusterAuthorizationFailed,
                  "ClusterAuthorizationException",
                  "Cluster authorization failed."},
    ExceptionInfo{ErrorCode::kUnsupportedVersion, "UnsupportedVersionException",
                  "The version of API is not supported."},
    ExceptionInfo{ErrorCode::kTopicAlreadyExists, "TopicExistsException",
                  "Topic with this name already exists."},
    ExceptionInfo{ErrorCode::kInvalidPartitions, "InvalidPartitionsException",
                  "Number of partitions is below 1."},
    ExceptionInfo{ErrorCode::kInvalidReplicationFactor,
                  "InvalidReplicationFactorException",
                  "Replication factor is below 1 or larger than the number of "
                  "available brokers."},
    ExceptionInfo{ErrorCode::kInvalidReplicaAssignment,
                  "InvalidReplicaAssignmentException",
                  "Replica assignment is invalid."},
    ExceptionInfo{ErrorCode::kInvalidConfig, "InvalidConfigurationException",
                  "Configuration is invalid."},
    ExceptionInfo{ErrorCode::kNotController, "NotControllerException",
                  "This is not the correct controller for this cluster."},
    ExceptionInfo{ErrorCode::kInvalidRequest, "InvalidRequestException",
                  "This most likely occurs because of a request being "
                  "malformed by the client library or the message was sent "
                  "to an incompatible broker. See the broker logs for more "
                  "details."},
    ExceptionInfo{ErrorCode::kPreferredLeaderNotAvailable,
                  "PreferredLeaderNotAvailableException",
                  "The preferred leader was not available."},
    ExceptionInfo{ErrorCode::kEligibleLeadersNotAvailable,
                  "EligibleLeadersNotAvailableException",
                  "Eligible topic partition leaders are not available."},
    ExceptionInfo{ErrorCode::kElectionNotNeeded, "ElectionNotNeededException",
                  "Leader election not needed for topic partition."},
    ExceptionInfo{ErrorCode::kUnknownTopicId, "UnknownTopicIdException",
                  "This server does not host this topic ID."},
};

const ExceptionInfo* Find(ErrorCode code) {
  for (const ExceptionInfo& info : kExceptions) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

}  // namespace

std::string ExceptionMessage(ErrorCode code,
                             const std::optional<std::string>& message) {
  if (message && !message->empty()) return *message;
  if (const ExceptionInfo* info = Find(code)) {
    return std::string(info->default_message);
  }
  return std::string(ErrorName(code));
}

std::string ExceptionText(ErrorCode code,
                          const std::optional<std::string>& message) {
  const ExceptionInfo* info = Find(code);
  const std::string class_name =
      info ? std::string(info->class_name) : "ApiException";
  return "org.apache.kafka.common.errors." + class_name + ": " +
         ExceptionMessage(code, message);
}

}  // namespace kafka
