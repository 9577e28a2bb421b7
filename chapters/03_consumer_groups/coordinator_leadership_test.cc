// The group coordinator follows the leadership of __consumer_offsets: it
// serves the groups of the partitions this broker leads, loads their offsets
// when it becomes leader and forgets them when it stops. With one broker it
// leads every partition, so these tests move leadership by hand, as
// Chapter 4's ReplicaManager will. GroupAdminTest, on the same coordinator,
// checks DeleteGroups and OffsetDelete.
#include <gtest/gtest.h>

#include "chapters/02_partitions/broker.h"
#include "chapters/03_consumer_groups/assignor.h"
#include "chapters/03_consumer_groups/group_apis.h"
#include "chapters/03_consumer_groups/group_coordinator.h"
#include "lib/protocol/message.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr NodeId kNode = 1;

class IdleNode : public ClientNode {
 public:
  void Start(Environment&) override {}
};

class CoordinatorLeadershipTest : public ::testing::Test {
 protected:
  CoordinatorLeadershipTest() {
    sim_.AddNode(kNode, [] { return std::make_unique<IdleNode>(); });
    components_ = std::make_unique<LocalBrokerComponents>(
        sim_.env(kNode), BrokerConfig{.node_id = kNode, .data_dir = "data"});
    components_->topics().CreateTopic(
        {.name = kOffsetsTopic, .num_partitions = 3}, false,
        [](Status s) { ASSERT_TRUE(s.ok()); });
    coordinator_ = NewCoordinator();
  }

  std::unique_ptr<GroupCoordinator> NewCoordinator() {
    return std::make_unique<GroupCoordinator>(
        sim_.env(kNode), components_->replicas(),
        GroupCoordinatorConfig{.offsets_topic_num_partitions = 3});
  }

  ErrorCode Commit(GroupCoordinator& coordinator, int64_t offset) {
    OffsetCommitRequest request;
    request.group_id = "g";
    request.topics = {{"orders", {{0, offset, -1, std::nullopt}}}};
    ErrorCode error = ErrorCode::kUnknownServerError;
    coordinator.Commit(request, [&](OffsetCommitResponse r) {
      error = r.topics[0].partitions[0].error_code;
    });
    return error;
  }

  int64_t CommittedOffset(const GroupCoordinator& coordinator) {
    return coordinator.FetchOffsets({"g", {{{"orders", {0}}}}})
        .topics[0]
        .partitions[0]
        .committed_offset;
  }

  int32_t partition() { return coordinator_->OffsetsPartitionFor("g"); }

  Simulation sim_{3};
  std::unique_ptr<LocalBrokerComponents> components_;
  std::unique_ptr<GroupCoordinator> coordinator_;
};

TEST_F(CoordinatorLeadershipTest, ServesOnlyTheGroupsOfPartitionsItLeads) {
  EXPECT_FALSE(coordinator_->IsCoordinatorFor("g"));
  coordinator_->OnElection(partition());
  EXPECT_TRUE(coordinator_->IsCoordinatorFor("g"));
  coordinator_->OnResignation(partition());
  EXPECT_FALSE(coordinator_->IsCoordinatorFor("g"));
}

TEST_F(CoordinatorLeadershipTest, ANewLeaderLoadsTheCommittedOffsets) {
  coordinator_->OnElection(partition());
  ASSERT_EQ(Commit(*coordinator_, 42), ErrorCode::kNone);
  // Another coordinator over the same partitions: it knows nothing until it
  // leads the partition, then reads the offsets back from it.
  std::unique_ptr<GroupCoordinator> next = NewCoordinator();
  EXPECT_EQ(CommittedOffset(*next), -1);
  next->OnElection(partition());
  EXPECT_EQ(CommittedOffset(*next), 42);
  EXPECT_EQ(next->StateOf("g"), GroupState::kEmpty);
}

TEST_F(CoordinatorLeadershipTest, ResigningForgetsTheGroupsAndTheirOffsets) {
  coordinator_->OnElection(partition());
  ASSERT_EQ(Commit(*coordinator_, 7), ErrorCode::kNone);
  coordinator_->OnResignation(partition());
  EXPECT_EQ(coordinator_->StateOf("g"), std::nullopt);
  EXPECT_EQ(CommittedOffset(*coordinator_), -1);
  coordinator_->OnElection(partition());  // and back: read from the log
  EXPECT_EQ(CommittedOffset(*coordinator_), 7);
}

TEST_F(CoordinatorLeadershipTest,
       ResigningAnswersAWaitingJoinWithNotCoordinator) {
  coordinator_->OnElection(partition());
  JoinGroupRequest join;
  join.group_id = "g";
  join.protocols = {{"range", {}}};
  std::optional<JoinGroupResponse> answer;
  // A new group waits group.initial.rebalance.delay.ms for more members.
  coordinator_->Join(join, "client", [&](JoinGroupResponse r) { answer = r; });
  ASSERT_FALSE(answer);
  coordinator_->OnResignation(partition());
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->error_code, ErrorCode::kNotCoordinator);
  sim_.RunFor(10'000);  // its timers went with it: nothing else happens
}

// The group APIs refuse groups this broker does not coordinate, so the client
// looks for the coordinator again.
TEST_F(CoordinatorLeadershipTest, GroupApisAnswerNotCoordinatorForOtherGroups) {
  RequestHandlers handlers;
  GroupApis apis(*coordinator_, components_->metadata());
  apis.RegisterWith(handlers);
  const int16_t version = 2;
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.topics = {{"orders", {{0, 5, -1, std::nullopt}}}};
  Bytes body = EncodeMessage(commit, ApiKey::kOffsetCommit, version);
  std::optional<Bytes> answer;
  ASSERT_TRUE(
      handlers
          .Handle({{int16_t(ApiKey::kOffsetCommit), version, 1, "c"}, body, 0},
                  [&](std::optional<Bytes> b) { answer = b; })
          .ok());
  auto response =
      DecodeMessage<OffsetCommitResponse>(*answer, ApiKey::kOffsetCommit,
                                          version, 0, "OffsetCommitResponse")
          .value();
  EXPECT_EQ(response.topics[0].partitions[0].error_code,
            ErrorCode::kNotCoordinator);
  EXPECT_EQ(CommittedOffset(*coordinator_), -1);
}

// DeleteGroups and OffsetDelete, on a coordinator that leads the group.
class GroupAdminTest : public CoordinatorLeadershipTest {
 protected:
  GroupAdminTest() { coordinator_->OnElection(partition()); }

  ErrorCode DeleteGroup(const std::string& group_id) {
    ErrorCode error = ErrorCode::kUnknownServerError;
    coordinator_->DeleteGroup(group_id, [&](ErrorCode e) { error = e; });
    return error;
  }

  // A member of "g" that subscribes to "orders", waiting for its generation.
  void JoinSubscribedTo(const std::string& topic) {
    JoinGroupRequest join;
    join.group_id = "g";
    join.protocols = {{"range", EncodeSubscription({{topic}})}};
    coordinator_->Join(join, "client", [](JoinGroupResponse) {});
  }
};

// Rule: DeleteGroups removes an Empty group and its committed offsets, for
// good: a new coordinator reading the partition finds none (tombstones).
TEST_F(GroupAdminTest, DeletingAnEmptyGroupDeletesItsOffsets) {
  ASSERT_EQ(Commit(*coordinator_, 42), ErrorCode::kNone);
  ASSERT_EQ(coordinator_->StateOf("g"), GroupState::kEmpty);
  EXPECT_EQ(DeleteGroup("g"), ErrorCode::kNone);
  EXPECT_EQ(coordinator_->StateOf("g"), std::nullopt);
  EXPECT_EQ(CommittedOffset(*coordinator_), -1);
  std::unique_ptr<GroupCoordinator> next = NewCoordinator();
  next->OnElection(partition());
  EXPECT_EQ(CommittedOffset(*next), -1);
  EXPECT_EQ(next->StateOf("g"), std::nullopt);
}

// Rule: a group with members is not deleted (NON_EMPTY_GROUP); an unknown
// one is GROUP_ID_NOT_FOUND, an empty id INVALID_GROUP_ID.
TEST_F(GroupAdminTest, OnlyEmptyGroupsAreDeleted) {
  JoinSubscribedTo("orders");
  EXPECT_EQ(DeleteGroup("g"), ErrorCode::kNonEmptyGroup);
  EXPECT_EQ(DeleteGroup("nobody"), ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(DeleteGroup(""), ErrorCode::kInvalidGroupId);
}

// Rule: OffsetDelete deletes the offsets of topics no member subscribes to,
// and refuses those a member reads (GROUP_SUBSCRIBED_TO_TOPIC).
TEST_F(GroupAdminTest, OffsetDeleteSparesTopicsTheMembersRead) {
  ASSERT_EQ(Commit(*coordinator_, 7), ErrorCode::kNone);  // orders-0
  OffsetCommitRequest other;
  other.group_id = "g";
  other.topics = {{"old", {{0, 3, -1, std::nullopt}}}};
  coordinator_->Commit(other, [](OffsetCommitResponse) {});
  JoinSubscribedTo("orders");
  auto delete_offsets = [&] {
    std::optional<std::pair<ErrorCode, std::vector<ErrorCode>>> answer;
    coordinator_->DeleteOffsets(
        "g", {{"orders", 0}, {"old", 0}},
        [&](ErrorCode group, std::vector<ErrorCode> partitions) {
          answer.emplace(group, partitions);
        });
    return answer.value();
  };
  // Before the first generation nobody knows what the members read: every
  // topic counts as read.
  EXPECT_EQ(delete_offsets().second,
            (std::vector<ErrorCode>{ErrorCode::kGroupSubscribedToTopic,
                                    ErrorCode::kGroupSubscribedToTopic}));
  sim_.RunFor(5'000);  // group.initial.rebalance.delay.ms: the generation
  auto [group_error, errors] = delete_offsets();
  EXPECT_EQ(group_error, ErrorCode::kNone);
  EXPECT_EQ(errors, (std::vector<ErrorCode>{ErrorCode::kGroupSubscribedToTopic,
                                            ErrorCode::kNone}));
  EXPECT_EQ(CommittedOffset(*coordinator_), 7);
  EXPECT_EQ(coordinator_->FetchOffsets({"g", {{{"old", {0}}}}})
                .topics[0]
                .partitions[0]
                .committed_offset,
            -1);
}

// Rule: an Empty group whose last offset OffsetDelete removes is gone (Dead),
// as if DeleteGroups had removed it; one with offsets left stays.
TEST_F(GroupAdminTest, DeletingAnEmptyGroupsLastOffsetRemovesTheGroup) {
  ASSERT_EQ(Commit(*coordinator_, 7), ErrorCode::kNone);  // orders-0
  OffsetCommitRequest other;
  other.group_id = "g";
  other.topics = {{"old", {{0, 3, -1, std::nullopt}}}};
  coordinator_->Commit(other, [](OffsetCommitResponse) {});
  auto delete_offset = [&](const std::string& topic) {
    coordinator_->DeleteOffsets("g", {{topic, 0}},
                                [](ErrorCode, std::vector<ErrorCode>) {});
  };
  delete_offset("old");
  EXPECT_EQ(coordinator_->StateOf("g"), GroupState::kEmpty);
  delete_offset("orders");
  EXPECT_EQ(coordinator_->StateOf("g"), std::nullopt);
}

// Rule: a deleted topic's committed offsets go from every group; an Empty
// group that had only those goes with them; a new coordinator reading the
// partition back finds neither.
TEST_F(GroupAdminTest, DeletedPartitionsLoseTheirOffsets) {
  ASSERT_EQ(Commit(*coordinator_, 7), ErrorCode::kNone);  // g: orders-0
  auto commit_old = [&](const std::string& group) {
    OffsetCommitRequest request;
    request.group_id = group;
    request.topics = {{"old", {{0, 3, -1, std::nullopt}}}};
    coordinator_->Commit(request, [](OffsetCommitResponse) {});
  };
  coordinator_->OnElection(coordinator_->OffsetsPartitionFor("h"));
  commit_old("g");
  commit_old("h");
  coordinator_->OnPartitionsDeleted({{"old", 0}});
  auto old_offset = [](GroupCoordinator& coordinator) {
    return coordinator.FetchOffsets({"g", {{{"old", {0}}}}})
        .topics[0]
        .partitions[0]
        .committed_offset;
  };
  EXPECT_EQ(old_offset(*coordinator_), -1);
  EXPECT_EQ(CommittedOffset(*coordinator_), 7);
  EXPECT_EQ(coordinator_->StateOf("h"), std::nullopt);
  std::unique_ptr<GroupCoordinator> next = NewCoordinator();
  next->OnElection(partition());
  next->OnElection(next->OffsetsPartitionFor("h"));
  EXPECT_EQ(old_offset(*next), -1);
  EXPECT_EQ(CommittedOffset(*next), 7);
  EXPECT_EQ(next->StateOf("h"), std::nullopt);
}

// The two admin APIs over the wire: DeleteGroups answers per group, and
// OffsetDelete answers per partition, an unknown partition included.
TEST_F(GroupAdminTest, DeleteGroupsAndOffsetDeleteOverTheWire) {
  RequestHandlers handlers;
  GroupApis apis(*coordinator_, components_->metadata());
  apis.RegisterWith(handlers);
  auto call = [&](auto request, ApiKey api, int16_t version, auto response) {
    Bytes body = EncodeMessage(request, api, version);
    std::optional<Bytes> answer;
    EXPECT_TRUE(handlers
                    .Handle({{int16_t(api), version, 1, "c"}, body, 0},
                            [&](std::optional<Bytes> b) { answer = b; })
                    .ok());
    return DecodeMessage<decltype(response)>(*answer, api, version, 0,
                                             "response")
        .value();
  };
  for (int32_t p = 0; p < 3; ++p) coordinator_->OnElection(p);  // all groups
  components_->topics().CreateTopic({.name = "old", .num_partitions = 1}, false,
                                    [](Status) {});
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.topics = {{"old", {{0, 3, -1, std::nullopt}}}};
  coordinator_->Commit(commit, [](OffsetCommitResponse) {});

  OffsetDeleteRequest offsets;
  offsets.group_id = "g";
  offsets.topics = {{"old", {{0}, {9}}}};
  OffsetDeleteResponse deleted =
      call(offsets, ApiKey::kOffsetDelete, int16_t(0), OffsetDeleteResponse{});
  EXPECT_EQ(deleted.error_code, ErrorCode::kNone);
  EXPECT_EQ(deleted.topics[0].partitions[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(deleted.topics[0].partitions[1].error_code,
            ErrorCode::kUnknownTopicOrPartition);
  offsets.group_id = "nobody";
  EXPECT_EQ(
      call(offsets, ApiKey::kOffsetDelete, int16_t(0), OffsetDeleteResponse{})
          .error_code,
      ErrorCode::kGroupIdNotFound);

  // OffsetDelete took g's last offset, and g with it; commit again.
  coordinator_->Commit(commit, [](OffsetCommitResponse) {});
  for (int16_t version = 0; version <= 2; ++version) {
    DeleteGroupsRequest groups;
    groups.groups_names = {"g", "nobody"};
    DeleteGroupsResponse response =
        call(groups, ApiKey::kDeleteGroups, version, DeleteGroupsResponse{});
    ASSERT_EQ(response.results.size(), 2u);
    EXPECT_EQ(response.results[0].error_code,
              version == 0 ? ErrorCode::kNone : ErrorCode::kGroupIdNotFound)
        << "deleted by the first call";
    EXPECT_EQ(response.results[1].error_code, ErrorCode::kGroupIdNotFound);
  }
}

}  // namespace
}  // namespace kafka
