// The replicated partition's rules (KAFKA_RULES §3), as transcripts: two or
// three replicas of one partition, each a ReplicatedPartition on its own
// broker's MemoryStorage, a clock the test moves, and FetchRound, which plays
// one follower fetch from the leader by calling the methods a replica
// fetcher and the leader's replica manager call. No network, no timers: each
// step of a story is one call.
#include "chapters/04_replication/replicated_partition.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "chapters/01_log/test_util.h"
#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

using testing::DecodeAll;

constexpr NodeId kA = 1;
constexpr NodeId kB = 2;
constexpr NodeId kC = 3;
constexpr int64_t kLagMs = ReplicationConfig{}.replica_lag_time_max_ms;

const TopicPartition kPartition{"orders", 0};

// One broker's replica of the partition: its disk, its log, its partition.
class Replica {
 public:
  Replica(NodeId broker, LogConfig config, const int64_t& now_ms)
      : broker_(broker), config_(config), now_ms_(now_ms) {
    Open();
  }

  ReplicatedPartition& operator*() { return *partition_; }
  ReplicatedPartition* operator->() { return partition_.get(); }
  NodeId broker() const { return broker_; }

  // A clean restart: the files stay, the partition forgets its state.
  void Restart() {
    partition_.reset();
    log_->Close();
    log_.reset();
    Open();
  }
  // A file of the partition's directory lost (an operator's mistake).
  void RemoveFile(const std::string& name) {
    storage_.Remove(Dir() + "/" + name);
  }
  // A power failure after everything was flushed: the unsynced bytes (none
  // of the log's) are lost, and so is the partition's state.
  void LosePower() {
    log_->Flush();
    partition_.reset();
    log_.reset();
    storage_.CrashLosingUnsynced();
    Open();
  }

  // Every record's value, from the log start to the log end.
  std::vector<std::string> Values() const {
    std::vector<std::string> values;
    for (const RecordBatch& batch : Batches()) {
      for (const Record& record : batch.records) {
        values.emplace_back(record.value->begin(), record.value->end());
      }
    }
    return values;
  }
  // The log's bytes, batch by batch as stored.
  Bytes LogBytes() const {
    Bytes all;
    for (int64_t offset = log_->log_start_offset();
         offset < log_->log_end_offset();) {
      Bytes chunk;
      EXPECT_TRUE(log_->Read(offset, 1 << 20, chunk).ok());
      all.insert(all.end(), chunk.begin(), chunk.end());
      offset = DecodeAll(chunk).back().header.NextOffset();
    }
    return all;
  }
  std::vector<RecordBatch> Batches() const { return DecodeAll(LogBytes()); }

 private:
  void Open() {
    log_ = Log::Open(storage_, Dir(), config_, now_ms_);
    partition_ = std::make_unique<ReplicatedPartition>(
        kPartition, *log_, broker_, ReplicationConfig{});
  }

  static std::string Dir() { return "/data/" + kPartition.DirectoryName(); }

  NodeId broker_;
  LogConfig config_;
  const int64_t& now_ms_;
  MemoryStorage storage_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<ReplicatedPartition> partition_;
};

class ReplicatedPartitionTest : public ::testing::Test {
 protected:
  Replica& AddReplica(NodeId broker, LogConfig config = {}) {
    replicas_.push_back(std::make_unique<Replica>(broker, config, now_ms_));
    return *replicas_.back();
  }

  // The controller's word: `leader` leads in `leader_epoch` with `isr`. Each
  // call is a new partition epoch, as each change of the controller's is.
  PartitionState State(NodeId leader, int32_t leader_epoch,
                       std::vector<NodeId> isr,
                       std::vector<NodeId> replicas = {kA, kB, kC}) {
    return PartitionState{.partition = kPartition,
                          .replicas = std::move(replicas),
                          .isr = std::move(isr),
                          .leader = leader,
                          .leader_epoch = leader_epoch,
                          .partition_epoch = ++partition_epoch_};
  }
  // Tells every replica in `replicas` its role in `state`.
  void Apply(const PartitionState& state,
             std::initializer_list<Replica*> replicas) {
    for (Replica* replica : replicas) {
      if (replica->broker() == state.leader) {
        (*replica)->MakeLeader(state, now_ms_);
      } else {
        (*replica)->MakeFollower(state);
      }
    }
  }

  // A client's batch of one record, appended on the leader, which then
  // moves its HW as a leader's replica manager does after each append.
  void Produce(Replica& leader, const std::string& value) {
    Bytes batch = EncodeRecordBatch(MakeBatch({{.timestamp = now_ms_,
                                                .key = std::nullopt,
                                                .value = ToBytes(value)}}));
    std::vector<RecordError> errors;
    ASSERT_TRUE(leader->AppendRecordsToLeader(batch, now_ms_, errors).ok());
    leader->MaybeIncrementHighWatermark(now_ms_);
  }
  void ProduceMany(Replica& leader, int count) {
    for (int i = 0; i < count; ++i) Produce(leader, "r" + std::to_string(i));
  }

  // One fetch of `follower` from `leader`, as the replica fetcher makes it
  // (from its LEO, with its last epoch, in the epoch it follows) and
  // handles the answer: a DivergingEpoch truncates, records are appended,
  // the leader's HW is taken.
  FollowerFetchResult FetchRound(Replica& follower, Replica& leader,
                                 int32_t max_bytes = 1 << 20) {
    FollowerFetchParams params{
        .replica_id = follower.broker(),
        .fetch_offset = follower->log_end_offset(),
        .last_fetched_epoch =
            follower->last_fetched_epoch().value_or(kUndefinedEpoch),
        .log_start_offset = follower->log_start_offset(),
        .max_bytes = max_bytes,
        .current_leader_epoch = follower->leader_epoch(),
        .replica_epoch = fetching_broker_epoch_};
    Result<FollowerFetchResult> result =
        leader->FetchForFollower(params, now_ms_);
    EXPECT_TRUE(result.ok()) << result.error().ToString();
    if (!result.ok()) return {};
    if (result->diverging_epoch) {
      follower->TruncateTo(
          follower->TruncationOffsetFor(*result->diverging_epoch));
    } else if (!result->records.empty()) {
      EXPECT_TRUE(
          follower->AppendRecordsAsFollower(result->records, now_ms_).ok());
    }
    follower->UpdateFollowerHighWatermark(result->high_watermark);
    follower->UpdateFollowerLogStartOffset(result->log_start_offset);
    return *result;
  }

  // The controller accepts an ISR change: the new ISR, the next partition
  // epoch.
  void Commit(Replica& leader, const IsrChange& change) {
    PartitionState state = State(leader.broker(), change.leader_epoch,
                                 change.new_isr, leader->replicas());
    leader->OnIsrChangeCommitted(state, now_ms_);
  }

  int64_t now_ms_ = 1'000'000;
  /// The broker epoch the follower fetches name (KIP-903); -1: none.
  int64_t fetching_broker_epoch_ = -1;
  int32_t partition_epoch_ = 0;
  std::vector<std::unique_ptr<Replica>> replicas_;
};

// §3(b)1. The leader has 10 records, one follower 8, the other 6: only the
// first 6 are on every in-sync replica, so the HW is 6 and a consumer reads
// no further.
TEST_F(ReplicatedPartitionTest, HighWatermarkIsTheSmallestLogEndOfTheIsr) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Replica& c = AddReplica(kC);
  Apply(State(kA, 0, {kA, kB, kC}), {&a, &b, &c});

  ProduceMany(a, 6);
  FetchRound(b, a);
  FetchRound(c, a);
  FetchRound(c, a);  // C fetches from 6: the leader learns it has 6
  ProduceMany(a, 2);
  FetchRound(b, a);
  FetchRound(b, a);  // B fetches from 8
  ProduceMany(a, 2);

  EXPECT_EQ(a->log_end_offset(), 10);
  EXPECT_EQ(a->followers().at(kB).log_end_offset, 8);
  EXPECT_EQ(a->followers().at(kC).log_end_offset, 6);
  EXPECT_EQ(a->high_watermark(), 6);
  Bytes read;
  ASSERT_TRUE(a->Read(0, 1 << 20, FetchIsolation::kHighWatermark, read).ok());
  EXPECT_EQ(testing::OffsetsIn(read), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

// §3(a): the follower's HW is the leader's HW as the fetch answer carried
// it, but never past the follower's own log end. It lags a round trip: the
// answer carries the HW from before the fetch that moved it.
TEST_F(ReplicatedPartitionTest,
       FollowerHighWatermarkIsTheLeadersUpToItsLogEnd) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  ProduceMany(a, 4);

  FetchRound(b, a);  // B copies 0..3; the leader still thinks B has none
  EXPECT_EQ(a->high_watermark(), 0);
  FollowerFetchResult second = FetchRound(b, a);  // from 4: HW 4
  EXPECT_EQ(a->high_watermark(), 4);
  EXPECT_TRUE(second.high_watermark_advanced);
  EXPECT_EQ(second.high_watermark, 0);  // what B was told
  EXPECT_EQ(b->high_watermark(), 0);
  FetchRound(b, a);
  EXPECT_EQ(b->high_watermark(), 4);

  // A leader's HW beyond the follower's log end stops at the log end.
  ProduceMany(a, 4);
  EXPECT_FALSE(b->UpdateFollowerHighWatermark(8));
  EXPECT_EQ(b->high_watermark(), 4);
  EXPECT_EQ(b->log_end_offset(), 4);
}

// §3(a): the leader's HW never moves back, even when a follower of the ISR
// comes back with less than it had (it lost its log's tail).
TEST_F(ReplicatedPartitionTest, LeaderHighWatermarkNeverMovesBack) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  ProduceMany(a, 4);
  FetchRound(b, a);
  FetchRound(b, a);
  ASSERT_EQ(a->high_watermark(), 4);

  Result<FollowerFetchResult> behind = a->FetchForFollower(
      {.replica_id = kB, .fetch_offset = 2, .current_leader_epoch = 0},
      now_ms_);
  ASSERT_TRUE(behind.ok());
  EXPECT_EQ(a->followers().at(kB).log_end_offset, 2);
  EXPECT_FALSE(behind->high_watermark_advanced);
  EXPECT_EQ(a->high_watermark(), 4);
}

// §3(b)2. C stops fetching (SIGSTOP). The HW waits for it until
// replica.lag.time.max.ms has passed since it last caught up; then the
// leader proposes the ISR without it, and once the controller accepts, the
// HW moves on with B. When C resumes and reaches the HW, the leader proposes
// it back.
TEST_F(ReplicatedPartitionTest, PausedFollowerLeavesTheIsrAndRejoins) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Replica& c = AddReplica(kC);
  Apply(State(kA, 0, {kA, kB, kC}), {&a, &b, &c});
  ProduceMany(a, 2);
  FetchRound(b, a);
  FetchRound(c, a);
  FetchRound(b, a);
  FetchRound(c, a);
  ASSERT_EQ(a->high_watermark(), 2);

  // C is paused; B keeps up with every write.
  for (int second = 1; second <= kLagMs / 1000; ++second) {
    now_ms_ += 1000;
    Produce(a, "while C sleeps");
    FetchRound(b, a);
    FetchRound(b, a);
    EXPECT_EQ(a->MaybeShrinkIsr(now_ms_), std::nullopt) << second << " s";
  }
  EXPECT_EQ(a->high_watermark(), 2);  // C holds it

  now_ms_ += 1;
  std::optional<IsrChange> shrink = a->MaybeShrinkIsr(now_ms_);
  ASSERT_TRUE(shrink);
  EXPECT_EQ(shrink->new_isr, (std::vector<NodeId>{kA, kB}));
  EXPECT_EQ(shrink->partition_epoch, a->partition_epoch());
  EXPECT_FALSE(a->MaybeIncrementHighWatermark(now_ms_));
  EXPECT_EQ(a->high_watermark(), 2);  // until the controller says yes
  Commit(a, *shrink);
  EXPECT_EQ(a->isr(), (std::vector<NodeId>{kA, kB}));
  EXPECT_EQ(a->high_watermark(), a->log_end_offset());

  // C resumes. Its first fetch (from 2) is below the HW: not yet.
  FollowerFetchResult first = FetchRound(c, a);
  EXPECT_EQ(first.isr_change, std::nullopt);
  // Its next fetch is from the leader's end: it may rejoin.
  FollowerFetchResult second = FetchRound(c, a);
  ASSERT_TRUE(second.isr_change);
  EXPECT_EQ(second.isr_change->new_isr, (std::vector<NodeId>{kA, kB, kC}));
  Commit(a, *second.isr_change);
  EXPECT_EQ(a->isr(), (std::vector<NodeId>{kA, kB, kC}));
}

// §3(a) isCaughtUp covers the slow follower too: one that fetches all the
// time but each time from below where the leader's log ended at its
// previous fetch has not caught up since the last time it did, and leaves
// the ISR. One that reaches, at each fetch, the leader's end as of the
// previous fetch counts as caught up as of that fetch, and stays.
TEST_F(ReplicatedPartitionTest, SlowFollowerLeavesTheIsrOneKeepingUpStays) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Replica& c = AddReplica(kC);
  Apply(State(kA, 0, {kA, kB, kC}), {&a, &b, &c});
  const int32_t one_batch = 1;  // the fetch returns one batch (at least one)

  for (int second = 1; second <= 2 * kLagMs / 1000; ++second) {
    now_ms_ += 1000;
    Produce(a, "x");
    Produce(a, "y");
    FetchRound(b, a);             // B: everything there is
    FetchRound(c, a, one_batch);  // C: one of the two new batches
    if (std::optional<IsrChange> shrink = a->MaybeShrinkIsr(now_ms_)) {
      EXPECT_EQ(shrink->new_isr, (std::vector<NodeId>{kA, kB}))
          << second << " s";
      EXPECT_GT(now_ms_ - a->followers().at(kC).last_caught_up_time_ms, kLagMs);
      return;
    }
    EXPECT_TRUE(
        a->followers().at(kB).IsCaughtUp(a->log_end_offset(), now_ms_, kLagMs));
  }
  ADD_FAILURE() << "the slow follower never left the ISR";
}

// §3(a): while one ISR change is in flight no other is proposed, and the HW
// waits for the larger of the two ISRs (KIP-497). A state the leader already
// has (the controller repeats itself) leaves the change in flight; the
// controller refusing with OPERATION_NOT_ATTEMPTED drops it.
TEST_F(ReplicatedPartitionTest, OneIsrChangeInFlight) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Replica& c = AddReplica(kC);
  const PartitionState state = State(kA, 0, {kA, kB});
  Apply(state, {&a, &b, &c});
  ProduceMany(a, 2);

  // C reaches the HW (0): its expansion is in flight.
  FollowerFetchResult expand = FetchRound(c, a);
  ASSERT_TRUE(expand.isr_change);
  EXPECT_EQ(a->maximal_isr(), (std::vector<NodeId>{kA, kB, kC}));
  // B catches up, C has not: the HW waits for C too.
  FetchRound(b, a);
  FetchRound(b, a);
  EXPECT_EQ(a->high_watermark(), 0);
  // B then stops; long after, no shrink while the expansion is pending.
  now_ms_ += 2 * kLagMs;
  EXPECT_EQ(a->MaybeShrinkIsr(now_ms_), std::nullopt);
  // The controller's state again, unchanged: the change stays in flight.
  EXPECT_FALSE(a->MakeLeader(state, now_ms_));
  EXPECT_EQ(a->pending_isr_change(), expand.isr_change);
  // The controller refuses it without trying: back to the committed ISR.
  a->OnIsrChangeFailed(ErrorCode::kOperationNotAttempted);
  EXPECT_EQ(a->pending_isr_change(), std::nullopt);
  EXPECT_EQ(a->maximal_isr(), (std::vector<NodeId>{kA, kB}));
  // Now a shrink may be proposed: B, stopped, lacks the next record.
  Produce(a, "after B stopped");
  std::optional<IsrChange> shrink = a->MaybeShrinkIsr(now_ms_);
  ASSERT_TRUE(shrink);
  EXPECT_EQ(shrink->new_isr, (std::vector<NodeId>{kA}));
}

// §3(a): a refusal that says this leader's state is stale
// (INVALID_UPDATE_VERSION) keeps the change in flight until the
// controller's newer state arrives, which replaces it.
TEST_F(ReplicatedPartitionTest, StaleIsrChangeWaitsForTheControllersState) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Replica& c = AddReplica(kC);
  Apply(State(kA, 0, {kA, kB}), {&a, &b, &c});
  FollowerFetchResult expand = FetchRound(c, a);
  ASSERT_TRUE(expand.isr_change);

  a->OnIsrChangeFailed(ErrorCode::kInvalidUpdateVersion);
  EXPECT_EQ(a->pending_isr_change(), expand.isr_change);
  // An answer for an older partition epoch changes nothing either.
  PartitionState stale = State(kA, 0, {kA});
  stale.partition_epoch = a->partition_epoch() - 1;
  EXPECT_FALSE(a->MakeLeader(stale, now_ms_));
  EXPECT_EQ(a->pending_isr_change(), expand.isr_change);

  const PartitionState newer = State(kA, 0, {kA, kB, kC});
  a->MakeLeader(newer, now_ms_);
  EXPECT_EQ(a->pending_isr_change(), std::nullopt);
  EXPECT_EQ(a->isr(), (std::vector<NodeId>{kA, kB, kC}));
  EXPECT_EQ(a->partition_epoch(), newer.partition_epoch);
}

// §3(a): to join the ISR a follower needs the HW and the start of the
// leader's current epoch. B became leader in epoch 1 at offset 5 with an HW
// of 3 (D, in the ISR, has not fetched yet). C, at 4, is past the HW but may
// still hold epoch-0 batches B does not: not yet. From 5 on it may join.
TEST_F(ReplicatedPartitionTest, IsrExpansionNeedsTheLeaderEpochStart) {
  constexpr NodeId kD = 4;
  const std::vector<NodeId> replicas = {kA, kB, kC, kD};
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Replica& c = AddReplica(kC);
  Apply(State(kA, 0, {kA, kB}, replicas), {&a, &b, &c});
  ProduceMany(a, 5);
  FetchRound(b, a);
  FetchRound(c, a, 1);
  FetchRound(c, a, 1);
  FetchRound(c, a, 1);
  FetchRound(c, a, 1);  // C has 0..3
  b->UpdateFollowerHighWatermark(3);
  ASSERT_EQ(c->log_end_offset(), 4);

  Apply(State(kB, 1, {kB, kD}, replicas), {&b, &c});
  ASSERT_EQ(b->high_watermark(), 3);
  FollowerFetchResult at_4 = FetchRound(c, b);
  EXPECT_EQ(b->followers().at(kC).log_end_offset, 4);
  EXPECT_EQ(at_4.isr_change, std::nullopt);
  FollowerFetchResult at_5 = FetchRound(c, b);
  ASSERT_TRUE(at_5.isr_change);
  EXPECT_EQ(at_5.isr_change->new_isr, (std::vector<NodeId>{kB, kD, kC}));
}

// §3(b)3, KIP-101 case 1. A leads epoch 0; A and B both have m0 and m1;
// A's HW is 2, B's only 1 (it learns the HW a fetch later). B restarts.
// Before epochs B truncated to its HW, dropping m1; A then died, B led, and
// the acknowledged m1 was gone. With epochs B keeps its log: its fetch says
// its last epoch is 0, which the leader's log has up to its end, so nothing
// diverges. A dies, B leads epoch 1, and m1 is there.
TEST_F(ReplicatedPartitionTest, Kip101Case1EpochsKeepAnAcknowledgedWrite) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  Produce(a, "m0");
  FetchRound(b, a);
  FetchRound(b, a);
  Produce(a, "m1");
  FetchRound(b, a);
  FetchRound(b, a);
  ASSERT_EQ(a->high_watermark(), 2);
  ASSERT_EQ(b->high_watermark(), 1);
  ASSERT_EQ(b.Values(), (std::vector<std::string>{"m0", "m1"}));

  const int64_t checkpointed_high_watermark = b->high_watermark();
  b.Restart();
  b->SetHighWatermarkFromCheckpoint(checkpointed_high_watermark);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&b});
  EXPECT_EQ(b->last_fetched_epoch(), 0);  // the epoch file survived
  FollowerFetchResult fetch = FetchRound(b, a);
  EXPECT_EQ(fetch.diverging_epoch, std::nullopt);

  Apply(State(kB, 1, {kB}, {kA, kB}), {&b});  // A is gone
  EXPECT_EQ(b.Values(), (std::vector<std::string>{"m0", "m1"}));
  EXPECT_EQ(b->high_watermark(), 2);
  EXPECT_EQ(b->epochs().entries(), (std::vector<EpochEntry>{{0, 0}, {1, 2}}));
}

// §3(b)4, KIP-101 case 2. A has m0 and m1 in epoch 0, B only m0 (A's HW
// is 1). Both lose power; B comes back first, leads epoch 1 and writes m2 at
// offset 1. The logs now differ at offset 1 (m1 against m2). When A follows
// B, its fetch says its last epoch is 0, which ended at 1 in B's log: B
// answers DivergingEpoch(0, 1), A truncates m1 away and fetches m2. The logs
// end up the same, byte for byte.
TEST_F(ReplicatedPartitionTest, Kip101Case2DivergentLogsAreRepaired) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  Produce(a, "m0");
  FetchRound(b, a);
  FetchRound(b, a);
  Produce(a, "m1");
  ASSERT_EQ(a.Values(), (std::vector<std::string>{"m0", "m1"}));
  ASSERT_EQ(b.Values(), (std::vector<std::string>{"m0"}));

  a.LosePower();
  b.LosePower();
  Apply(State(kB, 1, {kB}, {kA, kB}), {&b});
  Produce(b, "m2");
  Apply(State(kB, 1, {kB}, {kA, kB}), {&a});

  FollowerFetchResult first = FetchRound(a, b);
  EXPECT_EQ(first.diverging_epoch, (EpochEndOffset{0, 1}));
  EXPECT_TRUE(first.records.empty());
  EXPECT_EQ(a.Values(), (std::vector<std::string>{"m0"}));
  FollowerFetchResult second = FetchRound(a, b);
  EXPECT_EQ(second.diverging_epoch, std::nullopt);
  EXPECT_EQ(a.Values(), (std::vector<std::string>{"m0", "m2"}));
  EXPECT_EQ(a.LogBytes(), b.LogBytes());
  EXPECT_EQ(a->epochs().entries(), b->epochs().entries());
}

// §3(b)5, KIP-279. Quick leader changes leave F with an epoch the leader
// never had: L wrote r0, r1 in epoch 0 (both have them) and x at 2 in epoch
// 1; F, leading epoch 2, wrote y, z at 2 and 3; L, leading epoch 3, wrote w
// at 3. F's last epoch is 2; in L's log the largest epoch up to 2 is 1,
// ending at 3. F has no epoch 1, so it cannot trust offset 3: it truncates
// to where its own epoch below 1 ended (2) and asks again, now with epoch 0,
// which L's log has up to 2. The second round finds the common prefix; one
// round to 3 would have kept F's y at offset 2.
TEST_F(ReplicatedPartitionTest, Kip279TruncationTakesSeveralRounds) {
  Replica& l = AddReplica(kA);
  Replica& f = AddReplica(kB);
  const std::vector<NodeId> both = {kA, kB};
  Apply(State(kA, 0, both, both), {&l, &f});
  Produce(l, "r0");
  Produce(l, "r1");
  FetchRound(f, l);
  Apply(State(kA, 1, both, both), {&l, &f});
  Produce(l, "x");
  Apply(State(kB, 2, {kB}, both), {&l, &f});
  Produce(f, "y");
  Produce(f, "z");
  Apply(State(kA, 3, {kA}, both), {&l, &f});
  Produce(l, "w");
  ASSERT_EQ(l.Values(), (std::vector<std::string>{"r0", "r1", "x", "w"}));
  ASSERT_EQ(f.Values(), (std::vector<std::string>{"r0", "r1", "y", "z"}));
  ASSERT_EQ(l->epochs().entries(),
            (std::vector<EpochEntry>{{0, 0}, {1, 2}, {3, 3}}));
  ASSERT_EQ(f->epochs().entries(), (std::vector<EpochEntry>{{0, 0}, {2, 2}}));

  FollowerFetchResult first = FetchRound(f, l);
  EXPECT_EQ(first.diverging_epoch, (EpochEndOffset{1, 3}));
  EXPECT_EQ(f->log_end_offset(), 2);
  EXPECT_EQ(f->last_fetched_epoch(), 0);
  FollowerFetchResult second = FetchRound(f, l);
  EXPECT_EQ(second.diverging_epoch, std::nullopt);
  EXPECT_EQ(f.Values(), (std::vector<std::string>{"r0", "r1", "x", "w"}));
  EXPECT_EQ(f.LogBytes(), l.LogBytes());
  EXPECT_EQ(f->epochs().entries(), l->epochs().entries());
}

// §3(a): the follower's truncation offset for each kind of DivergingEpoch
// (getOffsetTruncationState). The follower's epochs: 0 from 0, 2 from 4;
// its log ends at 6.
TEST_F(ReplicatedPartitionTest, TruncationOffsetForEachKindOfDivergence) {
  Replica& l = AddReplica(kA);
  Replica& f = AddReplica(kB);
  const std::vector<NodeId> both = {kA, kB};
  Apply(State(kA, 0, both, both), {&l, &f});
  ProduceMany(l, 4);
  FetchRound(f, l);
  Apply(State(kB, 2, {kB}, both), {&l, &f});
  ProduceMany(f, 2);
  ASSERT_EQ(f->epochs().entries(), (std::vector<EpochEntry>{{0, 0}, {2, 4}}));
  ASSERT_EQ(f->log_end_offset(), 6);

  // The follower has the epoch: the smaller of the two ends.
  EXPECT_EQ(f->TruncationOffsetFor({0, 3}), 3);
  EXPECT_EQ(f->TruncationOffsetFor({2, 5}), 5);
  EXPECT_EQ(f->TruncationOffsetFor({2, 9}), 6);  // never past its LEO
  // It does not (KIP-279): the end of its own largest epoch below it.
  EXPECT_EQ(f->TruncationOffsetFor({1, 5}), 4);
  // An epoch the leader could not name: the leader's offset.
  EXPECT_EQ(f->TruncationOffsetFor({kUndefinedEpoch, 2}), 2);
  // No offset at all: nothing to cut.
  EXPECT_EQ(f->TruncationOffsetFor({}), 6);
}

// §3(a): truncating below the HW is allowed (an unclean election makes it
// necessary) but is warned about; the HW comes down with the log end.
TEST_F(ReplicatedPartitionTest, TruncatingBelowTheHighWatermarkWarns) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  ProduceMany(a, 4);
  FetchRound(b, a);
  FetchRound(b, a);
  FetchRound(b, a);
  ASSERT_EQ(b->high_watermark(), 4);
  std::vector<std::string> warnings;
  b->set_warning_sink([&](const std::string& w) { warnings.push_back(w); });

  b->TruncateTo(4);  // nothing to remove
  EXPECT_TRUE(warnings.empty());
  b->TruncateTo(2);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("below the high watermark 4"), std::string::npos)
      << warnings[0];
  EXPECT_EQ(b->log_end_offset(), 2);
  EXPECT_EQ(b->high_watermark(), 2);
}

// §3(b)8, KIP-966: with min.insync.replicas 2 and the leader alone in the
// ISR, records are appended (acks=1 is answered) but the HW stays: nothing
// is committed, so nothing is visible. It moves once a follower has joined
// the ISR (the controller committed it) and fetched past the records.
TEST_F(ReplicatedPartitionTest, UnderMinIsrTheHighWatermarkStays) {
  LogConfig min_isr_2;
  min_isr_2.min_insync_replicas = 2;
  Replica& a = AddReplica(kA, min_isr_2);
  Replica& b = AddReplica(kB, min_isr_2);
  AddReplica(kC, min_isr_2);
  Apply(State(kA, 0, {kA}), {&a, &b});
  EXPECT_TRUE(a->is_under_min_isr());
  ProduceMany(a, 3);
  EXPECT_EQ(a->log_end_offset(), 3);
  EXPECT_EQ(a->high_watermark(), 0);
  Bytes read;
  ASSERT_TRUE(a->Read(0, 1 << 20, FetchIsolation::kHighWatermark, read).ok());
  EXPECT_TRUE(read.empty());

  FollowerFetchResult join = FetchRound(b, a);
  ASSERT_TRUE(join.isr_change);
  FetchRound(b, a);  // B has all 3, but the ISR is still {A}
  EXPECT_EQ(a->high_watermark(), 0);
  Commit(a, *join.isr_change);
  EXPECT_FALSE(a->is_under_min_isr());
  EXPECT_EQ(a->high_watermark(), 3);
}

// Kafka's effectiveMinIsr: a min.insync.replicas above the replica count
// counts as the replica count, so a partition with one replica still
// commits.
TEST_F(ReplicatedPartitionTest, MinIsrAboveTheReplicaCountIsTheReplicaCount) {
  LogConfig min_isr_2;
  min_isr_2.min_insync_replicas = 2;
  Replica& a = AddReplica(kA, min_isr_2);
  Apply(State(kA, 0, {kA}, {kA}), {&a});
  EXPECT_EQ(a->effective_min_isr(), 1);
  ProduceMany(a, 2);
  EXPECT_EQ(a->high_watermark(), 2);
}

// §3(a) KIP-320: a fetch names the leader epoch it follows. An older one
// is FENCED_LEADER_EPOCH (the fetcher missed a leader change), a newer one
// UNKNOWN_LEADER_EPOCH (this broker has not heard of it yet); a replica
// that does not lead, or a fetcher that is not a replica, gets
// NOT_LEADER_OR_FOLLOWER. The epoch is checked first. OffsetsForLeaderEpoch
// is fenced the same way.
TEST_F(ReplicatedPartitionTest, FetchesAreFencedByLeaderEpoch) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 3, {kA, kB}), {&a, &b});
  auto fetch_error = [&](Replica& from, NodeId replica, int32_t epoch) {
    Result<FollowerFetchResult> result = from->FetchForFollower(
        {.replica_id = replica, .current_leader_epoch = epoch}, now_ms_);
    return result.ok() ? ErrorCode::kNone : result.error().code;
  };
  EXPECT_EQ(fetch_error(a, kB, 3), ErrorCode::kNone);
  EXPECT_EQ(fetch_error(a, kB, Partition::kNoLeaderEpochCheck),
            ErrorCode::kNone);
  EXPECT_EQ(fetch_error(a, kB, 2), ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(fetch_error(a, kB, 4), ErrorCode::kUnknownLeaderEpoch);
  EXPECT_EQ(fetch_error(a, 9, 3), ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(fetch_error(b, kA, 3), ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(fetch_error(b, kA, 2), ErrorCode::kFencedLeaderEpoch);

  EXPECT_TRUE(a->LastOffsetForLeaderEpoch(3, 3).ok());
  EXPECT_EQ(a->LastOffsetForLeaderEpoch(2, 3).error().code,
            ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(a->LastOffsetForLeaderEpoch(4, 3).error().code,
            ErrorCode::kUnknownLeaderEpoch);
  EXPECT_EQ(b->LastOffsetForLeaderEpoch(3, 3).error().code,
            ErrorCode::kNotLeaderOrFollower);
}

// §3(a): the leader stamps its epoch into every batch it appends, and a
// follower's epoch cache learns the epochs from the batches it copies; each
// new leader's epoch starts at its log end.
TEST_F(ReplicatedPartitionTest, BatchesCarryTheLeaderEpoch) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  const std::vector<NodeId> both = {kA, kB};
  Apply(State(kA, 5, both, both), {&a, &b});
  Produce(a, "m0");
  Apply(State(kA, 7, both, both), {&a, &b});
  Produce(a, "m1");
  FetchRound(b, a);

  std::vector<int32_t> epochs;
  for (const RecordBatch& batch : b.Batches()) {
    epochs.push_back(batch.header.partition_leader_epoch);
  }
  EXPECT_EQ(epochs, (std::vector<int32_t>{5, 7}));
  EXPECT_EQ(b->epochs().entries(), (std::vector<EpochEntry>{{5, 0}, {7, 1}}));
  EXPECT_EQ(b->epochs().entries(), a->epochs().entries());
  EXPECT_EQ(a->LastOffsetForLeaderEpoch(5), (EpochEndOffset{5, 1}));
  EXPECT_EQ(a->LastOffsetForLeaderEpoch(6), (EpochEndOffset{5, 1}));
  EXPECT_EQ(a->LastOffsetForLeaderEpoch(7), (EpochEndOffset{7, 2}));
}

// Kafka's makeLeader: the state of a partition epoch older than the one the
// replica knows is ignored (AlterPartition's answer may come before the
// controller's push of the same change).
TEST_F(ReplicatedPartitionTest, OlderPartitionEpochIsIgnored) {
  Replica& a = AddReplica(kA);
  const PartitionState older = State(kA, 0, {kA, kB, kC});
  const PartitionState newer = State(kA, 0, {kA, kB});
  a->MakeLeader(newer, now_ms_);
  a->MakeLeader(older, now_ms_);
  EXPECT_EQ(a->isr(), (std::vector<NodeId>{kA, kB}));
  EXPECT_EQ(a->partition_epoch(), newer.partition_epoch);
  EXPECT_FALSE(a->MakeFollower(older));
  EXPECT_TRUE(a->is_leader());
}

// A replica whose leader-epoch-checkpoint is lost rebuilds it from its
// batches' epochs when it opens, so that its fetches still name the right
// last epoch and its answers the right epoch ends.
TEST_F(ReplicatedPartitionTest, LostEpochFileIsRebuiltFromTheLog) {
  Replica& a = AddReplica(kA);
  Apply(State(kA, 0, {kA}, {kA}), {&a});
  ProduceMany(a, 2);
  Apply(State(kA, 2, {kA}, {kA}), {&a});
  ProduceMany(a, 1);
  const std::vector<EpochEntry> entries = a->epochs().entries();
  ASSERT_EQ(entries, (std::vector<EpochEntry>{{0, 0}, {2, 2}}));

  a.RemoveFile(kLeaderEpochCheckpointFile);
  a.Restart();
  EXPECT_EQ(a->epochs().entries(), entries);
  EXPECT_EQ(a->last_fetched_epoch(), 2);
}

// The HW checkpoint read at start-up is kept within the log: a checkpoint
// past the log end (the tail was lost) stops at the log end.
TEST_F(ReplicatedPartitionTest, CheckpointedHighWatermarkStaysWithinTheLog) {
  Replica& a = AddReplica(kA);
  Apply(State(kA, 0, {kA}, {kA}), {&a});
  ProduceMany(a, 3);
  a.Restart();
  a->SetHighWatermarkFromCheckpoint(2);
  EXPECT_EQ(a->high_watermark(), 2);
  a->SetHighWatermarkFromCheckpoint(10);
  EXPECT_EQ(a->high_watermark(), 3);
}

// §3(a): a follower caught up but outside the ISR holds the HW back too,
// or each append would put the HW ahead of it and it could never reach the
// HW to join. B, outside the ISR {A}, catches up, and each fetch that finds
// it in sync proposes it; the controller does not try the change
// (OPERATION_NOT_ATTEMPTED), so B is not in the maximal ISR either. Still
// the leader's next append stays above the HW until B has fetched it. Only
// for replica.lag.time.max.ms: once B has not caught up for that long, the
// HW runs ahead of it.
TEST_F(ReplicatedPartitionTest, CaughtUpFollowerOutsideTheIsrHoldsTheHw) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA}, {kA, kB}), {&a, &b});
  auto refuse_expansion = [&](const FollowerFetchResult& fetch) {
    ASSERT_TRUE(fetch.isr_change);
    a->OnIsrChangeFailed(ErrorCode::kOperationNotAttempted);
    ASSERT_EQ(a->maximal_isr(), (std::vector<NodeId>{kA}));
  };
  ProduceMany(a, 2);
  ASSERT_EQ(a->high_watermark(), 2);  // B has not caught up: not waited for
  FetchRound(b, a);
  refuse_expansion(FetchRound(b, a));  // from 2, the log end: caught up

  Produce(a, "m2");
  EXPECT_EQ(a->high_watermark(), 2);
  refuse_expansion(FetchRound(b, a));  // from 2: copies m2
  EXPECT_EQ(a->high_watermark(), 2);
  refuse_expansion(FetchRound(b, a));  // from 3
  EXPECT_EQ(a->high_watermark(), 3);

  now_ms_ += kLagMs + 1;  // B stops fetching
  Produce(a, "m3");
  EXPECT_EQ(a->high_watermark(), 4);
}

// §3(a) isCaughtUp: a follower with the leader's whole log is in sync
// however long ago it fetched. On an idle partition B fetches nothing for
// twice replica.lag.time.max.ms and stays in the ISR; the first record it
// then lacks puts it out at once, since it last caught up long ago.
TEST_F(ReplicatedPartitionTest, IdleFollowerWithTheWholeLogStaysInTheIsr) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  ProduceMany(a, 2);
  FetchRound(b, a);
  FetchRound(b, a);
  ASSERT_EQ(a->high_watermark(), 2);

  now_ms_ += 2 * kLagMs;
  EXPECT_EQ(a->MaybeShrinkIsr(now_ms_), std::nullopt);
  Produce(a, "while B sleeps");
  EXPECT_EQ(a->high_watermark(), 2);
  std::optional<IsrChange> shrink = a->MaybeShrinkIsr(now_ms_);
  ASSERT_TRUE(shrink);
  EXPECT_EQ(shrink->new_isr, (std::vector<NodeId>{kA}));
  Commit(a, *shrink);
  EXPECT_EQ(a->high_watermark(), 3);
}

// §3(a): the follower truncates to the smaller of the two ends of the
// leader's epoch, its own included. L wrote r0..r3 and x in epoch 0; F has
// r0..r3, then led epoch 1 and wrote y at 4; L, leading epoch 2 (an unclean
// election: y was committed), wrote w at 5. F's fetch says last epoch 1 from
// 5. L's largest epoch up to 1 is 0, ending at 5: DivergingEpoch(0, 5). F
// has epoch 0, but in F's log it ended at 4, where y starts: F cuts to 4,
// not 5, and then copies x and w. Cutting at the leader's 5 would keep y.
TEST_F(ReplicatedPartitionTest, TruncationStopsWhereTheFollowersEpochEnded) {
  Replica& l = AddReplica(kA);
  Replica& f = AddReplica(kB);
  const std::vector<NodeId> both = {kA, kB};
  Apply(State(kA, 0, both, both), {&l, &f});
  for (const char* value : {"r0", "r1", "r2", "r3"}) Produce(l, value);
  FetchRound(f, l);
  Produce(l, "x");
  Apply(State(kB, 1, {kB}, both), {&l, &f});
  Produce(f, "y");
  Apply(State(kA, 2, {kA}, both), {&l, &f});
  Produce(l, "w");
  ASSERT_EQ(l.Values(),
            (std::vector<std::string>{"r0", "r1", "r2", "r3", "x", "w"}));
  ASSERT_EQ(f.Values(),
            (std::vector<std::string>{"r0", "r1", "r2", "r3", "y"}));
  ASSERT_EQ(f->epochs().entries(), (std::vector<EpochEntry>{{0, 0}, {1, 4}}));

  FollowerFetchResult first = FetchRound(f, l);
  EXPECT_EQ(first.diverging_epoch, (EpochEndOffset{0, 5}));
  EXPECT_EQ(f->log_end_offset(), 4);
  EXPECT_EQ(f->last_fetched_epoch(), 0);
  FollowerFetchResult second = FetchRound(f, l);
  EXPECT_EQ(second.diverging_epoch, std::nullopt);
  EXPECT_EQ(f.LogBytes(), l.LogBytes());
  EXPECT_EQ(f->epochs().entries(), l->epochs().entries());
}

// §3(a): only the leader computes an HW from log ends. A follower's HW is
// the leader's word (UpdateFollowerHighWatermark); asked to advance its own,
// a follower that holds records beyond its HW changes nothing.
TEST_F(ReplicatedPartitionTest, OnlyTheLeaderAdvancesItsHighWatermark) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  ProduceMany(a, 3);
  FetchRound(b, a);
  ASSERT_EQ(b->log_end_offset(), 3);
  ASSERT_EQ(b->high_watermark(), 0);
  EXPECT_FALSE(b->MaybeIncrementHighWatermark(now_ms_));
  EXPECT_EQ(b->high_watermark(), 0);
}

// §3(a): whatever the leader answers, the follower never truncates past
// its own log end, also when there is no epoch to compare: a leader that
// could not name an epoch, or a follower without epochs (an empty replica).
// F's epochs are 0 from 0 and 2 from 4, and its log ends at 6.
TEST_F(ReplicatedPartitionTest, TruncationOffsetWithoutEpochsStaysInTheLog) {
  Replica& l = AddReplica(kA);
  Replica& f = AddReplica(kB);
  Replica& empty = AddReplica(kC);
  Apply(State(kA, 0, {kA, kB, kC}), {&l, &f, &empty});
  ProduceMany(l, 4);
  FetchRound(f, l);
  Apply(State(kB, 2, {kB}), {&l, &f, &empty});
  ProduceMany(f, 2);
  ASSERT_EQ(f->log_end_offset(), 6);
  ASSERT_TRUE(empty->epochs().entries().empty());

  EXPECT_EQ(f->TruncationOffsetFor({kUndefinedEpoch, 9}), 6);
  EXPECT_EQ(empty->TruncationOffsetFor({0, 5}), 0);
}

// A new leader does not wait for a follower it has never heard from. B is
// assigned but has not fetched since A began to lead with ISR {A}: B is not
// caught up (it never was), so A's HW moves with A's log alone. Kafka starts
// a follower's last caught-up time at 0, decades before a real clock's now;
// here the clock itself starts at 0, as the simulator's does, which must not
// make "0 ms ago" look recent.
TEST_F(ReplicatedPartitionTest, AFollowerThatNeverFetchedDoesNotHoldTheHw) {
  now_ms_ = 0;
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 1, {kA}, {kA, kB}), {&a, &b});
  now_ms_ = 5;
  Produce(a, "m0");
  EXPECT_EQ(a->high_watermark(), 1);
}

// A follower's log start follows the leader's. DeleteRecords on the leader
// moves its log start to 2; at B's next fetch B moves its own there too, so
// that, were B to lead next, the deleted records would stay deleted.
TEST_F(ReplicatedPartitionTest, FollowersLogStartFollowsTheLeaders) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  ProduceMany(a, 4);
  FetchRound(b, a);
  FetchRound(b, a);  // B's second fetch moves A's HW to 4
  ASSERT_EQ(a->high_watermark(), 4);
  ASSERT_TRUE(a->DeleteRecordsOnLeader(2).ok());

  FetchRound(b, a);
  EXPECT_EQ(b->log_start_offset(), 2);
  EXPECT_EQ(b.Values(), (std::vector<std::string>{"r2", "r3"}));
}

// A follower whose whole log lies below the leader's log start (it was away
// while the leader's retention or DeleteRecords went past it) cannot fetch
// from its log end: the leader answers OFFSET_OUT_OF_RANGE. It starts again,
// empty, at the leader's log start, and copies from there.
TEST_F(ReplicatedPartitionTest, AFollowerBehindTheLeadersLogStartStartsThere) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA}, {kA, kB}), {&a, &b});
  ProduceMany(a, 4);
  ASSERT_TRUE(a->DeleteRecordsOnLeader(3).ok());

  Result<FollowerFetchResult> refused = a->FetchForFollower(
      {.replica_id = kB, .fetch_offset = 0, .current_leader_epoch = 0},
      now_ms_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kOffsetOutOfRange);

  b->TruncateFullyAndStartAt(a->log_start_offset());
  EXPECT_EQ(b->log_start_offset(), 3);
  EXPECT_EQ(b->high_watermark(), 3);
  FetchRound(b, a);
  EXPECT_EQ(b.Values(), std::vector<std::string>{"r3"});
  EXPECT_EQ(b->log_end_offset(), 4);
}

// A follower the controller fenced (its broker stopped heartbeating) is not
// waited for, however recently it caught up: it cannot join the ISR, so the
// HW would wait in vain (Kafka's isReplicaIsrEligible). B caught up, then
// left the ISR as its broker was fenced; the HW moves with A alone, and B,
// fetching again while still fenced, is not proposed for the ISR.
TEST_F(ReplicatedPartitionTest, AFencedFollowerDoesNotHoldTheHw) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  std::set<NodeId> fenced;
  a->set_isr_eligibility(
      [&](NodeId id, int64_t) { return !fenced.contains(id); });
  Apply(State(kA, 0, {kA, kB}, {kA, kB}), {&a, &b});
  ProduceMany(a, 2);
  FetchRound(b, a);
  FetchRound(b, a);
  ASSERT_EQ(a->high_watermark(), 2);

  fenced.insert(kB);
  Apply(State(kA, 0, {kA}, {kA, kB}), {&a});
  Produce(a, "m2");
  EXPECT_EQ(a->high_watermark(), 3) << "B, fenced, was waited for";
  EXPECT_FALSE(FetchRound(b, a).isr_change) << "B, fenced, was proposed";
}

// KIP-903: each fetch names the broker epoch of the incarnation that sent
// it. B's broker restarted and registered again (epoch 20 now); fetches of
// its earlier incarnation (epoch 10), still in flight, reach the leader and
// show B caught up. That is not B as it is now (its log may have lost its
// tail in the crash): B is not proposed for the ISR. Once fetches of the
// new incarnation show it caught up, it is.
TEST_F(ReplicatedPartitionTest,
       AFetchOfAnEarlierIncarnationCannotRejoinTheIsr) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  const int64_t registered_epoch = 20;  // B's, as the metadata says
  a->set_isr_eligibility([&](NodeId, int64_t fetch_broker_epoch) {
    return fetch_broker_epoch == registered_epoch;
  });
  Apply(State(kA, 0, {kA}, {kA, kB}), {&a, &b});
  ProduceMany(a, 2);

  fetching_broker_epoch_ = 10;
  FetchRound(b, a);
  EXPECT_FALSE(FetchRound(b, a).isr_change)
      << "a fetch of B's earlier incarnation was taken for B";
  EXPECT_EQ(a->followers().at(kB).broker_epoch, 10);

  fetching_broker_epoch_ = registered_epoch;
  std::optional<IsrChange> change = FetchRound(b, a).isr_change;
  ASSERT_TRUE(change.has_value()) << "B, caught up, was kept out";
  EXPECT_EQ(change->new_isr, (std::vector<NodeId>{kA, kB}));
}

// DeleteRecords may move the leader's log start inside a batch: here to 2,
// inside the batch of offsets 0 to 2. A follower that starts at 2 with an
// empty log is given that whole batch; it starts its log at the batch's
// base instead (the leader's log start, in the same answer, then moves its
// own log start up to 2), rather than refusing the batch on every fetch.
TEST_F(ReplicatedPartitionTest,
       AnEmptyFollowerTakesABatchThatStraddlesItsStart) {
  Replica& a = AddReplica(kA);
  Replica& b = AddReplica(kB);
  Apply(State(kA, 0, {kA}, {kA, kB}), {&a, &b});
  Bytes batch = EncodeRecordBatch(
      MakeBatch({{.timestamp = now_ms_, .value = ToBytes("m0")},
                 {.timestamp = now_ms_, .value = ToBytes("m1")},
                 {.timestamp = now_ms_, .value = ToBytes("m2")}}));
  std::vector<RecordError> errors;
  ASSERT_TRUE(a->AppendRecordsToLeader(batch, now_ms_, errors).ok());
  a->MaybeIncrementHighWatermark(now_ms_);
  ASSERT_TRUE(a->DeleteRecordsOnLeader(2).ok());

  b->TruncateFullyAndStartAt(a->log_start_offset());
  FetchRound(b, a);
  EXPECT_EQ(b->log_end_offset(), 3);
  EXPECT_EQ(b->log_start_offset(), 2);
  EXPECT_EQ(b.LogBytes(), a.LogBytes());
}

}  // namespace
}  // namespace kafka
