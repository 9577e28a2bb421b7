// kafka-consumer-groups: list groups, or describe one with its lag.
//
//   bazel run //:kafka-consumer-groups -- --bootstrap-server 127.0.0.1:9092
//   --list
//   bazel run //:kafka-consumer-groups -- --list --state Stable,Empty
//   bazel run //:kafka-consumer-groups -- --describe --group readers
//
// --list --state prints each group's state, and only groups in the states
// given, if any (ListGroups version 4's states filter). Describe prints, as
// Kafka's tool does, one line per partition that a member owns or the group
// committed: the group's committed offset, the partition's log end offset,
// the lag between them (how far the group is behind) and the owner, or "-".
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <set>

#include "chapters/03_consumer_groups/assignor.h"
#include "lib/net/tcp_runtime.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/groups.h"
#include "lib/protocol/list_offsets.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

// ListGroups 4 has the states filter and each group's state; OffsetFetch 2
// is the first where null topics ask for every committed partition.
constexpr int16_t kListGroupsVersion = 4;
constexpr int16_t kOffsetFetchVersion = 2;

// Sends one request after another and collects the answers; Done() when the
// last has come.
class GroupsTool : public ClientNode {
 public:
  GroupsTool(std::string bootstrap_server, bool list,
             std::optional<std::vector<std::string>> states, std::string group)
      : bootstrap_server_(std::move(bootstrap_server)),
        list_(list),
        states_(std::move(states)),
        group_(std::move(group)) {}

  void Start(Environment& env) override {
    env_ = &env;
    bootstrap_ = LearnBootstrapServers(env, {bootstrap_server_}).front();
    if (list_) {
      ListGroupsRequest request;
      request.states_filter = states_.value_or(std::vector<std::string>{});
      Call<ListGroupsRequest, ListGroupsResponse>(
          ApiKey::kListGroups, kListGroupsVersion, request,
          [this](ListGroupsResponse r) { PrintGroups(r); });
    } else {
      Call<DescribeGroupsRequest, DescribeGroupsResponse>(
          ApiKey::kDescribeGroups, 1, {{group_}},
          [this](DescribeGroupsResponse r) { OnDescribed(r); });
    }
  }
  bool done() const { return done_; }
  int exit_code() const { return exit_code_; }

 private:
  template <typename Message, typename Response>
  void Call(ApiKey api, int16_t version, const Message& message,
            std::function<void(Response)> on_answer) {
    env_->Send(bootstrap_, {int16_t(api), version, 0, "kafka-consumer-groups"},
               EncodeMessage(message, api, version), 10'000,
               [this, api, version, on_answer](Result<Bytes> body) {
                 Result<Response> r =
                     body.ok()
                         ? DecodeMessage<Response>(*body, api, version, 0, "r")
                         : Result<Response>(body.error());
                 if (!r.ok()) {
                   std::cerr << "error: " << r.error().ToString() << "\n";
                   exit_code_ = 1;
                   done_ = true;
                   return;
                 }
                 on_answer(std::move(r).value());
               });
  }

  // --list: the names; with --state, each group's state too.
  void PrintGroups(const ListGroupsResponse& listed) {
    if (states_) std::printf("%-24s %s\n", "GROUP", "STATE");
    for (const auto& g : listed.groups) {
      if (states_) {
        std::printf("%-24s %s\n", g.group_id.c_str(), g.group_state.c_str());
      } else {
        std::cout << g.group_id << "\n";
      }
    }
    done_ = true;
  }

  void OnDescribed(const DescribeGroupsResponse& described) {
    const auto& group = described.groups.at(0);
    std::cout << "Group " << group.group_id << " is " << group.group_state
              << " (assignor: " << group.protocol_data << ", "
              << group.members.size() << " members)\n\n";
    for (const auto& member : group.members) {
      Result<std::vector<TopicPartition>> assigned =
          DecodeAssignment(member.member_assignment);
      if (!assigned.ok()) continue;
      for (const TopicPartition& p : *assigned) owners_[p] = member.member_id;
    }
    // Null topics: every partition the group committed, owned or not (an
    // Empty group has offsets and no members).
    Call<OffsetFetchRequest, OffsetFetchResponse>(
        ApiKey::kOffsetFetch, kOffsetFetchVersion,
        OffsetFetchRequest{group_, std::nullopt},
        [this](OffsetFetchResponse committed) { OnCommitted(committed); });
  }

  void OnCommitted(const OffsetFetchResponse& committed) {
    std::set<TopicPartition> partitions;
    for (const auto& [p, owner] : owners_) partitions.insert(p);
    for (const auto& t : committed.topics) {
      for (const auto& p : t.partitions) {
        committed_[{t.name, p.partition_index}] = p.committed_offset;
        partitions.insert({t.name, p.partition_index});
      }
    }
    if (partitions.empty()) {
      done_ = true;
      return;
    }
    ListOffsetsRequest ends;
    for (const TopicPartition& p : partitions) {
      // Timestamp -1 asks for the log end offset.
      ends.topics.push_back(
          {p.topic, {{.partition_index = p.partition, .timestamp = -1}}});
    }
    Call<ListOffsetsRequest, ListOffsetsResponse>(
        ApiKey::kListOffsets, 1, ends,
        [this](ListOffsetsResponse r) { Print(r); });
  }

  void Print(const ListOffsetsResponse& ends) {
    std::printf("%-12s %-12s %-9s %-14s %-14s %-6s %s\n", "GROUP", "TOPIC",
                "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                "CONSUMER-ID");
    for (const auto& t : ends.topics) {
      for (const auto& p : t.partitions) {
        TopicPartition tp{t.name, p.partition_index};
        auto found = committed_.find(tp);
        int64_t current = found == committed_.end() ? -1 : found->second;
        auto owner = owners_.find(tp);
        std::string lag =
            current < 0 ? "-" : std::to_string(p.offset - current);
        std::printf("%-12s %-12s %-9d %-14s %-14lld %-6s %s\n", group_.c_str(),
                    t.name.c_str(), p.partition_index,
                    current < 0 ? "-" : std::to_string(current).c_str(),
                    static_cast<long long>(p.offset), lag.c_str(),
                    owner == owners_.end() ? "-" : owner->second.c_str());
      }
    }
    done_ = true;
  }

  std::string bootstrap_server_;  ///< --bootstrap-server, host:port
  bool list_;
  /// --state: print states, and filter by these (none: every group).
  std::optional<std::vector<std::string>> states_;
  std::string group_;
  Environment* env_ = nullptr;
  NodeId bootstrap_ = -1;
  std::map<TopicPartition, std::string> owners_;
  std::map<TopicPartition, int64_t> committed_;
  bool done_ = false;
  int exit_code_ = 0;
};

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  CLI::App app{"List consumer groups, or describe one with its lag."};
  std::string bootstrap = "127.0.0.1:9092";
  std::string group;
  bool list = false;
  bool describe_group = false;
  app.add_option("--bootstrap-server", bootstrap, "host:port of a broker")
      ->capture_default_str();
  auto* list_flag = app.add_flag("--list", list, "list the groups");
  std::vector<std::string> states;
  auto* state = app.add_option("--state", states,
                               "with --list: show states, only these if given")
                    ->delimiter(',')
                    ->expected(0, -1)
                    ->needs(list_flag);
  auto* describe =
      app.add_flag("--describe", describe_group, "describe --group")
          ->excludes(list_flag);
  app.add_option("--group", group, "the group to describe")->needs(describe);
  CLI11_PARSE(app, argc, argv);
  std::erase(states, "");  // a bare --state reads as one empty value
  if (!list && group.empty()) {
    std::cerr << "give --list, or --describe --group NAME\n";
    return 2;
  }
  if (kafka::Result<kafka::HostPort> address = kafka::ParseHostPort(bootstrap);
      !address.ok()) {
    std::cerr << "--bootstrap-server: " << address.error().message << "\n";
    return 2;
  }
  kafka::TcpRuntime runtime(
      {},
      std::make_unique<kafka::GroupsTool>(
          bootstrap, list,
          state->count() > 0 ? std::optional<std::vector<std::string>>(states)
                             : std::nullopt,
          group));
  auto& tool = dynamic_cast<kafka::GroupsTool&>(runtime.node());
  if (!runtime.RunUntil([&] { return tool.done(); }, 15'000)) {
    std::cerr << "no answer from " << bootstrap << "\n";
    return 1;
  }
  return tool.exit_code();
}
