// Chapter 2 demo: a broker, our producer and consumer, and where keys land.
//
//   bazel run //chapters/02_partitions:demo -- --data-dir /tmp/kafka-demo
//
// Starts a broker on a free loopback port (its partitions under DIR/broker),
// produces keyed page views to a topic with three partitions, shows which
// partition each key went to, and where librdkafka's default partitioner
// would have put the same keys; then reads everything back. With --stay the
// broker keeps serving, so you can point kcat at it.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "chapters/02_partitions/broker.h"
#include "chapters/02_partitions/consumer.h"
#include "chapters/02_partitions/partitioner.h"
#include "chapters/02_partitions/producer.h"
#include "lib/net/tcp_runtime.h"
#include "lib/user_path.h"

namespace kafka {
namespace {

constexpr NodeId kBrokerId = 1;
constexpr int32_t kPartitions = 3;
const std::vector<std::string> kUsers = {"alice", "bob",  "carol",
                                         "dave",  "erin", "frank"};

// Runs a client library inside a node until `done`.
template <typename Client>
class Host : public ClientNode {
 public:
  explicit Host(std::function<std::unique_ptr<Client>(Environment&)> make)
      : make_(std::move(make)) {}
  void Start(Environment& env) override { client_ = make_(env); }

 private:
  std::function<std::unique_ptr<Client>(Environment&)> make_;
  std::unique_ptr<Client> client_;
};

void Produce(const std::string& bootstrap_server) {
  std::cout << "\n== 1. Produce 12 page views, keyed by user, to 'page-views' "
               "(3 partitions) ==\n";
  int acked = 0;
  TcpRuntime runtime(
      {}, std::make_unique<Host<Producer>>([&](Environment& env) {
        auto producer = std::make_unique<Producer>(
            env, ProducerConfig{.bootstrap_servers = {bootstrap_server},
                                // Chapter 2's broker: no InitProducerId.
                                .enable_idempotence = false});
        for (int i = 0; i < 12; ++i) {
          const std::string& user = kUsers[i % kUsers.size()];
          producer->Send("page-views", ToBytes(user),
                         ToBytes("view #" + std::to_string(i)),
                         [&, user](Result<RecordMetadata> m) {
                           ++acked;
                           std::cout << "  " << user << " -> partition "
                                     << m->partition.partition << ", offset "
                                     << m->offset << "\n";
                         });
        }
        return producer;
      }));
  runtime.RunUntil([&] { return acked == 12; }, 10'000);
}

void ComparePartitioners() {
  std::cout
      << "\n== 2. The same keys under two clients' default partitioners ==\n"
      << "  key      Java (murmur2)   librdkafka (CRC-32)\n";
  for (const std::string& user : kUsers) {
    ByteView key = AsBytes(user);
    std::cout << "  " << user << std::string(9 - user.size(), ' ') << "p"
              << ToPositive(Murmur2(key)) % kPartitions << "               p"
              << Crc32(key) % kPartitions << "\n";
  }
  std::cout << "  Mixed clients break per-key ordering unless librdkafka uses "
               "partitioner=murmur2_random.\n";
}

void Consume(const std::string& bootstrap_server) {
  std::cout << "\n== 3. Read everything back, from the earliest offset ==\n";
  std::map<int32_t, std::vector<std::string>> by_partition;
  int read = 0;
  TcpRuntime runtime(
      {}, std::make_unique<Host<Consumer>>([&](Environment& env) {
        auto consumer = std::make_unique<Consumer>(
            env,
            ConsumerConfig{.bootstrap_servers = {bootstrap_server},
                           .auto_offset_reset = "earliest"},
            [&](std::vector<ConsumerRecord> records) {
              for (const ConsumerRecord& r : records) {
                by_partition[r.partition.partition].push_back(
                    std::to_string(r.offset) + ":" + AsString(*r.key));
                ++read;
              }
            });
        consumer->Assign(
            {{"page-views", 0}, {"page-views", 1}, {"page-views", 2}});
        return consumer;
      }));
  runtime.RunUntil([&] { return read == 12; }, 10'000);
  for (const auto& [partition, records] : by_partition) {
    std::cout << "  partition " << partition << ":";
    for (const std::string& r : records) std::cout << " " << r;
    std::cout << "\n";
  }
  std::cout << "  Order holds within a partition, never across partitions.\n";
}

int Run(const std::string& data_dir, bool stay) {
  const std::string dir = data_dir + "/broker";
  std::filesystem::remove_all(dir);  // a fresh broker on every run
  TcpRuntime broker(
      TcpRuntime::Options{.handle_signals = stay},
      std::make_unique<Broker>(BrokerConfig{.node_id = kBrokerId,
                                            .data_dir = dir,
                                            .num_partitions = kPartitions}));
  dynamic_cast<Broker&>(broker.node()).AdvertisePort(broker.port());
  std::thread serving([&] { broker.Run(); });
  std::cout << "broker 1 listening on 127.0.0.1:" << broker.port()
            << ", data in " << dir << "\n";

  // The clients learn the broker from bootstrap.servers, as real ones do.
  const std::string bootstrap = "127.0.0.1:" + std::to_string(broker.port());
  Produce(bootstrap);
  ComparePartitioners();
  Consume(bootstrap);

  if (stay) {
    std::cout
        << "\nThe broker keeps serving until Ctrl-C. Try:\n  kcat -b 127.0.0.1:"
        << broker.port() << " -L\n  kcat -b 127.0.0.1:" << broker.port()
        << " -C -t page-views -o beginning -e -f '%p %o %k=%s\\n'\n";
  } else {
    broker.Stop();
  }
  serving.join();
  std::cout << "\nThe partitions stay in " << dir
            << " (one directory per partition).\n";
  return 0;
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  CLI::App app{
      "Chapter 2 demo: a broker, a producer, a consumer, partitioning."};
  std::string data_dir = "kafka-demo-data";
  bool stay = false;
  app.add_option("--data-dir", data_dir,
                 "where the broker keeps its partitions")
      ->capture_default_str();
  app.add_flag("--stay", stay,
               "keep the broker running for kcat, until Ctrl-C");
  CLI11_PARSE(app, argc, argv);
  return kafka::Run(kafka::FromUserDirectory(data_dir), stay);
}
