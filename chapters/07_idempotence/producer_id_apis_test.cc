// InitProducerId on a KRaft cluster in the simulator (three controllers,
// three of Chapter 7's brokers, fixed seeds): producer ids come in blocks
// from the controller, each id is handed out once in the whole cluster,
// and a producer without a transactional id always gets a fresh id at
// epoch 0.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>

#include "chapters/05_controller/kraft_cluster.h"
#include "chapters/07_idempotence/idempotent_broker.h"
#include "lib/protocol/init_producer_id.h"

namespace kafka {
namespace {

constexpr int16_t kLatestVersion = 4;
constexpr int64_t kBlockSize = 1000;  // the controller's block

KRaftClusterConfig IdempotenceClusterConfig() {
  KRaftClusterConfig config = DefaultKRaftClusterConfig();
  AddIdempotence(config.broker);
  return config;
}

class ProducerIdApisTest : public ::testing::Test {
 protected:
  ProducerIdApisTest() : cluster_(7, 3, IdempotenceClusterConfig()) {}

  void SetUp() override {
    ASSERT_TRUE(cluster_.RunUntilActiveController());
    ASSERT_TRUE(cluster_.RunUntilBrokersUnfenced());
  }

  InitProducerIdResponse Ask(NodeId broker, InitProducerIdRequest request = {},
                             int16_t version = kLatestVersion) {
    Result<InitProducerIdResponse> response =
        cluster_.Call<InitProducerIdResponse>(cluster_.client(), broker,
                                              ApiKey::kInitProducerId, version,
                                              request);
    EXPECT_TRUE(response.ok()) << response.error().message;
    return response.ok() ? *response : InitProducerIdResponse{};
  }
  // What a producer does: asks again while the broker waits for a block.
  InitProducerIdResponse AskUntilAnswered(NodeId broker,
                                          InitProducerIdRequest request = {}) {
    InitProducerIdResponse response = Ask(broker, request);
    for (int attempt = 0;
         attempt < 20 &&
         response.error_code == ErrorCode::kCoordinatorLoadInProgress;
         ++attempt) {
      cluster_.RunFor(100);
      response = Ask(broker, request);
    }
    return response;
  }

  KRaftCluster cluster_;
};

// Rule: a broker has no ids of its own. Its first InitProducerId finds no
// block, asks the controller for one and answers
// COORDINATOR_LOAD_IN_PROGRESS; the producer asks again and gets the
// block's first id, at epoch 0, then the next.
TEST_F(ProducerIdApisTest, FirstRequestWaitsForABlockFromTheController) {
  EXPECT_EQ(Ask(1).error_code, ErrorCode::kCoordinatorLoadInProgress);
  cluster_.RunFor(100);
  const InitProducerIdResponse first = Ask(1);
  EXPECT_EQ(first.error_code, ErrorCode::kNone);
  EXPECT_EQ(first.producer_id, 0);
  EXPECT_EQ(first.producer_epoch, 0);
  EXPECT_EQ(Ask(1).producer_id, 1);
}

// Rule: each broker draws from a block of its own, so two brokers never
// hand out one id.
TEST_F(ProducerIdApisTest, BrokersDrawFromDisjointBlocks) {
  const int64_t from_1 = AskUntilAnswered(1).producer_id;
  const int64_t from_2 = AskUntilAnswered(2).producer_id;
  EXPECT_EQ(from_1, 0);
  EXPECT_EQ(from_2, kBlockSize);
}

// Rule: the next block is asked for when 90% of this one is handed out,
// so the producer that takes the block's last id does not wait, and the
// ids go on from the next block.
TEST_F(ProducerIdApisTest, NextBlockArrivesBeforeTheBlockRunsOut) {
  AskUntilAnswered(1);
  for (int64_t id = 1; id < kBlockSize; ++id) {
    ASSERT_EQ(Ask(1).producer_id, id);
  }
  const InitProducerIdResponse next = Ask(1);
  EXPECT_EQ(next.error_code, ErrorCode::kNone);
  EXPECT_EQ(next.producer_id, kBlockSize);
}

// Rule: the controller commits each block (ProducerIdsRecord) before it
// answers, so a new active controller goes on after the last block given,
// and no id is given twice across a failover.
TEST_F(ProducerIdApisTest, IdsStayUniqueAcrossAControllerFailover) {
  const int64_t before = AskUntilAnswered(1).producer_id;
  const NodeId old_controller = *cluster_.active_controller();
  cluster_.Crash(old_controller, Simulation::CrashKind::kProcessCrash);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const std::optional<NodeId> now = cluster_.active_controller();
        return now && *now != old_controller;
      },
      30'000));
  const int64_t after = AskUntilAnswered(2).producer_id;
  EXPECT_EQ(before, 0);
  EXPECT_EQ(after, kBlockSize);
}

// Rule: a producer without a transactional id that asks again with the
// id and epoch it has (version 3 and later, KIP-360, after a sequence
// error it could not resolve) gets a new id at epoch 0: its sequences
// start again at 0 everywhere.
TEST_F(ProducerIdApisTest, AskingAgainGivesAFreshId) {
  const InitProducerIdResponse first = AskUntilAnswered(1);
  const InitProducerIdResponse again =
      Ask(1, {.producer_id = first.producer_id,
              .producer_epoch = first.producer_epoch});
  EXPECT_EQ(again.error_code, ErrorCode::kNone);
  EXPECT_NE(again.producer_id, first.producer_id);
  EXPECT_EQ(again.producer_epoch, 0);
}

// Rule: versions 0 (not flexible) to 4 (flexible) are served alike.
TEST_F(ProducerIdApisTest, EveryVersionIsServed) {
  AskUntilAnswered(1);
  std::set<int64_t> ids;
  for (int16_t version = 0; version <= kLatestVersion; ++version) {
    const InitProducerIdResponse response = Ask(1, {}, version);
    EXPECT_EQ(response.error_code, ErrorCode::kNone) << "v" << version;
    ids.insert(response.producer_id);
  }
  EXPECT_EQ(ids.size(), 5u);
}

// Rule: a transactional id needs Chapter 8's transaction coordinator;
// until then, the answer FindCoordinator gives for one.
TEST_F(ProducerIdApisTest, TransactionalIdWaitsForChapter8) {
  EXPECT_EQ(Ask(1, {.transactional_id = "payments"}).error_code,
            ErrorCode::kCoordinatorNotAvailable);
}

}  // namespace
}  // namespace kafka
