// //:broker from Chapter 6 on: Chapter 5's single node (a broker and the
// controller of its own quorum of one), whose broker answers acks=all once
// the ISR has the batch. The same flags and settings as Chapter 5's
// (chapters/05_controller/server/single_node_main.cc):
//
//   bazel run //:broker -- --data-dir /tmp/single
#include "chapters/05_controller/server/kraft_server.h"
#include "chapters/06_acks/delayed_produce.h"

int main(int argc, char** argv) {
  return kafka::RunKRaftServer(
      argc, argv,
      "A single KRaft node: a broker and its own controller, with acks=all "
      "and min.insync.replicas (Chapter 6).",
      kafka::ReadSingleNodeConfig, kafka::SingleNodeSettingsHelp(),
      {.configure = [](kafka::KRaftBrokerConfig& broker) {
        broker.seams.produce_acks = kafka::MakeDelayedProduceAcks();
      }});
}
