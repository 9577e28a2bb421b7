#include "chapters/02_partitions/log_manager.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <ostream>
#include <set>
#include <variant>

#include "lib/protocol/quorum.h"

namespace kafka {
namespace {

constexpr size_t kMaxTopicNameLength = 249;
// Under the data directory, as ZooKeeper's /config/topics/<topic>.
constexpr char kTopicConfigDirectory[] = "config/topics";

// A topic config that a LogConfig holds: Kafka's name, its type (Kafka's INT
// or LONG, whatever field holds it here) and its smallest legal value, as
// LogConfig.java defines them; the broker setting that is its default, and
// what DescribeConfigs says it does.
struct TopicConfigKey {
  std::string_view name;
  std::string_view type;
  int64_t minimum;
  std::variant<int64_t LogConfig::*, int32_t LogConfig::*> field;
  std::string_view broker_setting;
  std::string_view documentation;
};

constexpr int64_t kNoMinimum = std::numeric_limits<int64_t>::min();

const TopicConfigKey kTopicConfigKeys[] = {
    // At least the smallest record Kafka ever had (v0: 14 bytes).
    {"segment.bytes", "INT", 14, &LogConfig::segment_bytes, "log.segment.bytes",
     "The size at which the log rolls a new segment."},
    {"segment.ms", "LONG", 1, &LogConfig::segment_ms, "log.roll.ms",
     "The time span of records after which the log rolls a new segment."},
    // An index too small for one entry is always full: every append rolls.
    {"segment.index.bytes", "INT", 4, &LogConfig::segment_index_bytes,
     "log.index.size.max.bytes",
     "The largest size of a segment's offset index; a full index rolls."},
    {"index.interval.bytes", "INT", 0, &LogConfig::index_interval_bytes,
     "log.index.interval.bytes",
     "The bytes of log between two entries of the offset index."},
    {"retention.ms", "LONG", -1, &LogConfig::retention_ms,  // -1: forever
     "log.retention.ms",
     "How long a segment is kept after its newest record (-1: forever)."},
    // Any negative value means no limit.
    {"retention.bytes", "LONG", kNoMinimum, &LogConfig::retention_bytes,
     "log.retention.bytes",
     "How large a partition may grow before old segments are deleted "
     "(-1: no limit)."},
    {"flush.messages", "LONG", 1, &LogConfig::flush_messages,
     "log.flush.interval.messages", "The records appended between fsyncs."},
    {"flush.ms", "LONG", 0, &LogConfig::flush_ms, "log.flush.interval.ms",
     "The longest time between fsyncs."},
    {"max.message.bytes", "INT", 0, &LogConfig::max_message_bytes,
     "message.max.bytes", "The largest record batch the log accepts."},
    {"min.insync.replicas", "INT", 1, &LogConfig::min_insync_replicas,
     "min.insync.replicas",
     "The in-sync replicas a partition needs for its high watermark to "
     "advance."},
};

// compression.type has no LogConfig field: its one legal value here keeps
// batches as the producer compressed them (CheckCompressionType).
constexpr TopicConfigDefinition kCompressionType = {
    "compression.type", "STRING", "compression.type",
    "The codec the broker compresses batches with; producer keeps the "
    "producer's."};
constexpr char kProducerCompression[] = "producer";

// unclean.leader.election.enable has no LogConfig field either: the log
// does not use it, and its default here is Kafka's (false).
constexpr TopicConfigDefinition kUncleanLeaderElection = {
    kUncleanLeaderElectionEnable, "BOOLEAN", kUncleanLeaderElectionEnable,
    "Whether a replica outside the ISR may be elected leader when no ISR "
    "member can be, though data may be lost."};
constexpr char kUncleanLeaderElectionDefault[] = "false";

const TopicConfigKey* FindTopicConfigKey(std::string_view name) {
  for (const TopicConfigKey& key : kTopicConfigKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

int64_t GetConfig(const LogConfig& config, const TopicConfigKey& key) {
  return std::visit([&](auto field) { return int64_t(config.*field); },
                    key.field);
}

void SetConfig(LogConfig& config, const TopicConfigKey& key, int64_t value) {
  std::visit(
      [&](auto field) {
        using Field = std::remove_reference_t<decltype(config.*field)>;
        config.*field = Field(value);
      },
      key.field);
}

bool IsLegalTopicChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

Error InvalidPartitions(const std::string& message) {
  return Error{ErrorCode::kInvalidPartitions, message};
}

// Kafka's words (ConfigDef), so that a message reads the same from either.
Error InvalidConfigValue(const TopicConfigKey& key, const std::string& value,
                         const std::string& why) {
  return Error{ErrorCode::kInvalidConfig,
               "Invalid value " + value + " for configuration " +
                   std::string(key.name) + ": " + why};
}

// The value of a config of Kafka's type INT or LONG, within its range.
std::optional<int64_t> ParseConfigNumber(const TopicConfigKey& key,
                                         const std::string& text) {
  std::optional<int64_t> value = ParseInt64(text);
  const bool is_int = key.type == "INT";
  if (value && is_int &&
      (*value < std::numeric_limits<int32_t>::min() ||
       *value > std::numeric_limits<int32_t>::max())) {
    return std::nullopt;
  }
  return value;
}

// compression.type: Kafka's default, "producer", keeps each batch as the
// producer compressed it, and that is all this broker does; Kafka's other
// values make the broker recompress every batch to that codec.
Status CheckCompressionType(std::string_view value) {
  if (value == kProducerCompression) return Status();
  for (std::string_view codec :
       {"uncompressed", "zstd", "lz4", "snappy", "gzip"}) {
    if (value == codec) {
      return Error{ErrorCode::kInvalidConfig,
                   "compression.type " + std::string(value) +
                       " is not supported here: this broker keeps batches "
                       "as the producer compressed them (producer)"};
    }
  }
  return Error{ErrorCode::kInvalidConfig,
               "Invalid value " + std::string(value) +
                   " for configuration compression.type: String must be one "
                   "of: uncompressed, zstd, lz4, snappy, gzip, producer"};
}

Result<LogConfig> ParseOverrides(const TopicConfigOverrides& configs,
                                 const LogConfig& defaults) {
  return ParseTopicConfigs({configs.begin(), configs.end()}, defaults);
}

// Lines of `key<separator>value`, the value without the blanks that start
// it; other lines are skipped.
std::vector<std::pair<std::string, std::string>> ParseKeyValueLines(
    std::string_view text, char separator) {
  std::vector<std::pair<std::string, std::string>> entries;
  while (!text.empty()) {
    size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    size_t split = line.find(separator);
    if (split == std::string_view::npos) continue;
    std::string_view value = line.substr(split + 1);
    value.remove_prefix(std::min(value.find_first_not_of(' '), value.size()));
    entries.emplace_back(line.substr(0, split), value);
  }
  return entries;
}

// A topic's properties file: one name=value a line.
std::vector<std::pair<std::string, std::string>> ParseProperties(
    std::string_view text) {
  return ParseKeyValueLines(text, '=');
}

// partition.metadata: one "key: value" a line (Kafka splits on ":\s+").
std::vector<std::pair<std::string, std::string>> ParseMetadataLines(
    std::string_view text) {
  return ParseKeyValueLines(text, ':');
}

constexpr char kPartitionMetadataFile[] = "partition.metadata";

// Kafka's suffix for a partition directory marked for deletion
// (LocalLog.DeleteDirSuffix).
constexpr std::string_view kDeleteDirSuffix = "-delete";

bool IsMarkedForDeletion(std::string_view directory) {
  return directory.ends_with(kDeleteDirSuffix);
}

// "<topic>-<partition>.<32 hex digits>-delete", as Kafka names it
// (LocalLog.logDeleteDirName): a new name at each deletion, so that a topic
// deleted twice under one name leaves two directories, not one clash.
std::string DeleteDirName(const TopicPartition& partition,
                          std::mt19937_64& random) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  const Uuid id = Uuid::Random(random);
  std::string unique;
  for (uint8_t byte : id.bytes()) {
    unique += kHexDigits[byte >> 4];
    unique += kHexDigits[byte & 0xF];
  }
  return partition.DirectoryName() + "." + unique +
         std::string(kDeleteDirSuffix);
}

// The KRaft metadata log (Chapter 5), __cluster_metadata-0, shares the data
// directory but belongs to the Raft layer, which opens it itself: the
// LogManager neither loads it nor takes it for a stray partition to delete
// (as Kafka's LogManager leaves the metadata partition alone).
bool IsMetadataLog(const TopicPartition& partition) {
  return partition.topic == kMetadataTopicName;
}

}  // namespace

const std::vector<TopicConfigDefinition>& TopicConfigDefinitions() {
  static const std::vector<TopicConfigDefinition> definitions = [] {
    std::vector<TopicConfigDefinition> all = {kCompressionType,
                                              kUncleanLeaderElection};
    for (const TopicConfigKey& key : kTopicConfigKeys) {
      all.push_back(
          {key.name, key.type, key.broker_setting, key.documentation});
    }
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return all;
  }();
  return definitions;
}

std::string TopicConfigValue(const LogConfig& config, std::string_view name) {
  if (name == kCompressionType.name) return kProducerCompression;
  if (name == kUncleanLeaderElection.name) return kUncleanLeaderElectionDefault;
  return std::to_string(GetConfig(config, *FindTopicConfigKey(name)));
}

std::string TopicPartition::DirectoryName() const {
  return topic + "-" + std::to_string(partition);
}

std::ostream& operator<<(std::ostream& out, const TopicPartition& partition) {
  return out << partition.DirectoryName();
}

std::optional<TopicPartition> TopicPartition::FromDirectoryName(
    std::string_view name) {
  // Topic names may contain '-': the partition is after the last one.
  size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  std::optional<int64_t> partition = ParseInt64(name.substr(dash + 1));
  if (!partition || *partition < 0 || *partition > INT32_MAX)
    return std::nullopt;
  std::string topic(name.substr(0, dash));
  if (!ValidateTopicName(topic).ok()) return std::nullopt;
  return TopicPartition{topic, int32_t(*partition)};
}

Status ValidateTopicName(std::string_view name) {
  auto invalid = [&](const std::string& why) {
    return Error{ErrorCode::kInvalidTopicException,
                 "topic name '" + std::string(name) + "' " + why};
  };
  if (name.empty()) return invalid("is empty");
  if (name == "." || name == "..") return invalid("cannot be '.' or '..'");
  if (name.size() > kMaxTopicNameLength) {
    return invalid("is longer than " + std::to_string(kMaxTopicNameLength));
  }
  if (!std::all_of(name.begin(), name.end(), IsLegalTopicChar)) {
    return invalid(
        "has characters other than ASCII letters, digits, '.', "
        "'_' and '-'");
  }
  return Status();
}

std::optional<bool> ParseBooleanConfig(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\n\r");
  if (first == std::string_view::npos) return std::nullopt;
  text = text.substr(first, text.find_last_not_of(" \t\n\r") - first + 1);
  auto is = [text](std::string_view word) {
    return std::equal(text.begin(), text.end(), word.begin(), word.end(),
                      [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) == b;
                      });
  };
  if (is("true")) return true;
  if (is("false")) return false;
  return std::nullopt;
}

bool IsInternalTopic(std::string_view topic) {
  return topic == "__consumer_offsets" || topic == "__transaction_state";
}

Result<LogConfig> ParseTopicConfigs(
    const std::vector<std::pair<std::string, std::string>>& configs,
    const LogConfig& defaults) {
  LogConfig config = defaults;
  for (const auto& [name, text] : configs) {
    if (name == "compression.type") {
      if (Status kept = CheckCompressionType(text); !kept.ok()) {
        return kept.error();
      }
      continue;
    }
    if (name == kUncleanLeaderElection.name) {
      if (!ParseBooleanConfig(text)) {
        return Error{ErrorCode::kInvalidConfig,
                     "Invalid value " + text + " for configuration " + name +
                         ": Expected value to be either true or false"};
      }
      continue;
    }
    const TopicConfigKey* key = FindTopicConfigKey(name);
    if (key == nullptr) {
      return Error{ErrorCode::kInvalidConfig,
                   "Unknown topic config name: " + name};
    }
    std::optional<int64_t> value = ParseConfigNumber(*key, text);
    if (!value) {
      return InvalidConfigValue(
          *key, text, "Not a number of type " + std::string(key->type));
    }
    if (*value < key->minimum) {
      return InvalidConfigValue(
          *key, text, "Value must be at least " + std::to_string(key->minimum));
    }
    SetConfig(config, *key, *value);
  }
  return config;
}

LogManager::LogManager(Storage& storage, std::string data_dir,
                       LogConfig defaults)
    : storage_(storage), data_dir_(std::move(data_dir)), defaults_(defaults) {}

void LogManager::LoadLogs(int64_t now_ms, std::mt19937_64& random) {
  CreateDirectoriesDurably(storage_, data_dir_);
  FinishInterruptedDeletions(random);
  std::vector<TopicPartition> without_id;
  for (const std::string& name : storage_.ListDirectories(data_dir_)) {
    auto partition = TopicPartition::FromDirectoryName(name);
    if (!partition || IsMetadataLog(*partition)) continue;
    auto [configs, first] = topic_overrides_.try_emplace(partition->topic);
    if (first) configs->second = ReadTopicConfig(partition->topic);
    // ReadTopicConfig keeps only configs that parse.
    OpenLog(*partition, ParseOverrides(configs->second, defaults_).value(),
            now_ms);
    if (auto id = ReadPartitionMetadata(name)) {
      // The first partition's id is the topic's (they agree unless edited).
      topic_ids_.try_emplace(partition->topic, *id);
    } else {
      without_id.push_back(*partition);
    }
  }
  for (const TopicPartition& partition : without_id) {
    topic_ids_.try_emplace(partition.topic, Uuid::Random(random));
    WritePartitionMetadata(partition);
  }
  DeleteLogsMarkedForDeletion();
}

// Directories marked for deletion are a deletion the broker did not finish.
// A crash may also have come between the renames of one topic's partitions:
// the partitions left hold the same topic id as the renamed ones (a topic
// created again under the name has a new one), and go too.
void LogManager::FinishInterruptedDeletions(std::mt19937_64& random) {
  const std::vector<std::string> names = storage_.ListDirectories(data_dir_);
  std::set<Uuid> deleted_topics;
  for (const std::string& name : names) {
    if (!IsMarkedForDeletion(name)) continue;
    logs_to_delete_.push_back(data_dir_ + "/" + name);
    if (auto id = ReadPartitionMetadata(name)) deleted_topics.insert(*id);
  }
  bool renamed = false;
  for (const std::string& name : names) {
    auto partition = TopicPartition::FromDirectoryName(name);
    auto id = partition ? ReadPartitionMetadata(name) : std::nullopt;
    if (id && deleted_topics.contains(*id)) {
      MarkForDeletion(*partition, random);
      renamed = true;
    }
  }
  if (renamed) storage_.SyncDirectory(data_dir_);
}

std::string LogManager::PartitionMetadataPath(
    const TopicPartition& partition) const {
  return data_dir_ + "/" + partition.DirectoryName() + "/" +
         kPartitionMetadataFile;
}

//! [partition metadata]
void LogManager::WritePartitionMetadata(const TopicPartition& partition) {
  const std::string text =
      "version: 0\ntopic_id: " + topic_ids_.at(partition.topic).ToString();
  WriteFileAtomically(storage_, PartitionMetadataPath(partition),
                      AsBytes(text));
}

std::optional<Uuid> LogManager::ReadPartitionMetadata(
    const std::string& directory) const {
  const std::string path =
      data_dir_ + "/" + directory + "/" + kPartitionMetadataFile;
  if (!storage_.Exists(path)) return std::nullopt;
  // "version: 0" and "topic_id: <id>", one a line; a version other than 0
  // or a line that is neither is not Kafka's format.
  std::optional<Uuid> id;
  for (const auto& [key, value] :
       ParseMetadataLines(AsString(ReadWholeFile(storage_, path)))) {
    if (key == "version" && value != "0") return std::nullopt;
    if (key == "topic_id") id = Uuid::Parse(value);
  }
  return id;
}
//! [partition metadata]

std::string LogManager::TopicConfigPath(const std::string& topic) const {
  return data_dir_ + "/" + kTopicConfigDirectory + "/" + topic + ".properties";
}

void LogManager::WriteTopicConfig(const std::string& topic,
                                  const TopicConfigOverrides& configs) {
  std::string properties;
  for (const auto& [name, value] : configs) {
    properties += name + "=" + value + "\n";
  }
  CreateDirectoriesDurably(storage_, data_dir_ + "/" + kTopicConfigDirectory);
  WriteFileAtomically(storage_, TopicConfigPath(topic), AsBytes(properties));
}

TopicConfigOverrides LogManager::ReadTopicConfig(
    const std::string& topic) const {
  const std::string path = TopicConfigPath(topic);
  if (!storage_.Exists(path)) return {};
  auto stored = ParseProperties(AsString(ReadWholeFile(storage_, path)));
  // Written atomically, so whole; one that does not parse was edited by
  // hand, and the broker serves the topic with its defaults.
  if (!ParseTopicConfigs(stored, defaults_).ok()) return {};
  return {stored.begin(), stored.end()};
}

Log& LogManager::OpenLog(const TopicPartition& partition,
                         const LogConfig& config, int64_t now_ms) {
  topic_configs_.try_emplace(partition.topic, config);
  std::unique_ptr<Log>& log = logs_[partition];
  log = Log::Open(storage_, data_dir_ + "/" + partition.DirectoryName(),
                  topic_configs_.at(partition.topic), now_ms);
  return *log;
}

Status LogManager::CanCreateTopic(const std::string& topic,
                                  int32_t partitions) const {
  if (Status valid = ValidateTopicName(topic); !valid.ok()) return valid;
  if (PartitionCount(topic) > 0) {
    return Error{ErrorCode::kTopicAlreadyExists,
                 "topic '" + topic + "' already exists"};
  }
  if (partitions < 1) {
    return InvalidPartitions("number of partitions must be at least 1, not " +
                             std::to_string(partitions));
  }
  return Status();
}

Status LogManager::CreateTopic(const std::string& topic, int32_t partitions,
                               const TopicConfigOverrides& configs,
                               int64_t now_ms, const Uuid& topic_id) {
  if (Status can = CanCreateTopic(topic, partitions); !can.ok()) return can;
  Result<LogConfig> config = ParseOverrides(configs, defaults_);
  if (!config.ok()) return config.status();
  // Configs first: a partition directory never exists without them.
  WriteTopicConfig(topic, configs);
  topic_overrides_[topic] = configs;
  topic_ids_[topic] = topic_id;
  for (int32_t p = 0; p < partitions; ++p) {
    OpenLog({topic, p}, *config, now_ms);
    WritePartitionMetadata({topic, p});
  }
  return Status();
}

Status LogManager::CanAddPartitions(const std::string& topic,
                                    int32_t partitions) const {
  const int32_t current = PartitionCount(topic);
  if (current == 0) {
    return Error{ErrorCode::kUnknownTopicOrPartition,
                 "topic '" + topic + "' does not exist"};
  }
  if (partitions == current) {
    return InvalidPartitions("topic already has " + std::to_string(current) +
                             " partitions");
  }
  if (partitions < current) {
    return InvalidPartitions(
        "topic currently has " + std::to_string(current) +
        " partitions, which is higher than the requested " +
        std::to_string(partitions) +
        ": partitions can be added, never removed");
  }
  return Status();
}

Status LogManager::AddPartitions(const std::string& topic, int32_t partitions,
                                 int64_t now_ms) {
  if (Status can = CanAddPartitions(topic, partitions); !can.ok()) return can;
  for (int32_t p = PartitionCount(topic); p < partitions; ++p) {
    OpenLog({topic, p}, topic_configs_.at(topic), now_ms);
    WritePartitionMetadata({topic, p});
  }
  return Status();
}

//! [delete topic]
Status LogManager::DeleteTopic(const std::string& topic,
                               std::mt19937_64& random) {
  const int32_t partitions = PartitionCount(topic);
  if (partitions == 0) {
    return Error{ErrorCode::kUnknownTopicOrPartition,
                 "topic '" + topic + "' does not exist"};
  }
  for (int32_t p = 0; p < partitions; ++p) MarkForDeletion({topic, p}, random);
  // The renames are the deletion: once durable, no restart loads the topic.
  storage_.SyncDirectory(data_dir_);
  storage_.Remove(TopicConfigPath(topic));
  storage_.SyncDirectory(ParentDirectory(TopicConfigPath(topic)));
  topic_configs_.erase(topic);
  topic_overrides_.erase(topic);
  topic_ids_.erase(topic);
  return Status();
}

void LogManager::MarkForDeletion(const TopicPartition& partition,
                                 std::mt19937_64& random) {
  logs_.erase(partition);  // closes its files
  const std::string renamed =
      data_dir_ + "/" + DeleteDirName(partition, random);
  storage_.RenameDirectory(data_dir_ + "/" + partition.DirectoryName(),
                           renamed);
  logs_to_delete_.push_back(renamed);
}

void LogManager::DeleteLogsMarkedForDeletion() {
  if (logs_to_delete_.empty()) return;
  for (const std::string& dir : logs_to_delete_) storage_.RemoveDirectory(dir);
  storage_.SyncDirectory(data_dir_);
  logs_to_delete_.clear();
}
//! [delete topic]

std::optional<TopicConfigOverrides> LogManager::TopicConfigs(
    const std::string& topic) const {
  if (PartitionCount(topic) == 0) return std::nullopt;
  auto found = topic_overrides_.find(topic);
  return found == topic_overrides_.end() ? TopicConfigOverrides()
                                         : found->second;
}

Status LogManager::AlterTopicConfigs(const std::string& topic,
                                     const TopicConfigOverrides& configs) {
  Result<LogConfig> config = ParseOverrides(configs, defaults_);
  if (!config.ok()) return config.status();
  WriteTopicConfig(topic, configs);
  topic_overrides_[topic] = configs;
  topic_configs_[topic] = *config;
  for (auto it = logs_.lower_bound({topic, 0});
       it != logs_.end() && it->first.topic == topic; ++it) {
    it->second->UpdateConfig(*config);
  }
  return Status();
}

Log* LogManager::GetLog(const TopicPartition& partition) const {
  auto it = logs_.find(partition);
  return it == logs_.end() ? nullptr : it->second.get();
}

int32_t LogManager::PartitionCount(const std::string& topic) const {
  int32_t count = 0;
  for (auto it = logs_.lower_bound({topic, 0});
       it != logs_.end() && it->first.topic == topic; ++it) {
    ++count;
  }
  return count;
}

std::optional<Uuid> LogManager::TopicId(const std::string& topic) const {
  auto found = topic_ids_.find(topic);
  if (found == topic_ids_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> LogManager::Topics() const {
  std::vector<std::string> topics;
  for (const auto& [partition, log] : logs_) {
    if (topics.empty() || topics.back() != partition.topic) {
      topics.push_back(partition.topic);
    }
  }
  return topics;
}

void LogManager::DeleteRetentionBreachedSegments(int64_t now_ms) {
  for (auto& [partition, log] : logs_)
    log->DeleteRetentionBreachedSegments(now_ms);
}

void LogManager::CloseAll() {
  for (auto& [partition, log] : logs_) log->Close();
}

}  // namespace kafka
