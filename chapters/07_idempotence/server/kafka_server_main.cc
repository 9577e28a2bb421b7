// Chapter 7's server program, Kafka's kafka-server-start: Chapter 5's KRaft
// node (a broker, a controller or both, as process.roles say), whose broker
// answers acks=all once the ISR has the batch, hands out producer ids and
// writes each idempotent producer's batch once. It takes Chapter 5's flags
// and settings (chapters/05_controller/server/kafka_server_main.cc) and
// producer.id.expiration.ms; //:cluster starts its nodes with it.
#include "chapters/07_idempotence/server/idempotent_server.h"

int main(int argc, char** argv) {
  kafka::ProducerStateConfig producer_state;
  const kafka::BrokerAdditions additions =
      kafka::IdempotenceAdditions(producer_state);
  return kafka::RunKRaftServer(
      argc, argv,
      "A node of a KRaft cluster: a broker, a controller or both, with "
      "acks=all and idempotent producers (Chapter 7).",
      kafka::ReadKRaftServerConfig,
      kafka::KRaftServerSettingsHelp(additions.settings), additions);
}
