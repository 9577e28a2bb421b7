/// \file
/// Topics and partitions on one broker: the logs under its data directory.
///
/// A topic is a name, a number of partitions and its configs. Each partition
/// is one Chapter 1 log in its own directory, named `<topic>-<partition>`
/// (orders-0, orders-1, ...). A broker finds its partitions at start-up by
/// listing that directory, as Kafka's LogManager does with each of its
/// log.dirs.
///
/// Partitions can be added, never removed: a keyed record goes to
/// hash(key) % partition count, so removing a partition would both lose its
/// data and send its keys elsewhere.
///
/// A topic's configs (the ones set for it, at creation or later by
/// IncrementalAlterConfigs, which override the broker's log.* defaults) are
/// kept in a small properties file per topic,
/// `<data dir>/config/topics/<topic>.properties`, one `name=value` a line,
/// written atomically before the topic's first partition directory exists and
/// at every change. A restarted broker reads it back, so retention.ms=1000
/// stays 1000. A change also reaches the topic's open logs at once.
///
/// Deleting a topic is made crash-safe as Kafka's LogManager makes it: each
/// partition directory is first renamed `<topic>-<partition>.<id>-delete`
/// (one rename, durable once the data directory is synced), and removed
/// later (file.delete.delay.ms). A directory with that suffix is never loaded
/// as a partition: a broker that crashed between the two steps finishes the
/// removal when it starts, and deletes too the partitions that still have the
/// topic id of a renamed one (a crash between two renames).
///
/// Each topic also has a topic id (KIP-516), drawn when it is created, which
/// every partition directory keeps in a file `partition.metadata`, in Kafka's
/// format ("version: 0", then "topic_id: <id>"). A name can be reused after a
/// topic is deleted; an id never is.
///
/// What real Kafka does differently: a topic's partition count, replica
/// assignment and configs live in the cluster's metadata, not on one broker's
/// disk: in ZooKeeper (the znode `/config/topics/<topic>`) before KRaft, and as
/// ConfigRecords in the metadata log of the KRaft controller (Chapter 5)
/// since. Here a restarted broker rebuilds its topics from the partition
/// directories and its configs from those files.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "chapters/01_log/log.h"
#include "lib/error.h"
#include "lib/storage/storage.h"
#include "lib/uuid.h"

namespace kafka {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  /// "orders-3": the partition's directory name.
  std::string DirectoryName() const;
  /// The topic and partition a directory name stands for, if it is one.
  static std::optional<TopicPartition> FromDirectoryName(std::string_view name);

  auto operator<=>(const TopicPartition&) const = default;
};
/// Prints "orders-3", so that a failed test names the partition.
std::ostream& operator<<(std::ostream& out, const TopicPartition& partition);

/// Kafka's topic name rules: 1 to 249 characters of [a-zA-Z0-9._-], and not
/// "." or "..". INVALID_TOPIC_EXCEPTION otherwise.
Status ValidateTopicName(std::string_view name);

/// Kafka's internal topics (Topic.isInternal): __consumer_offsets (the group
/// coordinator's, Chapter 3) and __transaction_state (Chapter 8). Clients
/// may read them but not produce to them.
bool IsInternalTopic(std::string_view topic);

/// Reads topic configs by Kafka's names (segment.bytes, retention.ms, ...)
/// into a LogConfig that starts from `defaults`, with Kafka's types and
/// bounds (LogConfig.java): INVALID_CONFIG, with a message naming the config
/// and the value, for an unknown name, a value that is not a number of the
/// config's type (INT or LONG), or one below its minimum.
Result<LogConfig> ParseTopicConfigs(
    const std::vector<std::pair<std::string, std::string>>& configs,
    const LogConfig& defaults);

/// A topic config this broker implements, as DescribeConfigs describes it.
struct TopicConfigDefinition {
  std::string_view name;
  std::string_view type;  ///< Kafka's ConfigDef type: INT, LONG or STRING
  /// The server.properties setting that gives its default (Kafka's
  /// ServerTopicConfigSynonyms).
  std::string_view broker_setting;
  std::string_view documentation;
};
/// Every topic config this broker implements, in Kafka's alphabetical order.
const std::vector<TopicConfigDefinition>& TopicConfigDefinitions();
/// The value of topic config `name` in `config`, as Kafka prints it.
std::string TopicConfigValue(const LogConfig& config, std::string_view name);

/// unclean.leader.election.enable (Kafka's TopicConfig; the broker setting
/// of the same name is its default, false since KIP-106): whether a replica
/// outside the ISR may be elected when no ISR member can lead, losing what
/// it lacks of the old leader's log. The log does not use it: the
/// controller reads it from the topic's configs (Chapter 5).
inline constexpr std::string_view kUncleanLeaderElectionEnable =
    "unclean.leader.election.enable";
/// A config of Kafka's type BOOLEAN: "true" or "false", in any case, blanks
/// around it ignored (ConfigDef); nullopt for anything else.
std::optional<bool> ParseBooleanConfig(std::string_view text);

/// The configs set for one topic (its overrides of the broker's defaults),
/// by name.
using TopicConfigOverrides = std::map<std::string, std::string>;

class LogManager {
 public:
  LogManager(Storage& storage, std::string data_dir, LogConfig defaults);

  /// Opens (and recovers) every partition found under the data directory,
  /// with its topic's id from partition.metadata, after removing the
  /// directories of partitions marked for deletion. A partition without one (a
  /// data directory from before topic ids) gets its topic's, or, if no
  /// partition of the topic has one, a new id drawn from `random`.
  void LoadLogs(int64_t now_ms, std::mt19937_64& random);

  /// Whether CreateTopic would succeed: INVALID_TOPIC_EXCEPTION,
  /// TOPIC_ALREADY_EXISTS or INVALID_PARTITIONS if not.
  Status CanCreateTopic(const std::string& topic, int32_t partitions) const;
  /// Creates the topic's partitions, empty (after CanCreateTopic's checks,
  /// and ParseTopicConfigs' of `configs`), and stores the configs, so that
  /// they survive a restart, and the topic's id in each partition's
  /// directory.
  Status CreateTopic(const std::string& topic, int32_t partitions,
                     const TopicConfigOverrides& configs, int64_t now_ms,
                     const Uuid& topic_id);
  /// Whether AddPartitions would succeed: UNKNOWN_TOPIC_OR_PARTITION, or
  /// INVALID_PARTITIONS unless `partitions` is more than the topic has.
  Status CanAddPartitions(const std::string& topic, int32_t partitions) const;
  /// Grows a topic to `partitions` (after CanAddPartitions's checks).
  Status AddPartitions(const std::string& topic, int32_t partitions,
                       int64_t now_ms);

  /// Deletes a topic (UNKNOWN_TOPIC_OR_PARTITION if there is none): its
  /// partition directories are renamed for deletion, durably, and their logs
  /// closed; DeleteLogsMarkedForDeletion removes them. Nothing may use the
  /// topic's logs any more (the ReplicaManager stops its replicas first).
  Status DeleteTopic(const std::string& topic, std::mt19937_64& random);
  /// Removes the directories that DeleteTopic renamed.
  void DeleteLogsMarkedForDeletion();

  /// The configs set for a topic; nullopt if there is no such topic.
  std::optional<TopicConfigOverrides> TopicConfigs(
      const std::string& topic) const;
  /// Replaces the configs set for a topic: INVALID_CONFIG (ParseTopicConfigs)
  /// if they are not legal. Stored before the topic's logs take them.
  Status AlterTopicConfigs(const std::string& topic,
                           const TopicConfigOverrides& configs);
  /// The broker's defaults for the topic configs (its log.* settings).
  const LogConfig& defaults() const { return defaults_; }

  /// The partition's log, or nullptr.
  Log* GetLog(const TopicPartition& partition) const;
  /// How many partitions a topic has; 0 if there is no such topic.
  int32_t PartitionCount(const std::string& topic) const;
  /// The topic's id; nullopt if there is no such topic.
  std::optional<Uuid> TopicId(const std::string& topic) const;
  std::vector<std::string> Topics() const;

  /// Applies retention.ms and retention.bytes to every partition.
  void DeleteRetentionBreachedSegments(int64_t now_ms);
  /// Flushes every log and marks it cleanly shut down.
  void CloseAll();

 private:
  Log& OpenLog(const TopicPartition& partition, const LogConfig& config,
               int64_t now_ms);
  std::string TopicConfigPath(const std::string& topic) const;
  void WriteTopicConfig(const std::string& topic,
                        const TopicConfigOverrides& configs);
  /// The stored configs of a topic; none if it has none that parse.
  TopicConfigOverrides ReadTopicConfig(const std::string& topic) const;
  /// Renames a partition's directory for deletion and forgets its log.
  void MarkForDeletion(const TopicPartition& partition,
                       std::mt19937_64& random);
  /// At start-up: marks for deletion what a deletion cut short by a crash
  /// left, the partitions of a topic whose other partitions were renamed.
  void FinishInterruptedDeletions(std::mt19937_64& random);
  std::string PartitionMetadataPath(const TopicPartition& partition) const;
  /// Writes partition.metadata for a partition of a topic with an id.
  void WritePartitionMetadata(const TopicPartition& partition);
  /// The topic id that partition.metadata holds in `directory` (a name under
  /// the data directory), if it holds one.
  std::optional<Uuid> ReadPartitionMetadata(const std::string& directory) const;

  Storage& storage_;
  std::string data_dir_;
  LogConfig defaults_;
  std::map<TopicPartition, std::unique_ptr<Log>> logs_;
  std::map<std::string, LogConfig> topic_configs_;
  std::map<std::string, TopicConfigOverrides> topic_overrides_;
  std::map<std::string, Uuid> topic_ids_;
  /// Directories renamed by DeleteTopic, not yet removed.
  std::vector<std::string> logs_to_delete_;
};

}  // namespace kafka
