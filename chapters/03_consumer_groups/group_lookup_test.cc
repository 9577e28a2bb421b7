// Finding and reading groups over the wire, at every version where the
// answer differs: FindCoordinator 0-4 (several keys at once from 4),
// OffsetFetch 1-8 (all of a group's offsets from 2, the leader epoch from 5,
// several groups from 8) and ListGroups 0-4 (the states filter from 4).
// One broker leads every partition of __consumer_offsets; the coordinator
// serves only the groups of the partitions it was elected for.
#include <gtest/gtest.h>

#include "chapters/02_partitions/broker.h"
#include "chapters/03_consumer_groups/group_apis.h"
#include "chapters/03_consumer_groups/group_coordinator.h"
#include "lib/protocol/message.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr NodeId kNode = 1;
constexpr int32_t kOffsetsPartitions = 3;

class IdleNode : public ClientNode {
 public:
  void Start(Environment&) override {}
};

class GroupLookupTest : public ::testing::Test {
 protected:
  GroupLookupTest() {
    sim_.AddNode(kNode, [] { return std::make_unique<IdleNode>(); });
    components_ = std::make_unique<LocalBrokerComponents>(
        sim_.env(kNode), BrokerConfig{.node_id = kNode, .data_dir = "data"});
    components_->topics().CreateTopic(
        {.name = kOffsetsTopic, .num_partitions = kOffsetsPartitions}, false,
        [](Status s) { ASSERT_TRUE(s.ok()); });
    coordinator_ = std::make_unique<GroupCoordinator>(
        sim_.env(kNode), components_->replicas(),
        GroupCoordinatorConfig{.offsets_topic_num_partitions =
                                   kOffsetsPartitions});
    apis_ = std::make_unique<GroupApis>(*coordinator_, components_->metadata());
    apis_->RegisterWith(handlers_);
  }

  // The request, encoded at `version`, through the handlers, and the
  // response decoded at the same version.
  template <typename Response, typename Request>
  Response Call(ApiKey api, int16_t version, const Request& request) {
    Bytes body = EncodeMessage(request, api, version);
    std::optional<Bytes> answer;
    EXPECT_TRUE(handlers_
                    .Handle({{int16_t(api), version, 1, "c"}, body, 0},
                            [&](std::optional<Bytes> b) { answer = b; })
                    .ok());
    return DecodeMessage<Response>(answer.value(), api, version, 0, "response")
        .value();
  }

  void ElectEveryPartition() {
    for (int32_t p = 0; p < kOffsetsPartitions; ++p)
      coordinator_->OnElection(p);
  }

  // A group id whose offsets partition is not that of `group_id`.
  std::string GroupOnAnotherPartition(const std::string& group_id) {
    for (std::string other : {"a", "b", "c", "d", "e", "f"}) {
      if (coordinator_->OffsetsPartitionFor(other) !=
          coordinator_->OffsetsPartitionFor(group_id)) {
        return other;
      }
    }
    ADD_FAILURE() << "no group on another partition";
    return "";
  }

  void Commit(const std::string& group_id, const std::string& topic,
              int32_t partition, int64_t offset, int32_t leader_epoch = -1,
              std::optional<std::string> metadata = std::nullopt) {
    OffsetCommitRequest request;
    request.group_id = group_id;
    auto& committed = request.topics.emplace_back();
    committed.name = topic;
    auto& p = committed.partitions.emplace_back();
    p.partition_index = partition;
    p.committed_offset = offset;
    p.committed_leader_epoch = leader_epoch;
    p.committed_metadata = metadata;
    ErrorCode error = ErrorCode::kUnknownServerError;
    coordinator_->Commit(request, [&](OffsetCommitResponse r) {
      error = r.topics[0].partitions[0].error_code;
    });
    ASSERT_EQ(error, ErrorCode::kNone);
  }

  // OffsetFetch of one group at `version`, its answer in version 8's form
  // whatever the version (the group-level error of versions 2-7 included).
  OffsetFetchResponse::Group FetchOffsets(
      int16_t version, const std::string& group_id,
      std::optional<std::vector<OffsetFetchRequest::GroupTopic>> topics,
      bool require_stable = false) {
    OffsetFetchRequest request;
    request.require_stable = require_stable;
    if (version >= 8) {
      request.groups = {{group_id, topics}};
    } else {
      request.group_id = group_id;
      if (topics) {
        request.topics.emplace();
        for (const auto& t : *topics) {
          request.topics->push_back({t.name, t.partition_indexes});
        }
      }
    }
    auto response =
        Call<OffsetFetchResponse>(ApiKey::kOffsetFetch, version, request);
    if (version >= 8) {
      EXPECT_EQ(response.groups.size(), 1u);
      return response.groups.at(0);
    }
    OffsetFetchResponse::Group group{.group_id = group_id,
                                     .error_code = response.error_code};
    for (const auto& t : response.topics) {
      auto& out = group.topics.emplace_back();
      out.name = t.name;
      for (const auto& p : t.partitions) {
        out.partitions.push_back({p.partition_index, p.committed_offset,
                                  p.committed_leader_epoch, p.metadata,
                                  p.error_code});
      }
    }
    return group;
  }

  Simulation sim_{3};
  std::unique_ptr<LocalBrokerComponents> components_;
  std::unique_ptr<GroupCoordinator> coordinator_;
  std::unique_ptr<GroupApis> apis_;
  RequestHandlers handlers_;
};

// Rule: FindCoordinator names the leader of the group's offsets partition;
// from version 4 it answers each of several keys, in order, in
// coordinators, and the top-level node fields are gone.
TEST_F(GroupLookupTest, FindCoordinatorAtEveryVersion) {
  const auto broker = components_->metadata().GetBroker(kNode).value();
  for (int16_t version = 0; version <= 4; ++version) {
    FindCoordinatorRequest request;
    request.key = "g";
    request.coordinator_keys = {"g", "h"};
    auto found = Call<FindCoordinatorResponse>(ApiKey::kFindCoordinator,
                                               version, request);
    if (version < 4) {
      EXPECT_EQ(found.error_code, ErrorCode::kNone) << version;
      EXPECT_EQ(found.node_id, kNode) << version;
      EXPECT_EQ(found.host, broker.host) << version;
      EXPECT_EQ(found.port, broker.port) << version;
      EXPECT_TRUE(found.coordinators.empty()) << version;
      continue;
    }
    EXPECT_EQ(found.node_id, -1) << "not on the wire from version 4";
    ASSERT_EQ(found.coordinators.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      const auto& coordinator = found.coordinators[i];
      EXPECT_EQ(coordinator.key, request.coordinator_keys[i]);
      EXPECT_EQ(coordinator.error_code, ErrorCode::kNone);
      EXPECT_EQ(coordinator.node_id, kNode);
      EXPECT_EQ(coordinator.host, broker.host);
      EXPECT_EQ(coordinator.port, broker.port);
    }
  }
}

// Rule: a transactional id (key_type 1) has no coordinator until Chapter 8:
// COORDINATOR_NOT_AVAILABLE and no node, never the group coordinator; an
// unknown key_type is INVALID_REQUEST. Version 0 has no key_type: a group.
TEST_F(GroupLookupTest, FindCoordinatorOfATransactionalIdIsNotAvailable) {
  for (int16_t version = 1; version <= 4; ++version) {
    for (int8_t key_type : {1, 2}) {
      FindCoordinatorRequest request;
      request.key = "txn";
      request.key_type = key_type;
      request.coordinator_keys = {"txn"};
      auto found = Call<FindCoordinatorResponse>(ApiKey::kFindCoordinator,
                                                 version, request);
      FindCoordinatorResponse::Coordinator answer{
          .key = "txn",
          .node_id = found.node_id,
          .host = found.host,
          .port = found.port,
          .error_code = found.error_code};
      if (version >= 4) {
        ASSERT_EQ(found.coordinators.size(), 1u);
        answer = found.coordinators[0];
      }
      EXPECT_EQ(answer.error_code, key_type == 1
                                       ? ErrorCode::kCoordinatorNotAvailable
                                       : ErrorCode::kInvalidRequest)
          << "version " << version << ", key_type " << int(key_type);
      EXPECT_EQ(answer.node_id, -1);
      EXPECT_EQ(answer.host, "");
      EXPECT_EQ(answer.port, -1);
    }
  }
}

// Rule: OffsetFetch answers each partition asked for: the committed offset
// and metadata, or -1 and error NONE where nothing was committed; from
// version 5 also the leader epoch committed with the offset (-1 if none).
TEST_F(GroupLookupTest, OffsetFetchAnswersEachPartitionAtEveryVersion) {
  ElectEveryPartition();
  Commit("g", "orders", 0, 42, /*leader_epoch=*/7, "meta");
  Commit("g", "orders", 2, 5);
  for (int16_t version = 1; version <= 8; ++version) {
    auto group = FetchOffsets(version, "g", {{{"orders", {0, 1, 2}}}});
    EXPECT_EQ(group.error_code, ErrorCode::kNone);
    ASSERT_EQ(group.topics.size(), 1u);
    const auto& partitions = group.topics[0].partitions;
    ASSERT_EQ(partitions.size(), 3u);
    EXPECT_EQ(partitions[0].committed_offset, 42) << version;
    EXPECT_EQ(partitions[0].metadata, "meta") << version;
    EXPECT_EQ(partitions[0].committed_leader_epoch, version >= 5 ? 7 : -1)
        << version;
    EXPECT_EQ(partitions[1].partition_index, 1);
    EXPECT_EQ(partitions[1].committed_offset, -1) << version;
    EXPECT_EQ(partitions[1].metadata, "") << version;
    EXPECT_EQ(partitions[1].error_code, ErrorCode::kNone) << version;
    EXPECT_EQ(partitions[2].committed_offset, 5) << version;
    EXPECT_EQ(partitions[2].committed_leader_epoch, -1) << version;
  }
}

// Rule: from version 2 a null topic list asks for every partition the group
// has an offset for (librdkafka 2.x and Kafka's admin client send it).
// Version 1 cannot say null: an empty list asks for nothing.
TEST_F(GroupLookupTest, NullTopicsFetchEveryCommittedOffset) {
  ElectEveryPartition();
  Commit("g", "orders", 0, 42);
  Commit("g", "orders", 1, 43);
  Commit("g", "audit", 0, 7);
  EXPECT_TRUE(FetchOffsets(1, "g", std::nullopt).topics.empty());
  for (int16_t version = 2; version <= 8; ++version) {
    auto group = FetchOffsets(version, "g", std::nullopt);
    ASSERT_EQ(group.topics.size(), 2u) << version;
    EXPECT_EQ(group.topics[0].name, "audit");
    ASSERT_EQ(group.topics[0].partitions.size(), 1u);
    EXPECT_EQ(group.topics[0].partitions[0].committed_offset, 7);
    EXPECT_EQ(group.topics[1].name, "orders");
    ASSERT_EQ(group.topics[1].partitions.size(), 2u);
    EXPECT_EQ(group.topics[1].partitions[1].partition_index, 1);
    EXPECT_EQ(group.topics[1].partitions[1].committed_offset, 43);
    // An empty list still asks for nothing.
    EXPECT_TRUE(FetchOffsets(version, "g", {{}}).topics.empty()) << version;
    EXPECT_TRUE(FetchOffsets(version, "nobody", std::nullopt).topics.empty());
  }
}

// Rule: a group this broker does not coordinate gets NOT_COORDINATOR: on
// every partition asked for in version 1, which has no group-level error;
// at the top from version 2, with no partitions; per group from version 8.
TEST_F(GroupLookupTest, OffsetFetchOfAGroupLedElsewhere) {
  coordinator_->OnElection(coordinator_->OffsetsPartitionFor("g"));
  const std::string elsewhere = GroupOnAnotherPartition("g");
  for (int16_t version = 1; version <= 8; ++version) {
    auto group = FetchOffsets(version, elsewhere, {{{"orders", {0, 1}}}});
    if (version < 2) {
      EXPECT_EQ(group.error_code, ErrorCode::kNone) << "not on the wire";
      ASSERT_EQ(group.topics.size(), 1u);
      ASSERT_EQ(group.topics[0].partitions.size(), 2u);
      for (const auto& p : group.topics[0].partitions) {
        EXPECT_EQ(p.error_code, ErrorCode::kNotCoordinator);
        EXPECT_EQ(p.committed_offset, -1);
      }
      continue;
    }
    EXPECT_EQ(group.error_code, ErrorCode::kNotCoordinator) << version;
    EXPECT_TRUE(group.topics.empty()) << version;
  }
}

// Rule: version 8 asks for several groups at once, each answered on its
// own: its offsets, or its error.
TEST_F(GroupLookupTest, OffsetFetchOfSeveralGroups) {
  coordinator_->OnElection(coordinator_->OffsetsPartitionFor("g"));
  const std::string elsewhere = GroupOnAnotherPartition("g");
  Commit("g", "orders", 0, 42);
  OffsetFetchRequest request;
  request.groups = {{"g", std::nullopt},
                    {elsewhere, std::nullopt},
                    {"g", {{{"orders", {1}}}}}};
  auto response = Call<OffsetFetchResponse>(ApiKey::kOffsetFetch, 8, request);
  ASSERT_EQ(response.groups.size(), 3u);
  EXPECT_EQ(response.groups[0].group_id, "g");
  EXPECT_EQ(response.groups[0].error_code, ErrorCode::kNone);
  ASSERT_EQ(response.groups[0].topics.size(), 1u);
  EXPECT_EQ(response.groups[0].topics[0].partitions.at(0).committed_offset, 42);
  EXPECT_EQ(response.groups[1].group_id, elsewhere);
  EXPECT_EQ(response.groups[1].error_code, ErrorCode::kNotCoordinator);
  ASSERT_EQ(response.groups[2].topics.size(), 1u);
  EXPECT_EQ(response.groups[2].topics[0].partitions.at(0).committed_offset, -1);
}

// Rule: require_stable (version 7) makes no difference without
// transactions: no commit is ever pending, every offset is stable.
TEST_F(GroupLookupTest, RequireStableAnswersTheCommittedOffsets) {
  ElectEveryPartition();
  Commit("g", "orders", 0, 42);
  for (int16_t version = 7; version <= 8; ++version) {
    auto group = FetchOffsets(version, "g", {{{"orders", {0}}}},
                              /*require_stable=*/true);
    EXPECT_EQ(group.error_code, ErrorCode::kNone);
    EXPECT_EQ(group.topics.at(0).partitions.at(0).error_code, ErrorCode::kNone);
    EXPECT_EQ(group.topics.at(0).partitions.at(0).committed_offset, 42);
  }
}

// Rule: ListGroups lists every group with its protocol type; from version 4
// with its state, and only those in the states_filter (Kafka's state names,
// compared in any case) unless the filter is empty.
TEST_F(GroupLookupTest, ListGroupsWithTheStatesFilter) {
  ElectEveryPartition();
  Commit("idle", "orders", 0, 1);  // offsets only: Empty
  JoinGroupRequest join;
  join.group_id = "stable";
  join.protocol_type = "consumer";
  join.session_timeout_ms = 10'000;
  join.rebalance_timeout_ms = 10'000;
  join.protocols = {{"range", {}}};
  std::optional<JoinGroupResponse> joined;
  coordinator_->Join(join, "client", [&](JoinGroupResponse r) { joined = r; });
  sim_.RunFor(5'000);  // group.initial.rebalance.delay.ms
  ASSERT_TRUE(joined);
  SyncGroupRequest sync;
  sync.group_id = "stable";
  sync.generation_id = joined->generation_id;
  sync.member_id = joined->member_id;
  sync.assignments.push_back({});
  sync.assignments.back().member_id = joined->member_id;
  coordinator_->Sync(sync, [](SyncGroupResponse) {});
  join.group_id = "joining";  // waits for more members
  coordinator_->Join(join, "client", [](JoinGroupResponse) {});
  ASSERT_EQ(coordinator_->StateOf("stable"), GroupState::kStable);
  ASSERT_EQ(coordinator_->StateOf("joining"), GroupState::kPreparingRebalance);

  using Listed = std::vector<std::pair<std::string, std::string>>;
  auto list = [&](int16_t version, std::vector<std::string> states) {
    ListGroupsRequest request;
    request.states_filter = states;
    Listed listed;
    for (const auto& g :
         Call<ListGroupsResponse>(ApiKey::kListGroups, version, request)
             .groups) {
      listed.emplace_back(g.group_id, g.group_state);
      EXPECT_EQ(g.protocol_type, g.group_id == "idle" ? "" : "consumer");
    }
    return listed;
  };
  for (int16_t version = 0; version <= 3; ++version) {
    EXPECT_EQ(list(version, {"stable", "EMPTY"}),
              (Listed{{"idle", ""}, {"joining", ""}, {"stable", ""}}))
        << "no filter, no state before version 4";
  }
  EXPECT_EQ(list(4, {"stable", "EMPTY"}),
            (Listed{{"idle", "Empty"}, {"stable", "Stable"}}));
  EXPECT_EQ(list(4, {}), (Listed{{"idle", "Empty"},
                                 {"joining", "PreparingRebalance"},
                                 {"stable", "Stable"}}));
  EXPECT_EQ(list(4, {"Dead"}), Listed{});
}

// Rule: a group whose offsets were all deleted is gone for good: when the
// partition is loaded again, only groups with offsets left come back (as
// Empty groups), so ListGroups shows no phantom.
TEST_F(GroupLookupTest, AGroupWhoseOffsetsWereDeletedIsNotLoadedBack) {
  ElectEveryPartition();
  Commit("gone", "orders", 0, 1);
  Commit("kept", "orders", 0, 2);
  ErrorCode deleted = ErrorCode::kUnknownServerError;
  coordinator_->DeleteGroup("gone", [&](ErrorCode e) { deleted = e; });
  ASSERT_EQ(deleted, ErrorCode::kNone);
  for (int32_t p = 0; p < kOffsetsPartitions; ++p) {
    coordinator_->OnResignation(p);
    coordinator_->OnElection(p);  // reads the partition back
  }
  auto listed =
      Call<ListGroupsResponse>(ApiKey::kListGroups, 4, ListGroupsRequest{});
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, "kept");
  EXPECT_EQ(listed.groups[0].group_state, "Empty");
}

}  // namespace
}  // namespace kafka
