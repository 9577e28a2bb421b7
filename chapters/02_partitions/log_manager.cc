#include "chapters/02_partitions/log_manager.h"

#include <algorithm>
#include <charconv>
#include <ostream>

namespace kafka {
namespace {

constexpr size_t kMaxTopicNameLength = 249;

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

}  // namespace

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

Result<LogConfig> ParseTopicConfigs(
    const std::vector<std::pair<std::string, std::string>>& configs,
    const LogConfig& defaults) {
  LogConfig config = defaults;
  const std::map<std::string, int64_t*> numbers = {
      {"segment.bytes", &config.segment_bytes},
      {"segment.ms", &config.segment_ms},
      {"retention.ms", &config.retention_ms},
      {"retention.bytes", &config.retention_bytes},
      {"flush.messages", &config.flush_messages},
      {"flush.ms", &config.flush_ms},
  };
  const std::map<std::string, int32_t*> small_numbers = {
      {"segment.index.bytes", &config.segment_index_bytes},
      {"index.interval.bytes", &config.index_interval_bytes},
      {"max.message.bytes", &config.max_message_bytes},
  };
  for (const auto& [name, text] : configs) {
    std::optional<int64_t> value = ParseInt64(text);
    if (!value) {
      return Error{ErrorCode::kInvalidConfig,
                   "config " + name + "=" + text + " is not a number"};
    }
    if (auto it = numbers.find(name); it != numbers.end()) {
      *it->second = *value;
    } else if (auto small = small_numbers.find(name);
               small != small_numbers.end() && *value <= INT32_MAX) {
      *small->second = int32_t(*value);
    } else {
      return Error{ErrorCode::kInvalidConfig,
                   "unknown or out-of-range topic config " + name};
    }
  }
  return config;
}

LogManager::LogManager(Storage& storage, std::string data_dir,
                       LogConfig defaults)
    : storage_(storage), data_dir_(std::move(data_dir)), defaults_(defaults) {}

void LogManager::LoadLogs(int64_t now_ms) {
  CreateDirectoriesDurably(storage_, data_dir_);
  for (const std::string& name : storage_.ListDirectories(data_dir_)) {
    if (auto partition = TopicPartition::FromDirectoryName(name)) {
      OpenLog(*partition, defaults_, now_ms);
    }
  }
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
                               const LogConfig& config, int64_t now_ms) {
  if (Status can = CanCreateTopic(topic, partitions); !can.ok()) return can;
  for (int32_t p = 0; p < partitions; ++p) OpenLog({topic, p}, config, now_ms);
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
