// //:broker from Chapter 7 on: Chapter 5's single node (a broker and the
// controller of its own quorum of one), whose broker answers acks=all once
// the ISR has the batch, hands out producer ids and writes each idempotent
// producer's batch once. The same flags and settings as Chapter 5's
// (chapters/05_controller/server/single_node_main.cc), and
// producer.id.expiration.ms:
//
//   bazel run //:broker -- --data-dir /tmp/single
#include "chapters/07_idempotence/server/idempotent_server.h"

int main(int argc, char** argv) {
  kafka::ProducerStateConfig producer_state;
  const kafka::BrokerAdditions additions =
      kafka::IdempotenceAdditions(producer_state);
  return kafka::RunKRaftServer(
      argc, argv,
      "A single KRaft node: a broker and its own controller, with acks=all "
      "and idempotent producers (Chapter 7).",
      kafka::ReadSingleNodeConfig,
      kafka::SingleNodeSettingsHelp(additions.settings), additions);
}
