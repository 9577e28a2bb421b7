// Chapter 2 benchmark: our producer and consumer against our broker over
// loopback TCP, 100-byte records, acks=1, one partition.
//
// Baseline, in the same run: the ceiling for sending 100-byte records
// unbatched, one write(2) per record to a reader that only reads. Batching is
// the point of the chapter: the producer should beat that ceiling several
// times over (goal: 3x), with all of Kafka's work (framing, CRC, offsets, the
// log) on top. Consumer throughput is reported beside producer throughput.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "chapters/02_partitions/broker.h"
#include "chapters/02_partitions/consumer.h"
#include "chapters/02_partitions/producer.h"
#include "lib/net/tcp_runtime.h"

namespace kafka {
namespace {

constexpr size_t kRecordSize = 100;
constexpr int64_t kRecords = 200'000;

// Sends kRecords records, then counts acknowledgements.
class ProducingNode : public ClientNode {
 public:
  explicit ProducingNode(std::string bootstrap_server)
      : bootstrap_server_(std::move(bootstrap_server)) {}
  void Start(Environment& env) override {
    producer_ = std::make_unique<Producer>(
        env, ProducerConfig{.bootstrap_servers = {bootstrap_server_},
                            .acks = 1,
                            .batch_size = 64 << 10,
                            .linger_ms = 5});
    for (int64_t i = 0; i < kRecords; ++i) {
      producer_->Send("bench", std::nullopt, Bytes(kRecordSize, 'x'),
                      [this](Result<RecordMetadata> m) { acked_ += m.ok(); });
    }
    producer_->Flush();
  }
  bool done() const { return acked_ == kRecords; }

 private:
  std::string bootstrap_server_;
  std::unique_ptr<Producer> producer_;
  int64_t acked_ = 0;
};

class ConsumingNode : public ClientNode {
 public:
  explicit ConsumingNode(std::string bootstrap_server)
      : bootstrap_server_(std::move(bootstrap_server)) {}
  void Start(Environment& env) override {
    consumer_ = std::make_unique<Consumer>(
        env,
        ConsumerConfig{.bootstrap_servers = {bootstrap_server_},
                       .auto_offset_reset = "earliest"},
        [this](std::vector<ConsumerRecord> records) {
          read_ += int64_t(records.size());
        });
    consumer_->Assign({{"bench", 0}});
  }
  bool done() const { return read_ >= kRecords; }

 private:
  std::string bootstrap_server_;
  std::unique_ptr<Consumer> consumer_;
  int64_t read_ = 0;
};

// A broker with a fresh data directory, served from its own thread.
class BrokerThread {
 public:
  BrokerThread()
      : dir_(std::filesystem::temp_directory_path() /
             "kafka_produce_benchmark") {
    std::filesystem::remove_all(dir_);
    auto broker = std::make_unique<Broker>(BrokerConfig{.data_dir = dir_});
    Broker& advertised = *broker;
    runtime_ =
        std::make_unique<TcpRuntime>(TcpRuntime::Options{}, std::move(broker));
    // Metadata names the port the listener got: the clients go there.
    advertised.AdvertisePort(runtime_->port());
    thread_ = std::thread([this] { runtime_->Run(); });
  }
  ~BrokerThread() {
    runtime_->Stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }
  /// bootstrap.servers for the clients.
  std::string BootstrapServer() const {
    return "127.0.0.1:" + std::to_string(runtime_->port());
  }

 private:
  std::string dir_;
  std::unique_ptr<TcpRuntime> runtime_;
  std::thread thread_;
};

void ProduceThenConsume(benchmark::State& state) {
  double produce_seconds = 0, consume_seconds = 0;
  for (auto _ : state) {
    BrokerThread broker;
    auto start = std::chrono::steady_clock::now();
    TcpRuntime producer(
        {}, std::make_unique<ProducingNode>(broker.BootstrapServer()));
    auto& producing = dynamic_cast<ProducingNode&>(producer.node());
    if (!producer.RunUntil([&] { return producing.done(); }, 120'000)) {
      state.SkipWithError("not every record was acknowledged");
    }
    auto produced = std::chrono::steady_clock::now();
    TcpRuntime consumer(
        {}, std::make_unique<ConsumingNode>(broker.BootstrapServer()));
    auto& consuming = dynamic_cast<ConsumingNode&>(consumer.node());
    if (!consumer.RunUntil([&] { return consuming.done(); }, 120'000)) {
      state.SkipWithError("not every record was read");
    }
    auto consumed = std::chrono::steady_clock::now();
    produce_seconds += std::chrono::duration<double>(produced - start).count();
    consume_seconds +=
        std::chrono::duration<double>(consumed - produced).count();
  }
  double records = double(kRecords) * double(state.iterations());
  state.counters["produce_records_per_s"] = records / produce_seconds;
  state.counters["consume_records_per_s"] = records / consume_seconds;
}

// The baseline: one write(2) per 100-byte record to a thread that reads.
void UnbatchedSocketWrites(benchmark::State& state) {
  double seconds = 0;
  for (auto _ : state) {
    int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener, 1);
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    std::thread reader([listener] {
      int fd = ::accept(listener, nullptr, nullptr);
      char buffer[65536];
      while (::read(fd, buffer, sizeof buffer) > 0) {
      }
      ::close(fd);
    });
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    Bytes record(kRecordSize, 'x');
    auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < kRecords; ++i) {
      if (::write(fd, record.data(), record.size()) < 0) std::abort();
    }
    seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    ::close(fd);
    reader.join();
    ::close(listener);
  }
  state.counters["records_per_s"] =
      double(kRecords) * double(state.iterations()) / seconds;
}

BENCHMARK(UnbatchedSocketWrites)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(ProduceThenConsume)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kafka

BENCHMARK_MAIN();
