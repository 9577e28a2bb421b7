#include "chapters/05_controller/tools/metadata_log_dump.h"

#include <gtest/gtest.h>

#include <sstream>

#include "chapters/01_log/record_batch.h"
#include "chapters/05_controller/controller/metadata_records.h"
#include "chapters/05_controller/raft/control_records.h"

namespace kafka {
namespace {

// A data batch of metadata records at `base_offset`, in leader epoch 1.
Bytes RecordsBatch(const std::vector<MetadataRecord>& records,
                   int64_t base_offset) {
  std::vector<SimpleRecord> simple;
  for (const MetadataRecord& record : records) {
    simple.push_back({.timestamp = 5000,
                      .key = std::nullopt,
                      .value = EncodeMetadataRecord(record)});
  }
  RecordBatch batch = MakeBatch(simple, base_offset);
  batch.header.partition_leader_epoch = 1;
  return EncodeRecordBatch(batch);
}

// The start of a metadata log: the leader's LeaderChange, then the first
// records it wrote.
Bytes MetadataLog() {
  Bytes log = MakeLeaderChangeBatch(
      {.leader_id = 3000, .voters = {3000, 3001}, .granting_voters = {3001}},
      4000);
  SetPartitionLeaderEpoch(log, 1);
  const Uuid orders = *Uuid::Parse("xuHCpN39RNqJJfz3_lrzeA");
  Bytes records = RecordsBatch(
      {FeatureLevelRecord{.name = "metadata.version", .feature_level = 7},
       TopicRecord{.name = "orders", .topic_id = orders}},
      1);
  log.insert(log.end(), records.begin(), records.end());
  return log;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Rule: each batch is a line of its header, then each record a "| " line:
// the control batch's LeaderChange as Kafka prints it, each metadata
// record decoded and described.
TEST(MetadataLogDumpTest, BatchesAndDecodedRecords) {
  std::ostringstream out;
  ASSERT_TRUE(DumpMetadataLog(MetadataLog(), out));
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 5u) << out.str();
  EXPECT_TRUE(lines[0].starts_with(
      "baseOffset: 0 lastOffset: 0 count: 1 baseSequence: -1 lastSequence: "
      "-1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 1 "
      "isTransactional: false isControl: true deleteHorizonMs: "
      "OptionalLong.empty position: 0 CreateTime: 4000 size: "))
      << lines[0];
  EXPECT_TRUE(lines[0].ends_with(" isvalid: true")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("| offset: 0 CreateTime: 4000 keySize: 4 "))
      << lines[1];
  EXPECT_TRUE(lines[1].ends_with(
      "headerKeys: [] LeaderChange: {\"version\":0,\"leaderId\":3000,"
      "\"voters\":[{\"voterId\":3000},{\"voterId\":3001}],"
      "\"grantingVoters\":[{\"voterId\":3001}]}"))
      << lines[1];
  EXPECT_TRUE(lines[2].starts_with("baseOffset: 1 lastOffset: 2 count: 2 "))
      << lines[2];
  EXPECT_NE(lines[2].find(" isControl: false "), std::string::npos);
  EXPECT_TRUE(lines[3].starts_with(
      "| offset: 1 CreateTime: 5000 keySize: -1 valueSize: "))
      << lines[3];
  EXPECT_TRUE(lines[3].ends_with(
      "payload: " + Describe(FeatureLevelRecord{.name = "metadata.version",
                                                .feature_level = 7})))
      << lines[3];
  EXPECT_TRUE(
      lines[4].ends_with("payload: TopicRecord(name=\"orders\", "
                         "topic_id=xuHCpN39RNqJJfz3_lrzeA)"))
      << lines[4];
}

// Rule: a torn last batch (a crash mid-write) is reported and ends the dump;
// what came before it is printed.
TEST(MetadataLogDumpTest, TornBatchIsReported) {
  Bytes log = MetadataLog();
  log.erase(log.end() - 3, log.end());
  std::ostringstream out;
  EXPECT_FALSE(DumpMetadataLog(log, out));
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_TRUE(lines[2].starts_with("invalid: CORRUPT_MESSAGE: batch at byte "))
      << lines[2];
}

// Rule: a record that is no metadata record is reported on its line; the
// dump goes on and fails at the end.
TEST(MetadataLogDumpTest, UndecodableRecordIsReported) {
  RecordBatch batch =
      MakeBatch({{.timestamp = 1, .value = Bytes{1, 99, 0}},
                 {.timestamp = 1, .value = EncodeMetadataRecord(NoOpRecord{})}},
                0);
  std::ostringstream out;
  EXPECT_FALSE(DumpMetadataLog(EncodeRecordBatch(batch), out));
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_NE(lines[1].find("invalid: "), std::string::npos) << lines[1];
  EXPECT_TRUE(lines[2].ends_with("payload: NoOpRecord()")) << lines[2];
}

}  // namespace
}  // namespace kafka
