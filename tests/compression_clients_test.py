"""Compressed batches from real clients into our broker, read back by all.

For each codec (gzip, snappy, lz4, zstd), kcat (`-z`), confluent-kafka and
kafka-python produce compressed batches; the broker stores them as sent (its
segment file holds batches with that codec in their attributes); and kcat,
confluent-kafka and kafka-python each read back every record.
"""
import os
import struct
import subprocess
import sys
import unittest

from confluent_kafka import Consumer, Producer, TopicPartition
from kafka import KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KpTopicPartition

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from broker_fixture import BrokerProcess  # noqa: E402

BROKER = sys.argv[1]
CODECS = {"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
PER_PRODUCER = 5
# Values that compress well: librdkafka sends a batch uncompressed when
# compressing would not make it smaller.
PADDING = "-" + "x" * 200


def produce_with_kcat(bootstrap, topic, codec):
    lines = "".join(f"k{i}:kcat-{i}{PADDING}\n" for i in range(PER_PRODUCER))
    subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", topic, "-K:",
                    "-z", codec], input=lines.encode(), check=True, timeout=30)


def produce_with_confluent(bootstrap, topic, codec):
    producer = Producer({"bootstrap.servers": bootstrap,
                         "compression.type": codec})
    for i in range(PER_PRODUCER):
        producer.produce(topic, key=f"k{i}", value=f"confluent-{i}{PADDING}")
    assert producer.flush(10) == 0


def produce_with_kafka_python(bootstrap, topic, codec):
    producer = KafkaProducer(bootstrap_servers=bootstrap,
                             compression_type=codec)
    futures = [producer.send(topic, key=f"k{i}".encode(),
                             value=f"kafka-python-{i}{PADDING}".encode())
               for i in range(PER_PRODUCER)]
    for future in futures:
        future.get(10)
    producer.close()


def consume_with_kcat(bootstrap, topic):
    out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic,
                          "-o", "beginning", "-e", "-q", "-f", "%s\n"],
                         check=True, capture_output=True, timeout=30).stdout
    return out.decode().splitlines()


def consume_with_confluent(bootstrap, topic, expected):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    values = []
    while len(values) < expected:
        message = consumer.poll(10)
        if message is None:
            break
        if message.error():
            raise AssertionError(message.error())
        values.append(message.value().decode())
    consumer.close()
    return values


def consume_with_kafka_python(bootstrap, topic):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap,
                             consumer_timeout_ms=3000)
    consumer.assign([KpTopicPartition(topic, 0)])
    consumer.seek_to_beginning()
    values = [message.value.decode() for message in consumer]
    consumer.close()
    return values


def codecs_on_disk(data_dir, topic):
    """The codec ids (attributes bits 0-2) of the batches in the segment."""
    path = os.path.join(data_dir, f"{topic}-0", "00000000000000000000.log")
    with open(path, "rb") as segment:
        data = segment.read()
    codecs, position = set(), 0
    while position + 23 <= len(data):
        (length,) = struct.unpack_from(">i", data, position + 8)
        (attributes,) = struct.unpack_from(">h", data, position + 21)
        codecs.add(attributes & 0x07)
        position += 12 + length
    return codecs


class CompressionClients(unittest.TestCase):
    def setUp(self):
        self.broker = BrokerProcess(BROKER)

    def tearDown(self):
        self.broker.stop()

    def test_every_codec_from_every_client_read_by_every_client(self):
        bootstrap = self.broker.bootstrap
        for codec, codec_id in CODECS.items():
            with self.subTest(codec=codec):
                topic = f"compressed-{codec}"
                produce_with_kcat(bootstrap, topic, codec)
                produce_with_confluent(bootstrap, topic, codec)
                # kafka-python 2.0.2 sends zstd only to brokers it takes for
                # 2.1 or later; from our ranges it takes ours for 2.4.
                produce_with_kafka_python(bootstrap, topic, codec)
                producers = ["kcat", "confluent", "kafka-python"]
                expected = sorted(f"{client}-{i}{PADDING}"
                                  for i in range(PER_PRODUCER)
                                  for client in producers)
                # Batches are stored as their producers sent them.
                # kafka-python always compresses. librdkafka 2.0.2 compresses
                # zstd for brokers that serve Produce 7 and Fetch 10, but
                # gzip, snappy and lz4 only for brokers whose ranges still
                # include Produce 2 (message format v1), which ours, like
                # Kafka 4.0 (KIP-896), no longer serves: those batches come
                # uncompressed.
                on_disk = codecs_on_disk(self.broker.data_dir, topic)
                if codec == "zstd":
                    self.assertEqual(on_disk, {codec_id})
                else:
                    self.assertEqual(on_disk, {0, codec_id})
                self.assertEqual(sorted(consume_with_kcat(bootstrap, topic)),
                                 expected)
                self.assertEqual(sorted(consume_with_confluent(
                    bootstrap, topic, len(expected))), expected)
                self.assertEqual(sorted(consume_with_kafka_python(
                    bootstrap, topic)), expected)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
