"""What the real-client tests of a KRaft cluster of processes share
(kraft_clients_test.py, Chapter 5's nodes; acks_clients_test.py, Chapter
6's; idempotence_clients_test.py, Chapter 7's): waiting, creating a
replicated topic, reading Metadata as a broker answers it, a producer that
keeps what it was told was written, a consumer's reads, and kill -9 of a
broker by its pid file.

Import it after putting the launcher's directory (kafka_cluster.py) on
sys.path.
"""
import os
import signal
import struct
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka_cluster import fetch_metadata


def wait_for(condition, timeout_s=30, what="a condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def create_replicated_topic(bootstrap, topic, partitions):
    """Creates `topic` with replication factor 3 and min.insync.replicas=2,
    the setting that makes acks=all durable, and waits for the answer."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(
        topic, num_partitions=partitions, replication_factor=3,
        config={"min.insync.replicas": "2"})])
    futures[topic].result(15)


def partitions_seen_by(port, topic, partitions):
    """{partition: {"leader", "leader_epoch", "isr", ...}} of `topic`, as
    the broker at `port` knows them; None if it cannot say, or knows fewer
    than `partitions` partitions."""
    try:
        answer = fetch_metadata(("127.0.0.1", port), [topic])["topics"][topic]
    except (OSError, KeyError, struct.error):
        return None
    if answer["error_code"] != 0 or len(answer["partitions"]) < partitions:
        return None
    return answer["partitions"]


class AcknowledgedProducer:
    """A producer (acks=all unless `config` says otherwise) that keeps every
    record acknowledged, and every error its callbacks got."""

    def __init__(self, bootstrap, topic, **config):
        settings = {"bootstrap.servers": bootstrap, "acks": "all",
                    "linger.ms": 5}
        settings.update(config)
        self.producer = Producer(settings)
        self.topic = topic
        self.acknowledged = []
        self.errors = []

    def _on_delivery(self, error, message):
        if error is None:
            self.acknowledged.append((message.key(), message.value()))
        else:
            self.errors.append(error)

    def send(self, records):
        for key, value in records:
            self.producer.produce(self.topic, key=key, value=value,
                                  on_delivery=self._on_delivery)
        self.producer.poll(0)

    def produce(self, records, timeout_s=60):
        self.send(records)
        remaining = self.producer.flush(timeout_s)
        if remaining:
            self.errors.append(f"{remaining} records not delivered")


def records(prefix, count):
    return [(f"k{i % 7}".encode(), f"{prefix}-{i}".encode())
            for i in range(count)]


def read_all(consumer, expected, timeout_s=30):
    """Polls until `expected` records came, or nothing comes for a while."""
    read = []
    deadline = time.monotonic() + timeout_s
    while len(read) < expected and time.monotonic() < deadline:
        message = consumer.poll(1)
        if message is None:
            continue
        if message.error():
            raise AssertionError(message.error())
        read.append((message.key(), message.value()))
    return read


def read_from_beginning(bootstrap, topic, partitions, expected):
    """Every partition of `topic` read from offset 0 by a consumer outside
    any group, until `expected` records came (read_all)."""
    consumer = Consumer({"bootstrap.servers": bootstrap,
                         "group.id": "unused", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    read = read_all(consumer, expected)
    consumer.close()
    return read


def kill_broker(test, base_dir, cluster, broker_id):
    """kill -9 of broker `broker_id`, by its pid file, as an operator
    would; `test` checks that it died of it."""
    with open(os.path.join(base_dir, f"broker-{broker_id}.pid")) as f:
        pid = int(f.read())
    os.kill(pid, signal.SIGKILL)
    node = cluster.broker(broker_id)
    node.process.process.wait(10)
    test.assertEqual(node.process.process.returncode, -signal.SIGKILL)
