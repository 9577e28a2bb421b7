// The Chapter 2 broker as a program:
//
//   bazel run //chapters/02_partitions:broker_main -- --data-dir DIR --port
//   9092
//
// It listens on loopback by default, serves until SIGTERM or SIGINT, then
// closes its logs cleanly. Restarted on the same data directory, it serves
// every record it had acknowledged. (//:broker runs the latest chapter's.)
#include "chapters/02_partitions/broker_program.h"

int main(int argc, char** argv) {
  return kafka::RunBrokerProgram(
      argc, argv, "A single Kafka broker (Chapter 2).",
      [](const kafka::BrokerConfig& config, kafka::Broker*& broker) {
        auto node = std::make_unique<kafka::Broker>(config);
        broker = node.get();
        return node;
      });
}
