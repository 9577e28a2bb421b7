// The replica fetcher against leaders the test answers by hand: what a
// follower's Fetch says, what the follower does with each kind of answer
// (records, a DivergingEpoch, an epoch error), and how the fetchers are
// shared out, one per source broker.
//
// The follower's replicas are real ReplicatedPartitions on a MemoryStorage;
// the leaders are nodes that keep each Fetch until the test answers it, so
// every answer is one the test wrote, and nothing is fetched behind its
// back.
#include "chapters/04_replication/replica_fetcher.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chapters/01_log/record_batch.h"
#include "lib/node/request_handlers.h"
#include "lib/sim/simulation.h"
#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

constexpr NodeId kFollower = 1;
constexpr NodeId kLeader = 2;
constexpr NodeId kOtherLeader = 3;
constexpr int32_t kEpoch = 5;
constexpr int64_t kBackoffMs = ReplicaFetcherConfig{}.replica_fetch_backoff_ms;

const TopicPartition kOrders{"orders", 0};
const TopicPartition kOrders1{"orders", 1};
const TopicPartition kOrders2{"orders", 2};
// The topic's id: Fetch v13+ names topics by it.
const Uuid kOrdersId(std::array<uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 9});
// This follower's broker epoch (its registration, Chapter 5).
constexpr int64_t kBrokerEpoch = 77;

class IdleNode : public ClientNode {
 public:
  void Start(Environment&) override {}
};

// A leader that keeps each Fetch until the test answers it, and answers
// ListOffsets at once with its log start offset.
class ScriptedLeader : public ServingNode {
 public:
  struct Held {
    FetchRequest request;
    RequestHeader header;
    Responder respond;
  };

  void Start(Environment&) override {
    handlers().Register(ApiKey::kFetch, [this](const Request& request,
                                               Responder respond) {
      Result<FetchRequest> decoded = DecodeRequestBody<FetchRequest>(request);
      if (!decoded.ok()) return decoded.status();
      held.push_back({*decoded, request.header, respond});
      return Status();
    });
    handlers().Register(ApiKey::kListOffsets,
                        [this](const Request& request, Responder respond) {
                          Result<ListOffsetsRequest> decoded =
                              DecodeRequestBody<ListOffsetsRequest>(request);
                          if (!decoded.ok()) return decoded.status();
                          list_offsets.push_back(*decoded);
                          ListOffsetsResponse response;
                          for (const auto& topic : decoded->topics) {
                            auto& answer = response.topics.emplace_back();
                            answer.name = topic.name;
                            for (const auto& partition : topic.partitions) {
                              answer.partitions.push_back(
                                  {.partition_index = partition.partition_index,
                                   .offset = log_start_offset});
                            }
                          }
                          respond(EncodeResponseBody(response, request.header));
                          return Status();
                        });
  }
  void Answer(size_t index, const FetchResponse& response) {
    held.at(index).respond(EncodeResponseBody(response, held[index].header));
  }

  std::vector<Held> held;
  std::vector<ListOffsetsRequest> list_offsets;
  int64_t log_start_offset = 0;
};

// A batch as a leader's log holds it: at `base_offset`, written in leader
// epoch `epoch`, one record per value.
Bytes LeaderBatch(int64_t base_offset, int32_t epoch,
                  const std::vector<std::string>& values) {
  std::vector<SimpleRecord> records;
  for (const std::string& value : values) {
    records.push_back({.timestamp = 1000, .value = ToBytes(value)});
  }
  RecordBatch batch = MakeBatch(records, base_offset);
  batch.header.partition_leader_epoch = epoch;
  return EncodeRecordBatch(batch);
}

Bytes Concat(const std::vector<Bytes>& parts) {
  Bytes all;
  for (const Bytes& part : parts)
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

// One partition's answer: records (if any) and the leader's high watermark.
FetchResponse::Partition Records(const TopicPartition& partition, Bytes records,
                                 int64_t high_watermark) {
  return {.partition_index = partition.partition,
          .high_watermark = high_watermark,
          .log_start_offset = 0,
          .records = std::move(records)};
}
FetchResponse::Partition Diverging(const TopicPartition& partition,
                                   int32_t epoch, int64_t end_offset) {
  return {.partition_index = partition.partition,
          .high_watermark = 0,
          .diverging_epoch = {.epoch = epoch, .end_offset = end_offset},
          .records = Bytes{}};
}
FetchResponse::Partition Refused(const TopicPartition& partition,
                                 ErrorCode error, Bytes records = {}) {
  return {.partition_index = partition.partition,
          .error_code = error,
          .records = std::move(records)};
}
FetchResponse AnswerOf(std::vector<FetchResponse::Partition> partitions) {
  FetchResponse response;
  response.responses.push_back(
      {.topic_id = kOrdersId, .partitions = std::move(partitions)});
  return response;
}

// The partitions a Fetch names, "topic-partition", in order.
std::vector<std::string> Named(const FetchRequest& request) {
  std::vector<std::string> names;
  for (const FetchRequest::Topic& topic : request.topics) {
    for (const FetchRequest::Partition& partition : topic.partitions) {
      const std::string name = topic.topic_id == kOrdersId ? "orders" : "?";
      names.push_back(name + "-" + std::to_string(partition.partition));
    }
  }
  return names;
}

class ReplicaFetcherTest : public ::testing::Test {
 protected:
  ReplicaFetcherTest() {
    sim_.AddNode(kFollower, [] { return std::make_unique<IdleNode>(); });
    sim_.AddNode(kLeader, [] { return std::make_unique<ScriptedLeader>(); });
    sim_.AddNode(kOtherLeader,
                 [] { return std::make_unique<ScriptedLeader>(); });
    for (const TopicPartition& partition : {kOrders, kOrders1, kOrders2}) {
      logs_[partition] = Log::Open(disk_, "/data/" + partition.DirectoryName(),
                                   LogConfig{}, sim_.now_ms());
      replicas_[partition] = std::make_unique<ReplicatedPartition>(
          partition, *logs_[partition], kFollower, ReplicationConfig{});
      FollowLeader(partition, kLeader, kEpoch);
    }
    fetcher_ = std::make_unique<ReplicaFetcher>(
        sim_.env(kFollower), kFollower, kLeader, ReplicaFetcherConfig{},
        Followers(), [] { return kBrokerEpoch; });
  }

  FollowerLookup Followers() {
    return [this](const TopicPartition& partition) -> ReplicatedPartition* {
      auto found = replicas_.find(partition);
      return found == replicas_.end() ? nullptr : found->second.get();
    };
  }
  // The controller's word to this follower: `leader` leads in `epoch`.
  void FollowLeader(const TopicPartition& partition, NodeId leader,
                    int32_t epoch) {
    replicas_.at(partition)->MakeFollower(
        {.partition = partition,
         .replicas = {kFollower, kLeader, kOtherLeader},
         .isr = {kFollower, kLeader, kOtherLeader},
         .leader = leader,
         .leader_epoch = epoch,
         .partition_epoch = ++partition_epoch_});
  }
  // What the follower already holds before the story starts.
  void Holds(const TopicPartition& partition, const Bytes& batches) {
    ASSERT_TRUE(
        replicas_.at(partition)->AppendRecordsAsFollower(batches, 0).ok());
  }
  ReplicatedPartition& Replica(const TopicPartition& partition = kOrders) {
    return *replicas_.at(partition);
  }
  Bytes LogBytes(const TopicPartition& partition = kOrders) {
    Bytes out;
    const Log& log = *logs_.at(partition);
    if (log.log_end_offset() > 0) {
      EXPECT_TRUE(log.Read(0, 1 << 20, out).ok());
    }
    return out;
  }
  ScriptedLeader& Leader(NodeId id = kLeader) {
    return sim_.node<ScriptedLeader>(id);
  }
  // The fetch that `leader` received `index`-th, for the one partition it
  // names.
  const FetchRequest::Partition& Asked(size_t index, NodeId leader = kLeader) {
    const FetchRequest& request = Leader(leader).held.at(index).request;
    EXPECT_EQ(request.topics.size(), 1u);
    EXPECT_EQ(request.topics.at(0).partitions.size(), 1u);
    return request.topics.at(0).partitions.at(0);
  }

  Simulation sim_{4};
  MemoryStorage disk_;
  std::map<TopicPartition, std::unique_ptr<Log>> logs_;
  std::map<TopicPartition, std::unique_ptr<ReplicatedPartition>> replicas_;
  int32_t partition_epoch_ = 0;
  std::unique_ptr<ReplicaFetcher> fetcher_;
};

// A follower's Fetch is a consumer's with four more things the leader
// needs: the follower's broker id (so the leader counts its log end) and
// broker epoch (so it can tell this incarnation from one before a restart,
// KIP-903), current_leader_epoch the epoch it follows in (so a leader in
// another epoch can refuse it), and last_fetched_epoch the epoch of its last
// batch (so the leader can tell whether the two logs still agree up to the
// fetch offset, which is the follower's log end).
TEST_F(ReplicaFetcherTest, FetchesAsAReplicaFromItsLogEndWithItsEpochs) {
  Holds(kOrders,
        Concat({LeaderBatch(0, 3, {"a", "b"}), LeaderBatch(2, 4, {"c"})}));
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);

  ASSERT_EQ(Leader().held.size(), 1u);
  EXPECT_EQ(Leader().held[0].header.api_version, kReplicaFetchVersion);
  const FetchRequest& request = Leader().held[0].request;
  EXPECT_EQ(ReplicaIdOf(request), kFollower);
  EXPECT_EQ(request.replica_state.replica_epoch, kBrokerEpoch);
  EXPECT_EQ(request.max_wait_ms,
            ReplicaFetcherConfig{}.replica_fetch_wait_max_ms);
  EXPECT_EQ(Named(request), std::vector<std::string>{"orders-0"});
  EXPECT_EQ(Asked(0).fetch_offset, 3);
  EXPECT_EQ(Asked(0).current_leader_epoch, kEpoch);
  EXPECT_EQ(Asked(0).last_fetched_epoch, 4);
}

// The follower appends the leader's batches as they are: same offsets, same
// leader epochs (an old epoch's batch keeps its old epoch), byte for byte.
// Its high watermark is the leader's, but no further than its own log end.
// The next fetch goes on from the new log end, naming the last batch's epoch.
TEST_F(ReplicaFetcherTest, AppendsTheLeadersBatchesWithTheirOffsetsAndEpochs) {
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);
  const Bytes leader_log =
      Concat({LeaderBatch(0, 2, {"a", "b"}), LeaderBatch(2, kEpoch, {"c"})});
  Leader().Answer(0, AnswerOf({Records(kOrders, leader_log, 2)}));
  sim_.RunFor(10);

  EXPECT_EQ(LogBytes(), leader_log);
  EXPECT_EQ(Replica().log_end_offset(), 3);
  EXPECT_EQ(Replica().high_watermark(), 2);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Asked(1).fetch_offset, 3);
  EXPECT_EQ(Asked(1).last_fetched_epoch, kEpoch);

  Leader().Answer(1, AnswerOf({Records(kOrders, {}, 7)}));
  sim_.RunFor(10);
  EXPECT_EQ(Replica().high_watermark(), 3) << "not past its own log end";
}

// The follower's log start follows the leader's: records the leader
// deleted (DeleteRecords, retention) go from the follower too, so that they
// cannot come back if it leads; but never past the follower's own log end.
TEST_F(ReplicaFetcherTest, TheLogStartFollowsTheLeaders) {
  Holds(kOrders, Concat({LeaderBatch(0, 1, {"m0"}), LeaderBatch(1, 1, {"m1"}),
                         LeaderBatch(2, 1, {"m2"})}));
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);
  FetchResponse::Partition answer = Records(kOrders, {}, 3);
  answer.log_start_offset = 2;
  Leader().Answer(0, AnswerOf({answer}));
  sim_.RunFor(10);
  EXPECT_EQ(Replica().log_start_offset(), 2);

  answer.log_start_offset = 10;
  Leader().Answer(1, AnswerOf({answer}));
  sim_.RunFor(10);
  EXPECT_EQ(Replica().log_start_offset(), 3) << "not past its own log end";
}

// The follower was away while the leader's retention went past its log
// end: the leader has nothing from offset 2 on to give and answers
// OFFSET_OUT_OF_RANGE. The follower asks where the leader's log starts
// (ListOffsets, earliest, as a replica in its epoch), 5, empties its log to
// start there, and fetches from 5.
TEST_F(ReplicaFetcherTest, AFollowerBelowTheLeadersLogStartStartsThere) {
  Holds(kOrders,
        Concat({LeaderBatch(0, 1, {"m0"}), LeaderBatch(1, 1, {"m1"})}));
  Leader().log_start_offset = 5;
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);
  Leader().Answer(0,
                  AnswerOf({Refused(kOrders, ErrorCode::kOffsetOutOfRange)}));
  sim_.RunFor(10);

  ASSERT_EQ(Leader().list_offsets.size(), 1u);
  const ListOffsetsRequest& asked = Leader().list_offsets[0];
  EXPECT_EQ(asked.replica_id, kFollower);
  const auto& partition = asked.topics.at(0).partitions.at(0);
  EXPECT_EQ(partition.timestamp, kEarliestTimestamp);
  EXPECT_EQ(partition.current_leader_epoch, kEpoch);
  EXPECT_EQ(Replica().log_start_offset(), 5);
  EXPECT_EQ(Replica().log_end_offset(), 5);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Asked(1).fetch_offset, 5);
}

// KIP-101, KAFKA-10554: the follower's last batch is of epoch 2, but the
// leader's epoch 2 ended at offset 3, below the follower's log end (4). The
// leader answers DivergingEpoch(2, 3) instead of records; the follower cuts
// its log at 3, where the two agree, and fetches again from there.
TEST_F(ReplicaFetcherTest, TruncatesWhereTheLogsPartAndFetchesFromThere) {
  Holds(kOrders,
        Concat({LeaderBatch(0, 1, {"m0"}), LeaderBatch(1, 1, {"m1"}),
                LeaderBatch(2, 2, {"m2"}), LeaderBatch(3, 2, {"x3"})}));
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);
  ASSERT_EQ(Asked(0).fetch_offset, 4);
  ASSERT_EQ(Asked(0).last_fetched_epoch, 2);

  Leader().Answer(0, AnswerOf({Diverging(kOrders, 2, 3)}));
  sim_.RunFor(10);
  EXPECT_EQ(Replica().log_end_offset(), 3);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Asked(1).fetch_offset, 3);
  EXPECT_EQ(Asked(1).last_fetched_epoch, 2);
}

// KIP-279: when the leader names an epoch the follower never had (1), the
// follower cannot know where the two logs agree; it truncates to the end of
// its own epoch below that (epoch 0 ends at 2) and asks again. The second
// answer (epoch 0 ended at 1 in the leader's log) takes it to 1, and from
// there it copies the leader's records.
TEST_F(ReplicaFetcherTest, TruncatesInSeveralRoundsWhenItLacksTheEpoch) {
  Holds(kOrders, Concat({LeaderBatch(0, 0, {"m0"}), LeaderBatch(1, 0, {"a1"}),
                         LeaderBatch(2, 2, {"a2"})}));
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);
  Leader().Answer(0, AnswerOf({Diverging(kOrders, 1, 3)}));
  sim_.RunFor(10);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Asked(1).fetch_offset, 2);
  EXPECT_EQ(Asked(1).last_fetched_epoch, 0);

  Leader().Answer(1, AnswerOf({Diverging(kOrders, 0, 1)}));
  sim_.RunFor(10);
  ASSERT_EQ(Leader().held.size(), 3u);
  EXPECT_EQ(Asked(2).fetch_offset, 1);
  EXPECT_EQ(Asked(2).last_fetched_epoch, 0);

  Leader().Answer(2,
                  AnswerOf({Records(kOrders, LeaderBatch(1, 1, {"b1"}), 2)}));
  sim_.RunFor(10);
  EXPECT_EQ(LogBytes(),
            Concat({LeaderBatch(0, 0, {"m0"}), LeaderBatch(1, 1, {"b1"})}));
}

// The follower led in epoch 6 for a moment and wrote nothing: its epoch
// cache starts epoch 6 at its log end (2), so its fetch names epoch 6. The
// leader of epoch 7 never had epoch 6 (its epoch 0 ended at 2, where its
// epoch 7 began) and answers DivergingEpoch(0, 2). There is no batch to cut,
// but the empty epoch 6 must go from the cache (Kafka's UnifiedLog.truncateTo
// truncates the cache even then), or the next fetch names epoch 6 again, the
// leader answers the same at once, and the follower never catches up: a busy
// loop of one fetch per round trip (found by replication_property_test).
TEST_F(ReplicaFetcherTest, AnEmptyEpochOfItsOwnGoesOnDivergence) {
  Holds(kOrders,
        Concat({LeaderBatch(0, 0, {"m0"}), LeaderBatch(1, 0, {"m1"})}));
  Replica().MakeLeader({.partition = kOrders,
                        .replicas = {kFollower, kLeader, kOtherLeader},
                        .isr = {kFollower, kLeader, kOtherLeader},
                        .leader = kFollower,
                        .leader_epoch = kEpoch + 1,
                        .partition_epoch = ++partition_epoch_},
                       sim_.now_ms());
  FollowLeader(kOrders, kLeader, kEpoch + 2);
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch + 2);
  sim_.RunFor(10);
  ASSERT_EQ(Asked(0).fetch_offset, 2);
  ASSERT_EQ(Asked(0).last_fetched_epoch, kEpoch + 1);

  Leader().Answer(0, AnswerOf({Diverging(kOrders, 0, 2)}));
  sim_.RunFor(10);
  EXPECT_EQ(Replica().log_end_offset(), 2);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Asked(1).fetch_offset, 2);
  EXPECT_EQ(Asked(1).last_fetched_epoch, 0)
      << "the same question again: the leader will give the same answer";
}

// FENCED_LEADER_EPOCH: the leader is in a newer epoch than the follower
// knows. Nothing that came with the answer is appended, and the partition is
// not fetched again (asking in the old epoch would be refused again) until
// the metadata brings the new epoch and the partition is added in it; then
// it is fetched at once.
TEST_F(ReplicaFetcherTest, AFencedPartitionWaitsForTheNewEpoch) {
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);
  Leader().Answer(0, AnswerOf({Refused(kOrders, ErrorCode::kFencedLeaderEpoch,
                                       LeaderBatch(0, kEpoch, {"a"}))}));
  sim_.RunFor(10 * kBackoffMs);
  EXPECT_EQ(Replica().log_end_offset(), 0);
  EXPECT_EQ(Leader().held.size(), 1u) << "fetched again in the fenced epoch";
  EXPECT_TRUE(fetcher_->partitions().at(kOrders).fenced);

  FollowLeader(kOrders, kLeader, kEpoch + 1);
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch + 1);
  sim_.RunFor(10);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Asked(1).current_leader_epoch, kEpoch + 1);
}

// UNKNOWN_LEADER_EPOCH (the leader has not heard of the follower's epoch
// yet) and NOT_LEADER_OR_FOLLOWER (it leads no more): the follower appends
// nothing and waits replica.fetch.backoff.ms before it asks again, in the
// same epoch, rather than hammering a leader that cannot answer yet.
class EpochErrorTest : public ReplicaFetcherTest,
                       public ::testing::WithParamInterface<ErrorCode> {};

TEST_P(EpochErrorTest, BacksOffAndAppendsNothing) {
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);
  Leader().Answer(
      0,
      AnswerOf({Refused(kOrders, GetParam(), LeaderBatch(0, kEpoch, {"a"}))}));
  sim_.RunFor(kBackoffMs - 10);
  EXPECT_EQ(Replica().log_end_offset(), 0);
  EXPECT_EQ(Leader().held.size(), 1u) << "fetched again before the backoff";

  sim_.RunFor(20);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Asked(1).fetch_offset, 0);
  EXPECT_EQ(Asked(1).current_leader_epoch, kEpoch);
}

INSTANTIATE_TEST_SUITE_P(FetchErrors, EpochErrorTest,
                         ::testing::Values(ErrorCode::kUnknownLeaderEpoch,
                                           ErrorCode::kNotLeaderOrFollower));

// The answer to a fetch made in an older epoch is dropped: while it was in
// flight the controller moved the partition to epoch 6 (a new leader, maybe
// with another log), so the records it brings may not fit. The next fetch
// asks again in the new epoch.
TEST_F(ReplicaFetcherTest, AnAnswerForAnOlderEpochIsDropped) {
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  sim_.RunFor(10);
  FollowLeader(kOrders, kLeader, kEpoch + 1);
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch + 1);
  sim_.RunFor(10);
  ASSERT_EQ(Leader().held.size(), 1u) << "one fetch in flight at a time";

  Leader().Answer(
      0, AnswerOf({Records(kOrders, LeaderBatch(0, kEpoch, {"a"}), 1)}));
  sim_.RunFor(10);
  EXPECT_EQ(Replica().log_end_offset(), 0);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Asked(1).current_leader_epoch, kEpoch + 1);
  EXPECT_EQ(Asked(1).fetch_offset, 0);
}

// One fetcher fetches every partition its source broker leads, in one Fetch,
// with one Fetch in flight: a partition added meanwhile waits for the answer
// and goes in the next one.
TEST_F(ReplicaFetcherTest, OneFetchInFlightCarriesEveryPartition) {
  fetcher_->AddPartition(kOrders, kOrdersId, kEpoch);
  fetcher_->AddPartition(kOrders1, kOrdersId, kEpoch);
  sim_.RunFor(10);
  fetcher_->AddPartition(kOrders2, kOrdersId, kEpoch);
  sim_.RunFor(10);
  ASSERT_EQ(Leader().held.size(), 1u);
  EXPECT_EQ(Named(Leader().held[0].request),
            (std::vector<std::string>{"orders-0"}))
      << "AddPartition sends at once, so the first fetch names only orders-0";

  Leader().Answer(0, AnswerOf({Records(kOrders, {}, 0)}));
  sim_.RunFor(10);
  ASSERT_EQ(Leader().held.size(), 2u);
  EXPECT_EQ(Named(Leader().held[1].request),
            (std::vector<std::string>{"orders-0", "orders-1", "orders-2"}));
}

// The ReplicaFetcherManager keeps one fetcher per source broker
// (num.replica.fetchers 1): partitions led by broker 2 are fetched from 2,
// those led by 3 from 3, each leader asked only for its own. When a
// partition's leader moves from 2 to 3, it leaves 2's fetcher (whose answer,
// if it still comes, is dropped) and joins 3's.
TEST_F(ReplicaFetcherTest, OneFetcherPerSourceBroker) {
  ReplicaFetcherManager manager(sim_.env(kFollower), kFollower,
                                ReplicaFetcherConfig{}, Followers());
  FollowLeader(kOrders1, kOtherLeader, kEpoch);
  manager.AddFetcherForPartitions({{kOrders,
                                    {.leader = {.id = kLeader},
                                     .current_leader_epoch = kEpoch,
                                     .topic_id = kOrdersId}},
                                   {kOrders1,
                                    {.leader = {.id = kOtherLeader},
                                     .current_leader_epoch = kEpoch,
                                     .topic_id = kOrdersId}}});
  sim_.RunFor(10);
  ASSERT_EQ(Leader(kLeader).held.size(), 1u);
  ASSERT_EQ(Leader(kOtherLeader).held.size(), 1u);
  EXPECT_EQ(Named(Leader(kLeader).held[0].request),
            std::vector<std::string>{"orders-0"});
  EXPECT_EQ(Named(Leader(kOtherLeader).held[0].request),
            std::vector<std::string>{"orders-1"});
  EXPECT_EQ(manager.SourceOf(kOrders), kLeader);
  EXPECT_EQ(manager.SourceOf(kOrders1), kOtherLeader);

  FollowLeader(kOrders, kOtherLeader, kEpoch + 1);
  manager.AddFetcherForPartitions({{kOrders,
                                    {.leader = {.id = kOtherLeader},
                                     .current_leader_epoch = kEpoch + 1,
                                     .topic_id = kOrdersId}}});
  EXPECT_EQ(manager.SourceOf(kOrders), kOtherLeader);
  EXPECT_TRUE(manager.GetFetcher(kLeader)->partitions().empty());
  Leader(kLeader).Answer(
      0, AnswerOf({Records(kOrders, LeaderBatch(0, kEpoch, {"old"}), 1)}));
  Leader(kOtherLeader).Answer(0, AnswerOf({Records(kOrders1, {}, 0)}));
  sim_.RunFor(10);
  EXPECT_EQ(Replica(kOrders).log_end_offset(), 0);
  ASSERT_EQ(Leader(kOtherLeader).held.size(), 2u);
  EXPECT_EQ(Named(Leader(kOtherLeader).held[1].request),
            (std::vector<std::string>{"orders-0", "orders-1"}));
}

}  // namespace
}  // namespace kafka
