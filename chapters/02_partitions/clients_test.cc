// Our producer and consumer against the broker, in the simulator.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "chapters/01_log/record_batch.h"
#include "chapters/02_partitions/broker.h"
#include "chapters/02_partitions/consumer.h"
#include "chapters/02_partitions/partitioner.h"
#include "chapters/02_partitions/producer.h"
#include "lib/compression/compression.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/list_offsets.h"
#include "lib/protocol/message.h"
#include "lib/protocol/metadata.h"
#include "lib/protocol/produce.h"
#include "lib/sim/cluster.h"
#include "lib/sim/simulation.h"
#include "lib/storage/storage.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
constexpr int32_t kPartitions = 3;

// The broker advertises the address the simulator gives it, so that the
// clients reach it where Metadata says it listens.
BrokerConfig TestBrokerConfig(const HostPort& address) {
  return BrokerConfig{.advertised_host = address.host,
                      .advertised_port = address.port,
                      .data_dir = "data",
                      .num_partitions = kPartitions};
}

class ClientsTest : public ::testing::Test {
 protected:
  ClientsTest()
      : ClientsTest([](NodeId, const HostPort& address) {
          return std::make_unique<Broker>(TestBrokerConfig(address));
        }) {}
  explicit ClientsTest(SimCluster::BrokerFactory make_broker)
      : ClientsTest(/*brokers=*/1, std::move(make_broker)) {}
  ClientsTest(int brokers, SimCluster::BrokerFactory make_broker)
      : cluster_(7, brokers, std::move(make_broker)) {}

  // Not idempotent unless asked: Chapter 2's broker has no InitProducerId.
  Producer& AddProducer(ProducerConfig config = {}) {
    config.bootstrap_servers = cluster_.bootstrap_servers();
    config.enable_idempotence = config.enable_idempotence.value_or(false);
    NodeId id = cluster_.AddClient<Producer>([config](Environment& env) {
      return std::make_unique<Producer>(env, config);
    });
    return cluster_.client<Producer>(id);
  }

  Consumer& AddConsumer(ConsumerConfig config) {
    config.bootstrap_servers = cluster_.bootstrap_servers();
    NodeId id = cluster_.AddClient<Consumer>([this, config](Environment& env) {
      return std::make_unique<Consumer>(
          env, config,
          [this](std::vector<ConsumerRecord> records) {
            for (auto& r : records) consumed_.push_back(std::move(r));
          },
          [this](const TopicPartition& partition, const Error& error) {
            errors_.emplace_back(partition, error);
          });
    });
    return cluster_.client<Consumer>(id);
  }

  // Produces `count` keyed records and waits for every acknowledgement.
  std::vector<RecordMetadata> ProduceKeyed(Producer& producer, int count,
                                           int first = 0) {
    std::vector<RecordMetadata> acked;
    for (int i = first; i < first + count; ++i) {
      producer.Send(
          "orders", ToBytes("key" + std::to_string(i % 7)),
          ToBytes("v" + std::to_string(i)),
          [&](Result<RecordMetadata> m) { acked.push_back(m.value()); });
    }
    sim_.RunUntil([&] { return int(acked.size()) == count; }, 60'000);
    return acked;
  }

  int ProduceRequestsSent() const {
    int sent = 0;
    for (const TraceEvent& e : sim_.trace()) {
      sent += e.kind == TraceEvent::Kind::kSend && !e.message.is_response &&
              e.message.api_key == int16_t(ApiKey::kProduce);
    }
    return sent;
  }

  int FetchRequestsSent() const {
    int sent = 0;
    for (const TraceEvent& e : sim_.trace()) {
      sent += e.kind == TraceEvent::Kind::kSend && !e.message.is_response &&
              e.message.api_key == int16_t(ApiKey::kFetch);
    }
    return sent;
  }

  SimCluster cluster_;
  Simulation& sim_ = cluster_.sim();
  std::vector<ConsumerRecord> consumed_;
  std::vector<std::pair<TopicPartition, Error>> errors_;
};

// Rule: the producer acknowledges every record with its offset; offsets are
// dense per partition, and each key lands where Java's partitioner puts it.
TEST_F(ClientsTest, ProducerAcknowledgesEveryRecord) {
  Producer& producer = AddProducer();
  std::vector<RecordMetadata> acked = ProduceKeyed(producer, 100);
  ASSERT_EQ(acked.size(), 100u);
  std::map<int32_t, std::vector<int64_t>> offsets;
  for (const RecordMetadata& m : acked)
    offsets[m.partition.partition].push_back(m.offset);
  for (auto& [partition, list] : offsets) {
    std::sort(list.begin(), list.end());
    for (size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i], int64_t(i));
  }
  // Each key lands where Java's partitioner puts it.
  std::map<std::string, int32_t> partition_of_key;
  producer.Send("orders", ToBytes("key3"), ToBytes("again"),
                [&](Result<RecordMetadata> m) {
                  partition_of_key["key3"] = m->partition.partition;
                });
  producer.Flush();
  sim_.RunUntil([&] { return !partition_of_key.empty(); }, 10'000);
  EXPECT_EQ(partition_of_key["key3"],
            ToPositive(Murmur2(AsBytes("key3"))) % kPartitions);
}

// Rule: records sent together travel in batches: far fewer Produce requests
// than records (batch.size, linger.ms).
TEST_F(ClientsTest, ProducerBatches) {
  Producer& producer = AddProducer({.linger_ms = 10});
  ProduceKeyed(producer, 300);
  EXPECT_LT(ProduceRequestsSent(), 10);
}

// Rule: a full batch is sent at once; a batch that is not full waits for
// linger.ms, or a Flush.
TEST_F(ClientsTest, FullBatchesGoAtOnceOthersWaitForLinger) {
  Producer& producer = AddProducer({.batch_size = 200, .linger_ms = 60'000});
  int acked = 0;
  for (int i = 0; i < 50; ++i) {
    producer.Send("orders", ToBytes("key" + std::to_string(i % 7)),
                  ToBytes("v" + std::to_string(i)),
                  [&](Result<RecordMetadata> m) { acked += m.ok(); });
  }
  sim_.RunFor(1000);
  EXPECT_GT(acked, 0) << "full batches went out";
  EXPECT_LT(acked, 50) << "the rest waits for linger.ms";
  producer.Flush();
  sim_.RunFor(1000);
  EXPECT_EQ(acked, 50);
}

// Rule: with acks=0 nothing is awaited: offsets are unknown (-1), yet the
// records arrive.
TEST_F(ClientsTest, AcksZero) {
  Producer& producer = AddProducer({.acks = 0});
  std::vector<RecordMetadata> acked = ProduceKeyed(producer, 10);
  for (const RecordMetadata& m : acked) EXPECT_EQ(m.offset, -1);
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}, {"orders", 1}, {"orders", 2}});
  sim_.RunUntil([&] { return consumed_.size() == 10; }, 10'000);
  EXPECT_EQ(consumed_.size(), 10u);
}

// Rule: a consumer with auto.offset.reset=earliest reads everything, in
// offset order within each partition.
TEST_F(ClientsTest, ConsumerFromEarliest) {
  Producer& producer = AddProducer();
  ProduceKeyed(producer, 60);
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}, {"orders", 1}, {"orders", 2}});
  sim_.RunUntil([&] { return consumed_.size() == 60; }, 10'000);
  ASSERT_EQ(consumed_.size(), 60u);
  std::map<int32_t, int64_t> next;
  for (const ConsumerRecord& r : consumed_) {
    EXPECT_EQ(r.offset, next[r.partition.partition]++);
  }
}

// Rule: with compression.type set, the producer compresses each batch with
// that codec; the broker stores the batches as sent, and the consumer
// decompresses them to the records produced.
TEST_F(ClientsTest, CompressedBatchesRoundTrip) {
  int first = 0;
  for (CompressionType codec :
       {CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4,
        CompressionType::kZstd}) {
    ProduceKeyed(AddProducer({.compression_type = codec}), 20, first);
    first += 20;
  }
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}, {"orders", 1}, {"orders", 2}});
  sim_.RunUntil([&] { return consumed_.size() == 80; }, 10'000);
  std::set<std::string> values;
  for (const ConsumerRecord& r : consumed_) values.insert(AsString(*r.value));
  ASSERT_EQ(values.size(), 80u);
  EXPECT_TRUE(values.contains("v0") && values.contains("v79"));

  std::set<int> codecs_on_disk;
  for (int partition = 0; partition < kPartitions; ++partition) {
    Bytes log = ReadWholeFile(sim_.disk(kBroker),
                              "data/orders-" + std::to_string(partition) +
                                  "/00000000000000000000.log");
    for (const BatchSlice& slice : SplitAndValidateBatches(log).value()) {
      codecs_on_disk.insert(slice.header.compression_codec());
    }
  }
  EXPECT_EQ(codecs_on_disk, (std::set<int>{1, 2, 3, 4}));
}

// Rule: with the default auto.offset.reset=latest a new consumer sees only
// records produced after it started (KAFKA_RULES §2 scenario 7).
TEST_F(ClientsTest, ConsumerFromLatestMissesEarlierRecords) {
  Producer& producer = AddProducer();
  ProduceKeyed(producer, 30);
  Consumer& consumer = AddConsumer({});
  consumer.Assign({{"orders", 0}, {"orders", 1}, {"orders", 2}});
  sim_.RunFor(1000);
  EXPECT_TRUE(consumed_.empty());
  ProduceKeyed(producer, 5, 100);
  sim_.RunUntil([&] { return consumed_.size() == 5; }, 10'000);
  ASSERT_EQ(consumed_.size(), 5u);
  EXPECT_EQ(AsString(*consumed_[0].value).substr(0, 2), "v1");
}

// Rule: a seek sets the position; a fetch that returns a whole batch
// starting earlier does not hand back records before the position.
TEST_F(ClientsTest, SeekSkipsRecordsBeforeThePosition) {
  Producer& producer = AddProducer({.linger_ms = 50});
  ProduceKeyed(producer, 40);
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Seek({"orders", 0}, 3);
  consumer.Assign({{"orders", 0}});
  sim_.RunFor(2000);
  ASSERT_FALSE(consumed_.empty());
  EXPECT_EQ(consumed_.front().offset, 3);
}

// Rule: a position beyond the log (OFFSET_OUT_OF_RANGE) is reset by
// auto.offset.reset.
TEST_F(ClientsTest, OutOfRangePositionIsReset) {
  Producer& producer = AddProducer();
  ProduceKeyed(producer, 21);
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}});
  consumer.Seek({"orders", 0}, 1000);
  sim_.RunFor(2000);
  ASSERT_FALSE(consumed_.empty());
  EXPECT_EQ(consumed_.front().offset, 0);
}

// Rule: a broker restart (process crash) interrupts neither client for good:
// they retry, and no acknowledged record is lost.
TEST_F(ClientsTest, ClientsRideOutABrokerRestart) {
  Producer& producer = AddProducer();
  ProduceKeyed(producer, 20);
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}, {"orders", 1}, {"orders", 2}});
  sim_.RunFor(200);
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.RunFor(200);
  sim_.Restart(kBroker);
  ProduceKeyed(producer, 20, 20);
  sim_.RunUntil([&] { return consumed_.size() == 40; }, 30'000);
  EXPECT_EQ(consumed_.size(), 40u);
}

// A broker that cuts the last of several fetched batches short, as a Kafka
// broker does: it sends the log's bytes up to the fetch's byte limit, which
// may end inside a batch.
class CuttingBroker : public Broker {
 public:
  explicit CuttingBroker(const HostPort& address)
      : Broker(TestBrokerConfig(address)) {}

  Status OnRequest(const Request& request, Responder respond) override {
    if (request.header.api_key != int16_t(ApiKey::kFetch)) {
      return Broker::OnRequest(request, std::move(respond));
    }
    const int16_t version = request.header.api_version;
    return Broker::OnRequest(
        request, [respond, version](std::optional<Bytes> body) {
          FetchResponse response =
              DecodeMessage<FetchResponse>(*body, ApiKey::kFetch, version, 0,
                                           "FetchResponse")
                  .value();
          for (auto& topic : response.responses) {
            for (auto& partition : topic.partitions)
              CutLastBatch(*partition.records);
          }
          respond(EncodeMessage(response, ApiKey::kFetch, version));
        });
  }

 private:
  static void CutLastBatch(Bytes& records) {
    if (records.empty()) return;
    const size_t first = DecodeBatchHeader(records)->SizeInBytes();
    if (first < records.size()) records.resize(records.size() - 10);
  }
};

class CutFetchTest : public ClientsTest {
 protected:
  CutFetchTest()
      : ClientsTest([](NodeId, const HostPort& address) {
          return std::make_unique<CuttingBroker>(address);
        }) {}
};

// Rule: a fetched batch cut short at the end is normal: the consumer takes
// the whole batches before it and reads the cut one with its next fetch.
TEST_F(CutFetchTest, ConsumerSkipsAPartialLastBatch) {
  Producer& producer = AddProducer();
  for (int round = 0; round < 3; ++round) ProduceKeyed(producer, 9, round * 9);
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}, {"orders", 1}, {"orders", 2}});
  sim_.RunUntil([&] { return consumed_.size() == 27; }, 10'000);
  EXPECT_EQ(consumed_.size(), 27u);
  EXPECT_TRUE(errors_.empty());
  std::map<int32_t, int64_t> next;
  for (const ConsumerRecord& r : consumed_) {
    EXPECT_EQ(r.offset, next[r.partition.partition]++);
  }
}

// Rule: a corrupt batch (here bit rot on the broker's disk: a CRC mismatch)
// is an error the application sees, CORRUPT_MESSAGE, after the records before
// it; the partition stops there, without refetching, until the application
// seeks past the batch.
TEST_F(ClientsTest, CorruptBatchIsAnErrorUntilASeekPastIt) {
  Producer& producer = AddProducer();
  for (int round = 0; round < 3; ++round) ProduceKeyed(producer, 9, round * 9);
  const std::string log = "data/orders-0/00000000000000000000.log";
  Bytes file = ReadWholeFile(sim_.disk(kBroker), log);
  const RecordBatchHeader first = DecodeBatchHeader(file).value();
  const RecordBatchHeader second =
      DecodeBatchHeader(ByteView(file).subspan(first.SizeInBytes())).value();
  sim_.disk(kBroker).FlipByte(log, first.SizeInBytes() + kBatchHeaderSize + 2);

  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}});
  sim_.RunUntil([&] { return !errors_.empty(); }, 10'000);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].first, (TopicPartition{"orders", 0}));
  EXPECT_EQ(errors_[0].second.code, ErrorCode::kCorruptMessage);
  ASSERT_EQ(int64_t(consumed_.size()), first.records_count)
      << "the records before the corrupt batch";
  EXPECT_EQ(consumer.Position({"orders", 0}), second.base_offset);

  const int fetches = FetchRequestsSent();
  sim_.RunFor(5000);
  EXPECT_EQ(FetchRequestsSent(), fetches) << "stopped, not refetching";
  EXPECT_EQ(errors_.size(), 1u);

  consumer.Seek({"orders", 0}, second.NextOffset());
  const size_t before = consumed_.size();
  sim_.RunUntil([&] { return consumed_.size() > before; }, 10'000);
  ASSERT_GT(consumed_.size(), before);
  EXPECT_EQ(consumed_[before].offset, second.NextOffset())
      << "reading goes on after the corrupt batch";
}

// Where two fake brokers say the leaders of "orders" are: the tests move a
// leader by changing it. Shared by both brokers, as a cluster's metadata is.
struct FakeLeadership {
  std::map<int32_t, NodeId> leaders;  ///< by partition
  /// What a broker answers for a partition it does not lead.
  ErrorCode refusal = ErrorCode::kNotLeaderOrFollower;
  std::map<NodeId, int> produced;  ///< records appended, by broker
  std::map<NodeId, int> list_offsets_received;
  int64_t list_offsets_delay_ms = 0;  ///< how long ListOffsets takes
};

// A broker that only knows what FakeLeadership says: Metadata names both
// brokers and the leaders, Produce and ListOffsets succeed on the leader and
// get `refusal` elsewhere, and Fetch answers empty after its wait.
class FakeBroker : public Node {
 public:
  FakeBroker(NodeId id, FakeLeadership& leadership)
      : id_(id), leadership_(leadership) {}
  void Start(Environment& env) override { env_ = &env; }
  ApiSet ServedApis() const override {
    static constexpr ApiKey kServed[] = {ApiKey::kMetadata, ApiKey::kProduce,
                                         ApiKey::kListOffsets, ApiKey::kFetch};
    return kServed;
  }
  Status OnRequest(const Request& request, Responder respond) override {
    const int16_t version = request.header.api_version;
    switch (ApiKey(request.header.api_key)) {
      case ApiKey::kMetadata:
        respond(EncodeMessage(Metadata(), ApiKey::kMetadata, version));
        return Status();
      case ApiKey::kProduce: {
        auto produce = DecodeMessage<ProduceRequest>(
            request.body, ApiKey::kProduce, version, 0, "ProduceRequest");
        if (!produce.ok()) return produce.status();
        respond(EncodeMessage(Produce(*produce), ApiKey::kProduce, version));
        return Status();
      }
      case ApiKey::kListOffsets: {
        auto list = DecodeMessage<ListOffsetsRequest>(
            request.body, ApiKey::kListOffsets, version, 0, "ListOffsets");
        if (!list.ok()) return list.status();
        Bytes answer =
            EncodeMessage(ListOffsets(*list), ApiKey::kListOffsets, version);
        env_->StartTimer(leadership_.list_offsets_delay_ms,
                         [respond, answer] { respond(answer); });
        return Status();
      }
      case ApiKey::kFetch: {
        auto fetch = DecodeMessage<FetchRequest>(request.body, ApiKey::kFetch,
                                                 version, 0, "FetchRequest");
        if (!fetch.ok()) return fetch.status();
        env_->StartTimer(fetch->max_wait_ms, [respond, version] {
          respond(EncodeMessage(FetchResponse{}, ApiKey::kFetch, version));
        });
        return Status();
      }
      default:
        return Error{ErrorCode::kInvalidRequest, "not served"};
    }
  }

 private:
  MetadataResponse Metadata() const {
    MetadataResponse response;
    for (NodeId broker : {1, 2}) {
      const HostPort address = Simulation::DefaultAddress(broker);
      response.brokers.push_back({broker, address.host, address.port, {}});
    }
    MetadataResponse::Topic topic{.name = "orders"};
    for (const auto& [partition, leader] : leadership_.leaders) {
      topic.partitions.push_back({.partition_index = partition,
                                  .leader_id = leader,
                                  .replica_nodes = {leader},
                                  .isr_nodes = {leader}});
    }
    response.topics.push_back(topic);
    return response;
  }

  bool Leads(int32_t partition) const {
    return leadership_.leaders.at(partition) == id_;
  }

  ProduceResponse Produce(const ProduceRequest& request) {
    ProduceResponse response;
    for (const auto& topic : request.topic_data) {
      response.responses.push_back({topic.name, {}});
      for (const auto& data : topic.partition_data) {
        ProduceResponse::PartitionResponse answer{.index = data.index};
        if (Leads(data.index)) {
          answer.base_offset = leadership_.produced[id_];
          leadership_.produced[id_] +=
              DecodeBatchHeader(*data.records)->records_count;
        } else {
          answer.error_code = leadership_.refusal;
        }
        response.responses.back().partition_responses.push_back(answer);
      }
    }
    return response;
  }

  // The earliest offset of a partition here is its leader's id times ten,
  // so a test sees which broker answered.
  ListOffsetsResponse ListOffsets(const ListOffsetsRequest& request) {
    ++leadership_.list_offsets_received[id_];
    ListOffsetsResponse response;
    for (const auto& topic : request.topics) {
      response.topics.push_back({topic.name, {}});
      for (const auto& p : topic.partitions) {
        ListOffsetsResponse::Partition answer{.partition_index =
                                                  p.partition_index};
        if (Leads(p.partition_index)) {
          answer.offset = id_ * 10;
        } else {
          answer.error_code = leadership_.refusal;
        }
        response.topics.back().partitions.push_back(answer);
      }
    }
    return response;
  }

  NodeId id_;
  FakeLeadership& leadership_;
  Environment* env_ = nullptr;
};

class LeaderMovesTest : public ClientsTest {
 protected:
  LeaderMovesTest()
      : ClientsTest(/*brokers=*/2, [this](NodeId id, const HostPort&) {
          return std::make_unique<FakeBroker>(id, leadership_);
        }) {}

  // Sends one record; returns its outcome once reported.
  Result<RecordMetadata> SendOne(Producer& producer) {
    std::optional<Result<RecordMetadata>> outcome;
    producer.Send("orders", ToBytes("k"), ToBytes("v"),
                  [&](Result<RecordMetadata> m) { outcome = std::move(m); });
    sim_.RunUntil([&] { return outcome.has_value(); }, 60'000);
    return outcome.value();
  }

  // The brokers, made in the base's constructor, keep a reference to it and
  // first use it when a request comes.
  FakeLeadership leadership_{.leaders = {{0, 1}}};
};

// Rule: NOT_LEADER_OR_FOLLOWER and UNKNOWN_TOPIC_OR_PARTITION say the
// producer's metadata is stale: it asks for Metadata again and retries the
// batch at the leader it names now.
TEST_F(LeaderMovesTest, ProducerFollowsTheLeaderAfterARefusal) {
  for (ErrorCode refusal :
       {ErrorCode::kNotLeaderOrFollower, ErrorCode::kUnknownTopicOrPartition}) {
    leadership_.refusal = refusal;
    leadership_.leaders[0] = 1;
    Producer& producer = AddProducer();
    ASSERT_TRUE(SendOne(producer).ok());
    leadership_.leaders[0] = 2;  // broker 1 refuses from now on
    const int before = leadership_.produced[2];
    Result<RecordMetadata> moved = SendOne(producer);
    ASSERT_TRUE(moved.ok()) << refusal << ": " << moved.error();
    EXPECT_EQ(moved->offset, before) << refusal;
    EXPECT_EQ(leadership_.produced[2], before + 1) << refusal;
  }
}

// Rule: a connection error (the leader crashed) makes the producer ask for
// Metadata too, from the next bootstrap server when the first is down, and
// the retry reaches the new leader.
TEST_F(LeaderMovesTest, ProducerFollowsTheLeaderAfterItCrashes) {
  Producer& producer = AddProducer();
  ASSERT_TRUE(SendOne(producer).ok());
  sim_.Crash(1);
  leadership_.leaders[0] = 2;
  Result<RecordMetadata> moved = SendOne(producer);
  ASSERT_TRUE(moved.ok()) << moved.error();
  EXPECT_EQ(leadership_.produced[2], 1);
}

// Rule: the consumer asks each partition's leader for its offsets
// (ListOffsets), not one broker for all.
TEST_F(LeaderMovesTest, ConsumerAsksEachLeaderForOffsets) {
  leadership_.leaders = {{0, 1}, {1, 2}};
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}, {"orders", 1}});
  sim_.RunFor(1'000);
  EXPECT_EQ(consumer.Position({"orders", 0}), 10);
  EXPECT_EQ(consumer.Position({"orders", 1}), 20);
  EXPECT_EQ(leadership_.list_offsets_received[1], 1);
  EXPECT_EQ(leadership_.list_offsets_received[2], 1);
}

// Rule: a partition assigned while a ListOffsets to its leader is in flight
// gets its offset too: once the answer is in, the consumer asks again for
// the partitions still without a position.
TEST_F(LeaderMovesTest, PartitionAssignedDuringAListOffsetsGetsAPosition) {
  leadership_.leaders = {{0, 1}, {1, 1}};
  leadership_.list_offsets_delay_ms = 100;
  Consumer& consumer = AddConsumer({.auto_offset_reset = "earliest"});
  consumer.Assign({{"orders", 0}});
  sim_.RunUntil([&] { return leadership_.list_offsets_received[1] == 1; },
                1'000);
  consumer.Assign({{"orders", 0}, {"orders", 1}});
  sim_.RunFor(1'000);
  EXPECT_EQ(consumer.Position({"orders", 0}), 10);
  EXPECT_EQ(consumer.Position({"orders", 1}), 10);
}

}  // namespace
}  // namespace kafka
