// The Chapter 2 broker as a program, started as Kafka's is:
//
//   bazel run //chapters/02_partitions:broker_main -- config/server.properties
//   bazel run //chapters/02_partitions:broker_main -- --data-dir DIR
//
// It listens on loopback by default, serves until SIGTERM or SIGINT, then
// closes its logs cleanly. Restarted on the same data directory, it serves
// every record it had acknowledged. It has no group coordinator, so it
// ignores the group settings with a warning. (//:broker runs the latest
// chapter's broker.)
#include "chapters/02_partitions/broker_program.h"

int main(int argc, char** argv) {
  return kafka::RunBrokerProgram(
      argc, argv, "A single Kafka broker (Chapter 2).", /*chapter_settings=*/{},
      [](const kafka::BrokerConfig& config) {
        return std::make_unique<kafka::Broker>(config);
      });
}
