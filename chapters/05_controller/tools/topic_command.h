/// \file
/// kafka-topics' text: which topics a --topic selects, what --describe
/// prints, and how --config values are read (Kafka's TopicCommand).
///
/// The program (kafka_topics.cc) asks the broker with Metadata,
/// DescribeConfigs, CreateTopics, CreatePartitions and DeleteTopics; everything
/// it prints comes from these pure functions of the answers, so that the tests
/// can check the text without a broker.
///
/// --describe prints, per topic, a line of fields separated by tabs (here
/// "|"):
///
///   Topic: t | TopicId: ... | PartitionCount: 2 | ReplicationFactor: 3 |
///   Configs: k=v
///
/// (the configs that are not defaults) and then one line per partition,
/// starting with a tab:
///
///   | Topic: t | Partition: 0 | Leader: 1 | Replicas: 1,2,3 | Isr: 1,2,3
///
/// Replicas are in assignment order: the first is the preferred leader, the
/// one a preferred election (kafka-leader-election) makes leader. The report
/// options keep only some partitions and drop the topic lines:
/// --under-replicated-partitions (ISR smaller than the replicas),
/// --under-min-isr-partitions (no leader, or ISR below the topic's
/// min.insync.replicas), --at-min-isr-partitions, --unavailable-partitions
/// (no leader, or a leader that is not a live broker).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/error.h"
#include "lib/protocol/admin.h"
#include "lib/protocol/create_topics.h"
#include "lib/protocol/metadata.h"

namespace kafka {

/// --describe's report options (Kafka's TopicCommand.DescribeOptions).
struct DescribeOptions {
  bool under_replicated_partitions = false;
  bool under_min_isr_partitions = false;
  bool at_min_isr_partitions = false;
  bool unavailable_partitions = false;
  bool topics_with_overrides = false;  ///< only topics with non-default configs

  /// With a report option, only the partitions it selects are printed.
  bool ReportsPartitions() const {
    return under_replicated_partitions || under_min_isr_partitions ||
           at_min_isr_partitions || unavailable_partitions;
  }
};

/// A topic's configs, as DescribeConfigs answered them.
using TopicConfigs = std::vector<DescribeConfigsResponse::Config>;

/// The names of the topics `metadata` lists that --topic selects, sorted:
/// all without `topic`; else those `topic` matches whole as a regular
/// expression, a comma meaning "or" (Kafka's IncludeList). Internal topics
/// (__consumer_offsets) are left out with `exclude_internal`. An error for a
/// pattern that is no regular expression.
Result<std::vector<std::string>> SelectTopics(
    const MetadataResponse& metadata, const std::optional<std::string>& topic,
    bool exclude_internal);

/// "Topic 'T' does not exist as expected": what the tool says when --topic
/// (given, not empty) selects nothing, and it is not --if-exists.
std::string TopicDoesNotExist(const std::string& topic);

/// --describe's text for `topics` (names in `metadata`), with `configs` per
/// topic and the live brokers (for --unavailable-partitions).
std::string DescribeTopics(const MetadataResponse& metadata,
                           const std::vector<std::string>& topics,
                           const std::map<std::string, TopicConfigs>& configs,
                           const std::set<int32_t>& live_brokers,
                           const DescribeOptions& options);

/// --list's text: one name a line (a blank line for none, as Kafka).
std::string ListTopics(const std::vector<std::string>& topics);

/// The --config values, each "name=value" (spaces around '=' trimmed).
Result<std::vector<CreateTopicsRequest::Config>> ParseTopicConfigs(
    const std::vector<std::string>& configs);

/// What the tool prints, on stdout, when a request fails:
/// "Error while executing topic command : <the exception's message>".
std::string TopicCommandError(ErrorCode code,
                              const std::optional<std::string>& message);

/// Kafka's warning for a --create'd name with both '.' and '_' or either
/// (metric names cannot tell them apart); empty if the name has neither.
std::string CollisionWarning(const std::string& topic);

}  // namespace kafka
