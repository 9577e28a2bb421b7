"""Real Kafka clients against our Chapter 2 broker, over TCP.

- confluent-kafka (librdkafka): creates a topic, produces keyed records with
  acks=all, reads them back with assign(); keys land where librdkafka's
  consistent_random partitioner (CRC-32) puts them.
- kafka-python: guesses broker version 2.4 from our ApiVersions ranges (the
  newest it can tell apart: Produce v8 is served), so it uses record batch
  v2, produces keyed records, which land where its Java-compatible murmur2
  partitioner puts them, and reads them back.
- A restart of the broker keeps every acknowledged record.

Usage: real_clients_test.py BROKER_BINARY
"""
import sys
import unittest
import zlib

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KpTopicPartition
from kafka.partitioner.default import murmur2

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from broker_fixture import BrokerProcess  # noqa: E402

BROKER = sys.argv[1]
PARTITIONS = 6


def consume_all(bootstrap, topic, expected):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
    records = []
    while len(records) < expected:
        message = consumer.poll(10)
        if message is None:
            break
        if message.error():
            raise AssertionError(message.error())
        records.append((message.partition(), message.offset(),
                        message.key(), message.value()))
    consumer.close()
    return records


class RealClients(unittest.TestCase):
    def setUp(self):
        self.broker = BrokerProcess(BROKER)

    def tearDown(self):
        self.broker.stop()

    def create_topic(self, name):
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        futures = admin.create_topics(
            [NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)])
        futures[name].result(10)

    def test_confluent_kafka_round_trip_and_restart(self):
        self.create_topic("orders")
        producer = Producer({"bootstrap.servers": self.broker.bootstrap,
                             "acks": "all"})
        acked = []
        for i in range(30):
            producer.produce(
                "orders", key=f"key{i % 7}", value=f"v{i}",
                on_delivery=lambda err, msg: acked.append((err, msg.partition())))
        self.assertEqual(producer.flush(10), 0)
        self.assertEqual([err for err, _ in acked if err], [])

        records = consume_all(self.broker.bootstrap, "orders", 30)
        self.assertEqual(sorted(value for *_, value in records),
                         sorted(f"v{i}".encode() for i in range(30)))
        for partition, _, key, _ in records:
            # librdkafka's default partitioner: CRC-32 of the key.
            self.assertEqual(partition, zlib.crc32(key) % PARTITIONS)
        for p in range(PARTITIONS):  # offsets are dense, per partition
            offsets = [o for part, o, *_ in records if part == p]
            self.assertEqual(offsets, list(range(len(offsets))))

        self.broker.restart()
        self.assertEqual(sorted(consume_all(self.broker.bootstrap, "orders", 30)),
                         sorted(records))

    def test_kafka_python_round_trip(self):
        self.create_topic("events")
        producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap, acks=1)
        self.assertEqual(producer.config["api_version"], (2, 4, 0))
        futures = [producer.send("events", key=f"key{i % 7}".encode(),
                                 value=f"kp{i}".encode()) for i in range(20)]
        producer.flush()
        for i, future in enumerate(futures):
            metadata = future.get(10)
            key = f"key{i % 7}".encode()
            # kafka-python's default partitioner is the Java client's murmur2.
            self.assertEqual(metadata.partition,
                             (murmur2(key) & 0x7FFFFFFF) % PARTITIONS)
        producer.close()

        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap,
                                 consumer_timeout_ms=3000)
        consumer.assign([KpTopicPartition("events", p) for p in range(PARTITIONS)])
        consumer.seek_to_beginning()
        values = sorted(message.value for message in consumer)
        consumer.close()
        self.assertEqual(values, sorted(f"kp{i}".encode() for i in range(20)))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
