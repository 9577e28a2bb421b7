// KafkaRaftClient's rules (KAFKA_RULES §4(a)) and scenarios §4(b) 1-4, on a
// simulated quorum of voters (and an observer): each RaftTestNode hosts one
// KafkaRaftClient with a listener that records what it was told. Where a
// rule is about one answer (a vote), the test calls the handler directly,
// between simulation steps, as a transcript.
#include "chapters/05_controller/raft/kafka_raft_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "chapters/05_controller/raft/control_records.h"
#include "chapters/05_controller/raft/raft_test_util.h"
#include "lib/protocol/message.h"
#include "lib/protocol/messages/begin_quorum_epoch_request.h"
#include "lib/protocol/messages/begin_quorum_epoch_response.h"
#include "lib/protocol/messages/describe_quorum_request.h"
#include "lib/protocol/messages/describe_quorum_response.h"
#include "lib/protocol/messages/vote_request.h"
#include "lib/protocol/messages/vote_response.h"

namespace kafka {
namespace {

using raft_test::RaftCluster;
using raft_test::RaftTestNode;
using raft_test::Text;
using raft_test::Value;
using Handler = Status (KafkaRaftClient::*)(const Request&, Responder);

// Calls one handler with `message` and decodes its answer.
template <typename Response, typename Message>
Response Call(KafkaRaftClient& raft, Handler handler, ApiKey api,
              int16_t version, const Message& message) {
  const Bytes body = EncodeMessage(message, api, version);
  const Request request{{int16_t(api), version, 1, "test"}, body, 0};
  std::optional<Bytes> answer;
  EXPECT_TRUE((raft.*handler)(request, [&](std::optional<Bytes> bytes) {
                answer = std::move(bytes);
              }).ok());
  if (!answer) return Response();
  return DecodeMessage<Response>(*answer, api, version, 0, "answer").value();
}

VoteRequest MakeVote(NodeId candidate, int32_t epoch, int32_t last_epoch,
                     int64_t last_offset,
                     std::optional<std::string> cluster = "raft-test-cluster") {
  VoteRequest request;
  request.cluster_id = std::move(cluster);
  request.topics.push_back(
      {kMetadataTopicName,
       {{kMetadataPartition, epoch, candidate, last_epoch, last_offset}}});
  return request;
}

VoteResponse::Partition Vote(KafkaRaftClient& raft,
                             const VoteRequest& request) {
  VoteResponse response = Call<VoteResponse>(raft, &KafkaRaftClient::HandleVote,
                                             ApiKey::kVote, 0, request);
  if (response.topics.empty()) return {};
  return response.topics[0].partitions[0];
}

// The values of the data records in a node's log, control batches left out.
std::vector<std::string> LogValues(const RaftLog& log) {
  std::vector<std::string> values;
  Bytes chunk;
  for (int64_t offset = log.start_offset(); offset < log.end_offset();) {
    if (!log.Read(offset, 1 << 20, chunk).ok() || chunk.empty()) break;
    for (const BatchSlice& slice : SplitAndValidateBatches(chunk).value()) {
      offset = slice.header.NextOffset();
      if (IsControlBatch(slice.header)) continue;
      for (const Record& record :
           DecodeRecordBatch(ByteView(chunk).subspan(
                                 slice.position, slice.header.SizeInBytes()))
               .value()
               .records) {
        values.push_back(Text(*record.value));
      }
    }
  }
  return values;
}

std::vector<NodeId> Others(const RaftCluster& cluster, NodeId leader) {
  std::vector<NodeId> others;
  for (NodeId id : cluster.ids()) {
    if (id != leader) others.push_back(id);
  }
  return others;
}

TEST(KafkaRaftClientTest, ElectsOneLeaderWhoseEntriesEveryVoterCommits) {
  RaftCluster cluster(1, 3);
  const std::optional<NodeId> leader = cluster.RunUntilLeader();
  ASSERT_TRUE(leader);
  const int32_t epoch = cluster.raft(*leader).epoch();
  EXPECT_GE(epoch, 1);
  cluster.Append(*leader, {"a", "b", "c"});
  for (NodeId id : cluster.ids()) {
    ASSERT_TRUE(cluster.RunUntilCommitted(id, 3)) << "node " << id;
    EXPECT_EQ(cluster.node(id).listener().values,
              (std::vector<std::string>{"a", "b", "c"}));
    // The LeaderChange record at the epoch's start is the Raft layer's own.
    for (const CommittedBatch& batch : cluster.node(id).listener().commits) {
      EXPECT_EQ(batch.epoch, epoch);
      EXPECT_GE(batch.base_offset, 1);
    }
    EXPECT_EQ(cluster.node(id).listener().leader_changes.back(),
              (LeaderAndEpoch{*leader, epoch}));
  }
  EXPECT_TRUE(cluster.history().violations.empty());
}

// A quorum of one (a single controller): it leads at once, and commits
// each append by itself, telling the listener after Append returned.
TEST(KafkaRaftClientTest, TheOnlyVoterLeadsAtOnceAndCommitsAlone) {
  RaftCluster cluster(15, 1);
  EXPECT_EQ(cluster.raft(1).state(), RaftState::kLeader);
  EXPECT_EQ(cluster.raft(1).epoch(), 1);
  ASSERT_TRUE(cluster.raft(1).Append(1, {Value("a")}).ok());
  EXPECT_TRUE(cluster.node(1).listener().values.empty());
  ASSERT_TRUE(cluster.RunUntilCommitted(1, 1, 1));
  EXPECT_EQ(cluster.raft(1).high_watermark(), cluster.raft(1).log_end_offset());

  // Restarted, it leads the next epoch and hears its log again.
  cluster.sim().Crash(1);
  cluster.sim().Restart(1);
  EXPECT_EQ(cluster.raft(1).state(), RaftState::kLeader);
  EXPECT_EQ(cluster.raft(1).epoch(), 2);
  ASSERT_TRUE(cluster.RunUntilCommitted(1, 1, 1));
  EXPECT_EQ(cluster.node(1).listener().values, std::vector<std::string>{"a"});
}

TEST(KafkaRaftClientTest, OnlyTheLeaderAppends) {
  RaftCluster cluster(2, 3);
  const NodeId leader = cluster.RunUntilLeader().value();
  const int32_t epoch = cluster.raft(leader).epoch();
  const NodeId follower = Others(cluster, leader)[0];
  Result<int64_t> refused = cluster.raft(follower).Append(epoch, {Value("x")});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotLeaderOrFollower);
  EXPECT_FALSE(cluster.raft(leader).Append(epoch - 1, {Value("x")}).ok());
  Result<int64_t> appended =
      cluster.raft(leader).Append(epoch, {Value("x"), Value("y")});
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(*appended, cluster.raft(leader).log_end_offset() - 1);
}

// §4(b) 1.
TEST(KafkaRaftClientTest, IsolatedLeaderResignsAndItsUncommittedTailIsCut) {
  RaftCluster cluster(7, 3);
  const NodeId old_leader = cluster.RunUntilLeader().value();
  const int32_t old_epoch = cluster.raft(old_leader).epoch();
  cluster.Append(old_leader, {"committed"});
  for (NodeId id : cluster.ids()) ASSERT_TRUE(cluster.RunUntilCommitted(id, 1));

  const std::vector<NodeId> majority = Others(cluster, old_leader);
  cluster.sim().Partition({old_leader}, majority);
  const int64_t cut_ms = cluster.sim().now_ms();
  cluster.Append(old_leader, {"lost-1", "lost-2"});

  // Check quorum: no fetch from a majority for 1.5 x fetch.timeout.ms.
  cluster.sim().RunFor(2400);
  EXPECT_EQ(cluster.raft(old_leader).state(), RaftState::kLeader);
  ASSERT_TRUE(cluster.sim().RunUntil(
      [&] { return cluster.raft(old_leader).state() != RaftState::kLeader; },
      1000));
  EXPECT_EQ(cluster.raft(old_leader).state(), RaftState::kResigned);
  EXPECT_LE(cluster.sim().now_ms() - cut_ms, 3000);
  EXPECT_FALSE(cluster.raft(old_leader).leader_and_epoch().leader);

  const NodeId new_leader = cluster.RunUntilLeader(10000, majority).value();
  EXPECT_NE(new_leader, old_leader);
  EXPECT_GT(cluster.raft(new_leader).epoch(), old_epoch);
  cluster.Append(new_leader, {"after"});
  for (NodeId id : majority) ASSERT_TRUE(cluster.RunUntilCommitted(id, 2));

  cluster.sim().Heal();
  ASSERT_TRUE(cluster.sim().RunUntil(
      [&] {
        return LogValues(cluster.raft(old_leader).log()) ==
               std::vector<std::string>{"committed", "after"};
      },
      20000));
  EXPECT_TRUE(cluster.RunUntilCommitted(old_leader, 2));
  EXPECT_EQ(cluster.node(old_leader).listener().values,
            (std::vector<std::string>{"committed", "after"}));
  EXPECT_TRUE(cluster.history().violations.empty());
}

// A voter that starts late (a process launched after the others) is asked
// for its vote again, backing off, so the first election is won once it is
// up, rather than timing out and standing again in a new epoch. Seeds where
// a candidate asked only once needed a second election.
TEST(KafkaRaftClientTest, AVoterThatStartsLateIsAskedAgainAndOneElectionWins) {
  for (uint64_t seed : {1, 3, 6, 8}) {
    RaftCluster cluster(seed, 3);
    cluster.sim().Crash(2);
    cluster.sim().Crash(3);
    cluster.sim().RunFor(1500);
    cluster.sim().Restart(2);
    cluster.sim().RunFor(2500);
    cluster.sim().Restart(3);
    const NodeId leader = cluster.RunUntilLeader().value();
    EXPECT_EQ(cluster.raft(leader).epoch(), 1) << "seed " << seed;
  }
}

// A node that does not answer is asked again later and later: from
// retry.backoff.ms (20) doubling up to reconnect.backoff.max.ms (1000), not
// every 20 ms. One rule for BeginQuorumEpoch, Vote and Fetch alike.
TEST(KafkaRaftClientTest, RequestsToANodeThatDoesNotAnswerBackOff) {
  RaftCluster cluster(2, 3);
  cluster.sim().Crash(3);
  const NodeId leader = cluster.RunUntilLeader(30000, {1, 2}).value();
  const int begins = cluster.RequestsSent(leader, 3, ApiKey::kBeginQuorumEpoch);
  cluster.sim().RunFor(10000);
  // 40, 80, ... 640 ms, then once a second: about 15 in 10 s (500 at 20 ms).
  EXPECT_LE(cluster.RequestsSent(leader, 3, ApiKey::kBeginQuorumEpoch) - begins,
            16);

  // The follower of a crashed leader, until it stands (fetch.timeout.ms).
  const NodeId follower = leader == 1 ? 2 : 1;
  const int fetches = cluster.RequestsSent(follower, leader, ApiKey::kFetch);
  cluster.sim().Crash(leader);
  cluster.sim().RunFor(1900);
  EXPECT_LE(cluster.RequestsSent(follower, leader, ApiKey::kFetch) - fetches,
            8);
  // And its Vote requests to the nodes that are down, while it stands.
  cluster.sim().RunFor(10000);
  EXPECT_LE(cluster.RequestsSent(follower, 3, ApiKey::kVote), 20);
}

// A follower whose leader is gone waits fetch.timeout.ms, then stands.
TEST(KafkaRaftClientTest, FollowerStandsForElectionAfterTheFetchTimeout) {
  RaftCluster cluster(3, 3);
  const NodeId leader = cluster.RunUntilLeader().value();
  const int32_t epoch = cluster.raft(leader).epoch();
  cluster.sim().Crash(leader);
  cluster.sim().RunFor(1400);
  for (NodeId id : Others(cluster, leader)) {
    EXPECT_EQ(cluster.raft(id).state(), RaftState::kFollower) << id;
  }
  cluster.sim().RunFor(1200);
  bool stood = false;
  for (NodeId id : Others(cluster, leader))
    stood |= cluster.raft(id).epoch() > epoch;
  EXPECT_TRUE(stood);
}

// §4(b) 2, and the comparison itself: (last epoch, end offset),
// lexicographically.
TEST(KafkaRaftClientTest, CandidateWithAShorterLogIsRefusedAVote) {
  RaftCluster cluster(4, 3);
  const NodeId leader = cluster.RunUntilLeader().value();
  const int32_t epoch = cluster.raft(leader).epoch();
  cluster.Append(leader, {"a", "b"});
  for (NodeId id : cluster.ids()) ASSERT_TRUE(cluster.RunUntilCommitted(id, 2));
  const NodeId voter = Others(cluster, leader)[0];
  const NodeId candidate = Others(cluster, leader)[1];
  KafkaRaftClient& raft = cluster.raft(voter);
  const int64_t end = raft.log_end_offset();
  ASSERT_EQ(raft.log().last_fetched_epoch(), epoch);

  VoteResponse::Partition stale =
      Vote(raft, MakeVote(candidate, epoch + 1, epoch, end - 1));
  EXPECT_EQ(stale.error_code, ErrorCode::kNone);
  EXPECT_FALSE(stale.vote_granted);
  EXPECT_EQ(raft.epoch(), epoch + 1);  // the larger epoch is taken anyway
  EXPECT_EQ(raft.voted_id(), std::nullopt);

  VoteResponse::Partition equal =
      Vote(raft, MakeVote(candidate, epoch + 2, epoch, end));
  EXPECT_TRUE(equal.vote_granted);
  EXPECT_EQ(raft.state(), RaftState::kVoted);
  EXPECT_EQ(raft.voted_id(), candidate);

  // A later last epoch wins over a longer log.
  VoteResponse::Partition later =
      Vote(raft, MakeVote(candidate, epoch + 3, epoch + 1, 1));
  EXPECT_TRUE(later.vote_granted);
  // A smaller epoch is fenced.
  VoteResponse::Partition old =
      Vote(raft, MakeVote(candidate, epoch, epoch, end));
  EXPECT_EQ(old.error_code, ErrorCode::kFencedLeaderEpoch);
  EXPECT_FALSE(old.vote_granted);
}

// One vote per epoch: a second candidate in the same epoch is refused, the
// same one asked again is granted again.
TEST(KafkaRaftClientTest, OneVotePerEpoch) {
  Simulation sim(5);
  RaftConfig config;
  config.node_id = 1;
  config.data_dir = "/data";
  for (NodeId id : {1, 2, 3})
    config.voters[id] = Simulation::DefaultAddress(id);
  raft_test::QuorumHistory history;
  sim.AddNode(1,
              [&] { return std::make_unique<RaftTestNode>(config, &history); });
  KafkaRaftClient& raft = sim.node<RaftTestNode>(1).raft();
  EXPECT_TRUE(Vote(raft, MakeVote(2, 5, 0, 0)).vote_granted);
  EXPECT_FALSE(Vote(raft, MakeVote(3, 5, 0, 0)).vote_granted);
  EXPECT_TRUE(Vote(raft, MakeVote(2, 5, 0, 0)).vote_granted);
  EXPECT_FALSE(Vote(raft, MakeVote(9, 6, 0, 0)).vote_granted);  // no voter
}

// §4(b) 3: the vote is on disk before the answer leaves, and a voter that
// crashed after voting comes back bound by it.
TEST(KafkaRaftClientTest, VoterThatCrashedAfterVotingDoesNotVoteTwice) {
  Simulation sim(6);
  RaftConfig config;
  config.node_id = 1;
  config.data_dir = "/data";
  for (NodeId id : {1, 2, 3})
    config.voters[id] = Simulation::DefaultAddress(id);
  raft_test::QuorumHistory history;
  sim.AddNode(1,
              [&] { return std::make_unique<RaftTestNode>(config, &history); });
  const std::string path = "/data/quorum-state";

  const VoteRequest request = MakeVote(2, 5, 0, 0);
  const Bytes body = EncodeMessage(request, ApiKey::kVote, 0);
  const Request vote{{int16_t(ApiKey::kVote), 0, 1, "test"}, body, 0};
  bool answered = false;
  ASSERT_TRUE(
      sim.node<RaftTestNode>(1)
          .raft()
          .HandleVote(vote,
                      [&](std::optional<Bytes>) {
                        // The answer leaves only after the file says so.
                        const ElectionState on_disk =
                            DecodeQuorumStateFile(
                                AsString(ReadWholeFile(sim.disk(1), path)))
                                .value();
                        EXPECT_EQ(on_disk.epoch, 5);
                        EXPECT_EQ(on_disk.voted, 2);
                        answered = true;
                      })
          .ok());
  ASSERT_TRUE(answered);

  sim.Crash(1, Simulation::CrashKind::kPowerFailure);
  sim.Restart(1);
  KafkaRaftClient& restarted = sim.node<RaftTestNode>(1).raft();
  EXPECT_EQ(restarted.state(), RaftState::kVoted);
  EXPECT_EQ(restarted.epoch(), 5);
  EXPECT_EQ(restarted.voted_id(), 2);
  EXPECT_FALSE(Vote(restarted, MakeVote(3, 5, 0, 0)).vote_granted);
  EXPECT_TRUE(Vote(restarted, MakeVote(2, 5, 0, 0)).vote_granted);
}

// A quorum-state file that does not parse: the node may have voted and
// forgotten, so it neither votes nor stands (nor crashes).
TEST(KafkaRaftClientTest, CorruptQuorumStateKeepsTheVoterOut) {
  Simulation sim(8);
  RaftConfig config;
  config.node_id = 1;
  config.data_dir = "/data";
  for (NodeId id : {1, 2, 3})
    config.voters[id] = Simulation::DefaultAddress(id);
  raft_test::QuorumHistory history;
  sim.AddNode(1,
              [&] { return std::make_unique<RaftTestNode>(config, &history); });
  sim.Crash(1);
  sim.disk(1).CreateDirectories("/data");
  WriteFileAtomically(sim.disk(1), "/data/quorum-state",
                      AsBytes("{\"leaderEpoch\":"));
  sim.Restart(1);
  KafkaRaftClient& raft = sim.node<RaftTestNode>(1).raft();
  EXPECT_FALSE(raft.start_error().ok());
  VoteResponse::Partition refused = Vote(raft, MakeVote(2, 5, 0, 0));
  EXPECT_EQ(refused.error_code, ErrorCode::kKafkaStorageError);
  EXPECT_FALSE(refused.vote_granted);
  sim.RunFor(10000);
  EXPECT_EQ(raft.epoch(), 0);
  EXPECT_EQ(raft.state(), RaftState::kUnattached);
}

TEST(KafkaRaftClientTest, RequestsOfAnotherClusterAreRefused) {
  RaftCluster cluster(9, 3);
  const NodeId leader = cluster.RunUntilLeader().value();
  const NodeId voter = Others(cluster, leader)[0];
  VoteResponse response = Call<VoteResponse>(
      cluster.raft(voter), &KafkaRaftClient::HandleVote, ApiKey::kVote, 0,
      MakeVote(leader, 50, 50, 100, "another-cluster"));
  EXPECT_EQ(response.error_code, ErrorCode::kInconsistentClusterId);
  EXPECT_LT(cluster.raft(voter).epoch(), 50);

  FetchRequest fetch;
  fetch.cluster_id = "another-cluster";
  fetch.replica_id = voter;
  FetchRequest::Topic topic;
  topic.topic_id = MetadataTopicId();
  topic.partitions.push_back(
      {.partition = 0,
       .current_leader_epoch = cluster.raft(leader).epoch(),
       .fetch_offset = 0});
  fetch.topics.push_back(topic);
  FetchResponse answer =
      Call<FetchResponse>(cluster.raft(leader), &KafkaRaftClient::HandleFetch,
                          ApiKey::kFetch, 13, fetch);
  EXPECT_EQ(answer.error_code, ErrorCode::kInconsistentClusterId);
}

FetchRequest MakeFetch(NodeId replica, int32_t epoch, int64_t offset,
                       int32_t last_fetched_epoch) {
  FetchRequest fetch;
  fetch.cluster_id = "raft-test-cluster";
  fetch.replica_id = replica;
  fetch.max_wait_ms = 0;
  FetchRequest::Topic topic;
  topic.topic_id = MetadataTopicId();
  topic.partitions.push_back({.partition = 0,
                              .current_leader_epoch = epoch,
                              .fetch_offset = offset,
                              .last_fetched_epoch = last_fetched_epoch});
  fetch.topics.push_back(topic);
  return fetch;
}

FetchResponse::Partition Fetch(KafkaRaftClient& raft,
                               const FetchRequest& request) {
  FetchResponse response = Call<FetchResponse>(
      raft, &KafkaRaftClient::HandleFetch, ApiKey::kFetch, 13, request);
  if (response.responses.empty()) return {};
  return response.responses[0].partitions[0];
}

// Fetches name the epoch the fetcher knows; the answer names the leader.
// A fetch whose log left the leader's gets where it diverged.
TEST(KafkaRaftClientTest, LeaderChecksEachFetchsEpochAndLog) {
  RaftCluster cluster(16, 3);
  const NodeId leader = cluster.RunUntilLeader().value();
  const int32_t epoch = cluster.raft(leader).epoch();
  cluster.Append(leader, {"a", "b"});
  for (NodeId id : cluster.ids()) ASSERT_TRUE(cluster.RunUntilCommitted(id, 2));
  const NodeId follower = Others(cluster, leader)[0];
  KafkaRaftClient& raft = cluster.raft(leader);
  const int64_t end = raft.log_end_offset();

  FetchResponse::Partition fenced =
      Fetch(raft, MakeFetch(follower, epoch - 1, end, epoch));
  EXPECT_EQ(fenced.error_code, ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(fenced.current_leader.leader_id, leader);
  EXPECT_EQ(fenced.current_leader.leader_epoch, epoch);
  EXPECT_EQ(Fetch(raft, MakeFetch(follower, epoch + 1, end, epoch)).error_code,
            ErrorCode::kUnknownLeaderEpoch);
  EXPECT_EQ(
      Fetch(cluster.raft(follower), MakeFetch(follower, epoch, end, epoch))
          .error_code,
      ErrorCode::kNotLeaderOrFollower);

  // A log that has an older epoch past where it ended here.
  FetchResponse::Partition diverged =
      Fetch(raft, MakeFetch(follower, epoch, end + 5, epoch - 1));
  EXPECT_EQ(diverged.error_code, ErrorCode::kNone);
  EXPECT_EQ(diverged.diverging_epoch.end_offset,
            raft.log().EndOffsetForEpoch(epoch - 1).end_offset);
  EXPECT_FALSE(diverged.records && !diverged.records->empty());

  FetchResponse::Partition caught_up =
      Fetch(raft, MakeFetch(follower, epoch, end, epoch));
  EXPECT_EQ(caught_up.error_code, ErrorCode::kNone);
  EXPECT_EQ(caught_up.high_watermark, end);
  EXPECT_EQ(caught_up.diverging_epoch.epoch, -1);
}

// The leader holds a fetch that finds nothing new (long poll), unless the
// fetch itself moved the high watermark: then the fetcher hears of the
// commit at once.
TEST(KafkaRaftClientTest, AFetchThatCommitsIsAnsweredAtOnce) {
  RaftCluster cluster(18, 3);
  const NodeId leader = cluster.RunUntilLeader().value();
  const int32_t epoch = cluster.raft(leader).epoch();
  const std::vector<NodeId> followers = Others(cluster, leader);
  for (NodeId id : followers) cluster.sim().Crash(id);
  cluster.Append(leader, {"z"});
  KafkaRaftClient& raft = cluster.raft(leader);
  const int64_t end = raft.log_end_offset();

  auto fetch = [&](int64_t offset) {
    FetchRequest request = MakeFetch(followers[0], epoch, offset, epoch);
    request.max_wait_ms = 500;
    const Bytes body = EncodeMessage(request, ApiKey::kFetch, 13);
    std::optional<Bytes> answer;
    EXPECT_TRUE(
        raft.HandleFetch(
                {{int16_t(ApiKey::kFetch), 13, 1, "test"}, body, 0},
                [&](std::optional<Bytes> bytes) { answer = std::move(bytes); })
            .ok());
    return answer;
  };
  std::optional<Bytes> committing = fetch(end);
  ASSERT_TRUE(committing);
  EXPECT_EQ(
      DecodeMessage<FetchResponse>(*committing, ApiKey::kFetch, 13, 0, "answer")
          .value()
          .responses[0]
          .partitions[0]
          .high_watermark,
      end);
  EXPECT_FALSE(fetch(end)) << "nothing new: held";
}

// BeginQuorumEpoch: the winner tells the voters; an older epoch's is fenced.
TEST(KafkaRaftClientTest, BeginQuorumEpochMakesAVoterFollow) {
  Simulation sim(17);
  RaftConfig config;
  config.node_id = 1;
  config.data_dir = "/data";
  for (NodeId id : {1, 2, 3}) {
    config.voters[id] = Simulation::DefaultAddress(id);
  }
  raft_test::QuorumHistory history;
  sim.AddNode(1,
              [&] { return std::make_unique<RaftTestNode>(config, &history); });
  KafkaRaftClient& raft = sim.node<RaftTestNode>(1).raft();
  auto begin = [&](NodeId leader, int32_t epoch) {
    BeginQuorumEpochRequest request;
    request.topics.push_back({kMetadataTopicName, {{0, leader, epoch}}});
    BeginQuorumEpochResponse response = Call<BeginQuorumEpochResponse>(
        raft, &KafkaRaftClient::HandleBeginQuorumEpoch,
        ApiKey::kBeginQuorumEpoch, 0, request);
    return response.topics[0].partitions[0].error_code;
  };
  EXPECT_EQ(begin(2, 4), ErrorCode::kNone);
  EXPECT_EQ(raft.state(), RaftState::kFollower);
  EXPECT_EQ(raft.leader_and_epoch(), (LeaderAndEpoch{2, 4}));
  EXPECT_EQ(sim.node<RaftTestNode>(1).listener().leader_changes.back(),
            (LeaderAndEpoch{2, 4}));
  EXPECT_EQ(begin(3, 3), ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(raft.leader_and_epoch(), (LeaderAndEpoch{2, 4}));
}

// §4(b) 4, Raft's figure 8: an entry of an older epoch on a majority is
// committed only with an entry of the leader's own epoch (its LeaderChange).
TEST(KafkaRaftClientTest, OlderEpochEntryOnAMajorityWaitsForTheNewEpochsEntry) {
  RaftConfig one_batch_per_fetch;
  one_batch_per_fetch.fetch_max_bytes = 1;
  RaftCluster cluster(11, 3, 0, one_batch_per_fetch);
  const NodeId old_leader = cluster.RunUntilLeader().value();
  cluster.Append(old_leader, {"a"});
  for (NodeId id : cluster.ids()) ASSERT_TRUE(cluster.RunUntilCommitted(id, 1));
  const NodeId has_x = Others(cluster, old_leader)[0];
  const NodeId lacks_x = Others(cluster, old_leader)[1];
  const int64_t committed = cluster.raft(old_leader).high_watermark().value();

  // x reaches one follower, which can never say so to the leader: its next
  // fetch is on the wire when the link is cut.
  cluster.sim().Partition({lacks_x}, {old_leader});
  cluster.Append(old_leader, {"x"});
  ASSERT_TRUE(cluster.sim().RunUntil(
      [&] {
        return cluster.raft(has_x).log_end_offset() ==
               cluster.raft(old_leader).log_end_offset();
      },
      1000));
  cluster.sim().CutOneWay(has_x, old_leader);
  cluster.sim().RunFor(100);
  EXPECT_EQ(cluster.raft(old_leader).high_watermark(), committed);
  cluster.sim().Crash(old_leader);

  // The follower with x leads (the other's log is shorter in the same epoch)
  // and x is on a majority as soon as the other fetches it.
  const NodeId new_leader =
      cluster.RunUntilLeader(20000, {has_x, lacks_x}).value();
  EXPECT_EQ(new_leader, has_x);
  ASSERT_TRUE(cluster.RunUntilCommitted(new_leader, 2));
  const raft_test::RecordingListener& listener =
      cluster.node(new_leader).listener();
  ASSERT_EQ(listener.values, (std::vector<std::string>{"a", "x"}));
  const CommittedBatch& x = listener.commits.back();
  EXPECT_LT(x.epoch, cluster.raft(new_leader).epoch());
  // Committed with the LeaderChange after it, not at its own end.
  EXPECT_GT(listener.high_watermark_at_commit.back(), x.last_offset + 1);
  ASSERT_TRUE(cluster.RunUntilCommitted(lacks_x, 2));
  EXPECT_TRUE(cluster.history().violations.empty());
}

// Resign (a controller's controlled shutdown): EndQuorumEpoch makes the most
// caught-up follower stand at once, not after fetch.timeout.ms.
TEST(KafkaRaftClientTest, ResignedLeadersSuccessorIsElectedQuickly) {
  RaftCluster cluster(12, 3);
  const NodeId leader = cluster.RunUntilLeader().value();
  const int32_t epoch = cluster.raft(leader).epoch();
  cluster.raft(leader).Resign(epoch);
  EXPECT_EQ(cluster.raft(leader).state(), RaftState::kResigned);
  EXPECT_EQ(cluster.node(leader).listener().leader_changes.back(),
            (LeaderAndEpoch{std::nullopt, epoch}));
  const int64_t resigned_ms = cluster.sim().now_ms();
  const std::optional<NodeId> next =
      cluster.RunUntilLeader(500, Others(cluster, leader));
  ASSERT_TRUE(next);
  EXPECT_NE(*next, leader);
  EXPECT_LT(cluster.sim().now_ms() - resigned_ms, 500);
}

// Observers (brokers) replicate and commit, but never vote and never count
// for the high watermark; DescribeQuorum shows voters and observers.
TEST(KafkaRaftClientTest, ObserverFollowsButNeverCounts) {
  RaftCluster cluster(13, 3, 1);
  const NodeId observer = 4;
  const ApiSet served = cluster.node(observer).ServedApis();
  EXPECT_EQ(std::find(served.begin(), served.end(), ApiKey::kVote),
            served.end());
  const NodeId leader = cluster.RunUntilLeader().value();
  cluster.Append(leader, {"a"});
  ASSERT_TRUE(cluster.RunUntilCommitted(observer, 1));
  EXPECT_EQ(cluster.raft(observer).state(), RaftState::kFollower);
  cluster.sim().RunFor(1000);

  DescribeQuorumResponse described = Call<DescribeQuorumResponse>(
      cluster.raft(leader), &KafkaRaftClient::HandleDescribeQuorum,
      ApiKey::kDescribeQuorum, 1,
      DescribeQuorumRequest{{{kMetadataTopicName, {{0}}}}});
  const DescribeQuorumResponse::Partition& quorum =
      described.topics[0].partitions[0];
  EXPECT_EQ(quorum.leader_id, leader);
  EXPECT_EQ(quorum.leader_epoch, cluster.raft(leader).epoch());
  EXPECT_EQ(quorum.high_watermark, cluster.raft(leader).high_watermark());
  ASSERT_EQ(quorum.current_voters.size(), 3u);
  for (const auto& voter : quorum.current_voters) {
    EXPECT_EQ(voter.log_end_offset, cluster.raft(leader).log_end_offset());
    EXPECT_GT(voter.last_fetch_timestamp, 0);
  }
  ASSERT_EQ(quorum.observers.size(), 1u);
  EXPECT_EQ(quorum.observers[0].replica_id, observer);
  EXPECT_EQ(quorum.observers[0].log_end_offset,
            cluster.raft(leader).log_end_offset());
  DescribeQuorumResponse elsewhere = Call<DescribeQuorumResponse>(
      cluster.raft(Others(cluster, leader)[0]),
      &KafkaRaftClient::HandleDescribeQuorum, ApiKey::kDescribeQuorum, 1,
      DescribeQuorumRequest{{{kMetadataTopicName, {{0}}}}});
  EXPECT_EQ(elsewhere.topics[0].partitions[0].error_code,
            ErrorCode::kNotLeaderOrFollower);

  // The other voters go: leader and observer hold "b", a majority does not.
  const int64_t committed = cluster.raft(leader).high_watermark().value();
  for (NodeId id : {1, 2, 3}) {
    if (id != leader) cluster.sim().Crash(id);
  }
  cluster.Append(leader, {"b"});
  cluster.sim().RunFor(1000);
  EXPECT_EQ(cluster.raft(observer).log_end_offset(),
            cluster.raft(leader).log_end_offset());
  EXPECT_EQ(cluster.raft(leader).high_watermark(), committed);
  EXPECT_FALSE(cluster.raft(leader).voter_progress().contains(observer));
  // Without a quorum the leader resigns and stands again and again; the
  // observer only ever looks for a leader.
  for (int second = 0; second < 10; ++second) {
    cluster.sim().RunFor(1000);
    const RaftState state = cluster.raft(observer).state();
    EXPECT_TRUE(state == RaftState::kUnattached ||
                state == RaftState::kFollower)
        << cluster.raft(observer).state_name();
  }
  EXPECT_GT(cluster.raft(observer).epoch(), 1);
}

// Election timeouts are election.timeout.ms plus a random part as long, so
// that voters that lost their leader together do not all stand together.
TEST(KafkaRaftClientTest, ElectionTimeoutsAreRandomized) {
  std::set<int64_t> stood_at;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    Simulation sim(seed);
    RaftConfig config;
    config.node_id = 1;
    config.data_dir = "/data";
    for (NodeId id : {1, 2, 3}) {
      config.voters[id] = Simulation::DefaultAddress(id);
    }
    raft_test::QuorumHistory history;
    sim.AddNode(
        1, [&] { return std::make_unique<RaftTestNode>(config, &history); });
    KafkaRaftClient& raft = sim.node<RaftTestNode>(1).raft();
    ASSERT_TRUE(sim.RunUntil(
        [&] { return raft.state() == RaftState::kCandidate; }, 3000));
    EXPECT_GE(sim.now_ms(), config.election_timeout_ms);
    EXPECT_LE(sim.now_ms(), 2 * config.election_timeout_ms);
    stood_at.insert(sim.now_ms());
    // Lost (no one answers): it backs off and stands again, epoch 2.
    ASSERT_TRUE(sim.RunUntil(
        [&] { return raft.epoch() == 2; },
        2 * config.election_timeout_ms + config.election_backoff_max_ms + 1));
  }
  EXPECT_GT(stood_at.size(), 5u);
}

// KIP-630: a follower whose fetch is below the leader's log start copies the
// leader's snapshot with FetchSnapshot (in chunks), loads it and goes on.
TEST(KafkaRaftClientTest, FollowerBehindTheLogStartCatchesUpFromASnapshot) {
  RaftConfig small_chunks;
  small_chunks.fetch_max_bytes = 100;
  RaftCluster cluster(14, 3, 0, small_chunks);
  const NodeId leader = cluster.RunUntilLeader().value();
  const int32_t epoch = cluster.raft(leader).epoch();
  cluster.Append(leader, {"a"});
  for (NodeId id : cluster.ids()) ASSERT_TRUE(cluster.RunUntilCommitted(id, 1));
  const NodeId behind = Others(cluster, leader)[0];
  cluster.sim().Crash(behind, Simulation::CrashKind::kProcessCrash);

  ASSERT_TRUE(cluster.raft(leader)
                  .Append(epoch, {Value("b"), Value("c"), Value("d")})
                  .ok());
  ASSERT_TRUE(cluster.RunUntilCommitted(leader, 4));
  const int64_t end = cluster.raft(leader).high_watermark().value();
  // Not past what is committed, nor inside a batch.
  cluster.Append(leader, {"uncommitted"});
  cluster.raft(leader).CreateSnapshot(cluster.raft(leader).log_end_offset(),
                                      epoch, {Value("too far")});
  cluster.raft(leader).CreateSnapshot(end - 1, epoch, {Value("too short")});
  EXPECT_EQ(cluster.raft(leader).log().latest_snapshot(), std::nullopt);
  cluster.raft(leader).CreateSnapshot(end, epoch, {Value("state:abcd")});
  EXPECT_EQ(cluster.raft(leader).log_start_offset(), end);
  EXPECT_EQ(cluster.raft(leader).log().latest_snapshot(),
            (SnapshotId{end, epoch}));
  EXPECT_TRUE(cluster.sim().disk(leader).Exists(
      MetadataLogDir("/data") + "/" + SnapshotFileName({end, epoch})));
  cluster.Append(leader, {"e"});

  cluster.sim().Restart(behind);
  ASSERT_TRUE(cluster.sim().RunUntil(
      [&] {
        return cluster.node(behind).listener().values ==
               std::vector<std::string>{"state:abcd", "uncommitted", "e"};
      },
      10000));
  const raft_test::RecordingListener& listener =
      cluster.node(behind).listener();
  ASSERT_EQ(listener.snapshots.size(), 1u);
  EXPECT_EQ(listener.snapshots[0], (SnapshotId{end, epoch}));
  EXPECT_EQ(cluster.raft(behind).log_start_offset(), end);

  // After a restart it starts from its own copy of the snapshot.
  cluster.sim().Crash(behind, Simulation::CrashKind::kProcessCrash);
  cluster.sim().Restart(behind);
  EXPECT_EQ(cluster.node(behind).listener().snapshots.size(), 1u);
  ASSERT_TRUE(cluster.sim().RunUntil(
      [&] {
        return cluster.node(behind).listener().values ==
               std::vector<std::string>{"state:abcd", "uncommitted", "e"};
      },
      10000));
}

}  // namespace
}  // namespace kafka
