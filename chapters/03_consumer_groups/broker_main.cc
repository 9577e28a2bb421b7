// The broker with consumer groups (Chapter 3) as a program (//:broker ran it
// until Chapter 5 made it a combined broker and controller):
//
//   bazel run //chapters/03_consumer_groups:broker_main --
//       config/server.properties --override node.id=2
//   bazel run //chapters/03_consumer_groups:broker_main --
//       --data-dir /tmp/kafka-data --port 9092
//
// Besides Chapter 2's settings it takes the group coordinator's, by Kafka's
// names (group_settings.h).
#include "chapters/02_partitions/broker_program.h"
#include "chapters/03_consumer_groups/group_broker.h"
#include "chapters/03_consumer_groups/group_settings.h"

int main(int argc, char** argv) {
  kafka::GroupCoordinatorConfig groups;
  return kafka::RunBrokerProgram(
      argc, argv, "A Kafka broker with a group coordinator (Chapter 3).",
      kafka::GroupCoordinatorSettings(groups),
      [&groups](const kafka::BrokerConfig& config) {
        return std::make_unique<kafka::GroupBroker>(config, groups);
      });
}
