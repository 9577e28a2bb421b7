#include "chapters/05_controller/tools/topic_command.h"

#include <regex.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "chapters/05_controller/tools/admin_errors.h"

namespace kafka {
namespace {

std::string JoinIds(const std::vector<int32_t>& ids) {
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    text += (i ? "," : "") + std::to_string(ids[i]);
  }
  return text;
}

std::string Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

bool IsDefault(const DescribeConfigsResponse::Config& config) {
  return config.config_source == kDefaultConfig;
}

// "k=v,k=v" of the configs that are not defaults, in the broker's order.
std::string NonDefaultConfigs(const TopicConfigs& configs) {
  std::string text;
  for (const auto& config : configs) {
    if (IsDefault(config)) continue;
    if (!text.empty()) text += ",";
    text += config.name + "=" + config.value.value_or("null");
  }
  return text;
}

// The topic's min.insync.replicas; 1 (Kafka's default) if not reported.
int32_t MinInsyncReplicas(const TopicConfigs& configs) {
  for (const auto& config : configs) {
    if (config.name != "min.insync.replicas" || !config.value) continue;
    int32_t value = 1;
    const std::string& text = *config.value;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  return 1;
}

bool HasLeader(const MetadataResponse::Partition& p) {
  return p.leader_id >= 0;
}

// Whether a report option selects this partition (or no option is given).
bool ShouldPrint(const MetadataResponse::Partition& p, int32_t min_isr,
                 const std::set<int32_t>& live_brokers,
                 const DescribeOptions& options) {
  if (!options.ReportsPartitions()) return true;
  const size_t isr = p.isr_nodes.size();
  return (options.under_replicated_partitions &&
          p.replica_nodes.size() > isr) ||
         (options.under_min_isr_partitions &&
          (!HasLeader(p) || isr < size_t(min_isr))) ||
         (options.at_min_isr_partitions && isr == size_t(min_isr)) ||
         (options.unavailable_partitions &&
          (!HasLeader(p) || !live_brokers.contains(p.leader_id)));
}

std::string TopicLine(const MetadataResponse::Topic& topic,
                      const std::vector<MetadataResponse::Partition>& sorted,
                      const TopicConfigs& configs) {
  std::ostringstream line;
  line << "Topic: " << topic.name.value_or("");
  if (!topic.topic_id.IsZero())
    line << "\tTopicId: " << topic.topic_id.ToString();
  line << "\tPartitionCount: " << sorted.size()
       << "\tReplicationFactor: " << sorted.front().replica_nodes.size()
       << "\tConfigs: " << NonDefaultConfigs(configs) << "\n";
  return line.str();
}

std::string PartitionLine(const std::string& topic,
                          const MetadataResponse::Partition& p) {
  std::ostringstream line;
  line << "\tTopic: " << topic << "\tPartition: " << p.partition_index
       << "\tLeader: "
       << (HasLeader(p) ? std::to_string(p.leader_id) : std::string("none"))
       << "\tReplicas: " << JoinIds(p.replica_nodes)
       << "\tIsr: " << JoinIds(p.isr_nodes) << "\n";
  return line.str();
}

std::string DescribeTopic(const MetadataResponse::Topic& topic,
                          const TopicConfigs& configs,
                          const std::set<int32_t>& live_brokers,
                          const DescribeOptions& options) {
  std::vector<MetadataResponse::Partition> sorted = topic.partitions;
  std::ranges::sort(sorted, {}, &MetadataResponse::Partition::partition_index);
  const bool overridden =
      std::ranges::any_of(configs, [](const auto& c) { return !IsDefault(c); });
  if (sorted.empty() || (options.topics_with_overrides && !overridden)) {
    return "";
  }
  std::string text;
  if (!options.ReportsPartitions()) text += TopicLine(topic, sorted, configs);
  // --topics-with-overrides prints the topic lines alone.
  if (options.topics_with_overrides) return text;
  const int32_t min_isr = MinInsyncReplicas(configs);
  for (const auto& partition : sorted) {
    if (ShouldPrint(partition, min_isr, live_brokers, options)) {
      text += PartitionLine(topic.name.value_or(""), partition);
    }
  }
  return text;
}

// --topic's value as Kafka's tools read it: a regular expression that must
// match a whole topic name, where a comma separates alternatives. POSIX
// <regex.h>, not std::regex: gcc 12 warns inside <regex> under the
// sanitizers' -O1, and warnings are errors.
class TopicPattern {
 public:
  explicit TopicPattern(const std::string& topic) {
    std::string alternatives = topic;
    std::ranges::replace(alternatives, ',', '|');
    const std::string whole = "^(" + alternatives + ")$";
    valid_ = regcomp(&compiled_, whole.c_str(), REG_EXTENDED | REG_NOSUB) == 0;
  }
  ~TopicPattern() {
    if (valid_) regfree(&compiled_);
  }
  TopicPattern(const TopicPattern&) = delete;
  TopicPattern& operator=(const TopicPattern&) = delete;

  bool valid() const { return valid_; }
  bool Matches(const std::string& name) const {
    return regexec(&compiled_, name.c_str(), 0, nullptr, 0) == 0;
  }

 private:
  regex_t compiled_{};
  bool valid_ = false;
};

}  // namespace

Result<std::vector<std::string>> SelectTopics(
    const MetadataResponse& metadata, const std::optional<std::string>& topic,
    bool exclude_internal) {
  std::optional<TopicPattern> pattern;
  if (topic) {
    pattern.emplace(*topic);
    if (!pattern->valid()) {
      return Error{ErrorCode::kInvalidRequest,
                   "--topic: not a regular expression: " + *topic};
    }
  }
  std::vector<std::string> names;
  for (const auto& t : metadata.topics) {
    if (!t.name || t.error_code != ErrorCode::kNone) continue;
    if (exclude_internal && t.is_internal) continue;
    if (pattern && !pattern->Matches(*t.name)) continue;
    names.push_back(*t.name);
  }
  std::ranges::sort(names);
  return names;
}

std::string TopicDoesNotExist(const std::string& topic) {
  return "Topic '" + topic + "' does not exist as expected";
}

std::string DescribeTopics(const MetadataResponse& metadata,
                           const std::vector<std::string>& topics,
                           const std::map<std::string, TopicConfigs>& configs,
                           const std::set<int32_t>& live_brokers,
                           const DescribeOptions& options) {
  std::string text;
  for (const std::string& name : topics) {
    auto topic = std::ranges::find(metadata.topics, std::optional(name),
                                   &MetadataResponse::Topic::name);
    if (topic == metadata.topics.end()) continue;
    auto found = configs.find(name);
    text += DescribeTopic(
        *topic, found == configs.end() ? TopicConfigs{} : found->second,
        live_brokers, options);
  }
  return text;
}

std::string ListTopics(const std::vector<std::string>& topics) {
  // Kafka prints the names joined by newlines and then a newline: a blank
  // line when there is no topic.
  std::string text;
  for (size_t i = 0; i < topics.size(); ++i) {
    text += (i ? "\n" : "") + topics[i];
  }
  return text + "\n";
}

Result<std::vector<CreateTopicsRequest::Config>> ParseTopicConfigs(
    const std::vector<std::string>& configs) {
  std::vector<CreateTopicsRequest::Config> parsed;
  for (const std::string& config : configs) {
    const size_t equals = config.find('=');
    if (equals == std::string::npos ||
        config.find('=', equals + 1) != std::string::npos ||
        Trim(config.substr(0, equals)).empty()) {
      return Error{ErrorCode::kInvalidConfig,
                   "requirement failed: Invalid topic config: all configs to "
                   "be added must be in the format \"key=val\"."};
    }
    parsed.push_back({.name = Trim(config.substr(0, equals)),
                      .value = Trim(config.substr(equals + 1))});
  }
  return parsed;
}

std::string TopicCommandError(ErrorCode code,
                              const std::optional<std::string>& message) {
  return "Error while executing topic command : " +
         ExceptionMessage(code, message);
}

std::string CollisionWarning(const std::string& topic) {
  if (topic.find_first_of("._") == std::string::npos) return "";
  return "WARNING: Due to limitations in metric names, topics with a period "
         "('.') or underscore ('_') could collide. To avoid issues it is best "
         "to use either, but not both.";
}

}  // namespace kafka
