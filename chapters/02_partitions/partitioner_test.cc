#include "chapters/02_partitions/partitioner.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <vector>

namespace kafka {
namespace {

constexpr int32_t kSixPartitions = 6;

std::optional<Bytes> Key(std::string_view text) { return ToBytes(text); }

const std::optional<Bytes> kNullKey = std::nullopt;
const std::optional<Bytes> kEmptyKey = Bytes{};

// The partitions `partitioner` picks for `calls` records with `key`.
std::set<int32_t> PartitionsChosen(Partitioner& partitioner,
                                   const std::optional<Bytes>& key, int calls) {
  std::set<int32_t> chosen;
  for (int i = 0; i < calls; ++i) {
    chosen.insert(partitioner.Partition(key, kSixPartitions));
  }
  return chosen;
}

// Rule: Murmur2 is Java's Utils.murmur2, bit for bit (the vectors of Kafka's
// UtilsTest.testMurmur2).
TEST(Murmur2Test, MatchesKafkaUtilsTestVectors) {
  EXPECT_EQ(Murmur2(AsBytes("21")), -973932308);
  EXPECT_EQ(Murmur2(AsBytes("foobar")), -790332482);
  EXPECT_EQ(Murmur2(AsBytes("abc")), 479470107);
  EXPECT_EQ(Murmur2(AsBytes("a-little-bit-long-string")), -985981536);
  EXPECT_EQ(Murmur2(AsBytes("a-little-bit-longer-string")), -1486304829);
  EXPECT_EQ(
      Murmur2(AsBytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")),
      -58897971);
}

// Rule: Murmur2 handles every tail length (0 to 3 bytes after the last whole
// word). Expected values come from running the reference formula of
// Utils.murmur2 in Python.
TEST(Murmur2Test, HandlesEveryTailLength) {
  EXPECT_EQ(Murmur2(AsBytes("")), 275646681);
  EXPECT_EQ(Murmur2(AsBytes("a")), -1563381124);
  EXPECT_EQ(Murmur2(AsBytes("ab")), 316155434);
  EXPECT_EQ(Murmur2(AsBytes("abcd")), -1323649548);
  EXPECT_EQ(Murmur2(AsBytes("abcde")), 461995741);
  EXPECT_EQ(Murmur2(AsBytes("abcdefg")), -346467175);
}

// Rule: Murmur2 reads bytes as unsigned (Java masks its signed bytes with
// 0xff), in whole words and in the tail. Expected values come from running the
// reference formula of Utils.murmur2 in Python.
TEST(Murmur2Test, ReadsHighBytesAsUnsigned) {
  EXPECT_EQ(Murmur2(Bytes{0xff}), -311467685);
  EXPECT_EQ(Murmur2(Bytes{0x80, 0x81}), 1642145146);
  EXPECT_EQ(Murmur2(Bytes{0xfe, 0xdc, 0xba}), -1356783892);
  EXPECT_EQ(Murmur2(Bytes{0xde, 0xad, 0xbe, 0xef}), 833564499);
  EXPECT_EQ(Murmur2(Bytes{0xde, 0xad, 0xbe, 0xef, 0xff}), -1493115066);
}

// Rule: ToPositive clears the sign bit, as Java's Utils.toPositive; the most
// negative int becomes 0, not itself as with abs.
TEST(ToPositiveTest, ClearsTheSignBit) {
  EXPECT_EQ(ToPositive(5), 5);
  EXPECT_EQ(ToPositive(-1), 0x7fffffff);
  EXPECT_EQ(ToPositive(-790332482), 1357151166);
  EXPECT_EQ(ToPositive(std::numeric_limits<int32_t>::min()), 0);
}

// Rule: Crc32 is zlib's CRC-32, matching the standard check value and
// zlib.crc32 (the value KAFKA_RULES gives for "foobar").
TEST(Crc32Test, MatchesZlib) {
  EXPECT_EQ(Crc32(AsBytes("123456789")), 0xCBF43926u);
  EXPECT_EQ(Crc32(AsBytes("foobar")), 2666930069u);
  EXPECT_EQ(Crc32(AsBytes("")), 0u);
}

// Rule: the same key lands on different partitions under the Java client and
// librdkafka's default (KAFKA_RULES §2 scenario 2): with 6 partitions "foobar"
// goes to p0 under Java but p5 under consistent_random, and "21" to p0 vs p4.
TEST(PartitionerTest, JavaAndConsistentRandomDisagreeOnTheSameKey) {
  std::mt19937_64 random(1);
  JavaDefaultPartitioner java(random);
  ConsistentRandomPartitioner consistent_random(random);

  EXPECT_EQ(java.Partition(Key("foobar"), kSixPartitions), 0);
  EXPECT_EQ(consistent_random.Partition(Key("foobar"), kSixPartitions), 5);
  EXPECT_EQ(java.Partition(Key("21"), kSixPartitions), 0);
  EXPECT_EQ(consistent_random.Partition(Key("21"), kSixPartitions), 4);
}

// Rule: librdkafka's murmur2_random puts every keyed record where the Java
// client does, which is the fix for mixed clients.
TEST(PartitionerTest, Murmur2RandomAgreesWithJavaForKeyedRecords) {
  std::mt19937_64 random(2);
  JavaDefaultPartitioner java(random);
  Murmur2RandomPartitioner murmur2_random(random);
  for (std::string_view key : {"foobar", "21", "abc", "a", "ab", "abcdefg",
                               "a-little-bit-long-string"}) {
    for (int32_t n : {1, 3, 6, 12, 50}) {
      EXPECT_EQ(murmur2_random.Partition(Key(key), n),
                java.Partition(Key(key), n))
          << "key " << key << ", " << n << " partitions";
    }
  }
}

// Rule: an empty key is hashed like any other under Java and murmur2_random:
// with 6 partitions it always goes to p3 (KAFKA_RULES §2 scenario 3).
TEST(PartitionerTest, EmptyKeyIsHashedByJavaAndMurmur2Random) {
  std::mt19937_64 random(3);
  JavaDefaultPartitioner java(random);
  Murmur2RandomPartitioner murmur2_random(random);
  EXPECT_EQ(PartitionsChosen(java, kEmptyKey, 100), std::set<int32_t>{3});
  EXPECT_EQ(PartitionsChosen(murmur2_random, kEmptyKey, 100),
            std::set<int32_t>{3});
}

// Rule: consistent_random treats an empty key like a null one, as keyless: it
// picks a random partition for each record (KAFKA_RULES §2 scenario 3).
TEST(PartitionerTest, ConsistentRandomScattersEmptyAndNullKeys) {
  std::mt19937_64 random(4);
  ConsistentRandomPartitioner consistent_random(random);
  EXPECT_GE(PartitionsChosen(consistent_random, kEmptyKey, 100).size(), 2u);
  EXPECT_GE(PartitionsChosen(consistent_random, kNullKey, 100).size(), 2u);
}

// Rule: murmur2_random sends null-key records to random partitions, not sticky
// ones.
TEST(PartitionerTest, Murmur2RandomScattersNullKeys) {
  std::mt19937_64 random(5);
  Murmur2RandomPartitioner murmur2_random(random);
  EXPECT_GE(PartitionsChosen(murmur2_random, kNullKey, 100).size(), 2u);
}

// Rule: adding partitions moves keys (KAFKA_RULES §2 scenario 4): growing a
// topic from 6 to 12 partitions moves "foobar" from p0 to p6.
TEST(PartitionerTest, GrowingTheTopicMovesAKey) {
  std::mt19937_64 random(6);
  JavaDefaultPartitioner java(random);
  EXPECT_EQ(java.Partition(Key("foobar"), 6), 0);
  EXPECT_EQ(java.Partition(Key("foobar"), 12), 6);
}

// Rule: the Java client's null-key records stick to one partition until the
// batch is full, then draw a new random partition, which may be the same one
// (KIP-794's BuiltInPartitioner).
TEST(PartitionerTest, JavaNullKeysStickUntilTheBatchIsFull) {
  std::mt19937_64 random(7);
  JavaDefaultPartitioner java(random);
  int moves = 0;
  int32_t previous = java.Partition(kNullKey, kSixPartitions);
  for (int batch = 0; batch < 30; ++batch) {
    int32_t sticky = java.Partition(kNullKey, kSixPartitions);
    EXPECT_EQ(PartitionsChosen(java, kNullKey, 50), std::set<int32_t>{sticky});
    moves += sticky != previous;
    previous = sticky;
    java.OnBatchFull();
  }
  EXPECT_GT(moves, 15) << "about 5 in 6 draws land elsewhere";
}

// Rule: keyed records do not disturb the sticky partition of null-key records.
TEST(PartitionerTest, JavaKeyedRecordsLeaveTheStickyPartitionAlone) {
  std::mt19937_64 random(8);
  JavaDefaultPartitioner java(random);
  int32_t sticky = java.Partition(kNullKey, kSixPartitions);
  for (std::string_view key : {"foobar", "21", "abc"}) {
    java.Partition(Key(key), kSixPartitions);
  }
  EXPECT_EQ(java.Partition(kNullKey, kSixPartitions), sticky);
}

// Rule: over many batches the sticky partitioner uses every partition.
TEST(PartitionerTest, JavaStickyPartitionerUsesEveryPartition) {
  std::mt19937_64 random(9);
  JavaDefaultPartitioner java(random);
  std::set<int32_t> used;
  for (int batch = 0; batch < 100; ++batch) {
    used.insert(java.Partition(kNullKey, kSixPartitions));
    java.OnBatchFull();
  }
  EXPECT_EQ(used.size(), static_cast<size_t>(kSixPartitions));
}

// Rule: with a single partition, a full batch leaves the sticky partitioner on
// p0, the only choice.
TEST(PartitionerTest, JavaStickyPartitionerWithOnePartitionStaysOnIt) {
  std::mt19937_64 random(10);
  JavaDefaultPartitioner java(random);
  for (int batch = 0; batch < 10; ++batch) {
    EXPECT_EQ(java.Partition(kNullKey, 1), 0);
    java.OnBatchFull();
  }
}

// The partitions `name` picks for a run of null, empty and keyed records, with
// a batch boundary every 5 records, using a random source seeded with `seed`.
std::vector<int32_t> RunWithSeed(std::string_view name, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::unique_ptr<Partitioner> partitioner = MakePartitioner(name, random);
  const std::vector<std::optional<Bytes>> keys = {kNullKey, kEmptyKey,
                                                  Key("foobar")};
  std::vector<int32_t> partitions;
  for (int record = 0; record < 100; ++record) {
    partitions.push_back(
        partitioner->Partition(keys[record % keys.size()], kSixPartitions));
    if (record % 5 == 4) partitioner->OnBatchFull();
  }
  return partitions;
}

// Rule: a partitioner's random choices come only from the random source it is
// given, so the same seed gives the same partitions.
TEST(PartitionerTest, SameSeedGivesSameSequence) {
  for (std::string_view name :
       {"java_default", "consistent_random", "murmur2_random"}) {
    EXPECT_EQ(RunWithSeed(name, 42), RunWithSeed(name, 42)) << name;
    EXPECT_NE(RunWithSeed(name, 42), RunWithSeed(name, 43)) << name;
  }
}

// Rule: MakePartitioner knows librdkafka's names consistent_random and
// murmur2_random and our name java_default, and nothing else.
TEST(MakePartitionerTest, KnowsTheDocumentedNames) {
  std::mt19937_64 random(11);
  EXPECT_NE(dynamic_cast<JavaDefaultPartitioner*>(
                MakePartitioner("java_default", random).get()),
            nullptr);
  EXPECT_NE(dynamic_cast<ConsistentRandomPartitioner*>(
                MakePartitioner("consistent_random", random).get()),
            nullptr);
  EXPECT_NE(dynamic_cast<Murmur2RandomPartitioner*>(
                MakePartitioner("murmur2_random", random).get()),
            nullptr);
  EXPECT_EQ(MakePartitioner("default", random), nullptr);
  EXPECT_EQ(MakePartitioner("fnv1a_random", random), nullptr);
}

}  // namespace
}  // namespace kafka
