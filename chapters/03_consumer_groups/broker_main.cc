// The broker with consumer groups (Chapter 3) as a program; //:broker runs it:
//
//   bazel run //:broker -- --data-dir /tmp/kafka-data --port 9092
#include "chapters/02_partitions/broker_program.h"
#include "chapters/03_consumer_groups/group_broker.h"

int main(int argc, char** argv) {
  return kafka::RunBrokerProgram(
      argc, argv, "A Kafka broker with a group coordinator (Chapter 3).",
      [](const kafka::BrokerConfig& config, kafka::Broker*& broker) {
        auto node = std::make_unique<kafka::GroupBroker>(
            config, kafka::GroupCoordinatorConfig{});
        broker = &node->broker();
        return node;
      });
}
