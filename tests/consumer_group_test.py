"""Real consumer groups against our broker (Chapter 3), over TCP.

Two confluent-kafka (librdkafka) consumers subscribe() to one topic in one
group: together they read every record once, each from its own partitions,
and commit. A third consumer of the group, started later, begins at the
committed offsets and so reads nothing old. A kafka-python consumer (which
sends JoinGroup v2) does the same alone.

Usage: consumer_group_test.py BROKER_BINARY
"""
import sys
import threading
import time
import unittest

from confluent_kafka import Consumer, Producer, TopicPartition
from kafka import KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KpTopicPartition

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from broker_fixture import BrokerProcess  # noqa: E402

BROKER = sys.argv[1]
RECORDS = 40


def group_consumer(bootstrap):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": "readers",
                     "auto.offset.reset": "earliest",
                     "enable.auto.commit": False,
                     "session.timeout.ms": 6000})


class ConsumerGroup(unittest.TestCase):
    def setUp(self):
        self.broker = BrokerProcess(BROKER, num_partitions=2)

    def tearDown(self):
        self.broker.stop()

    def test_two_members_split_the_partitions_and_commit(self):
        producer = Producer({"bootstrap.servers": self.broker.bootstrap})
        for i in range(RECORDS):
            producer.produce("clicks", key=f"user{i % 9}", value=f"click{i}")
        self.assertEqual(producer.flush(10), 0)

        read = {"A": [], "B": []}
        all_read = threading.Event()
        committed = threading.Barrier(2)

        def member(name):
            consumer = group_consumer(self.broker.bootstrap)
            consumer.subscribe(["clicks"])
            deadline = time.time() + 40
            while not all_read.is_set() and time.time() < deadline:
                message = consumer.poll(0.2)
                if message is None or message.error():
                    continue
                read[name].append((message.partition(), message.offset()))
                if len(read["A"]) + len(read["B"]) == RECORDS:
                    all_read.set()
            # Both commit while both are still members of the same generation.
            consumer.commit(asynchronous=False)
            read[name + " partitions"] = sorted(
                tp.partition for tp in consumer.assignment())
            committed.wait(timeout=30)
            consumer.close()

        threads = [threading.Thread(target=member, args=(n,)) for n in "AB"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        everything = read["A"] + read["B"]
        self.assertEqual(len(everything), RECORDS)
        self.assertEqual(len(set(everything)), RECORDS, "each record once")
        self.assertEqual(sorted(read["A partitions"] + read["B partitions"]), [0, 1])
        partitions_a = {p for p, _ in read["A"]}
        partitions_b = {p for p, _ in read["B"]}
        self.assertFalse(partitions_a & partitions_b, "disjoint partitions")

        # A later member starts where the group committed: nothing old.
        late = group_consumer(self.broker.bootstrap)
        committed_offsets = late.committed(
            [TopicPartition("clicks", 0), TopicPartition("clicks", 1)], timeout=10)
        ends = {p: max(o for q, o in everything if q == p) + 1 for p in (0, 1)}
        for tp in committed_offsets:
            self.assertEqual(tp.offset, ends[tp.partition])
        late.close()

    def test_kafka_python_group_member(self):
        producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap)
        for i in range(10):
            producer.send("kp", key=f"k{i}".encode(), value=f"v{i}".encode())
        producer.flush()
        consumer = KafkaConsumer("kp", bootstrap_servers=self.broker.bootstrap,
                                 group_id="py-readers",
                                 auto_offset_reset="earliest",
                                 enable_auto_commit=False,
                                 consumer_timeout_ms=8000)
        messages = list(consumer)
        self.assertEqual(sorted(m.value for m in messages),
                         sorted(f"v{i}".encode() for i in range(10)))
        consumer.commit()
        for p in (0, 1):
            ends = [m.offset + 1 for m in messages if m.partition == p]
            self.assertEqual(consumer.committed(KpTopicPartition("kp", p)),
                             max(ends) if ends else None)
        consumer.close()


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
