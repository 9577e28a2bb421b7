/// \file
/// Kafka's error codes, and the Status / Result types that carry them.
///
/// A Kafka client never sees an exception from a broker: every response carries
/// a 16-bit error code with a well-known name (see Errors.java in Kafka's
/// clients). This project uses the same codes and names inside the code too, so
/// an error a test checks for is the error a real client would get. Bad input
/// from the network or the disk becomes an Error with a message saying what was
/// wrong and where; it is never an assertion and never a crash.
#pragma once

#include <cassert>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kafka {

/// The codes this project uses so far, with Kafka's numbers; later chapters add
/// the ones they need.
enum class ErrorCode : int16_t {
  kUnknownServerError = -1,
  kNone = 0,
  kOffsetOutOfRange = 1,
  kCorruptMessage = 2,
  kUnknownTopicOrPartition = 3,
  kLeaderNotAvailable = 5,
  kNotLeaderOrFollower = 6,
  kRequestTimedOut = 7,
  kMessageTooLarge = 10,
  kOffsetMetadataTooLarge = 12,
  kNetworkException = 13,
  kCoordinatorLoadInProgress = 14,
  kCoordinatorNotAvailable = 15,
  kNotCoordinator = 16,
  kInvalidTopicException = 17,
  kRecordListTooLarge = 18,
  kNotEnoughReplicas = 19,
  kNotEnoughReplicasAfterAppend = 20,
  kInvalidRequiredAcks = 21,
  kIllegalGeneration = 22,
  kInconsistentGroupProtocol = 23,
  kInvalidGroupId = 24,
  kUnknownMemberId = 25,
  kInvalidSessionTimeout = 26,
  kRebalanceInProgress = 27,
  kClusterAuthorizationFailed = 31,
  kUnsupportedVersion = 35,
  kTopicAlreadyExists = 36,
  kInvalidPartitions = 37,
  kInvalidReplicationFactor = 38,
  kInvalidReplicaAssignment = 39,
  kInvalidConfig = 40,
  kNotController = 41,
  kInvalidRequest = 42,
  kOutOfOrderSequenceNumber = 45,
  kDuplicateSequenceNumber = 46,
  kInvalidProducerEpoch = 47,
  kOperationNotAttempted = 55,
  kKafkaStorageError = 56,
  kUnknownProducerId = 59,
  kNonEmptyGroup = 68,
  kGroupIdNotFound = 69,
  kFetchSessionIdNotFound = 70,
  kInvalidFetchSessionEpoch = 71,
  kFencedLeaderEpoch = 74,
  kUnknownLeaderEpoch = 75,
  kUnsupportedCompressionType = 76,
  kStaleBrokerEpoch = 77,
  kMemberIdRequired = 79,
  kPreferredLeaderNotAvailable = 80,
  kFencedInstanceId = 82,
  kEligibleLeadersNotAvailable = 83,
  kElectionNotNeeded = 84,
  kGroupSubscribedToTopic = 86,
  kInvalidRecord = 87,
  kInconsistentVoterSet = 94,
  kInvalidUpdateVersion = 95,
  kSnapshotNotFound = 98,
  kPositionOutOfRange = 99,
  kUnknownTopicId = 100,
  kDuplicateBrokerRegistration = 101,
  kBrokerIdNotRegistered = 102,
  kInconsistentClusterId = 104,
  kIneligibleReplica = 107,
  kNewLeaderElected = 108,
  kMismatchedEndpointType = 114,
  kUnsupportedEndpointType = 115,
};

/// Kafka's name for a code, e.g. "OFFSET_OUT_OF_RANGE".
std::string_view ErrorName(ErrorCode code);

/// Prints Kafka's name and number, "OFFSET_OUT_OF_RANGE (1)", so that a failed
/// test expectation names the code instead of dumping its bytes.
std::ostream& operator<<(std::ostream& out, ErrorCode code);

/// An error a Kafka client would see: a code and a message saying what and
/// where.
struct Error {
  ErrorCode code;
  std::string message;

  /// "CORRUPT_MESSAGE: <message>", for logs and test failures.
  std::string ToString() const;
};

/// Prints Error::ToString(), for test failures.
std::ostream& operator<<(std::ostream& out, const Error& error);

/// The outcome of an operation that returns nothing: ok, or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  /// Implicit, so that a function returning Status can `return Error{...};`.
  Status(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

/// The outcome of an operation that returns a T: a value, or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  /// Implicit, so that a function can `return value;` or `return error;`.
  Result(T value) : outcome_(std::move(value)) {}
  Result(Error error) : outcome_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(outcome_); }
  const Error& error() const {
    assert(!ok());
    return std::get<Error>(outcome_);
  }
  Status status() const { return ok() ? Status() : Status(error()); }

  T& value() & {
    assert(ok());
    return std::get<T>(outcome_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(outcome_);
  }
  /// By value, so that `for (auto& x : F().value())` does not dangle.
  T value() && {
    assert(ok());
    return std::get<T>(std::move(outcome_));
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> outcome_;
};

}  // namespace kafka
