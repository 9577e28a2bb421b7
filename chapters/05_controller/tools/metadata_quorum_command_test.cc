#include "chapters/05_controller/tools/metadata_quorum_command.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

using ReplicaState = DescribeQuorumResponse::ReplicaState;

ReplicaState Replica(int32_t id, int64_t log_end, int64_t last_fetch,
                     int64_t last_caught_up) {
  return {.replica_id = id,
          .log_end_offset = log_end,
          .last_fetch_timestamp = last_fetch,
          .last_caught_up_timestamp = last_caught_up};
}

// Controllers 3000-3002 (3001 leads, 3002 is 7 records behind), brokers 1
// and 2 observing.
DescribeQuorumResponse Quorum() {
  DescribeQuorumResponse response;
  response.topics.push_back(
      {.topic_name = "__cluster_metadata",
       .partitions = {{.partition_index = 0,
                       .leader_id = 3001,
                       .leader_epoch = 4,
                       .high_watermark = 60,
                       .current_voters = {Replica(3000, 60, 1000, 1000),
                                          Replica(3001, 60, -1, 1100),
                                          Replica(3002, 53, 1050, 900)},
                       .observers = {Replica(1, 60, 1090, 1090),
                                     Replica(2, 12, -1, -1)}}}});
  return response;
}

// Rule: --status prints Kafka's eight lines: the lag of the voter furthest
// behind, and how much longer ago it was caught up than the leader.
TEST(MetadataQuorumCommandTest, Status) {
  auto quorum = MetadataQuorumState(Quorum());
  ASSERT_TRUE(quorum.ok()) << quorum.error();
  EXPECT_EQ(FormatQuorumStatus("lQd3xZsWTYWNmyu5vyLz8w", *quorum),
            "ClusterId:              lQd3xZsWTYWNmyu5vyLz8w\n"
            "LeaderId:               3001\n"
            "LeaderEpoch:            4\n"
            "HighWatermark:          60\n"
            "MaxFollowerLag:         7\n"
            "MaxFollowerLagTimeMs:   200\n"
            "CurrentVoters:          [3000,3001,3002]\n"
            "CurrentObservers:       [1,2]\n");
}

// Rule: with every voter caught up, the lag is 0; the lag time is 0 if the
// leader itself is the first voter with the smallest log end, else the
// difference of caught-up times, or -1 if one is unknown.
TEST(MetadataQuorumCommandTest, CaughtUpQuorum) {
  DescribeQuorumResponse response = Quorum();
  auto& partition = response.topics[0].partitions[0];
  partition.current_voters = {Replica(3001, 60, -1, 1100),
                              Replica(3000, 60, 1000, 1000)};
  std::string status = FormatQuorumStatus("c", *MetadataQuorumState(response));
  EXPECT_NE(status.find("MaxFollowerLag:         0\n"), std::string::npos);
  EXPECT_NE(status.find("MaxFollowerLagTimeMs:   0\n"), std::string::npos);

  partition.current_voters = {Replica(3000, 60, 1000, -1),
                              Replica(3001, 60, -1, 1100)};
  status = FormatQuorumStatus("c", *MetadataQuorumState(response));
  EXPECT_NE(status.find("MaxFollowerLagTimeMs:   -1\n"), std::string::npos);
}

// Rule: --replication prints the leader, then the other voters, then the
// observers, each column as wide as its widest cell and followed by a tab.
TEST(MetadataQuorumCommandTest, Replication) {
  EXPECT_EQ(FormatQuorumReplication(*MetadataQuorumState(Quorum())),
            "NodeId\tLogEndOffset\tLag\tLastFetchTimestamp\t"
            "LastCaughtUpTimestamp\tStatus  \t\n"
            "3001  \t60          \t0  \t-1                \t1100          "
            "       \tLeader  \t\n"
            "3000  \t60          \t0  \t1000              \t1000          "
            "       \tFollower\t\n"
            "3002  \t53          \t7  \t1050              \t900           "
            "       \tFollower\t\n"
            "1     \t60          \t0  \t1090              \t1090          "
            "       \tObserver\t\n"
            "2     \t12          \t48 \t-1                \t-1            "
            "       \tObserver\t\n");
}

// Rule: --human-readable prints times as "N ms ago"; unknown stays -1.
TEST(MetadataQuorumCommandTest, HumanReadable) {
  std::string table =
      FormatQuorumReplication(*MetadataQuorumState(Quorum()), 1200);
  // The leader (first row) last caught up at 1100, 100 ms before "now".
  const std::string leader_row = table.substr(table.find("\n3001") + 1);
  EXPECT_NE(leader_row.find("\t100 ms ago"), std::string::npos) << table;
  EXPECT_EQ(leader_row.find("1100"), std::string::npos) << table;
  EXPECT_NE(table.find("200 ms ago"), std::string::npos);
}

// Rule: an error in the answer, no metadata partition, or a leader that is
// not a voter (an election under way) is an error, not a table.
TEST(MetadataQuorumCommandTest, Errors) {
  DescribeQuorumResponse refused;
  refused.error_code = ErrorCode::kNotLeaderOrFollower;
  EXPECT_EQ(MetadataQuorumState(refused).error().code,
            ErrorCode::kNotLeaderOrFollower);

  EXPECT_EQ(MetadataQuorumState(DescribeQuorumResponse{}).error().code,
            ErrorCode::kUnknownTopicOrPartition);

  DescribeQuorumResponse electing = Quorum();
  electing.topics[0].partitions[0].leader_id = -1;
  EXPECT_EQ(MetadataQuorumState(electing).error().code,
            ErrorCode::kLeaderNotAvailable);
}

// Rule: the request asks for __cluster_metadata-0.
TEST(MetadataQuorumCommandTest, Request) {
  DescribeQuorumRequest request = MetadataQuorumRequest();
  ASSERT_EQ(request.topics.size(), 1u);
  EXPECT_EQ(request.topics[0].topic_name, "__cluster_metadata");
  ASSERT_EQ(request.topics[0].partitions.size(), 1u);
  EXPECT_EQ(request.topics[0].partitions[0].partition_index, 0);
}

}  // namespace
}  // namespace kafka
