// The admin APIs over the wire, on one broker in the simulator: configs,
// topic deletion (and what a crash in the middle of one leaves), the
// cluster.
#include "chapters/02_partitions/admin_apis.h"

#include <gtest/gtest.h>

#include "chapters/01_log/record_batch.h"
#include "chapters/02_partitions/broker.h"
#include "chapters/02_partitions/sim_brokers.h"
#include "lib/protocol/admin.h"
#include "lib/protocol/message.h"
#include "lib/sim/cluster.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
constexpr NodeId kClient = Simulation::kFirstClientId;
constexpr int8_t kSet = 0;
constexpr int8_t kDelete = 1;
constexpr int8_t kAppend = 2;

// server.properties changed log.segment.bytes (a STATIC_BROKER_CONFIG) and
// nothing else of the topic configs' defaults.
BrokerConfig TestBrokerConfig() {
  BrokerConfig config;
  config.log.segment_bytes = 1 << 20;
  return config;
}

class AdminApisTest : public ::testing::Test {
 protected:
  AdminApisTest() : cluster_(7, 1, SimulatedBrokers(TestBrokerConfig())) {
    EXPECT_EQ(cluster_.AddIdleClient(), kClient);
  }

  template <typename Response, typename Request>
  Response Call(ApiKey api, int16_t version, const Request& request) {
    return cluster_.Call<Response>(kClient, kBroker, api, version, request)
        .value();
  }

  void CreateTopic(const std::string& topic,
                   std::vector<CreateTopicsRequest::Config> configs = {}) {
    CreateTopicsRequest request;
    request.topics = {{topic, 1, 1, {}, std::move(configs)}};
    ASSERT_EQ(Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, request)
                  .topics[0]
                  .error_code,
              ErrorCode::kNone);
  }

  DescribeConfigsResponse::Result Describe(
      int8_t type, const std::string& name, int16_t version = 4,
      std::optional<std::vector<std::string>> keys = std::nullopt) {
    DescribeConfigsRequest request;
    request.resources = {{type, name, std::move(keys)}};
    request.include_synonyms = true;
    request.include_documentation = true;
    return Call<DescribeConfigsResponse>(ApiKey::kDescribeConfigs, version,
                                         request)
        .results.at(0);
  }

  // The one config named `name` in a topic's description.
  DescribeConfigsResponse::Config TopicConfig(const std::string& topic,
                                              const std::string& name,
                                              int16_t version = 4) {
    auto result = Describe(kTopicResource, topic, version, {{name}});
    EXPECT_EQ(result.error_code, ErrorCode::kNone)
        << result.error_message.value_or("");
    EXPECT_EQ(result.configs.size(), 1u);
    return result.configs.empty() ? DescribeConfigsResponse::Config{}
                                  : result.configs[0];
  }

  IncrementalAlterConfigsResponse::Response Alter(
      int8_t type, const std::string& name,
      std::vector<IncrementalAlterConfigsRequest::Config> configs,
      bool validate_only = false, int16_t version = 1) {
    IncrementalAlterConfigsRequest request;
    request.resources = {{type, name, std::move(configs)}};
    request.validate_only = validate_only;
    return Call<IncrementalAlterConfigsResponse>(
               ApiKey::kIncrementalAlterConfigs, version, request)
        .responses.at(0);
  }

  DeleteTopicsResponse DeleteTopics(std::vector<std::string> names,
                                    int16_t version = 4) {
    DeleteTopicsRequest request;
    request.topic_names = std::move(names);
    return Call<DeleteTopicsResponse>(ApiKey::kDeleteTopics, version, request);
  }

  // Every topic the broker has (Metadata for all topics creates none).
  std::vector<std::string> AllTopics() {
    MetadataRequest request;
    request.topics = std::nullopt;
    std::vector<std::string> names;
    for (const auto& topic :
         Call<MetadataResponse>(ApiKey::kMetadata, 4, request).topics) {
      names.push_back(*topic.name);
    }
    return names;
  }

  ProduceResponse::PartitionResponse Produce(const std::string& topic) {
    ProduceRequest request;
    request.acks = 1;
    request.topic_data = {
        {topic,
         {{0, EncodeRecordBatch(MakeBatch({{.timestamp = 1000,
                                            .key = ToBytes("k"),
                                            .value = ToBytes("v")}}))}}}};
    return Call<ProduceResponse>(ApiKey::kProduce, 7, request)
        .responses[0]
        .partition_responses[0];
  }

  size_t Segments(const std::string& topic) {
    return sim_.node<Broker>(kBroker)
        .logs()
        .GetLog({topic, 0})
        ->segments()
        .size();
  }

  SimCluster cluster_;
  Simulation& sim_ = cluster_.sim();
};

// Rule: DescribeConfigs lists every topic config, each with its value and
// where it comes from: set for the topic (DYNAMIC_TOPIC_CONFIG), the
// broker's server.properties (STATIC_BROKER_CONFIG), or Kafka's default
// (DEFAULT_CONFIG); v0 says only whether it is the default. v1+ give
// synonyms, the one in force first; v3+ the type and documentation.
TEST_F(AdminApisTest, DescribeConfigsOfATopicAtEveryVersion) {
  CreateTopic("orders", {{"retention.ms", "1000"}});
  for (int16_t version = 0; version <= 4; ++version) {
    auto all = Describe(kTopicResource, "orders", version);
    EXPECT_EQ(all.error_code, ErrorCode::kNone);
    EXPECT_EQ(all.configs.size(), TopicConfigDefinitions().size());

    auto retention = TopicConfig("orders", "retention.ms", version);
    EXPECT_EQ(retention.value, "1000");
    EXPECT_FALSE(retention.read_only);
    EXPECT_FALSE(retention.is_sensitive);
    auto segment = TopicConfig("orders", "segment.bytes", version);
    EXPECT_EQ(segment.value, "1048576");
    auto flush = TopicConfig("orders", "flush.ms", version);
    if (version == 0) {
      EXPECT_FALSE(retention.is_default);
      EXPECT_FALSE(segment.is_default);
      EXPECT_TRUE(flush.is_default);
      continue;
    }
    EXPECT_EQ(retention.config_source, kDynamicTopicConfig) << version;
    EXPECT_EQ(segment.config_source, kStaticBrokerConfig) << version;
    EXPECT_EQ(flush.config_source, kDefaultConfig) << version;
    ASSERT_EQ(retention.synonyms.size(), 2u);
    EXPECT_EQ(retention.synonyms[0].name, "retention.ms");
    EXPECT_EQ(retention.synonyms[1].name, "log.retention.ms");
    EXPECT_EQ(retention.synonyms[1].value, "604800000");
    EXPECT_EQ(retention.synonyms[1].source, kDefaultConfig);
    ASSERT_EQ(segment.synonyms.size(), 2u);
    EXPECT_EQ(segment.synonyms[0].name, "log.segment.bytes");
    EXPECT_EQ(segment.synonyms[0].source, kStaticBrokerConfig);
    EXPECT_EQ(segment.synonyms[1].value, "1073741824");
    if (version < 3) {
      EXPECT_EQ(retention.documentation, std::nullopt);
      continue;
    }
    EXPECT_EQ(retention.config_type, 5) << "LONG";
    EXPECT_EQ(segment.config_type, 3) << "INT";
    EXPECT_EQ(TopicConfig("orders", "compression.type", version).config_type, 2)
        << "STRING";
    EXPECT_NE(retention.documentation, std::nullopt);
  }
}

// Rule: unclean.leader.election.enable is a topic config of type BOOLEAN,
// false by default (KIP-106), its synonym the broker setting of the same
// name; CreateTopics and IncrementalAlterConfigs take true or false, in any
// case, and nothing else.
TEST_F(AdminApisTest, UncleanLeaderElectionEnableIsABooleanTopicConfig) {
  CreateTopic("orders", {{"unclean.leader.election.enable", "TRUE"}});
  auto set = TopicConfig("orders", "unclean.leader.election.enable");
  EXPECT_EQ(set.value, "TRUE");
  EXPECT_EQ(set.config_source, kDynamicTopicConfig);
  EXPECT_EQ(set.config_type, 1) << "BOOLEAN";
  ASSERT_EQ(set.synonyms.size(), 2u);
  EXPECT_EQ(set.synonyms[1].name, "unclean.leader.election.enable");
  EXPECT_EQ(set.synonyms[1].value, "false");
  EXPECT_EQ(set.synonyms[1].source, kDefaultConfig);
  EXPECT_EQ(Alter(kTopicResource, "orders",
                  {{"unclean.leader.election.enable", kSet, "yes"}})
                .error_code,
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(Alter(kTopicResource, "orders",
                  {{"unclean.leader.election.enable", kDelete, std::nullopt}})
                .error_code,
            ErrorCode::kNone);
  auto unset = TopicConfig("orders", "unclean.leader.election.enable");
  EXPECT_EQ(unset.value, "false");
  EXPECT_EQ(unset.config_source, kDefaultConfig);
}

// Rule: without include_synonyms there are no synonyms, and without
// include_documentation no documentation.
TEST_F(AdminApisTest, SynonymsAndDocumentationOnlyWhenAsked) {
  CreateTopic("orders");
  DescribeConfigsRequest request;
  request.resources = {{kTopicResource, "orders", {{"retention.ms"}}}};
  auto config =
      Call<DescribeConfigsResponse>(ApiKey::kDescribeConfigs, 4, request)
          .results[0]
          .configs.at(0);
  EXPECT_TRUE(config.synonyms.empty());
  EXPECT_EQ(config.documentation, std::nullopt);
}

// Rule: a topic that does not exist is UNKNOWN_TOPIC_OR_PARTITION, a name
// that cannot be a topic's INVALID_TOPIC_EXCEPTION, per resource.
TEST_F(AdminApisTest, DescribeConfigsOfMissingTopics) {
  EXPECT_EQ(Describe(kTopicResource, "missing").error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(Describe(kTopicResource, "a/b").error_code,
            ErrorCode::kInvalidTopicException);
  EXPECT_TRUE(AllTopics().empty()) << "describing creates no topic";
}

// Rule: the broker's own settings are read-only, from server.properties
// (STATIC_BROKER_CONFIG) or Kafka's defaults; another broker id, or one that
// is not a number, is INVALID_REQUEST; "" (the cluster-wide dynamic
// defaults) has none; an unknown resource type is INVALID_REQUEST.
TEST_F(AdminApisTest, DescribeConfigsOfTheBroker) {
  auto broker = Describe(kBrokerResource, "1");
  ASSERT_EQ(broker.error_code, ErrorCode::kNone);
  std::map<std::string, DescribeConfigsResponse::Config> by_name;
  for (const auto& config : broker.configs) by_name[config.name] = config;
  for (const auto& [name, config] : by_name) {
    EXPECT_TRUE(config.read_only) << name;
  }
  EXPECT_EQ(by_name.at("log.segment.bytes").value, "1048576");
  EXPECT_EQ(by_name.at("log.segment.bytes").config_source, kStaticBrokerConfig);
  EXPECT_EQ(by_name.at("num.partitions").config_source, kDefaultConfig);
  EXPECT_EQ(by_name.at("node.id").value, "1");
  EXPECT_EQ(by_name.at("log.dirs").value, "data");

  EXPECT_EQ(Describe(kBrokerResource, "2").error_code,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(Describe(kBrokerResource, "one").error_code,
            ErrorCode::kInvalidRequest);
  auto defaults = Describe(kBrokerResource, "");
  EXPECT_EQ(defaults.error_code, ErrorCode::kNone);
  EXPECT_TRUE(defaults.configs.empty());
  EXPECT_EQ(Describe(99, "x").error_code, ErrorCode::kInvalidRequest);
}

// Rule: IncrementalAlterConfigs SETs a topic config (DYNAMIC_TOPIC_CONFIG
// from then on) and DELETEs it (back to the default), at both versions;
// validate_only changes nothing.
TEST_F(AdminApisTest, IncrementalAlterConfigsSetsAndDeletes) {
  for (int16_t version = 0; version <= 1; ++version) {
    const std::string topic = "orders" + std::to_string(version);
    CreateTopic(topic);
    EXPECT_EQ(Alter(kTopicResource, topic, {{"retention.ms", kSet, "5000"}},
                    true, version)
                  .error_code,
              ErrorCode::kNone);
    EXPECT_EQ(TopicConfig(topic, "retention.ms").config_source, kDefaultConfig)
        << "validate_only";
    EXPECT_EQ(
        Alter(kTopicResource, topic,
              {{"retention.ms", kSet, "5000"}, {"flush.messages", kSet, "10"}},
              false, version)
            .error_code,
        ErrorCode::kNone);
    auto retention = TopicConfig(topic, "retention.ms");
    EXPECT_EQ(retention.value, "5000");
    EXPECT_EQ(retention.config_source, kDynamicTopicConfig);
    EXPECT_EQ(Alter(kTopicResource, topic,
                    {{"retention.ms", kDelete, std::nullopt}}, false, version)
                  .error_code,
              ErrorCode::kNone);
    retention = TopicConfig(topic, "retention.ms");
    EXPECT_EQ(retention.value, "604800000");
    EXPECT_EQ(retention.config_source, kDefaultConfig);
    EXPECT_EQ(TopicConfig(topic, "flush.messages").value, "10")
        << "configs not named are kept";
  }
}

// Rule: Kafka's errors for the usual mistakes, per resource, and nothing
// changes: an unknown name or a bad value is INVALID_CONFIG with a message;
// APPEND to a config that is not a list INVALID_CONFIG; the same config
// twice, or a null value to SET, INVALID_REQUEST; a missing topic
// UNKNOWN_TOPIC_OR_PARTITION.
TEST_F(AdminApisTest, IncrementalAlterConfigsRefusesMistakes) {
  CreateTopic("orders");
  auto unknown =
      Alter(kTopicResource, "orders", {{"retention.msec", kSet, "1"}});
  EXPECT_EQ(unknown.error_code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(unknown.error_message, "Unknown topic config name: retention.msec");
  auto bad =
      Alter(kTopicResource, "orders",
            {{"flush.messages", kSet, "10"}, {"retention.ms", kSet, "soon"}});
  EXPECT_EQ(bad.error_code, ErrorCode::kInvalidConfig);
  EXPECT_NE(bad.error_message->find("soon"), std::string::npos);
  EXPECT_EQ(TopicConfig("orders", "flush.messages").config_source,
            kDefaultConfig)
      << "all or nothing";
  auto append =
      Alter(kTopicResource, "orders", {{"retention.ms", kAppend, "1"}});
  EXPECT_EQ(append.error_code, ErrorCode::kInvalidConfig);
  EXPECT_NE(append.error_message->find("not LIST"), std::string::npos);
  EXPECT_EQ(Alter(kTopicResource, "orders",
                  {{"retention.ms", kSet, "1"}, {"retention.ms", kSet, "2"}})
                .error_code,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(
      Alter(kTopicResource, "orders", {{"retention.ms", kSet, std::nullopt}})
          .error_code,
      ErrorCode::kInvalidRequest);
  EXPECT_EQ(
      Alter(kTopicResource, "orders", {{"retention.ms", 7, "1"}}).error_code,
      ErrorCode::kInvalidRequest);
  EXPECT_EQ(Alter(kTopicResource, "missing", {{"retention.ms", kSet, "1"}})
                .error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(TopicConfig("orders", "retention.ms").config_source,
            kDefaultConfig);
}

// Rule: the broker's settings cannot change while it runs: INVALID_REQUEST
// ("Cannot update these configs dynamically"), as Kafka answers for a
// setting that is not dynamic; another broker's id is INVALID_REQUEST too.
TEST_F(AdminApisTest, BrokerSettingsAreReadOnly) {
  auto refused =
      Alter(kBrokerResource, "1", {{"log.retention.ms", kSet, "1000"}});
  EXPECT_EQ(refused.error_code, ErrorCode::kInvalidRequest);
  EXPECT_NE(refused.error_message->find("Cannot update these configs "
                                        "dynamically"),
            std::string::npos);
  EXPECT_EQ(
      Alter(kBrokerResource, "3", {{"log.retention.ms", kSet, "1"}}).error_code,
      ErrorCode::kInvalidRequest);
  EXPECT_EQ(Describe(kBrokerResource, "1", 4, {{"log.retention.ms"}})
                .configs.at(0)
                .value,
            "604800000");
}

// Rule: AlterConfigs (the older API) replaces all of a topic's configs: the
// ones given are set, every other one goes back to its default; a null
// value, or a name twice, is INVALID_REQUEST; the broker's settings are
// read-only. At every version (v2 is flexible).
TEST_F(AdminApisTest, AlterConfigsReplacesEveryConfig) {
  for (int16_t version = 0; version <= 2; ++version) {
    const std::string topic = "orders" + std::to_string(version);
    CreateTopic(topic, {{"retention.ms", "1000"}, {"flush.messages", "5"}});
    auto alter = [&](std::vector<AlterConfigsRequest::Config> configs,
                     int8_t type = kTopicResource) {
      AlterConfigsRequest request;
      request.resources = {
          {type, type == kTopicResource ? topic : "1", configs}};
      return Call<AlterConfigsResponse>(ApiKey::kAlterConfigs, version, request)
          .responses.at(0)
          .error_code;
    };
    EXPECT_EQ(alter({{"retention.ms", "2000"}, {"segment.ms", "60000"}}),
              ErrorCode::kNone);
    EXPECT_EQ(TopicConfig(topic, "retention.ms").value, "2000");
    EXPECT_EQ(TopicConfig(topic, "segment.ms").value, "60000");
    EXPECT_EQ(TopicConfig(topic, "flush.messages").config_source,
              kDefaultConfig)
        << "not given: back to the default";
    EXPECT_EQ(alter({{"retention.ms", std::nullopt}}),
              ErrorCode::kInvalidRequest);
    EXPECT_EQ(alter({{"retention.ms", "1"}, {"retention.ms", "2"}}),
              ErrorCode::kInvalidRequest);
    EXPECT_EQ(alter({{"retention.msec", "1"}}), ErrorCode::kInvalidConfig);
    EXPECT_EQ(alter({{"num.partitions", "3"}}, kBrokerResource),
              ErrorCode::kInvalidRequest);
    EXPECT_EQ(TopicConfig(topic, "retention.ms").value, "2000");
  }
}

// Rule: an altered config reaches the topic's log at once: with
// segment.bytes set small, every batch starts a segment.
TEST_F(AdminApisTest, AlteredConfigsTakeEffectAtOnce) {
  CreateTopic("orders");
  Produce("orders");
  Produce("orders");
  EXPECT_EQ(Segments("orders"), 1u);
  ASSERT_EQ(Alter(kTopicResource, "orders", {{"segment.bytes", kSet, "100"}})
                .error_code,
            ErrorCode::kNone);
  Produce("orders");
  Produce("orders");
  EXPECT_EQ(Segments("orders"), 3u);
}

// Rule: altered configs survive a restart, even a power failure right after
// the answer: the topic's properties file is replaced atomically before the
// answer.
TEST_F(AdminApisTest, AlteredConfigsSurviveARestart) {
  CreateTopic("orders");
  ASSERT_EQ(Alter(kTopicResource, "orders", {{"segment.bytes", kSet, "100"}})
                .error_code,
            ErrorCode::kNone);
  sim_.disk(kBroker).CrashLosingUnsynced();
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  auto segment = TopicConfig("orders", "segment.bytes");
  EXPECT_EQ(segment.value, "100");
  EXPECT_EQ(segment.config_source, kDynamicTopicConfig);
  Produce("orders");
  Produce("orders");
  EXPECT_EQ(Segments("orders"), 2u) << "the restarted log follows it too";
}

// Rule: DeleteTopics deletes topics by name at every version; Metadata no
// longer has them; an unknown name is UNKNOWN_TOPIC_OR_PARTITION, with a
// message from v5 on; the same name twice is INVALID_REQUEST.
TEST_F(AdminApisTest, DeleteTopicsByNameAtEveryVersion) {
  for (int16_t version = 0; version <= 5; ++version) {
    const std::string topic = "gone" + std::to_string(version);
    CreateTopic(topic);
    CreateTopic("twice" + std::to_string(version));
    auto response =
        DeleteTopics({topic, "missing", "twice" + std::to_string(version),
                      "twice" + std::to_string(version)},
                     version);
    ASSERT_EQ(response.responses.size(), 3u);
    EXPECT_EQ(response.responses[0].name, topic);
    EXPECT_EQ(response.responses[0].error_code, ErrorCode::kNone) << version;
    EXPECT_EQ(response.responses[1].error_code,
              ErrorCode::kUnknownTopicOrPartition);
    EXPECT_EQ(response.responses[1].error_message.has_value(), version >= 5);
    EXPECT_EQ(response.responses[2].error_code, ErrorCode::kInvalidRequest);
    auto topics = AllTopics();
    EXPECT_EQ(std::count(topics.begin(), topics.end(), topic), 0);
  }
}

// Rule: DeleteTopics v6 takes a topic by name or by id and answers with its
// id; an unknown id is UNKNOWN_TOPIC_ID; both a name and an id, or neither,
// is INVALID_REQUEST.
TEST_F(AdminApisTest, DeleteTopicsByIdInVersion6) {
  CreateTopic("by-id");
  CreateTopic("by-name");
  const Uuid id = *sim_.node<Broker>(kBroker).logs().TopicId("by-id");
  const Uuid name_id = *sim_.node<Broker>(kBroker).logs().TopicId("by-name");
  std::mt19937_64 random(3);  // an id no topic has
  DeleteTopicsRequest request;
  request.topics = {{std::nullopt, id},
                    {"by-name", Uuid()},
                    {std::nullopt, Uuid::Random(random)},
                    {"by-name", id},
                    {std::nullopt, Uuid()}};
  auto response =
      Call<DeleteTopicsResponse>(ApiKey::kDeleteTopics, 6, request).responses;
  ASSERT_EQ(response.size(), 5u);
  EXPECT_EQ(response[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(response[0].name, "by-id");
  EXPECT_EQ(response[1].error_code, ErrorCode::kNone);
  EXPECT_EQ(response[1].topic_id, name_id);
  EXPECT_EQ(response[2].error_code, ErrorCode::kUnknownTopicId);
  EXPECT_EQ(response[2].name, std::nullopt);
  EXPECT_EQ(response[3].error_code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(response[4].error_code, ErrorCode::kInvalidRequest);
  EXPECT_TRUE(AllTopics().empty());
}

// Rule: a topic created again under a deleted one's name is a new topic: a
// new id, and none of the old records.
TEST_F(AdminApisTest, ARecreatedTopicIsNew) {
  CreateTopic("orders");
  const Uuid old_id = *sim_.node<Broker>(kBroker).logs().TopicId("orders");
  ASSERT_EQ(Produce("orders").error_code, ErrorCode::kNone);
  ASSERT_EQ(DeleteTopics({"orders"}).responses[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(Produce("orders").error_code, ErrorCode::kUnknownTopicOrPartition);
  CreateTopic("orders");
  EXPECT_NE(*sim_.node<Broker>(kBroker).logs().TopicId("orders"), old_id);
  EXPECT_EQ(Produce("orders").base_offset, 0) << "the old records are gone";
}

// Rule: the internal topics cannot be deleted (INVALID_REQUEST): the group
// coordinator's state is in __consumer_offsets.
TEST_F(AdminApisTest, InternalTopicsCannotBeDeleted) {
  CreateTopic("__consumer_offsets");
  EXPECT_EQ(DeleteTopics({"__consumer_offsets"}).responses[0].error_code,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(AllTopics(), std::vector<std::string>{"__consumer_offsets"});
}

// Rule: a fetch waiting for records of a topic that is deleted answers at
// once, UNKNOWN_TOPIC_OR_PARTITION, not when its max_wait_ms runs out.
TEST_F(AdminApisTest, AHeldFetchOfADeletedTopicAnswersAtOnce) {
  CreateTopic("orders");
  const NodeId fetcher = cluster_.AddIdleClient();
  FetchRequest fetch;
  fetch.max_wait_ms = 60'000;
  fetch.min_bytes = 1;
  FetchRequest::Partition wanted;
  wanted.partition = 0;
  wanted.fetch_offset = 0;
  wanted.partition_max_bytes = 1 << 20;
  FetchRequest::Topic orders;
  orders.topic = "orders";
  orders.partitions = {wanted};
  fetch.topics = {orders};
  std::optional<Result<Bytes>> answer;
  sim_.env(fetcher).Send(
      kBroker, {int16_t(ApiKey::kFetch), 6, 0, "fetcher"},
      EncodeMessage(fetch, ApiKey::kFetch, 6), 120'000,
      [&answer](Result<Bytes> body) { answer = std::move(body); });
  sim_.RunFor(100);
  ASSERT_FALSE(answer) << "the fetch waits for records";
  const int64_t deleted_at = sim_.env(kBroker).NowMs();
  ASSERT_EQ(DeleteTopics({"orders"}).responses[0].error_code, ErrorCode::kNone);
  ASSERT_TRUE(sim_.RunUntil([&] { return answer.has_value(); }, 1000));
  EXPECT_LT(sim_.env(kBroker).NowMs() - deleted_at, 1000);
  auto fetched =
      DecodeMessage<FetchResponse>(answer->value(), ApiKey::kFetch, 6, 0, "")
          .value();
  EXPECT_EQ(fetched.responses[0].partitions[0].error_code,
            ErrorCode::kUnknownTopicOrPartition);
}

// The partition directories under the broker's data directory.
std::vector<std::string> DataDirectories(MemoryStorage& disk) {
  return disk.ListDirectories("data");
}

bool EndsWithDelete(const std::string& name) {
  return name.ends_with("-delete");
}

// Rule: a deleted partition's directory is first renamed
// <topic>-<partition>.<id>-delete, durably, and removed after
// file.delete.delay.ms (60 s).
TEST_F(AdminApisTest, DeletionRenamesThenRemoves) {
  CreateTopic("orders");
  ASSERT_EQ(DeleteTopics({"orders"}).responses[0].error_code, ErrorCode::kNone);
  auto directories = DataDirectories(sim_.disk(kBroker));
  ASSERT_EQ(directories.size(), 2u) << "config/ and the renamed partition";
  EXPECT_TRUE(directories[1].starts_with("orders-0."));
  EXPECT_TRUE(EndsWithDelete(directories[1]));
  EXPECT_EQ(directories[1].size(), std::string("orders-0.-delete").size() + 32);
  sim_.RunFor(61'000);
  EXPECT_EQ(DataDirectories(sim_.disk(kBroker)),
            std::vector<std::string>{"config"});
}

// Rule: a power failure in the middle of a deletion (after the answer, before
// the removal) leaves a broker that never loads the topic again and removes
// what was left of it when it starts; the topic's records are gone, and a
// topic of that name is created empty. Several seeds: the crash keeps a
// random part of what was not synced.
TEST_F(AdminApisTest, CrashInTheMiddleOfADeletion) {
  for (int round = 0; round < 5; ++round) {
    const std::string topic = "orders" + std::to_string(round);
    CreateTopic(topic);
    ASSERT_EQ(Produce(topic).error_code, ErrorCode::kNone);
    sim_.RunFor(1000);
    ASSERT_EQ(DeleteTopics({topic}).responses[0].error_code, ErrorCode::kNone);
    sim_.Crash(kBroker, Simulation::CrashKind::kPowerFailure);
    sim_.Restart(kBroker);
    auto topics = AllTopics();
    EXPECT_EQ(std::count(topics.begin(), topics.end(), topic), 0) << round;
    for (const std::string& name : DataDirectories(sim_.disk(kBroker))) {
      EXPECT_FALSE(EndsWithDelete(name)) << name;
      EXPECT_FALSE(name.starts_with(topic)) << name;
    }
    EXPECT_EQ(sim_.node<Broker>(kBroker).logs().GetLog({topic, 0}), nullptr);
    CreateTopic(topic);
    EXPECT_EQ(Produce(topic).base_offset, 0) << round;
  }
}

// Rule: a crash between the renames of one topic's partitions leaves no half
// topic: at start-up the partitions that hold the topic id of a directory
// marked for deletion are deleted too. A topic created again under a deleted
// one's name has a new id, and stays.
TEST_F(AdminApisTest, ACrashBetweenTheRenamesLeavesNoHalfTopic) {
  CreateTopicsRequest two;
  two.topics = {{"orders", 2, 1, {}, {}}};
  ASSERT_EQ(Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, two)
                .topics[0]
                .error_code,
            ErrorCode::kNone);
  CreateTopic("again");
  ASSERT_EQ(DeleteTopics({"again"}).responses[0].error_code, ErrorCode::kNone);
  CreateTopic("again");
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  // The first of the two renames, as a crash would have left it.
  MemoryStorage& disk = sim_.disk(kBroker);
  disk.RenameDirectory("data/orders-0",
                       "data/orders-0.0123456789abcdef0123456789abcdef-delete");
  disk.SyncDirectory("data");
  sim_.Restart(kBroker);
  EXPECT_EQ(AllTopics(), std::vector<std::string>{"again"});
  EXPECT_EQ(DataDirectories(disk),
            (std::vector<std::string>{"again-0", "config"}));
}

// Rule: DescribeCluster names the cluster, the controller (this broker) and
// the brokers at both versions; v1 asking for controllers is
// MISMATCHED_ENDPOINT_TYPE (v0 cannot ask), an unknown endpoint type
// UNSUPPORTED_ENDPOINT_TYPE; authorized operations only when asked for.
TEST_F(AdminApisTest, DescribeCluster) {
  for (int16_t version = 0; version <= 1; ++version) {
    DescribeClusterRequest request;
    auto response = Call<DescribeClusterResponse>(ApiKey::kDescribeCluster,
                                                  version, request);
    EXPECT_EQ(response.error_code, ErrorCode::kNone);
    EXPECT_EQ(response.cluster_id, "literate-kafka");
    EXPECT_EQ(response.controller_id, kBroker);
    ASSERT_EQ(response.brokers.size(), 1u);
    EXPECT_EQ(response.brokers[0].broker_id, kBroker);
    EXPECT_EQ(response.brokers[0].port, 9092);
    EXPECT_EQ(response.cluster_authorized_operations, INT32_MIN);
    request.include_cluster_authorized_operations = true;
    // CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10,
    // ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12: a cluster's every operation.
    EXPECT_EQ(Call<DescribeClusterResponse>(ApiKey::kDescribeCluster, version,
                                            request)
                  .cluster_authorized_operations,
              0b1'1111'1010'0000);
  }
  DescribeClusterRequest controllers;
  controllers.endpoint_type = kControllerEndpoints;
  EXPECT_EQ(
      Call<DescribeClusterResponse>(ApiKey::kDescribeCluster, 1, controllers)
          .error_code,
      ErrorCode::kMismatchedEndpointType);
  controllers.endpoint_type = 9;
  EXPECT_EQ(
      Call<DescribeClusterResponse>(ApiKey::kDescribeCluster, 1, controllers)
          .error_code,
      ErrorCode::kUnsupportedEndpointType);
}

}  // namespace
}  // namespace kafka
