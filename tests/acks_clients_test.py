"""Real clients and acks=all against a Chapter 6 cluster of processes: three
KRaft controllers and three brokers on loopback, the nodes of //:cluster
(chapters/06_acks/server), a topic of three partitions with replication
factor 3 and min.insync.replicas=2.

- confluent-kafka (acks=all) produces while a broker is killed (kill -9) and
  started again, and kcat (acks=all) produces after it: every record either
  client was told was written is read back from the beginning.
- Two of the three brokers are killed: once each partition's ISR is the one
  broker left, acks=all is refused, and the client reports
  NOT_ENOUGH_REPLICAS; acks=1 is still taken. When the two come back and
  rejoin the ISRs, acks=all succeeds again.

Usage: acks_clients_test.py SERVER KAFKA_CLUSTER_PY
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from confluent_kafka import KafkaError

SERVER, LAUNCHER = sys.argv[1:3]
sys.path.insert(0, os.path.dirname(LAUNCHER))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_cluster import Cluster  # noqa: E402
import kraft_cluster_clients  # noqa: E402
from kraft_cluster_clients import (  # noqa: E402
    AcknowledgedProducer, create_replicated_topic, kill_broker,
    partitions_seen_by, records, wait_for)

TOPIC = "ledger"
PARTITIONS = 3
BROKERS = [1, 2, 3]
# A dead broker is fenced after broker.session.timeout.ms without a
# heartbeat: shorter than Kafka's 9 s, so that the test waits less.
SETTINGS = ["broker.session.timeout.ms=3000",
            "broker.heartbeat.interval.ms=500"]


class AcksClients(unittest.TestCase):
    def setUp(self):
        self.base_dir = tempfile.mkdtemp(prefix="acks-clients-")
        self.cluster = Cluster(SERVER, self.base_dir, controllers=3,
                               brokers=len(BROKERS), settings=SETTINGS)
        self.cluster.start()
        create_replicated_topic(self.cluster.bootstrap, TOPIC, PARTITIONS)
        self.wait_for_isrs(1, lambda isr: sorted(isr) == BROKERS)

    def tearDown(self):
        self.cluster.stop()
        shutil.rmtree(self.base_dir)

    def wait_for_isrs(self, seen_by, holds, what="every replica in sync"):
        """Waits until every partition, as broker `seen_by` knows it, has a
        leader and an ISR that `holds`."""
        port = self.cluster.broker(seen_by).port

        def every_isr_holds():
            partitions = partitions_seen_by(port, TOPIC, PARTITIONS)
            return partitions and all(
                p["leader"] != -1 and holds(p["isr"])
                for p in partitions.values())

        wait_for(every_isr_holds, timeout_s=60, what=what)

    def read_from_beginning(self, expected):
        return kraft_cluster_clients.read_from_beginning(
            self.cluster.bootstrap, TOPIC, PARTITIONS, expected)

    def kcat_produce(self, lines, acks="all"):
        """kcat -P of `lines` (key:value) with `acks`; its exit code."""
        return subprocess.run(
            ["kcat", "-P", "-b", self.cluster.bootstrap, "-t", TOPIC,
             "-K", ":", "-X", f"acks={acks}"],
            input="".join(f"{key}:{value}\n" for key, value in lines),
            text=True, capture_output=True, timeout=60).returncode

    # Every record a client was told was written with acks=all survives a
    # broker's kill -9 during the writes, and its return.
    def test_acknowledged_records_survive_a_broker_killed_and_restarted(self):
        producer = AcknowledgedProducer(self.cluster.bootstrap, TOPIC)
        producer.produce(records("before", 200))
        producer.send(records("during", 200))
        kill_broker(self, self.base_dir, self.cluster, 2)
        producer.produce(records("after", 200))
        self.wait_for_isrs(1, lambda isr: 2 not in isr, "broker 2 fenced")
        kcat_lines = [(f"kcat{i}", f"kcat-{i}") for i in range(50)]
        self.assertEqual(self.kcat_produce(kcat_lines), 0)

        self.cluster.start_node(self.cluster.broker(2))
        self.wait_for_isrs(1, lambda isr: sorted(isr) == BROKERS)
        self.assertEqual(producer.errors, [])
        written = set(producer.acknowledged) | {
            (key.encode(), value.encode()) for key, value in kcat_lines}
        read = set(self.read_from_beginning(len(written)))
        self.assertEqual(written - read, set())

    # min.insync.replicas=2 with two brokers of three down: acks=all is
    # NOT_ENOUGH_REPLICAS, acks=1 goes on; back in sync, acks=all goes on.
    def test_not_enough_replicas_with_two_brokers_down(self):
        for broker in (2, 3):
            kill_broker(self, self.base_dir, self.cluster, broker)
        self.wait_for_isrs(1, lambda isr: isr == [1], "ISRs of broker 1 only")

        refused = AcknowledgedProducer(self.cluster.bootstrap, TOPIC,
                                       retries=0)
        refused.produce(records("refused", 3), timeout_s=30)
        self.assertEqual(refused.acknowledged, [])
        self.assertEqual({e.code() for e in refused.errors},
                         {KafkaError.NOT_ENOUGH_REPLICAS})
        leader_only = AcknowledgedProducer(self.cluster.bootstrap, TOPIC,
                                           acks="1")
        leader_only.produce(records("acks1", 3))
        self.assertEqual(leader_only.errors, [])

        for broker in (2, 3):
            self.cluster.start_node(self.cluster.broker(broker))
        self.wait_for_isrs(1, lambda isr: len(isr) >= 2)
        accepted = AcknowledgedProducer(self.cluster.bootstrap, TOPIC)
        accepted.produce(records("accepted", 3))
        self.assertEqual(accepted.errors, [])
        self.assertEqual(len(accepted.acknowledged), 3)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
