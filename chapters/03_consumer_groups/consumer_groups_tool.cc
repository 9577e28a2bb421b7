// kafka-consumer-groups: list groups, or describe one with its lag.
//
//   bazel run //:kafka-consumer-groups -- --bootstrap-server 127.0.0.1:9092
//   --list
//   bazel run //:kafka-consumer-groups -- --describe --group readers
//
// Describe prints, as Kafka's tool does, one line per assigned partition: the
// group's committed offset, the partition's log end offset, and the lag
// between them (how far the group is behind).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "chapters/03_consumer_groups/assignor.h"
#include "lib/net/tcp_runtime.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/groups.h"
#include "lib/protocol/list_offsets.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

// Sends one request after another and collects the answers; Done() when the
// last has come.
class GroupsTool : public ClientNode {
 public:
  GroupsTool(std::string bootstrap_server, bool list, std::string group)
      : bootstrap_server_(std::move(bootstrap_server)),
        list_(list),
        group_(std::move(group)) {}

  void Start(Environment& env) override {
    env_ = &env;
    bootstrap_ = LearnBootstrapServers(env, {bootstrap_server_}).front();
    if (list_) {
      Call<ListGroupsRequest, ListGroupsResponse>(
          ApiKey::kListGroups, 1, {}, [this](ListGroupsResponse r) {
            for (const auto& g : r.groups) std::cout << g.group_id << "\n";
            done_ = true;
          });
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

  void OnDescribed(const DescribeGroupsResponse& described) {
    const auto& group = described.groups.at(0);
    std::cout << "Group " << group.group_id << " is " << group.group_state
              << " (assignor: " << group.protocol_data << ", "
              << group.members.size() << " members)\n\n";
    OffsetFetchRequest fetch{group_, {}};
    ListOffsetsRequest ends;
    for (const auto& member : group.members) {
      Result<std::vector<TopicPartition>> assigned =
          DecodeAssignment(member.member_assignment);
      if (!assigned.ok()) continue;
      for (const TopicPartition& p : *assigned) {
        owners_[p] = member.member_id;
        fetch.topics.push_back({p.topic, {p.partition}});
        ends.topics.push_back({p.topic, {{p.partition, -1}}});
      }
    }
    if (owners_.empty()) {
      done_ = true;
      return;
    }
    Call<OffsetFetchRequest, OffsetFetchResponse>(
        ApiKey::kOffsetFetch, 1, fetch,
        [this, ends](OffsetFetchResponse committed) {
          for (const auto& t : committed.topics) {
            for (const auto& p : t.partitions) {
              committed_[{t.name, p.partition_index}] = p.committed_offset;
            }
          }
          Call<ListOffsetsRequest, ListOffsetsResponse>(
              ApiKey::kListOffsets, 1, ends,
              [this](ListOffsetsResponse r) { Print(r); });
        });
  }

  void Print(const ListOffsetsResponse& ends) {
    std::printf("%-12s %-12s %-9s %-14s %-14s %-6s %s\n", "GROUP", "TOPIC",
                "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                "CONSUMER-ID");
    for (const auto& t : ends.topics) {
      for (const auto& p : t.partitions) {
        TopicPartition tp{t.name, p.partition_index};
        int64_t current = committed_[tp];
        std::string lag =
            current < 0 ? "-" : std::to_string(p.offset - current);
        std::printf("%-12s %-12s %-9d %-14s %-14lld %-6s %s\n", group_.c_str(),
                    t.name.c_str(), p.partition_index,
                    current < 0 ? "-" : std::to_string(current).c_str(),
                    static_cast<long long>(p.offset), lag.c_str(),
                    owners_[tp].c_str());
      }
    }
    done_ = true;
  }

  std::string bootstrap_server_;  ///< --bootstrap-server, host:port
  bool list_;
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
  auto* describe =
      app.add_flag("--describe", describe_group, "describe --group")
          ->excludes(list_flag);
  app.add_option("--group", group, "the group to describe")->needs(describe);
  CLI11_PARSE(app, argc, argv);
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
      {}, std::make_unique<kafka::GroupsTool>(bootstrap, list, group));
  auto& tool = dynamic_cast<kafka::GroupsTool&>(runtime.node());
  if (!runtime.RunUntil([&] { return tool.done(); }, 15'000)) {
    std::cerr << "no answer from " << bootstrap << "\n";
    return 1;
  }
  return tool.exit_code();
}
