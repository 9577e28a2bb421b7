// The single broker in the simulator: each API's rules, long polls, and what
// a crash keeps.
#include "chapters/02_partitions/broker.h"

#include <gtest/gtest.h>

#include "chapters/01_log/record_batch.h"
#include "chapters/02_partitions/sim_brokers.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/delete_records.h"
#include "lib/protocol/message.h"
#include "lib/sim/cluster.h"
#include "lib/sim/simulation.h"
#include "lib/storage/storage.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
// The test's client node: the first id the cluster gives a client.
constexpr NodeId kClient = Simulation::kFirstClientId;

// A fetch request's topic: from each (partition, offset), at most
// `partition_max_bytes`.
FetchRequest::Topic FetchTopic(
    const std::string& name,
    const std::vector<std::pair<int32_t, int64_t>>& offsets,
    int32_t partition_max_bytes = 1 << 20) {
  FetchRequest::Topic topic{.topic = name};
  for (auto [partition, offset] : offsets) {
    topic.partitions.push_back({.partition = partition,
                                .fetch_offset = offset,
                                .partition_max_bytes = partition_max_bytes});
  }
  return topic;
}

// A ListOffsets request's topic: partition 0 at each of `timestamps`.
ListOffsetsRequest::Topic ListOffsetsTopic(
    const std::string& name, const std::vector<int64_t>& timestamps) {
  ListOffsetsRequest::Topic topic{.name = name};
  for (int64_t timestamp : timestamps) {
    topic.partitions.push_back({.partition_index = 0, .timestamp = timestamp});
  }
  return topic;
}

// One broker, and a client node that does nothing by itself: the test sends
// through its environment.
class BrokerTest : public ::testing::Test {
 protected:
  explicit BrokerTest(BrokerConfig config = {})
      : cluster_(42, 1, SimulatedBrokers(config)) {
    EXPECT_EQ(cluster_.AddIdleClient(), kClient);
  }

  // Sends `request` as `version` and runs the simulation until the answer.
  template <typename Response, typename Request>
  Result<Response> Call(ApiKey api, int16_t version, const Request& request,
                        int64_t timeout_ms = 5000) {
    return cluster_.Call<Response>(kClient, kBroker, api, version, request,
                                   timeout_ms);
  }

  MetadataResponse Metadata(const std::vector<std::string>& topics,
                            int16_t version = 4) {
    return Call<MetadataResponse>(ApiKey::kMetadata, version,
                                  MetadataRequestFor(topics))
        .value();
  }

  ProduceResponse::PartitionResponse Produce(const std::string& topic,
                                             int32_t partition, Bytes records,
                                             int16_t acks = 1) {
    ProduceRequest request;
    request.acks = acks;
    request.topic_data = {{topic, {{partition, std::move(records)}}}};
    return Call<ProduceResponse>(ApiKey::kProduce, 7, request)
        .value()
        .responses[0]
        .partition_responses[0];
  }

  FetchResponse::Partition Fetch(const std::string& topic, int32_t partition,
                                 int64_t offset, int32_t max_wait_ms = 0,
                                 int32_t partition_max_bytes = 1 << 20) {
    FetchRequest request;
    request.max_wait_ms = max_wait_ms;
    request.topics = {
        FetchTopic(topic, {{partition, offset}}, partition_max_bytes)};
    return Call<FetchResponse>(ApiKey::kFetch, 6, request)
        .value()
        .responses[0]
        .partitions[0];
  }

  // A fetch of several partitions at once, answered without waiting.
  FetchResponse FetchMany(FetchRequest request) {
    request.max_wait_ms = 0;
    return Call<FetchResponse>(ApiKey::kFetch, 6, request).value();
  }

  void CreateTopic(const std::string& topic, int32_t partitions) {
    CreateTopicsRequest request;
    request.topics = {{topic, partitions, 1, {}, {}}};
    ASSERT_EQ(Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, request)
                  ->topics[0]
                  .error_code,
              ErrorCode::kNone);
  }

  SimCluster cluster_;
  Simulation& sim_ = cluster_.sim();
};

Bytes Batch(std::vector<std::string> values, int64_t timestamp = 1000) {
  std::vector<SimpleRecord> records;
  for (const std::string& value : values) {
    records.push_back(
        {.timestamp = timestamp, .key = ToBytes("k"), .value = ToBytes(value)});
  }
  return EncodeRecordBatch(MakeBatch(records));
}

// The values of the records in a fetched partition's record set, which is
// never null for a partition that exists (an empty set when there is nothing).
std::vector<std::string> ValuesIn(const std::optional<Bytes>& records) {
  std::vector<std::string> values;
  if (!records.has_value()) {
    ADD_FAILURE() << "records are null; an existing partition's are not";
    return values;
  }
  for (const BatchSlice& slice : SplitAndValidateBatches(*records).value()) {
    RecordBatch batch =
        DecodeRecordBatch(ByteView(*records).subspan(
                              slice.position, slice.header.SizeInBytes()))
            .value();
    for (const Record& record : batch.records)
      values.push_back(AsString(*record.value));
  }
  return values;
}

// Rule: Metadata creates a topic it is asked about when
// auto.create.topics.enable holds, with num.partitions partitions, all led by
// this broker.
TEST_F(BrokerTest, MetadataAutoCreatesNamedTopics) {
  MetadataResponse response = Metadata({"orders"});
  ASSERT_EQ(response.brokers.size(), 1u);
  EXPECT_EQ(response.brokers[0].node_id, kBroker);
  ASSERT_EQ(response.topics.size(), 1u);
  EXPECT_EQ(response.topics[0].error_code, ErrorCode::kNone);
  ASSERT_EQ(response.topics[0].partitions.size(), 1u);
  EXPECT_EQ(response.topics[0].partitions[0].leader_id, kBroker);
  EXPECT_TRUE(
      sim_.disk(kBroker).Exists("data/orders-0/00000000000000000000.log"));
}

// Rule: asking for all topics creates none, and an invalid name is refused.
TEST_F(BrokerTest, MetadataAllTopicsAndInvalidNames) {
  Metadata({"a", "b"});
  MetadataRequest all;
  EXPECT_EQ(Call<MetadataResponse>(ApiKey::kMetadata, 1, all)->topics.size(),
            2u);
  EXPECT_EQ(Metadata({"bad/name"}).topics[0].error_code,
            ErrorCode::kInvalidTopicException);
}

// Rule: Kafka's internal topics are flagged is_internal in Metadata.
TEST_F(BrokerTest, InternalTopicsAreFlagged) {
  EXPECT_TRUE(Metadata({"__consumer_offsets"}).topics[0].is_internal);
  EXPECT_FALSE(Metadata({"orders"}).topics[0].is_internal);
}

// Rule: a Metadata request that does not allow auto-creation (v4's flag,
// which consumers clear) creates nothing, even with auto.create.topics.enable.
TEST_F(BrokerTest, MetadataCreatesNothingWhenTheRequestForbidsIt) {
  MetadataRequest request = MetadataRequestFor({"orders"});
  request.allow_auto_topic_creation = false;
  EXPECT_EQ(Call<MetadataResponse>(ApiKey::kMetadata, 4, request)
                ->topics[0]
                .error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(sim_.node<Broker>(kBroker).logs().PartitionCount("orders"), 0);
}

// Rule: each Metadata version carries what it added, with Kafka's meaning:
// offline replicas (v5; none, the only replica is this broker), the leader
// epoch (v7; 0, this broker is the first leader), and the topic's id (v10;
// the one kept in partition.metadata).
TEST_F(BrokerTest, MetadataAtEveryVersion) {
  Metadata({"orders"});
  const Uuid id = *sim_.node<Broker>(kBroker).logs().TopicId("orders");
  for (int16_t version = 0; version <= 12; ++version) {
    SCOPED_TRACE(version);
    MetadataResponse response = Metadata({"orders"}, version);
    ASSERT_EQ(response.topics.size(), 1u);
    const MetadataResponse::Topic& topic = response.topics[0];
    EXPECT_EQ(topic.error_code, ErrorCode::kNone);
    EXPECT_EQ(topic.name, "orders");
    EXPECT_EQ(topic.topic_id, version >= 10 ? id : Uuid());
    ASSERT_EQ(topic.partitions.size(), 1u);
    EXPECT_EQ(topic.partitions[0].leader_epoch, version >= 7 ? 0 : -1);
    EXPECT_EQ(topic.partitions[0].replica_nodes, std::vector<int32_t>{kBroker});
    EXPECT_TRUE(topic.partitions[0].offline_replicas.empty());
    // Not asked for: INT32_MIN, "not computed".
    EXPECT_EQ(topic.topic_authorized_operations, INT32_MIN);
    EXPECT_EQ(response.cluster_authorized_operations, INT32_MIN);
  }
}

// Rule: Metadata v8 and later answer the authorized operations when asked
// (a bit per Kafka AclOperation code); with no authorizer, every operation of
// a topic (READ 3 to DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11) and
// of the cluster (v8-10 only) is allowed.
TEST_F(BrokerTest, MetadataAuthorizedOperationsWhenAsked) {
  for (int16_t version = 8; version <= 12; ++version) {
    SCOPED_TRACE(version);
    MetadataRequest request = MetadataRequestFor({"orders"});
    request.include_topic_authorized_operations = true;
    request.include_cluster_authorized_operations = true;
    MetadataResponse response =
        Call<MetadataResponse>(ApiKey::kMetadata, version, request).value();
    EXPECT_EQ(response.topics[0].topic_authorized_operations, 0b1101'1111'1000);
    // CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10,
    // ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12; gone from v11.
    EXPECT_EQ(response.cluster_authorized_operations,
              version <= 10 ? 0b1'1111'1010'0000 : INT32_MIN);
  }
}

// Rule: from v12 a topic may be asked about by id alone: a known id answers
// the topic with its name, an unknown one UNKNOWN_TOPIC_ID with a null name;
// v10 and v11 carry ids but must not use them, so a request with one (or
// with a null name) is INVALID_REQUEST for every topic.
TEST_F(BrokerTest, MetadataByTopicId) {
  Metadata({"orders"});
  const Uuid id = *sim_.node<Broker>(kBroker).logs().TopicId("orders");
  const Uuid unknown(std::array<uint8_t, 16>{7});
  MetadataRequest request;
  request.topics = {{.topic_id = id, .name = std::nullopt},
                    {.topic_id = unknown, .name = std::nullopt}};
  MetadataResponse response =
      Call<MetadataResponse>(ApiKey::kMetadata, 12, request).value();
  ASSERT_EQ(response.topics.size(), 2u);
  EXPECT_EQ(response.topics[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(response.topics[0].name, "orders");
  EXPECT_EQ(response.topics[0].topic_id, id);
  EXPECT_EQ(response.topics[0].partitions.size(), 1u);
  EXPECT_EQ(response.topics[1].error_code, ErrorCode::kUnknownTopicId);
  EXPECT_EQ(response.topics[1].name, std::nullopt);
  EXPECT_EQ(response.topics[1].topic_id, unknown);
  for (int16_t version = 10; version <= 11; ++version) {
    SCOPED_TRACE(version);
    MetadataRequest by_id;
    by_id.topics = {{.topic_id = id, .name = "orders"}, {.name = "other"}};
    response =
        Call<MetadataResponse>(ApiKey::kMetadata, version, by_id).value();
    ASSERT_EQ(response.topics.size(), 2u);
    EXPECT_EQ(response.topics[0].error_code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(response.topics[1].error_code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(sim_.node<Broker>(kBroker).logs().PartitionCount("other"), 0);
  }
}

class NoAutoCreateTest : public BrokerTest {
 protected:
  NoAutoCreateTest()
      : BrokerTest(BrokerConfig{.auto_create_topics_enable = false}) {}
};

// Rule: with auto.create.topics.enable=false an unknown topic is
// UNKNOWN_TOPIC_OR_PARTITION.
TEST_F(NoAutoCreateTest, UnknownTopic) {
  EXPECT_EQ(Metadata({"orders"}).topics[0].error_code,
            ErrorCode::kUnknownTopicOrPartition);
}

// Rule: produce appends and returns the base offset; fetch returns the
// batches from an offset, with the high watermark.
TEST_F(BrokerTest, ProduceThenFetch) {
  Metadata({"orders"});
  EXPECT_EQ(Produce("orders", 0, Batch({"a", "b"})).base_offset, 0);
  EXPECT_EQ(Produce("orders", 0, Batch({"c"})).base_offset, 2);
  FetchResponse::Partition fetched = Fetch("orders", 0, 0);
  EXPECT_EQ(fetched.error_code, ErrorCode::kNone);
  EXPECT_EQ(fetched.high_watermark, 3);
  EXPECT_EQ(ValuesIn(fetched.records),
            (std::vector<std::string>{"a", "b", "c"}));
}

// Rule: produce to a partition that does not exist is
// UNKNOWN_TOPIC_OR_PARTITION; Produce does not create topics.
TEST_F(BrokerTest, ProduceToUnknownPartition) {
  EXPECT_EQ(Produce("nope", 0, Batch({"a"})).error_code,
            ErrorCode::kUnknownTopicOrPartition);
  Metadata({"orders"});
  EXPECT_EQ(Produce("orders", 5, Batch({"a"})).error_code,
            ErrorCode::kUnknownTopicOrPartition);
}

// A refused produce appends nothing, and the broker goes on serving: the next
// good batch gets the offset the refused one would have had.
class ProduceValidationTest : public BrokerTest {
 protected:
  ProduceValidationTest() { Metadata({"orders"}); }

  void ExpectRefused(std::optional<Bytes> records, ErrorCode expected) {
    const int64_t log_end = Fetch("orders", 0, 0).high_watermark;
    ProduceRequest request;
    request.topic_data = {{"orders", {{0, std::move(records)}}}};
    EXPECT_EQ(Call<ProduceResponse>(ApiKey::kProduce, 7, request)
                  .value()
                  .responses[0]
                  .partition_responses[0]
                  .error_code,
              expected);
    EXPECT_EQ(Fetch("orders", 0, 0).high_watermark, log_end)
        << "nothing was appended";
    EXPECT_EQ(Produce("orders", 0, Batch({"good"})).base_offset, log_end)
        << "the broker still serves";
  }
};

RecordBatch TwoRecords() {
  return MakeBatch({{.timestamp = 1000, .value = ToBytes("a")},
                    {.timestamp = 1000, .value = ToBytes("b")}});
}

// Rule: a partition's records must hold a record batch: none (an empty or a
// null record set) is INVALID_RECORD, and so are bytes too few for the batch
// they begin (Kafka's ProduceRequest.validateRecords).
TEST_F(ProduceValidationTest, NoWholeBatchIsInvalidRecord) {
  ExpectRefused(Bytes{}, ErrorCode::kInvalidRecord);
  ExpectRefused(std::nullopt, ErrorCode::kInvalidRecord);
}

TEST_F(ProduceValidationTest, TruncatedBatchIsInvalidRecord) {
  Bytes cut = Batch({"a"});
  cut.pop_back();
  ExpectRefused(cut, ErrorCode::kInvalidRecord);
}

// Rule: since Produce v3 a partition's records are exactly one batch: a
// second whole batch behind the first is INVALID_RECORD.
TEST_F(ProduceValidationTest, TwoBatchesAreInvalidRecord) {
  Bytes two = Batch({"a"});
  Bytes second = Batch({"b"});
  two.insert(two.end(), second.begin(), second.end());
  ExpectRefused(two, ErrorCode::kInvalidRecord);
}

// Rule: bytes after the batch that are not a whole batch are cut off, as
// Kafka's log does (UnifiedLog.trimInvalidBytes): the batch is appended.
TEST_F(BrokerTest, BytesAfterTheBatchAreCutOff) {
  Metadata({"orders"});
  Bytes records = Batch({"a", "b"});
  const size_t batch_size = records.size();
  Bytes second = Batch({"c"});
  records.insert(records.end(), second.begin(), second.begin() + 20);
  ProduceResponse::PartitionResponse answer = Produce("orders", 0, records);
  EXPECT_EQ(answer.error_code, ErrorCode::kNone);
  FetchResponse::Partition fetched = Fetch("orders", 0, 0);
  EXPECT_EQ(fetched.high_watermark, 2);
  EXPECT_EQ(fetched.records->size(), batch_size);
}

// Rule: Produce v3 and later carry only magic 2 batches: an older format is
// INVALID_RECORD; a magic no Kafka knows is CORRUPT_MESSAGE (the bytes cannot
// be read as any batch).
TEST_F(ProduceValidationTest, OnlyMagicTwo) {
  RecordBatch old = TwoRecords();
  old.header.magic = 1;
  ExpectRefused(EncodeRecordBatch(old), ErrorCode::kInvalidRecord);
  RecordBatch future = TwoRecords();
  future.header.magic = 3;
  ExpectRefused(EncodeRecordBatch(future), ErrorCode::kCorruptMessage);
}

// Rule: a batch length shorter than any record can be (14 bytes) is
// CORRUPT_MESSAGE, in the first batch or behind it.
TEST_F(ProduceValidationTest, ImpossibleBatchLengthIsCorrupt) {
  auto with_length_13 = [](Bytes batch) {
    batch[8] = batch[9] = batch[10] = 0;
    batch[11] = 13;
    return batch;
  };
  ExpectRefused(with_length_13(Batch({"a"})), ErrorCode::kCorruptMessage);
  Bytes records = Batch({"a"});
  Bytes second = with_length_13(Batch({"b"}));
  records.insert(records.end(), second.begin(), second.end());
  ExpectRefused(records, ErrorCode::kCorruptMessage);
}

// Rule: a client's batch is dense: lastOffsetDelta + 1 == recordsCount, with
// at least one record (Kafka's LogValidator.validateBatch).
TEST_F(ProduceValidationTest, LastOffsetDeltaMustMatchTheCount) {
  RecordBatch gap = TwoRecords();
  gap.header.last_offset_delta = 2;
  gap.records[1].offset_delta = 2;
  ExpectRefused(EncodeRecordBatch(gap), ErrorCode::kInvalidRecord);
  ExpectRefused(EncodeRecordBatch(MakeBatch({})), ErrorCode::kInvalidRecord);
}

// Rule: the records' offset deltas are 0, 1, ..., n-1: INVALID_RECORD
// otherwise, even where the header alone looks dense.
TEST_F(ProduceValidationTest, RecordOffsetDeltasMustBeDense) {
  RecordBatch repeated = TwoRecords();
  repeated.records[1].offset_delta = 0;
  ExpectRefused(EncodeRecordBatch(repeated), ErrorCode::kInvalidRecord);
  RecordBatch shifted = TwoRecords();
  shifted.records[0].offset_delta = 1;
  shifted.records[1].offset_delta = 2;
  shifted.header.last_offset_delta = 1;
  ExpectRefused(EncodeRecordBatch(shifted), ErrorCode::kInvalidRecord);
}

// Rule: a compressed batch's records are checked too, after decompression
// (Kafka's LogValidator reads every record of a compressed batch).
// Rule: from Produce v8, a batch refused because of one of its records names
// the record (record_errors: its index in the batch, and why) and sums up
// the refusal in error_message; a refusal of the whole batch names none.
TEST_F(ProduceValidationTest, RefusedRecordsAreNamedFromV8) {
  RecordBatch batch = TwoRecords();
  batch.records[1].offset_delta = 5;
  for (int16_t version = 3; version <= 9; ++version) {
    SCOPED_TRACE(version);
    ProduceRequest request;
    request.topic_data = {{"orders", {{0, EncodeRecordBatch(batch)}}}};
    ProduceResponse::PartitionResponse answer =
        Call<ProduceResponse>(ApiKey::kProduce, version, request)
            .value()
            .responses[0]
            .partition_responses[0];
    EXPECT_EQ(answer.error_code, ErrorCode::kInvalidRecord);
    if (version >= 8) {
      ASSERT_EQ(answer.record_errors.size(), 1u);
      EXPECT_EQ(answer.record_errors[0].batch_index, 1);
      EXPECT_EQ(answer.record_errors[0].batch_index_error_message,
                "offsetDelta 5, expected 1");
      EXPECT_EQ(answer.error_message,
                "1 record(s) refused, the first: record 1, offsetDelta 5, "
                "expected 1");
    } else {
      EXPECT_TRUE(answer.record_errors.empty());
      EXPECT_EQ(answer.error_message, std::nullopt);
    }
    RecordBatch control = TwoRecords();
    control.header.attributes |= kControlFlag;
    request.topic_data = {{"orders", {{0, EncodeRecordBatch(control)}}}};
    answer = Call<ProduceResponse>(ApiKey::kProduce, version, request)
                 .value()
                 .responses[0]
                 .partition_responses[0];
    EXPECT_EQ(answer.error_code, ErrorCode::kInvalidRecord);
    EXPECT_TRUE(answer.record_errors.empty());
    EXPECT_EQ(answer.error_message, std::nullopt);
  }
}

// Rule: zstd batches need Produce v7 (KIP-110): before it they are
// UNSUPPORTED_COMPRESSION_TYPE and nothing is appended; the other codecs
// are accepted at every version.
TEST_F(ProduceValidationTest, ZstdNeedsProduceV7) {
  for (int16_t version = 3; version <= 9; ++version) {
    SCOPED_TRACE(version);
    for (int16_t codec = 1; codec <= 4; ++codec) {
      RecordBatch batch = TwoRecords();
      batch.header.attributes = codec;
      ProduceRequest request;
      request.topic_data = {{"orders", {{0, EncodeRecordBatch(batch)}}}};
      const ErrorCode expected = codec == 4 && version < 7
                                     ? ErrorCode::kUnsupportedCompressionType
                                     : ErrorCode::kNone;
      EXPECT_EQ(Call<ProduceResponse>(ApiKey::kProduce, version, request)
                    ->responses[0]
                    .partition_responses[0]
                    .error_code,
                expected)
          << "codec " << codec;
    }
  }
}

TEST_F(ProduceValidationTest, CompressedRecordOffsetDeltasMustBeDense) {
  for (int16_t codec = 1; codec <= 4; ++codec) {  // gzip, snappy, lz4, zstd
    RecordBatch repeated = TwoRecords();
    repeated.header.attributes = codec;
    repeated.records[1].offset_delta = 0;
    ExpectRefused(EncodeRecordBatch(repeated), ErrorCode::kInvalidRecord);
  }
}

// Rule: clients may not write control batches (transaction markers are the
// broker's, Chapter 8).
TEST_F(ProduceValidationTest, ControlBatchIsInvalidRecord) {
  RecordBatch control = TwoRecords();
  control.header.attributes = kControlFlag;
  ExpectRefused(EncodeRecordBatch(control), ErrorCode::kInvalidRecord);
}

// Rule: the leader assigns offsets, so a client's batch has base offset 0
// (Kafka's UnifiedLog.analyzeAndValidateRecords).
TEST_F(ProduceValidationTest, BaseOffsetMustBeZero) {
  ExpectRefused(EncodeRecordBatch(MakeBatch({{.timestamp = 1000}}, 5)),
                ErrorCode::kInvalidRecord);
}

// Rule: Chapter 1's checks run on the batch too: a CRC mismatch is
// CORRUPT_MESSAGE.
TEST_F(ProduceValidationTest, CorruptBatchIsRefused) {
  Bytes corrupt = Batch({"a"});
  corrupt.back() ^= 0xFF;
  ExpectRefused(corrupt, ErrorCode::kCorruptMessage);
}

// Rule: acks other than -1, 0 and 1 are INVALID_REQUIRED_ACKS, checked after
// the partition and its records, as Kafka's ReplicaManager does.
TEST_F(BrokerTest, InvalidAcksAreRefused) {
  Metadata({"orders"});
  EXPECT_EQ(Produce("orders", 0, Batch({"a"}), /*acks=*/2).error_code,
            ErrorCode::kInvalidRequiredAcks);
  EXPECT_EQ(Produce("nope", 0, Batch({"a"}), /*acks=*/2).error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(Produce("orders", 0, Bytes{}, /*acks=*/2).error_code,
            ErrorCode::kInvalidRecord);
  EXPECT_EQ(Fetch("orders", 0, 0).high_watermark, 0) << "nothing was appended";
}

// Rule: clients cannot produce to Kafka's internal topics
// (INVALID_TOPIC_EXCEPTION, as Kafka's ReplicaManager answers), though they
// may read them; the group coordinator appends through the log manager.
TEST_F(BrokerTest, ClientsCannotProduceToInternalTopics) {
  for (const std::string topic :
       {"__consumer_offsets", "__transaction_state"}) {
    Metadata({topic});
    EXPECT_EQ(Produce(topic, 0, Batch({"forged"})).error_code,
              ErrorCode::kInvalidTopicException)
        << topic;
    EXPECT_EQ(Fetch(topic, 0, 0).high_watermark, 0) << topic;
  }
  Bytes internal = Batch({"commit"});
  ASSERT_TRUE(sim_.node<Broker>(kBroker)
                  .logs()
                  .GetLog({"__consumer_offsets", 0})
                  ->Append(internal, sim_.now_ms())
                  .ok());
  EXPECT_EQ(ValuesIn(Fetch("__consumer_offsets", 0, 0).records),
            (std::vector<std::string>{"commit"}));
}

// Rule: with one replica, acks=all (-1) is answered as acks=1 is: once the
// leader's log has the batch.
TEST_F(BrokerTest, AcksAllIsAnsweredOnAppend) {
  Metadata({"orders"});
  EXPECT_EQ(Produce("orders", 0, Batch({"a"}), /*acks=*/-1).base_offset, 0);
  EXPECT_EQ(Produce("orders", 0, Batch({"b"}), /*acks=*/-1).base_offset, 1);
}

// Rule: acks=0 gets no answer at all, yet the records are appended.
TEST_F(BrokerTest, AcksZeroHasNoAnswer) {
  Metadata({"orders"});
  ProduceRequest request;
  request.acks = 0;
  request.topic_data = {{"orders", {{0, Batch({"a"})}}}};
  Result<ProduceResponse> answer =
      Call<ProduceResponse>(ApiKey::kProduce, 3, request, /*timeout_ms=*/500);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kRequestTimedOut);
  EXPECT_EQ(Fetch("orders", 0, 0).high_watermark, 1);
}

// Rule: a fetch at the end of the log waits (long poll) until data arrives,
// then answers at once.
TEST_F(BrokerTest, LongPollAnswersWhenDataArrives) {
  Metadata({"orders"});
  std::optional<int64_t> answered_at;
  FetchRequest request;
  request.max_wait_ms = 500;
  request.topics = {FetchTopic("orders", {{0, 0}})};
  sim_.env(kClient).Send(kBroker, {int16_t(ApiKey::kFetch), 4, 0, "test"},
                         EncodeMessage(request, ApiKey::kFetch, 4), 5000,
                         [&](Result<Bytes>) { answered_at = sim_.now_ms(); });
  sim_.RunFor(200);
  EXPECT_FALSE(answered_at.has_value()) << "still waiting for data";
  int64_t produced_at = sim_.now_ms();
  Produce("orders", 0, Batch({"a"}));
  ASSERT_TRUE(answered_at.has_value());
  EXPECT_LT(*answered_at - produced_at, 10)
      << "answered right after the append";
}

// Rule: with no data, a long poll answers empty after max_wait_ms.
TEST_F(BrokerTest, LongPollTimesOutEmpty) {
  Metadata({"orders"});
  int64_t start = sim_.now_ms();
  FetchResponse::Partition fetched = Fetch("orders", 0, 0, /*max_wait_ms=*/300);
  EXPECT_GE(sim_.now_ms() - start, 300);
  EXPECT_TRUE(fetched.records->empty());
}

// Rule: every Fetch version reads the same records, and answers what it
// added: no session error and session_id 0 (v7: this broker keeps no fetch
// sessions), preferred_read_replica -1 (v11: read from the leader), and from
// v13 the topic by its id, which the request names it by.
TEST_F(BrokerTest, FetchAtEveryVersion) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a", "b"}));
  const Uuid id = *sim_.node<Broker>(kBroker).logs().TopicId("orders");
  for (int16_t version = 4; version <= 14; ++version) {
    SCOPED_TRACE(version);
    FetchRequest request;
    request.max_wait_ms = 0;
    request.topics = {FetchTopic(version >= 13 ? "" : "orders", {{0, 0}})};
    request.topics[0].topic_id = version >= 13 ? id : Uuid();
    FetchResponse response =
        Call<FetchResponse>(ApiKey::kFetch, version, request).value();
    EXPECT_EQ(response.error_code, ErrorCode::kNone);
    EXPECT_EQ(response.session_id, 0);
    ASSERT_EQ(response.responses.size(), 1u);
    EXPECT_EQ(response.responses[0].topic, version >= 13 ? "" : "orders");
    EXPECT_EQ(response.responses[0].topic_id, version >= 13 ? id : Uuid());
    const FetchResponse::Partition& fetched =
        response.responses[0].partitions[0];
    EXPECT_EQ(fetched.error_code, ErrorCode::kNone);
    EXPECT_EQ(fetched.high_watermark, 2);
    EXPECT_EQ(fetched.preferred_read_replica, -1);
    EXPECT_EQ(ValuesIn(fetched.records), (std::vector<std::string>{"a", "b"}));
  }
}

// Rule: this broker keeps no fetch sessions (KIP-227), as a Kafka broker
// whose session cache is full: a full fetch (session epoch 0 or -1) is
// answered outside any session, with session_id 0, also when it closes a
// session (an id with epoch -1); an incremental one (any other epoch)
// names a session it does not have: FETCH_SESSION_ID_NOT_FOUND, and no
// partitions.
TEST_F(BrokerTest, FetchWithoutSessions) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a"}));
  for (int16_t version = 7; version <= 14; ++version) {
    SCOPED_TRACE(version);
    FetchRequest request;
    request.max_wait_ms = 0;
    request.topics = {FetchTopic("orders", {{0, 0}})};
    request.topics[0].topic_id =
        *sim_.node<Broker>(kBroker).logs().TopicId("orders");
    for (auto [session_id, epoch] : {std::pair{0, 0}, {0, -1}, {9, -1}}) {
      request.session_id = session_id;
      request.session_epoch = epoch;
      FetchResponse full =
          Call<FetchResponse>(ApiKey::kFetch, version, request).value();
      EXPECT_EQ(full.error_code, ErrorCode::kNone);
      EXPECT_EQ(full.session_id, 0);
      ASSERT_EQ(full.responses.size(), 1u);
      EXPECT_EQ(ValuesIn(full.responses[0].partitions[0].records),
                std::vector<std::string>{"a"});
    }
    request.session_id = 9;
    request.session_epoch = 1;
    FetchResponse incremental =
        Call<FetchResponse>(ApiKey::kFetch, version, request).value();
    EXPECT_EQ(incremental.error_code, ErrorCode::kFetchSessionIdNotFound);
    EXPECT_EQ(incremental.session_id, 0);
    EXPECT_TRUE(incremental.responses.empty());
  }
}

// Rule: from Fetch v9 the client names the leader epoch it knows; -1 skips
// the check, the leader's own (0, its first) passes, an older one is
// FENCED_LEADER_EPOCH and a newer one UNKNOWN_LEADER_EPOCH, without records
// or offsets. Before v9 the field is not sent, so nothing is checked.
TEST_F(BrokerTest, FetchChecksTheCurrentLeaderEpoch) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a"}));
  for (int16_t version = 4; version <= 14; ++version) {
    SCOPED_TRACE(version);
    FetchRequest request;
    request.max_wait_ms = 0;
    request.topics = {FetchTopic("orders", {{0, 0}, {0, 0}, {0, 0}, {0, 0}})};
    request.topics[0].topic_id =
        *sim_.node<Broker>(kBroker).logs().TopicId("orders");
    const std::vector<int32_t> epochs = {-1, 0, -2, 1};
    for (size_t i = 0; i < epochs.size(); ++i) {
      request.topics[0].partitions[i].current_leader_epoch = epochs[i];
    }
    FetchResponse response =
        Call<FetchResponse>(ApiKey::kFetch, version, request).value();
    const auto& partitions = response.responses[0].partitions;
    ASSERT_EQ(partitions.size(), 4u);
    EXPECT_EQ(partitions[0].error_code, ErrorCode::kNone);
    EXPECT_EQ(partitions[1].error_code, ErrorCode::kNone);
    EXPECT_EQ(partitions[2].error_code,
              version >= 9 ? ErrorCode::kFencedLeaderEpoch : ErrorCode::kNone);
    EXPECT_EQ(partitions[3].error_code,
              version >= 9 ? ErrorCode::kUnknownLeaderEpoch : ErrorCode::kNone);
    EXPECT_EQ(partitions[3].high_watermark, version >= 9 ? -1 : 1);
  }
}

// Rule: from Fetch v13 a topic id the broker does not know is
// UNKNOWN_TOPIC_ID for each of its partitions (after the topics it knows,
// as Kafka orders them); the known ones are read.
TEST_F(BrokerTest, FetchUnknownTopicId) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a"}));
  const Uuid id = *sim_.node<Broker>(kBroker).logs().TopicId("orders");
  const Uuid unknown(std::array<uint8_t, 16>{7});
  FetchRequest request;
  request.max_wait_ms = 0;
  request.topics = {FetchTopic("", {{0, 0}, {1, 0}}), FetchTopic("", {{0, 0}})};
  request.topics[0].topic_id = unknown;
  request.topics[1].topic_id = id;
  for (int16_t version = 13; version <= 14; ++version) {
    FetchResponse response =
        Call<FetchResponse>(ApiKey::kFetch, version, request).value();
    ASSERT_EQ(response.responses.size(), 2u);
    EXPECT_EQ(response.responses[0].topic_id, id);
    EXPECT_EQ(ValuesIn(response.responses[0].partitions[0].records),
              std::vector<std::string>{"a"});
    EXPECT_EQ(response.responses[1].topic_id, unknown);
    ASSERT_EQ(response.responses[1].partitions.size(), 2u);
    EXPECT_EQ(response.responses[1].partitions[1].partition_index, 1);
    for (const auto& partition : response.responses[1].partitions) {
      EXPECT_EQ(partition.error_code, ErrorCode::kUnknownTopicId);
    }
  }
}

// Rule: a long poll does not wait when a partition has an error: the error
// goes back at once.
TEST_F(BrokerTest, LongPollAnswersErrorsAtOnce) {
  const int64_t start = sim_.now_ms();
  FetchResponse::Partition fetched = Fetch("nope", 0, 0, /*max_wait_ms=*/500);
  EXPECT_EQ(fetched.error_code, ErrorCode::kUnknownTopicOrPartition);
  EXPECT_LT(sim_.now_ms() - start, 100);
}

// Rule: a fetch beyond the log end is OFFSET_OUT_OF_RANGE.
TEST_F(BrokerTest, FetchOutOfRange) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a"}));
  EXPECT_EQ(Fetch("orders", 0, 5).error_code, ErrorCode::kOffsetOutOfRange);
}

// Rule: a fetch returns at least one whole batch even when it is larger than
// partition_max_bytes (KIP-74).
TEST_F(BrokerTest, FetchReturnsAtLeastOneBatch) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"first", "batch"}));
  Produce("orders", 0, Batch({"second"}));
  FetchResponse::Partition fetched =
      Fetch("orders", 0, 0, 0, /*partition_max_bytes=*/1);
  EXPECT_EQ(ValuesIn(fetched.records),
            (std::vector<std::string>{"first", "batch"}));
}

// Rule: a fetch answers every partition it asks for, in the order asked; a
// partition that does not exist is UNKNOWN_TOPIC_OR_PARTITION, and the others
// are still read.
TEST_F(BrokerTest, FetchAnswersUnknownPartitionsAndReadsTheOthers) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a"}));
  FetchRequest request;
  request.topics = {FetchTopic("orders", {{7, 0}, {0, 0}}),
                    FetchTopic("nope", {{0, 0}})};
  FetchResponse response = FetchMany(request);
  ASSERT_EQ(response.responses.size(), 2u);
  const auto& orders = response.responses[0];
  EXPECT_EQ(orders.topic, "orders");
  ASSERT_EQ(orders.partitions.size(), 2u);
  EXPECT_EQ(orders.partitions[0].partition_index, 7);
  EXPECT_EQ(orders.partitions[0].error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(orders.partitions[1].partition_index, 0);
  EXPECT_EQ(orders.partitions[1].error_code, ErrorCode::kNone);
  EXPECT_EQ(ValuesIn(orders.partitions[1].records),
            (std::vector<std::string>{"a"}));
  const auto& nope = response.responses[1];
  EXPECT_EQ(nope.topic, "nope");
  ASSERT_EQ(nope.partitions.size(), 1u);
  EXPECT_EQ(nope.partitions[0].error_code, ErrorCode::kUnknownTopicOrPartition);
}

// Rule: a fetch's answer stays within partition_max_bytes for each partition
// and max_bytes in all, in whole batches: each partition gets what is left of
// max_bytes, and one whose next batch does not fit in it gets no records (an
// empty set, not null).
TEST_F(BrokerTest, FetchSharesMaxBytesAmongPartitions) {
  CreateTopic("three", 3);
  const int32_t batch = int32_t(Batch({"xx"}).size());  // every batch below
  for (int32_t p = 0; p < 3; ++p) {
    const std::string name = std::to_string(p);
    Produce("three", p, Batch({name + "a"}));
    Produce("three", p, Batch({name + "b"}));
  }
  FetchRequest request;
  request.max_bytes = 3 * batch + batch / 2;
  request.topics = {FetchTopic("three", {{0, 0}, {1, 0}, {2, 0}})};
  for (auto& partition : request.topics[0].partitions) {
    partition.partition_max_bytes = 2 * batch;
  }
  auto partitions = FetchMany(request).responses[0].partitions;
  ASSERT_EQ(partitions.size(), 3u);
  EXPECT_EQ(ValuesIn(partitions[0].records),
            (std::vector<std::string>{"0a", "0b"}));
  EXPECT_EQ(ValuesIn(partitions[1].records), (std::vector<std::string>{"1a"}))
      << "1.5 batches of max_bytes left: one whole batch";
  ASSERT_TRUE(partitions[2].records.has_value());
  EXPECT_TRUE(partitions[2].records->empty()) << "half a batch left: none";
  EXPECT_EQ(partitions[2].error_code, ErrorCode::kNone);

  // partition_max_bytes of one batch: one batch from each partition.
  request.max_bytes = 50 << 20;
  for (auto& partition : request.topics[0].partitions) {
    partition.partition_max_bytes = batch;
  }
  partitions = FetchMany(request).responses[0].partitions;
  EXPECT_EQ(ValuesIn(partitions[0].records), (std::vector<std::string>{"0a"}));
  EXPECT_EQ(ValuesIn(partitions[1].records), (std::vector<std::string>{"1a"}));
  EXPECT_EQ(ValuesIn(partitions[2].records), (std::vector<std::string>{"2a"}));
}

// Rule: only the first partition with data may go over max_bytes, by one
// batch, so that a consumer always makes progress (KIP-74); the partitions
// after it get no records. A partition with nothing to read does not count as
// the first.
TEST_F(BrokerTest, FetchOnlyTheFirstPartitionWithDataMayExceedMaxBytes) {
  CreateTopic("three", 3);
  for (int32_t p = 0; p < 3; ++p) {
    Produce("three", p, Batch({"p" + std::to_string(p)}));
  }
  FetchRequest request;
  request.max_bytes = 1;
  request.topics = {FetchTopic("three", {{0, 0}, {1, 0}, {2, 0}})};
  auto partitions = FetchMany(request).responses[0].partitions;
  ASSERT_EQ(partitions.size(), 3u);
  EXPECT_EQ(ValuesIn(partitions[0].records), (std::vector<std::string>{"p0"}));
  EXPECT_TRUE(ValuesIn(partitions[1].records).empty());
  EXPECT_TRUE(ValuesIn(partitions[2].records).empty());

  // Partition 0 at its log end has nothing: partition 1 is the first with
  // data.
  request.topics[0].partitions[0].fetch_offset = 1;
  partitions = FetchMany(request).responses[0].partitions;
  EXPECT_TRUE(ValuesIn(partitions[0].records).empty());
  EXPECT_EQ(ValuesIn(partitions[1].records), (std::vector<std::string>{"p1"}));
  EXPECT_TRUE(ValuesIn(partitions[2].records).empty());
}

// Rule: a read_committed fetch gets a list of aborted transactions, empty
// while there are no transactions; a read_uncommitted one gets none (null), as
// Kafka answers.
TEST_F(BrokerTest, FetchListsAbortedTransactionsOnlyForReadCommitted) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a"}));
  FetchRequest request;
  request.topics = {FetchTopic("orders", {{0, 0}})};
  request.isolation_level = 0;  // read_uncommitted
  EXPECT_FALSE(FetchMany(request)
                   .responses[0]
                   .partitions[0]
                   .aborted_transactions.has_value());
  request.isolation_level = 1;  // read_committed
  FetchResponse::Partition committed =
      FetchMany(request).responses[0].partitions[0];
  ASSERT_TRUE(committed.aborted_transactions.has_value());
  EXPECT_TRUE(committed.aborted_transactions->empty());
  EXPECT_EQ(ValuesIn(committed.records), (std::vector<std::string>{"a"}));
}

// Rule: ListOffsets answers the earliest (-2) and latest (-1) offsets and the
// first offset at or after a timestamp.
TEST_F(BrokerTest, ListOffsets) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a", "b"}, 1000));
  Produce("orders", 0, Batch({"c"}, 2000));
  ListOffsetsRequest request;
  request.topics = {ListOffsetsTopic("orders", {-2, -1, 1500, 9999})};
  ListOffsetsResponse response =
      Call<ListOffsetsResponse>(ApiKey::kListOffsets, 1, request).value();
  const auto& p = response.topics[0].partitions;
  EXPECT_EQ(p[0].offset, 0);
  EXPECT_EQ(p[1].offset, 3);
  EXPECT_EQ(p[2].offset, 2);
  EXPECT_EQ(p[2].timestamp, 2000);
  EXPECT_EQ(p[3].offset, -1) << "no record that recent";
}

// Rule: each ListOffsets version answers what it added: from v4 the epoch
// of the leader that wrote the offset found (0, the first leader's; -1 when
// none is found) and a check of the leader epoch the client knows; from v7
// timestamp -3, the first record with the largest timestamp; from v8 -4,
// the earliest offset kept locally, which without tiered storage is the
// earliest. A special timestamp before its version is UNSUPPORTED_VERSION.
TEST_F(BrokerTest, ListOffsetsAtEveryVersion) {
  Metadata({"orders"});
  Produce("orders", 0, Batch({"a", "b"}, 3000));
  Produce("orders", 0, Batch({"c"}, 2000));
  Produce("orders", 0, Batch({"d"}, 3000));
  for (int16_t version = 1; version <= 8; ++version) {
    SCOPED_TRACE(version);
    ListOffsetsRequest request;
    request.topics = {ListOffsetsTopic("orders", {-1, 9999, -3, -4, -5})};
    request.topics[0].partitions.push_back(
        {.partition_index = 0, .current_leader_epoch = 1, .timestamp = -1});
    const ListOffsetsResponse response =
        Call<ListOffsetsResponse>(ApiKey::kListOffsets, version, request)
            .value();
    const auto& p = response.topics[0].partitions;
    ASSERT_EQ(p.size(), 6u);
    EXPECT_EQ(p[0].offset, 4);
    EXPECT_EQ(p[0].leader_epoch, version >= 4 ? 0 : -1);
    EXPECT_EQ(p[1].offset, -1) << "no record that recent";
    EXPECT_EQ(p[1].leader_epoch, -1);
    if (version >= 7) {
      EXPECT_EQ(p[2].error_code, ErrorCode::kNone);
      EXPECT_EQ(p[2].offset, 0) << "the first of the records at 3000";
      EXPECT_EQ(p[2].timestamp, 3000);
    } else {
      EXPECT_EQ(p[2].error_code, ErrorCode::kUnsupportedVersion);
    }
    if (version >= 8) {
      EXPECT_EQ(p[3].error_code, ErrorCode::kNone);
      EXPECT_EQ(p[3].offset, 0);
    } else {
      EXPECT_EQ(p[3].error_code, ErrorCode::kUnsupportedVersion);
    }
    EXPECT_EQ(p[4].error_code, ErrorCode::kUnsupportedVersion);
    EXPECT_EQ(p[5].error_code,
              version >= 4 ? ErrorCode::kUnknownLeaderEpoch : ErrorCode::kNone);
  }
}

// Rule: timestamp -3 finds the record with the largest timestamp inside its
// batch (records' timestamps need not grow); an empty log has none.
TEST_F(BrokerTest, ListOffsetsMaxTimestampFindsTheRecord) {
  Metadata({"orders"});
  ListOffsetsRequest request;
  request.topics = {ListOffsetsTopic("orders", {-3})};
  auto max_timestamp = [&] {
    return Call<ListOffsetsResponse>(ApiKey::kListOffsets, 7, request)
        ->topics[0]
        .partitions[0];
  };
  EXPECT_EQ(max_timestamp().offset, -1);
  Produce("orders", 0, Batch({"a"}, 1000));
  Produce("orders", 0,
          EncodeRecordBatch(
              MakeBatch({{.timestamp = 1500, .value = ToBytes("b")},
                         {.timestamp = 4000, .value = ToBytes("c")},
                         {.timestamp = 2000, .value = ToBytes("d")}})));
  EXPECT_EQ(max_timestamp().offset, 2);
  EXPECT_EQ(max_timestamp().timestamp, 4000);
  EXPECT_EQ(max_timestamp().leader_epoch, 0);
}

// Rule: DeleteRecords moves each partition's log start offset up and answers
// its low watermark; ListOffsets' earliest follows. An unknown partition and
// an offset past the high watermark get their error, the others succeed, at
// every version (v2 is flexible).
TEST_F(BrokerTest, DeleteRecords) {
  for (int16_t version = 0; version <= 2; ++version) {
    const std::string topic = "deleting" + std::to_string(version);
    Metadata({topic});
    Produce(topic, 0, Batch({"a", "b", "c", "d"}));
    DeleteRecordsRequest request;
    request.topics = {{topic, {{0, 3}, {1, 0}}}, {"nope", {{0, 0}}}};
    DeleteRecordsResponse response =
        Call<DeleteRecordsResponse>(ApiKey::kDeleteRecords, version, request)
            .value();
    ASSERT_EQ(response.topics.size(), 2u);
    EXPECT_EQ(response.topics[0].partitions[0].low_watermark, 3) << version;
    EXPECT_EQ(response.topics[0].partitions[1].error_code,
              ErrorCode::kUnknownTopicOrPartition);
    EXPECT_EQ(response.topics[1].partitions[0].error_code,
              ErrorCode::kUnknownTopicOrPartition);
    ListOffsetsRequest earliest;
    earliest.topics = {ListOffsetsTopic(topic, {-2})};
    EXPECT_EQ(Call<ListOffsetsResponse>(ApiKey::kListOffsets, 1, earliest)
                  .value()
                  .topics[0]
                  .partitions[0]
                  .offset,
              3);
    request.topics = {{topic, {{0, 5}}}};
    EXPECT_EQ(
        Call<DeleteRecordsResponse>(ApiKey::kDeleteRecords, version, request)
            .value()
            .topics[0]
            .partitions[0]
            .error_code,
        ErrorCode::kOffsetOutOfRange);
  }
}

// Rule: CreateTopics makes a topic with the partitions and configs asked for,
// and refuses duplicates, a replication factor above the broker count, and
// unknown configs; validate_only changes nothing.
TEST_F(BrokerTest, CreateTopics) {
  CreateTopicsRequest request;
  request.topics = {{"six", 6, 1, {}, {{"retention.ms", "1000"}}},
                    {"replicated", 3, 3, {}, {}},
                    {"configured", 1, 1, {}, {{"no.such.config", "1"}}}};
  CreateTopicsResponse response =
      Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, request).value();
  EXPECT_EQ(response.topics[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(response.topics[1].error_code,
            ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(response.topics[2].error_code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(Metadata({"six"}).topics[0].partitions.size(), 6u);

  CreateTopicsRequest again;
  again.topics = {{"six", 1, 1, {}, {}}, {"dry", 2, 1, {}, {}}};
  again.validate_only = true;
  response =
      Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, again).value();
  EXPECT_EQ(response.topics[0].error_code, ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(response.topics[1].error_code, ErrorCode::kNone);
  EXPECT_EQ(sim_.node<Broker>(kBroker).logs().PartitionCount("dry"), 0);
}

// The config named `name` in a CreateTopics answer (v5+), or a default one.
CreateTopicsResponse::Config ConfigNamed(
    const CreateTopicsResponse::Result& result, const std::string& name) {
  for (const auto& config :
       result.configs.value_or(std::vector<CreateTopicsResponse::Config>{})) {
    if (config.name == name) return config;
  }
  return {};
}

// A broker whose server.properties sets log.segment.bytes.
class SegmentBytesBrokerTest : public BrokerTest {
 protected:
  SegmentBytesBrokerTest()
      : BrokerTest(BrokerConfig{.log = {.segment_bytes = 1 << 20}}) {}
};

// Rule: from CreateTopics v5 the answer describes the topic as created
// (KIP-525): its partitions (num.partitions for -1, allowed from v4), its
// replication factor and every topic config, by name, with its value and
// source (1 set for the topic, 4 from server.properties, 5 Kafka's
// default); from v7 its topic id. A refused topic has none of them, and a
// validate_only one no id.
TEST_F(SegmentBytesBrokerTest, CreateTopicsAtEveryVersion) {
  for (int16_t version = 0; version <= 7; ++version) {
    SCOPED_TRACE(version);
    const std::string name = "created" + std::to_string(version);
    CreateTopicsRequest request;
    request.topics = {{.name = name,
                       .num_partitions = version >= 4 ? -1 : 1,
                       .replication_factor = int16_t(version >= 4 ? -1 : 1),
                       .configs = {{"retention.ms", "1000"}}},
                      {.name = name + "-replicated", .replication_factor = 3}};
    CreateTopicsResponse response =
        Call<CreateTopicsResponse>(ApiKey::kCreateTopics, version, request)
            .value();
    ASSERT_EQ(response.topics.size(), 2u);
    const CreateTopicsResponse::Result& created = response.topics[0];
    EXPECT_EQ(created.error_code, ErrorCode::kNone);
    const Uuid id = *sim_.node<Broker>(kBroker).logs().TopicId(name);
    EXPECT_EQ(created.topic_id, version >= 7 ? id : Uuid());
    EXPECT_EQ(created.num_partitions, version >= 5 ? 1 : -1);
    EXPECT_EQ(created.replication_factor, version >= 5 ? 1 : -1);
    EXPECT_EQ(created.configs.has_value(), version >= 5);
    if (version >= 5) {
      const auto retention = ConfigNamed(created, "retention.ms");
      EXPECT_EQ(retention.value, "1000");
      EXPECT_EQ(retention.config_source, 1);
      const auto segment = ConfigNamed(created, "segment.bytes");
      EXPECT_EQ(segment.value, std::to_string(1 << 20));
      EXPECT_EQ(segment.config_source, 4);
      const auto compression = ConfigNamed(created, "compression.type");
      EXPECT_EQ(compression.value, "producer");
      EXPECT_EQ(compression.config_source, 5);
      EXPECT_TRUE(std::is_sorted(
          created.configs->begin(), created.configs->end(),
          [](const auto& a, const auto& b) { return a.name < b.name; }));
    }
    const CreateTopicsResponse::Result& refused = response.topics[1];
    EXPECT_NE(refused.error_code, ErrorCode::kNone);
    EXPECT_EQ(refused.num_partitions, -1);
    EXPECT_EQ(refused.topic_id, Uuid());
    if (version >= 5) {
      EXPECT_TRUE(refused.configs->empty());
    }
  }
  CreateTopicsRequest dry;
  dry.topics = {{.name = "dry", .num_partitions = 3, .replication_factor = 1}};
  dry.validate_only = true;
  CreateTopicsResponse::Result checked =
      Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 7, dry)->topics[0];
  EXPECT_EQ(checked.error_code, ErrorCode::kNone);
  EXPECT_EQ(checked.num_partitions, 3);
  EXPECT_EQ(checked.topic_id, Uuid()) << "nothing was created";
}

// Rule: CreatePartitions answers alike at every version (v2 is flexible),
// explicit assignments included.
TEST_F(BrokerTest, CreatePartitionsAtEveryVersion) {
  for (int16_t version = 0; version <= 3; ++version) {
    SCOPED_TRACE(version);
    const std::string name = "growing" + std::to_string(version);
    CreateTopic(name, 1);
    CreatePartitionsRequest request;
    request.topics = {{name, 3,
                       std::vector<CreatePartitionsRequest::Assignment>{
                           {{kBroker}}, {{kBroker}}}},
                      {name + "-missing", 2, std::nullopt}};
    CreatePartitionsResponse response =
        Call<CreatePartitionsResponse>(ApiKey::kCreatePartitions, version,
                                       request)
            .value();
    ASSERT_EQ(response.results.size(), 2u);
    EXPECT_EQ(response.results[0].error_code, ErrorCode::kNone);
    EXPECT_EQ(response.results[1].error_code,
              ErrorCode::kUnknownTopicOrPartition);
    EXPECT_EQ(sim_.node<Broker>(kBroker).logs().PartitionCount(name), 3);
  }
}

// Rule: topic configs are checked with Kafka's types and bounds
// (LogConfig.java): a value below the minimum, outside an INT, or not a
// number is INVALID_CONFIG with a message naming the config and the value,
// and no topic is created; the minimum itself is accepted.
TEST_F(BrokerTest, TopicConfigsAreRangeChecked) {
  struct Case {
    std::string name;
    std::string smallest;  // accepted
    std::string too_small;
  };
  const Case cases[] = {
      {"segment.bytes", "14", "13"},     {"segment.ms", "1", "0"},
      {"segment.index.bytes", "4", "3"}, {"index.interval.bytes", "0", "-1"},
      {"retention.ms", "-1", "-2"},      {"flush.messages", "1", "0"},
      {"flush.ms", "0", "-1"},           {"max.message.bytes", "0", "-1"},
      {"min.insync.replicas", "1", "0"},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string bad_topic = "bad" + std::to_string(n);
    CreateTopicsRequest request;
    request.topics = {
        {bad_topic, 1, 1, {}, {{c.name, c.too_small}}},
        {"good" + std::to_string(n), 1, 1, {}, {{c.name, c.smallest}}}};
    CreateTopicsResponse response =
        Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, request).value();
    EXPECT_EQ(response.topics[0].error_code, ErrorCode::kInvalidConfig)
        << c.name << "=" << c.too_small;
    EXPECT_EQ(response.topics[0].error_message,
              "Invalid value " + c.too_small + " for configuration " + c.name +
                  ": Value must be at least " + c.smallest);
    EXPECT_EQ(response.topics[1].error_code, ErrorCode::kNone)
        << c.name << "=" << c.smallest;
    EXPECT_EQ(sim_.node<Broker>(kBroker).logs().PartitionCount(bad_topic), 0);
    // The broker serves a topic at the bounds (a refused batch is fine).
    ProduceResponse::PartitionResponse produced =
        Produce("good" + std::to_string(n), 0, Batch({"a"}));
    EXPECT_NE(produced.error_code, ErrorCode::kUnknownTopicOrPartition);
    ++n;
  }
  const std::pair<std::string, std::string> not_numbers[] = {
      {"segment.bytes", "2147483648"},  // an INT
      {"segment.ms", "1e3"},
      {"retention.bytes", ""},
      {"retention.ms", "forever"},
  };
  for (const auto& [name, value] : not_numbers) {
    CreateTopicsRequest request;
    request.topics = {{"odd", 1, 1, {}, {{name, value}}}};
    CreateTopicsResponse::Result result =
        Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, request)
            ->topics[0];
    EXPECT_EQ(result.error_code, ErrorCode::kInvalidConfig) << name;
    EXPECT_NE(result.error_message->find("Invalid value " + value +
                                         " for configuration " + name +
                                         ": Not a number of type"),
              std::string::npos)
        << *result.error_message;
  }
  EXPECT_EQ(sim_.node<Broker>(kBroker).logs().PartitionCount("odd"), 0);
}

// Rule: retention.bytes has no lower bound in Kafka: any negative value
// means no limit.
TEST_F(BrokerTest, NegativeRetentionBytesMeansNoLimit) {
  CreateTopicsRequest request;
  request.topics = {{"unbounded", 1, 1, {}, {{"retention.bytes", "-5"}}}};
  EXPECT_EQ(Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, request)
                ->topics[0]
                .error_code,
            ErrorCode::kNone);
}

// Rule: an unknown config name is INVALID_CONFIG, and the message names it.
TEST_F(BrokerTest, UnknownTopicConfigIsRefused) {
  CreateTopicsRequest request;
  request.topics = {{"orders", 1, 1, {}, {{"segment.byte", "1000"}}}};
  CreateTopicsResponse::Result result =
      Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, request)->topics[0];
  EXPECT_EQ(result.error_code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(result.error_message, "Unknown topic config name: segment.byte");
}

// Topics whose segment.bytes fits one small batch, not two: every batch
// starts a segment, which shows the config is in force.
class TopicConfigRestartTest : public BrokerTest {
 protected:
  void CreateOneBatchSegmentTopic() {
    CreateTopicsRequest request;
    request.topics = {{"orders", 1, 1, {}, {{"segment.bytes", kSegmentBytes}}}};
    ASSERT_EQ(Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, request)
                  ->topics[0]
                  .error_code,
              ErrorCode::kNone);
  }
  size_t SegmentsAfterThreeBatches(int32_t partition) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(Produce("orders", partition, Batch({"r"})).error_code,
                ErrorCode::kNone);
    }
    return sim_.node<Broker>(kBroker)
        .logs()
        .GetLog({"orders", partition})
        ->segments()
        .size();
  }
  static constexpr char kSegmentBytes[] = "100";
};

// Rule: configs given at creation survive a restart, even after a power
// failure: they are in data/config/topics/<topic>.properties, written
// atomically before the partition directories. Partitions added after the
// restart get them too.
TEST_F(TopicConfigRestartTest, ConfigsSurviveARestart) {
  ASSERT_GT(Batch({"r"}).size(), 50u);  // two do not fit in 100 bytes
  CreateOneBatchSegmentTopic();
  EXPECT_EQ(AsString(ReadWholeFile(sim_.disk(kBroker),
                                   "data/config/topics/orders.properties")),
            "segment.bytes=100\n");
  sim_.disk(kBroker).CrashLosingUnsynced();
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  EXPECT_EQ(SegmentsAfterThreeBatches(0), 3u);

  CreatePartitionsRequest grow;
  grow.topics = {{"orders", 2, std::nullopt}};
  ASSERT_EQ(Call<CreatePartitionsResponse>(ApiKey::kCreatePartitions, 1, grow)
                ->results[0]
                .error_code,
            ErrorCode::kNone);
  EXPECT_EQ(SegmentsAfterThreeBatches(1), 3u);
}

// Rule: a topic created without configs uses the broker's defaults, before
// and after a restart.
TEST_F(TopicConfigRestartTest, TopicsWithoutConfigsUseTheDefaults) {
  Metadata({"orders"});
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  EXPECT_EQ(SegmentsAfterThreeBatches(0), 1u);
}

// Rule: partitions can be added, never removed (INVALID_PARTITIONS).
TEST_F(BrokerTest, CreatePartitionsOnlyGrows) {
  Metadata({"orders"});
  CreatePartitionsRequest grow;
  grow.topics = {{"orders", 4, std::nullopt}};
  EXPECT_EQ(Call<CreatePartitionsResponse>(ApiKey::kCreatePartitions, 1, grow)
                ->results[0]
                .error_code,
            ErrorCode::kNone);
  EXPECT_EQ(Metadata({"orders"}).topics[0].partitions.size(), 4u);
  CreatePartitionsRequest shrink;
  shrink.topics = {{"orders", 2, std::nullopt}, {"missing", 2, std::nullopt}};
  CreatePartitionsResponse response =
      Call<CreatePartitionsResponse>(ApiKey::kCreatePartitions, 1, shrink)
          .value();
  EXPECT_EQ(response.results[0].error_code, ErrorCode::kInvalidPartitions);
  EXPECT_NE(response.results[0].error_message->find("never removed"),
            std::string::npos);
  EXPECT_EQ(response.results[1].error_code,
            ErrorCode::kUnknownTopicOrPartition);
}

// Rule: the KRaft metadata log (Chapter 5's __cluster_metadata-0) shares the
// data directory but is not the LogManager's: a restart neither opens it as
// a partition nor takes it for a stray one to delete.
TEST_F(BrokerTest, TheMetadataLogIsNotAPartition) {
  const std::string file = "data/__cluster_metadata-0/00000000000000000000.log";
  CreateDirectoriesDurably(sim_.disk(kBroker), "data/__cluster_metadata-0");
  WriteFileAtomically(sim_.disk(kBroker), file, ToBytes("raft's"));
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  EXPECT_EQ(sim_.node<Broker>(kBroker).logs().GetLog({"__cluster_metadata", 0}),
            nullptr);
  EXPECT_EQ(AsString(ReadWholeFile(sim_.disk(kBroker), file)), "raft's");
}

// Rule: a restarted broker finds its topics and every acknowledged record,
// after a process crash (the page cache survives).
TEST_F(BrokerTest, ProcessCrashKeepsAcknowledgedRecords) {
  Metadata({"orders"});
  for (int i = 0; i < 5; ++i)
    Produce("orders", 0, Batch({"r" + std::to_string(i)}));
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  EXPECT_EQ(ValuesIn(Fetch("orders", 0, 0).records),
            (std::vector<std::string>{"r0", "r1", "r2", "r3", "r4"}));
}

// Segments of one small batch each (segment.bytes fits one, not two), and
// retention.bytes that keeps the last one or two, checked every 100 ms.
class RetentionTest : public BrokerTest {
 protected:
  RetentionTest()
      : BrokerTest(
            BrokerConfig{.log = {.segment_bytes = 100, .retention_bytes = 100},
                         .log_retention_check_interval_ms = 100}) {}
};

// Rule: a fetch reports the partition's offsets: the high watermark and the
// last stable offset are the log end offset (one replica, no transactions),
// and the log start offset is where retention left the log.
TEST_F(RetentionTest, FetchReportsThePartitionsOffsets) {
  Metadata({"orders"});
  for (int i = 0; i < 3; ++i) {
    Bytes batch = Batch({"r" + std::to_string(i)});
    ASSERT_GT(batch.size(), 50u);
    ASSERT_EQ(Produce("orders", 0, batch).error_code, ErrorCode::kNone);
  }
  sim_.RunFor(300);
  const int64_t log_start = sim_.node<Broker>(kBroker)
                                .logs()
                                .GetLog({"orders", 0})
                                ->log_start_offset();
  ASSERT_GT(log_start, 0) << "retention deleted the oldest segments";
  FetchResponse::Partition fetched = Fetch("orders", 0, log_start);
  EXPECT_EQ(fetched.error_code, ErrorCode::kNone);
  EXPECT_EQ(fetched.high_watermark, 3);
  EXPECT_EQ(fetched.last_stable_offset, 3);
  EXPECT_EQ(fetched.log_start_offset, log_start);
  EXPECT_FALSE(ValuesIn(fetched.records).empty());
}

class FlushEveryMessageTest : public BrokerTest {
 protected:
  FlushEveryMessageTest()
      : BrokerTest(BrokerConfig{.log = {.flush_messages = 1}}) {}
};

// Rule: with flush.messages=1 every acknowledged record is on disk before the
// answer, so even a power failure keeps it.
TEST_F(FlushEveryMessageTest, PowerFailureKeepsAcknowledgedRecords) {
  Metadata({"orders"});
  for (int i = 0; i < 5; ++i)
    Produce("orders", 0, Batch({"r" + std::to_string(i)}));
  sim_.Crash(kBroker, Simulation::CrashKind::kPowerFailure);
  sim_.Restart(kBroker);
  EXPECT_EQ(Fetch("orders", 0, 0).high_watermark, 5);
}

// Rule: with Kafka's defaults (no fsync per write), a power failure on a
// single broker can lose acknowledged records: durability comes from
// replication (Chapter 4), not from one disk.
TEST_F(BrokerTest, PowerFailureCanLoseAcknowledgedRecordsWithoutReplication) {
  Metadata({"orders"});
  for (int i = 0; i < 5; ++i)
    Produce("orders", 0, Batch({"r" + std::to_string(i)}));
  sim_.disk(kBroker)
      .CrashLosingUnsynced();  // the worst case of a power failure
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  EXPECT_EQ(Fetch("orders", 0, 0).high_watermark, 0);
}

}  // namespace
}  // namespace kafka
