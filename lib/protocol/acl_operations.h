// Authorized operations: what a client may do to a topic, a group or the
// cluster, as Metadata (v8+), DescribeGroups (v3+) and DescribeCluster answer
// when asked (KIP-430). Each operation is Kafka's AclOperation code, and the
// answer is a bit set: bit `code` is set when the operation is allowed.
//
// This project has no authorizer, so, as Kafka without one, it allows every
// operation a resource type has. A client that did not ask gets INT32_MIN,
// the fields' default in their schemas.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace kafka {

// Kafka's AclOperation codes (0 UNKNOWN, 1 ANY and 2 ALL are not operations).
enum class AclOperation : int {
  kRead = 3,
  kWrite = 4,
  kCreate = 5,
  kDelete = 6,
  kAlter = 7,
  kDescribe = 8,
  kClusterAction = 9,
  kDescribeConfigs = 10,
  kAlterConfigs = 11,
  kIdempotentWrite = 12,
};

constexpr int32_t OperationBits(
    std::initializer_list<AclOperation> operations) {
  int32_t bits = 0;
  for (AclOperation operation : operations) {
    bits |= int32_t(1) << static_cast<int>(operation);
  }
  return bits;
}

// Everything Kafka defines for each resource type (AclEntry's
// supportedOperations).
constexpr int32_t kAllTopicOperations = OperationBits(
    {AclOperation::kRead, AclOperation::kWrite, AclOperation::kCreate,
     AclOperation::kDelete, AclOperation::kAlter, AclOperation::kDescribe,
     AclOperation::kDescribeConfigs, AclOperation::kAlterConfigs});
constexpr int32_t kAllGroupOperations = OperationBits(
    {AclOperation::kRead, AclOperation::kDelete, AclOperation::kDescribe});
constexpr int32_t kAllClusterOperations = OperationBits(
    {AclOperation::kCreate, AclOperation::kAlter, AclOperation::kDescribe,
     AclOperation::kClusterAction, AclOperation::kDescribeConfigs,
     AclOperation::kAlterConfigs, AclOperation::kIdempotentWrite});

}  // namespace kafka
