// QuorumState and its quorum-state file, as transcripts: a MemoryStorage, a
// QuorumState on it, and what the file says after each step.
#include "chapters/05_controller/raft/quorum_state.h"

#include <gtest/gtest.h>

#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

const std::set<NodeId> kVoters = {3000, 3001, 3002};

ElectionState OnDisk(MemoryStorage& storage) {
  return DecodeQuorumStateFile(
             AsString(ReadWholeFile(storage, "/data/quorum-state")))
      .value();
}

TEST(QuorumStateFileTest, IsKafkasJsonShape) {
  EXPECT_EQ(EncodeQuorumStateFile({7, 3000, std::nullopt}, kVoters),
            "{\"clusterId\":\"\",\"leaderId\":3000,\"leaderEpoch\":7,"
            "\"votedId\":-1,\"appliedOffset\":0,\"currentVoters\":["
            "{\"voterId\":3000},{\"voterId\":3001},{\"voterId\":3002}],"
            "\"data_version\":0}");
}

TEST(QuorumStateFileTest, ReadsBackWhatItWrites) {
  for (const ElectionState& state :
       {ElectionState{0, std::nullopt, std::nullopt},
        ElectionState{4, std::nullopt, 3001}, ElectionState{9, 3002, 3002}}) {
    EXPECT_EQ(
        DecodeQuorumStateFile(EncodeQuorumStateFile(state, kVoters)).value(),
        state);
  }
  // Kafka's own files have spaces and a trailing newline in places.
  EXPECT_EQ(DecodeQuorumStateFile(
                "{\"clusterId\":\"\",\"leaderId\": -1,\"leaderEpoch\": 2,"
                "\"votedId\": 3001,\"appliedOffset\":0,\"currentVoters\":[],"
                "\"data_version\":0}\n")
                .value(),
            (ElectionState{2, std::nullopt, 3001}));
}

TEST(QuorumStateFileTest, DamageIsAStorageErrorNotAFreshStart) {
  for (const char* text :
       {"", "garbage", "{\"leaderId\":1,\"leaderEpoch\":2}",
        "{\"leaderId\":1,\"leaderEpoch\":x,\"votedId\":-1,\"data_version\":0}",
        "{\"leaderId\":1,\"leaderEpoch\":2,\"votedId\":-1,\"data_version\":"
        "1}"}) {
    Result<ElectionState> read = DecodeQuorumStateFile(text);
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_EQ(read.error().code, ErrorCode::kKafkaStorageError);
  }
}

TEST(QuorumStateTest, StartsUnattachedInEpochZeroWithoutAFile) {
  MemoryStorage storage;
  QuorumState quorum(storage, "/data", 3000, kVoters);
  ASSERT_TRUE(quorum.Load().ok());
  EXPECT_EQ(quorum.state(), RaftState::kUnattached);
  EXPECT_EQ(quorum.epoch(), 0);
  EXPECT_TRUE(quorum.is_voter());
}

TEST(QuorumStateTest, EveryElectionChangeIsOnDiskWhenTheTransitionReturns) {
  MemoryStorage storage;
  QuorumState quorum(storage, "/data", 3000, kVoters);
  ASSERT_TRUE(quorum.Load().ok());

  quorum.TransitionToVoted(3, 3001);
  EXPECT_EQ(quorum.state(), RaftState::kVoted);
  EXPECT_EQ(OnDisk(storage), (ElectionState{3, std::nullopt, 3001}));

  // Following the epoch's leader keeps the vote given in it.
  quorum.TransitionToFollower(3, 3001);
  EXPECT_EQ(OnDisk(storage), (ElectionState{3, 3001, 3001}));

  quorum.TransitionToCandidate();
  EXPECT_EQ(quorum.state(), RaftState::kCandidate);
  EXPECT_EQ(OnDisk(storage), (ElectionState{4, std::nullopt, 3000}));

  quorum.TransitionToLeader();
  EXPECT_EQ(OnDisk(storage), (ElectionState{4, 3000, 3000}));

  quorum.TransitionToResigned();
  EXPECT_EQ(quorum.state(), RaftState::kResigned);
  EXPECT_EQ(OnDisk(storage), (ElectionState{4, 3000, 3000}));

  quorum.TransitionToUnattached(6);
  EXPECT_EQ(OnDisk(storage), (ElectionState{6, std::nullopt, std::nullopt}));
}

TEST(QuorumStateTest, ARestartedNodeComesBackAsTheFileSays) {
  struct Case {
    ElectionState file;
    NodeId local;
    RaftState expected;
  };
  for (const Case& c : {
           Case{{5, 3000, 3000}, 3000, RaftState::kResigned},  // it led
           Case{{5, 3001, std::nullopt}, 3000, RaftState::kFollower},
           Case{{5, std::nullopt, 3002}, 3000, RaftState::kVoted},
           Case{
               {5, std::nullopt, 3000}, 3000, RaftState::kVoted},  // for itself
           Case{{5, std::nullopt, std::nullopt}, 3000, RaftState::kUnattached},
           Case{{5, 3001, std::nullopt}, 1, RaftState::kFollower},  // observer
       }) {
    MemoryStorage storage;
    storage.CreateDirectories("/data");
    WriteFileAtomically(storage, "/data/quorum-state",
                        AsBytes(EncodeQuorumStateFile(c.file, kVoters)));
    QuorumState quorum(storage, "/data", c.local, kVoters);
    ASSERT_TRUE(quorum.Load().ok());
    EXPECT_EQ(quorum.state(), c.expected) << RaftStateName(c.expected);
    EXPECT_EQ(quorum.election(), c.file);
  }
}

TEST(QuorumStateTest, AMajorityCountsVotersOnly) {
  MemoryStorage storage;
  QuorumState quorum(storage, "/data", 3000, kVoters);
  EXPECT_FALSE(quorum.IsMajority({3000}));
  EXPECT_FALSE(quorum.IsMajority({3000, 1, 2}));  // observers do not count
  EXPECT_TRUE(quorum.IsMajority({3000, 3002}));
  QuorumState observer(storage, "/data", 1, kVoters);
  EXPECT_FALSE(observer.is_voter());
}

}  // namespace
}  // namespace kafka
