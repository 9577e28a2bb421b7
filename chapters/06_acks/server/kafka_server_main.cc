// Chapter 6's server program, Kafka's kafka-server-start: Chapter 5's KRaft
// node (a broker, a controller or both, as process.roles say), whose broker
// answers acks=all once the ISR has the batch and refuses it under
// min.insync.replicas. It takes Chapter 5's flags and settings
// (chapters/05_controller/server/kafka_server_main.cc); //:cluster starts
// its nodes with it.
#include "chapters/05_controller/server/kraft_server.h"
#include "chapters/06_acks/delayed_produce.h"

int main(int argc, char** argv) {
  return kafka::RunKRaftServer(
      argc, argv,
      "A node of a KRaft cluster: a broker, a controller or both, with "
      "acks=all and min.insync.replicas (Chapter 6).",
      kafka::ReadKRaftServerConfig, kafka::KRaftServerSettingsHelp(),
      {.configure = [](kafka::KRaftBrokerConfig& broker) {
        broker.seams.produce_acks = kafka::MakeDelayedProduceAcks();
      }});
}
