// //:broker from Chapter 5 on: one node that is a whole cluster, a broker
// and the controller of its own quorum of one (Kafka's combined mode with a
// single voter, as Kafka's example server.properties sets it up). It takes
// the flags and settings //:broker always took, so that what ran against
// Chapter 3's broker runs against it:
//
//   bazel run //:broker -- --data-dir /tmp/single
//   bazel run //:broker -- config/server.properties --port 0
//
// Its node.id is its one voter, at its listener's address; process.roles
// and the voters, if a file names them, are ignored with a warning. For a
// node of a larger quorum, kafka_server_main.
#include "chapters/05_controller/server/kraft_server.h"

int main(int argc, char** argv) {
  return kafka::RunKRaftServer(
      argc, argv,
      "A single KRaft node: a broker and its own controller (Chapter 5).",
      kafka::ReadSingleNodeConfig, kafka::SingleNodeSettingsHelp());
}
