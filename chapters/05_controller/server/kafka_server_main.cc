// Chapter 5's server program, Kafka's kafka-server-start: one node of a
// KRaft cluster, a broker, a controller or both, as its process.roles say
// (kraft_server_config.h). //:cluster starts a quorum of controllers and
// brokers with it (kafka_cluster.py); one controller of three by hand:
//
//   bazel run //chapters/05_controller/server:kafka_server_main --
//       config/server.properties --data-dir /tmp/c3000 --port 9093
//       --override process.roles=controller --override node.id=3000
//       --override controller.quorum.voters=3000@127.0.0.1:9093,...
//
// and a broker that follows them:
//
//   ... --data-dir /tmp/b1 --port 9092 --override process.roles=broker
//       --override node.id=1 --override controller.quorum.voters=...
#include "chapters/05_controller/server/kraft_server.h"

int main(int argc, char** argv) {
  return kafka::RunKRaftServer(
      argc, argv,
      "A node of a KRaft cluster: a broker, a controller or both "
      "(Chapter 5).",
      kafka::ReadKRaftServerConfig, kafka::KRaftServerSettingsHelp());
}
