#include "chapters/05_controller/tools/leader_election_command.h"

#include <gtest/gtest.h>

#include "chapters/05_controller/tools/admin_errors.h"

namespace kafka {
namespace {

using PartitionResult = ElectLeadersResponse::PartitionResult;

ElectLeadersResponse Answer(
    std::vector<std::pair<std::string, std::vector<PartitionResult>>> topics) {
  ElectLeadersResponse response;
  for (auto& [topic, results] : topics) {
    response.replica_election_results.push_back(
        {.topic = topic, .partition_result = std::move(results)});
  }
  return response;
}

PartitionResult Done(int32_t partition) { return {.partition_id = partition}; }
PartitionResult Failed(int32_t partition, ErrorCode code,
                       std::optional<std::string> message = std::nullopt) {
  return {.partition_id = partition,
          .error_code = code,
          .error_message = std::move(message)};
}

// Rule: the partitions elected are on one line, those whose preferred (or a
// valid) leader leads already (ELECTION_NOT_NEEDED) on another; exit 0.
TEST(LeaderElectionCommandTest, SucceededAndNotNeeded) {
  ElectionReport report = ReportElection(
      kPreferredElection,
      Answer(
          {{"t", {Done(1), Failed(2, ErrorCode::kElectionNotNeeded), Done(0)}},
           {"a", {Done(0)}}}));
  EXPECT_EQ(report.out,
            "Successfully completed leader election (PREFERRED) for "
            "partitions a-0, t-0, t-1\n"
            "Valid replica already elected for partitions t-2\n");
  EXPECT_EQ(report.err, "");
  EXPECT_EQ(report.exit_code, 0);
}

// Rule: a partition that could not be elected gets a line with the
// exception, and the tool fails, counting them.
TEST(LeaderElectionCommandTest, FailuresFailTheTool) {
  ElectionReport report = ReportElection(
      kUncleanElection,
      Answer({{"t",
               {Done(0), Failed(1, ErrorCode::kEligibleLeadersNotAvailable),
                Failed(2, ErrorCode::kUnknownTopicOrPartition,
                       "no partition t-2")}}}));
  EXPECT_EQ(report.out,
            "Successfully completed leader election (UNCLEAN) for partitions "
            "t-0\n"
            "Error completing leader election (UNCLEAN) for partition: t-1: "
            "org.apache.kafka.common.errors."
            "EligibleLeadersNotAvailableException: Eligible topic partition "
            "leaders are not available.\n"
            "Error completing leader election (UNCLEAN) for partition: t-2: "
            "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: "
            "no partition t-2\n");
  EXPECT_EQ(report.err, "2 replica(s) could not be elected\n");
  EXPECT_EQ(report.exit_code, 1);
}

// Rule: an error for the whole request (v1+) fails the tool.
TEST(LeaderElectionCommandTest, RequestError) {
  ElectLeadersResponse response;
  response.error_code = ErrorCode::kClusterAuthorizationFailed;
  ElectionReport report = ReportElection(kPreferredElection, response);
  EXPECT_EQ(report.out, "");
  EXPECT_EQ(report.err,
            "org.apache.kafka.common.errors.ClusterAuthorizationException: "
            "Cluster authorization failed.\n");
  EXPECT_EQ(report.exit_code, 1);
}

// Rule: --all-topic-partitions is a null list; named partitions are grouped
// by topic; the election type is sent as Kafka's number.
TEST(LeaderElectionCommandTest, Request) {
  ElectLeadersRequest all =
      BuildElectLeadersRequest(kUncleanElection, std::nullopt);
  EXPECT_EQ(all.election_type, kUncleanElection);
  EXPECT_FALSE(all.topic_partitions.has_value());

  ElectLeadersRequest some = BuildElectLeadersRequest(
      kPreferredElection,
      std::vector<ElectionPartition>{{"t", 1}, {"a", 0}, {"t", 0}});
  ASSERT_TRUE(some.topic_partitions.has_value());
  ASSERT_EQ(some.topic_partitions->size(), 2u);
  EXPECT_EQ((*some.topic_partitions)[0].topic, "a");
  EXPECT_EQ((*some.topic_partitions)[1].partitions,
            (std::vector<int32_t>{1, 0}));
}

// Rule: --election-type takes preferred or unclean, in any case.
TEST(LeaderElectionCommandTest, ElectionType) {
  EXPECT_EQ(*ParseElectionType("preferred"), kPreferredElection);
  EXPECT_EQ(*ParseElectionType("UNCLEAN"), kUncleanElection);
  EXPECT_FALSE(ParseElectionType("random").ok());
  EXPECT_EQ(ElectionTypeName(kUncleanElection), "UNCLEAN");
}

// Rule: --path-to-json-file is Kafka's {"partitions": [{"topic",
// "partition"}]}; duplicates and a missing "partitions" are errors with Kafka's
// words.
TEST(LeaderElectionCommandTest, JsonFile) {
  auto parsed = ParseElectionJson(
      "{\"partitions\":\n\t[{\"topic\": \"foo\", \"partition\": 1},\n"
      "\t {\"partition\": 2, \"topic\": \"foobar\"}]\n}\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(*parsed,
            (std::vector<ElectionPartition>{{"foo", 1}, {"foobar", 2}}));

  auto duplicate = ParseElectionJson(
      R"({"partitions": [{"topic": "a", "partition": 0},
                         {"topic": "a", "partition": 0}]})");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().message,
            "Replica election data contains duplicate partitions: [a-0]");

  auto missing = ParseElectionJson(R"({"topics": []})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "Replica election data is missing \"partitions\" field");

  EXPECT_FALSE(ParseElectionJson("{\"partitions\": [").ok());
  EXPECT_FALSE(ParseElectionJson(R"({"partitions": [{"topic": 1}]})").ok());
}

}  // namespace
}  // namespace kafka
