"""Real idempotent producers against a Chapter 7 cluster of processes: three
KRaft controllers and three brokers on loopback, the nodes of //:cluster
(chapters/07_idempotence/server), a topic of three partitions with
replication factor 3 and min.insync.replicas=2.

Each producer (confluent-kafka, then kcat) has enable.idempotence=true and
writes keyed records with values unique across the run while the broker
that leads partition 0 is killed (kill -9) and started again. Afterwards
every partition is read to its end: each record is there exactly once, and
in the order it was produced (a record's value is its position in the run,
so within a partition the values only grow).

Usage: idempotence_clients_test.py SERVER KAFKA_CLUSTER_PY
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from confluent_kafka import Consumer, TopicPartition

SERVER, LAUNCHER = sys.argv[1:3]
sys.path.insert(0, os.path.dirname(LAUNCHER))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_cluster import Cluster  # noqa: E402
from kraft_cluster_clients import (  # noqa: E402
    AcknowledgedProducer, create_replicated_topic, kill_broker,
    partitions_seen_by, wait_for)

TOPIC = "ledger"
PARTITIONS = 3
BROKERS = [1, 2, 3]
RECORDS = 10_000
# A dead broker is fenced after broker.session.timeout.ms without a
# heartbeat: shorter than Kafka's 9 s, so that the test waits less.
SETTINGS = ["broker.session.timeout.ms=3000",
            "broker.heartbeat.interval.ms=500"]


def keyed(first, count):
    """Records first..first+count-1: 50 keys, each value its position."""
    return [(f"k{i % 50}".encode(), f"{i:06d}".encode())
            for i in range(first, first + count)]


class IdempotenceClients(unittest.TestCase):
    def setUp(self):
        self.base_dir = tempfile.mkdtemp(prefix="idempotence-clients-")
        self.cluster = Cluster(SERVER, self.base_dir, controllers=3,
                               brokers=len(BROKERS), settings=SETTINGS)
        self.cluster.start()
        create_replicated_topic(self.cluster.bootstrap, TOPIC, PARTITIONS)
        self.wait_for_isrs(lambda isr: sorted(isr) == BROKERS)

    def tearDown(self):
        self.cluster.stop()
        shutil.rmtree(self.base_dir)

    def partitions(self):
        """The topic's partitions as a live broker knows them."""
        for broker in BROKERS:
            node = self.cluster.broker(broker)
            if not node.is_running():
                continue
            seen = partitions_seen_by(node.port, TOPIC, PARTITIONS)
            if seen:
                return seen
        return None

    def wait_for_isrs(self, holds, what="every replica in sync"):
        def every_isr_holds():
            partitions = self.partitions()
            return partitions and all(
                p["leader"] != -1 and holds(p["isr"])
                for p in partitions.values())

        wait_for(every_isr_holds, timeout_s=60, what=what)

    def kill_and_restart_leader_of_partition_0(self, while_killed):
        """kill -9 of partition 0's leader's broker; `while_killed()` runs
        before the broker is started again, and the ISRs fill again."""
        leader = self.partitions()[0]["leader"]
        kill_broker(self, self.base_dir, self.cluster, leader)
        while_killed()
        self.cluster.start_node(self.cluster.broker(leader))
        self.wait_for_isrs(lambda isr: sorted(isr) == BROKERS)

    def read_every_partition(self):
        """{partition: [value, ...]} from offset 0 to each one's end."""
        consumer = Consumer({"bootstrap.servers": self.cluster.bootstrap,
                             "group.id": "unused",
                             "enable.auto.commit": False})
        ends = {p: consumer.get_watermark_offsets(
                    TopicPartition(TOPIC, p), timeout=10)[1]
                for p in range(PARTITIONS)}
        consumer.assign([TopicPartition(TOPIC, p, 0)
                         for p in range(PARTITIONS)])
        values = {p: [] for p in range(PARTITIONS)}
        deadline = time.monotonic() + 60
        while (sum(map(len, values.values())) < sum(ends.values())
               and time.monotonic() < deadline):
            for message in consumer.consume(1000, timeout=1):
                if message.error():
                    raise AssertionError(message.error())
                values[message.partition()].append(message.value())
        consumer.close()
        return values

    def assert_each_record_once_in_order(self, produced):
        values = self.read_every_partition()
        read = [v for partition in values.values() for v in partition]
        self.assertEqual(len(read), len(set(read)), "duplicates in the log")
        self.assertEqual(sorted(read), sorted(v for _, v in produced))
        for partition, in_log in values.items():
            self.assertEqual(in_log, sorted(in_log),
                             f"partition {partition} out of order")

    def test_confluent_kafka_writes_each_record_once_across_a_leader_kill(self):
        producer = AcknowledgedProducer(
            self.cluster.bootstrap, TOPIC, **{
                "enable.idempotence": True,
                "max.in.flight.requests.per.connection": 5})
        produced = keyed(0, RECORDS)
        producer.send(produced[:RECORDS // 2])
        self.kill_and_restart_leader_of_partition_0(
            lambda: producer.produce(produced[RECORDS // 2:], timeout_s=120))
        producer.produce([], timeout_s=120)
        self.assertEqual(producer.errors, [])
        self.assertEqual(len(producer.acknowledged), RECORDS)
        self.assert_each_record_once_in_order(produced)

    def test_kcat_writes_each_record_once_across_a_leader_kill(self):
        produced = keyed(0, 4000)
        kcat = subprocess.Popen(
            ["kcat", "-P", "-b", self.cluster.bootstrap, "-t", TOPIC,
             "-K", ":", "-X", "enable.idempotence=true"],
            stdin=subprocess.PIPE, text=True)

        def write(lines):
            kcat.stdin.write("".join(f"{k.decode()}:{v.decode()}\n"
                                     for k, v in lines))
            kcat.stdin.flush()

        write(produced[:2000])
        self.kill_and_restart_leader_of_partition_0(
            lambda: write(produced[2000:]))
        kcat.stdin.close()
        self.assertEqual(kcat.wait(120), 0)
        self.assert_each_record_once_in_order(produced)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
