#include "chapters/05_controller/tools/leader_election_command.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "chapters/05_controller/tools/admin_errors.h"

namespace kafka {
namespace {

std::string JoinPartitions(const std::vector<ElectionPartition>& partitions) {
  std::string text;
  for (size_t i = 0; i < partitions.size(); ++i) {
    text += (i ? ", " : "") + partitions[i].ToString();
  }
  return text;
}

// Just enough JSON for --path-to-json-file: any JSON value is read, and the
// caller looks for the fields it needs.
struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json* Member(std::string_view name) const {
    for (const auto& [key, value] : members) {
      if (key == name) return &value;
    }
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  std::optional<Json> ParseDocument() {
    std::optional<Json> value = ParseValue();
    SkipSpace();
    if (pos_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(uint8_t(text_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool EatWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::optional<Json> ParseValue() {
    SkipSpace();
    if (pos_ >= text_.size()) return std::nullopt;
    Json value;
    const char c = text_[pos_];
    if (c == '{') return ParseObject();
    if (c == '[') return ParseArray();
    if (c == '"') {
      std::optional<std::string> s = ParseString();
      if (!s) return std::nullopt;
      value.kind = Json::Kind::kString;
      value.text = std::move(*s);
      return value;
    }
    if (EatWord("null")) return value;
    if (EatWord("true") || EatWord("false")) {
      value.kind = Json::Kind::kBool;
      return value;
    }
    return ParseNumber();
  }

  std::optional<Json> ParseNumber() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isdigit(uint8_t(text_[pos_])) ||
            std::string_view("+-.eE").find(text_[pos_]) !=
                std::string_view::npos)) {
      ++pos_;
    }
    if (pos_ == start) return std::nullopt;
    Json value;
    value.kind = Json::Kind::kNumber;
    try {
      value.number = std::stod(std::string(text_.substr(start, pos_ - start)));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    return value;
  }

  // A string without escapes beyond \" and \\ (topic names have none).
  std::optional<std::string> ParseString() {
    if (!Eat('"')) return std::nullopt;
    std::string s;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      s += text_[pos_++];
    }
    if (pos_ >= text_.size()) return std::nullopt;
    ++pos_;
    return s;
  }

  std::optional<Json> ParseArray() {
    Eat('[');
    Json array;
    array.kind = Json::Kind::kArray;
    if (Eat(']')) return array;
    do {
      std::optional<Json> item = ParseValue();
      if (!item) return std::nullopt;
      array.items.push_back(std::move(*item));
    } while (Eat(','));
    if (!Eat(']')) return std::nullopt;
    return array;
  }

  std::optional<Json> ParseObject() {
    Eat('{');
    Json object;
    object.kind = Json::Kind::kObject;
    if (Eat('}')) return object;
    do {
      SkipSpace();
      std::optional<std::string> key = ParseString();
      if (!key || !Eat(':')) return std::nullopt;
      std::optional<Json> value = ParseValue();
      if (!value) return std::nullopt;
      object.members.emplace_back(std::move(*key), std::move(*value));
    } while (Eat(','));
    if (!Eat('}')) return std::nullopt;
    return object;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

Error JsonError(const std::string& what) {
  return Error{ErrorCode::kInvalidRequest, what};
}

// One {"topic": "foo", "partition": 1} of the file.
Result<ElectionPartition> ReadPartition(const Json& entry) {
  const Json* topic = entry.Member("topic");
  const Json* partition = entry.Member("partition");
  if (!topic || topic->kind != Json::Kind::kString || !partition ||
      partition->kind != Json::Kind::kNumber) {
    return JsonError(
        "Replica election data entries need \"topic\" (a string) and "
        "\"partition\" (a number)");
  }
  return ElectionPartition{topic->text, int32_t(partition->number)};
}

}  // namespace

std::string ElectionTypeName(int8_t election_type) {
  return election_type == kUncleanElection ? "UNCLEAN" : "PREFERRED";
}

Result<int8_t> ParseElectionType(const std::string& text) {
  std::string upper = text;
  std::ranges::transform(upper, upper.begin(),
                         [](unsigned char c) { return std::toupper(c); });
  if (upper == "PREFERRED") return kPreferredElection;
  if (upper == "UNCLEAN") return kUncleanElection;
  return Error{ErrorCode::kInvalidRequest,
               "Cannot convert argument '" + text +
                   "' of option ['election-type']. Value must be one of "
                   "[preferred, unclean]"};
}

ElectLeadersRequest BuildElectLeadersRequest(
    int8_t election_type,
    const std::optional<std::vector<ElectionPartition>>& partitions) {
  ElectLeadersRequest request;
  request.election_type = election_type;
  if (!partitions) {
    request.topic_partitions = std::nullopt;
    return request;
  }
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const ElectionPartition& p : *partitions) {
    by_topic[p.topic].push_back(p.partition);
  }
  request.topic_partitions.emplace();
  for (auto& [topic, indexes] : by_topic) {
    request.topic_partitions->push_back(
        {.topic = topic, .partitions = std::move(indexes)});
  }
  return request;
}

ElectionReport ReportElection(int8_t election_type,
                              const ElectLeadersResponse& response) {
  ElectionReport report;
  if (response.error_code != ErrorCode::kNone) {
    report.err = ExceptionText(response.error_code, std::nullopt) + "\n";
    report.exit_code = 1;
    return report;
  }
  std::vector<ElectionPartition> succeeded, not_needed;
  std::map<ElectionPartition, std::string> failed;
  for (const auto& topic : response.replica_election_results) {
    for (const auto& result : topic.partition_result) {
      ElectionPartition partition{topic.topic, result.partition_id};
      if (result.error_code == ErrorCode::kNone) {
        succeeded.push_back(partition);
      } else if (result.error_code == ErrorCode::kElectionNotNeeded) {
        not_needed.push_back(partition);
      } else {
        failed[partition] =
            ExceptionText(result.error_code, result.error_message);
      }
    }
  }
  std::ranges::sort(succeeded);
  std::ranges::sort(not_needed);
  const std::string type = ElectionTypeName(election_type);
  if (!succeeded.empty()) {
    report.out += "Successfully completed leader election (" + type +
                  ") for partitions " + JoinPartitions(succeeded) + "\n";
  }
  if (!not_needed.empty()) {
    report.out += "Valid replica already elected for partitions " +
                  JoinPartitions(not_needed) + "\n";
  }
  for (const auto& [partition, exception] : failed) {
    report.out += "Error completing leader election (" + type +
                  ") for partition: " + partition.ToString() + ": " +
                  exception + "\n";
  }
  if (!failed.empty()) {
    report.err =
        std::to_string(failed.size()) + " replica(s) could not be elected\n";
    report.exit_code = 1;
  }
  return report;
}

Result<std::vector<ElectionPartition>> ParseElectionJson(
    std::string_view json) {
  std::optional<Json> document = JsonParser(json).ParseDocument();
  if (!document || document->kind != Json::Kind::kObject) {
    return JsonError("Replica election data is not a JSON object");
  }
  const Json* list = document->Member("partitions");
  if (!list || list->kind != Json::Kind::kArray) {
    return JsonError("Replica election data is missing \"partitions\" field");
  }
  std::vector<ElectionPartition> partitions;
  std::set<ElectionPartition> seen, duplicates;
  for (const Json& entry : list->items) {
    Result<ElectionPartition> partition = ReadPartition(entry);
    if (!partition.ok()) return partition.error();
    if (!seen.insert(*partition).second) duplicates.insert(*partition);
    partitions.push_back(*partition);
  }
  if (!duplicates.empty()) {
    return JsonError("Replica election data contains duplicate partitions: [" +
                     JoinPartitions({duplicates.begin(), duplicates.end()}) +
                     "]");
  }
  return partitions;
}

}  // namespace kafka
