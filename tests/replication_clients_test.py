"""Real clients against a Chapter 4 cluster: three brokers and the static
controller, each its own process on loopback (chapters/04_replication/
kafka_cluster.py starts them).

- confluent-kafka's AdminClient creates a topic with replication factor 3:
  Metadata shows three replicas of each partition, all in sync, and the
  leaders spread over the brokers (each leads as many partitions).
- confluent-kafka produces with acks=all and with acks=1, kcat (if this
  machine has it) produces too, and both read every record back.
- Then the cluster stops cleanly, and the data directories show what
  replication is: for each partition, the followers' segment files hold the
  leader's bytes, identical, up to the high watermark (from each broker's
  replication-offset-checkpoint; its byte position found by walking the batch
  headers). kafka-python's record batch reader, an independent one, reads
  every batch of every replica and finds its CRC valid.

Usage: replication_clients_test.py BROKER CONTROLLER KAFKA_CLUSTER_PY
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka.record import MemoryRecords

BROKER, CONTROLLER, LAUNCHER = sys.argv[1:4]
sys.path.insert(0, os.path.dirname(LAUNCHER))
from kafka_cluster import Cluster  # noqa: E402

TOPIC = "orders"
PARTITIONS = 6
BROKERS = [1, 2, 3]
# Followers hear of a new high watermark in their next fetch's answer, and
# it reaches replication-offset-checkpoint at the next checkpoint: both
# sooner than Kafka's defaults, so that the test waits less.
BROKER_SETTINGS = ["replica.fetch.wait.max.ms=100",
            "replica.high.watermark.checkpoint.interval.ms=100"]


def wait_for(condition, timeout_s=15, what="a condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def read_high_watermarks(data_dir):
    """{(topic, partition): offset} from replication-offset-checkpoint."""
    path = os.path.join(data_dir, "replication-offset-checkpoint")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        lines = f.read().splitlines()
    assert lines[0] == "0", f"version {lines[0]} in {path}"
    assert int(lines[1]) == len(lines) - 2, f"entry count in {path}"
    entries = (line.split(" ") for line in lines[2:])
    return {(topic, int(p)): int(offset) for topic, p, offset in entries}


def segment_files(data_dir, partition):
    """The partition's .log files, in offset order (their names are their
    base offsets)."""
    log_dir = os.path.join(data_dir, f"{TOPIC}-{partition}")
    return sorted(os.path.join(log_dir, name) for name in os.listdir(log_dir)
                  if name.endswith(".log"))


def log_bytes(data_dir, partition):
    data = b""
    for path in segment_files(data_dir, partition):
        with open(path, "rb") as f:
            data += f.read()
    return data


def byte_position_of(log, offset):
    """The byte position in `log` where the batch starting at `offset` starts,
    by the batch headers: baseOffset (int64), batchLength (int32),
    partitionLeaderEpoch, magic, crc, attributes, lastOffsetDelta (int32 at
    byte 23)."""
    position, next_offset = 0, 0
    while next_offset < offset:
        base_offset, length = struct.unpack_from(">qi", log, position)
        (last_offset_delta,) = struct.unpack_from(">i", log, position + 23)
        next_offset = base_offset + last_offset_delta + 1
        position += 12 + length
    assert next_offset == offset, f"offset {offset} is inside a batch"
    return position


def kafka_python_records(path):
    """The (offset, key, value) of every record of a .log file, as
    kafka-python's batch reader reads it; every batch's CRC must be valid."""
    with open(path, "rb") as f:
        records = MemoryRecords(f.read())
    out = []
    while records.has_next():
        batch = records.next_batch()
        assert batch.validate_crc(), f"{path}: bad CRC at {batch.base_offset}"
        out.extend((r.offset, r.key, r.value) for r in batch)
    return out


def produce(bootstrap, acks, records):
    """Sends the (key, value) records; the errors delivery reports."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": acks,
                         "linger.ms": 5})
    errors = []

    def on_delivery(error, _message):
        if error is not None:
            errors.append(error)

    for key, value in records:
        producer.produce(TOPIC, key=key, value=value, on_delivery=on_delivery)
    remaining = producer.flush(30)
    if remaining:
        errors.append(f"{remaining} records not delivered")
    return errors


def consume_all(bootstrap, expected):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(TOPIC, p, 0) for p in range(PARTITIONS)])
    records = []
    while len(records) < expected:
        message = consumer.poll(10)
        if message is None:
            break
        if message.error():
            raise AssertionError(message.error())
        records.append((message.key(), message.value()))
    consumer.close()
    return records


class ReplicationClients(unittest.TestCase):
    def setUp(self):
        self.base_dir = tempfile.mkdtemp(prefix="replication-clients-")
        self.cluster = Cluster(BROKER, CONTROLLER, self.base_dir,
                               brokers=len(BROKERS),
                               broker_settings=BROKER_SETTINGS)
        self.cluster.start()
        self.running = True
        self.create_topic()

    def tearDown(self):
        if self.running:
            self.cluster.stop()
        shutil.rmtree(self.base_dir)

    def create_topic(self):
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})

        # A broker knows the cluster (its brokers, a controller id to send
        # CreateTopics to) only once the controller's first UpdateMetadata
        # has reached it; a client that asks before then hears of none, and
        # librdkafka may wait longer than this test for its next look.
        def cluster_known():
            try:
                metadata = admin.list_topics(timeout=5)
            except KafkaException:  # no broker with metadata answered yet
                return False
            return (len(metadata.brokers) == len(BROKERS) and
                    metadata.controller_id != -1)

        wait_for(cluster_known, timeout_s=60,
                 what="every broker to know the cluster")
        futures = admin.create_topics(
            [NewTopic(TOPIC, num_partitions=PARTITIONS, replication_factor=3)])
        futures[TOPIC].result(15)

        def every_partition_led():
            topic = admin.list_topics(TOPIC, timeout=5).topics[TOPIC]
            partitions = topic.partitions
            if topic.error or len(partitions) < PARTITIONS:
                return None
            if any(p.leader == -1 or len(p.isrs) < 3
                   for p in partitions.values()):
                return None
            return partitions

        self.partitions = wait_for(every_partition_led,
                                   what="every partition to have a leader")

    # CreateTopics with replication factor 3 goes (forwarded) to the
    # controller, which places three replicas of each partition, one per
    # broker, all in the ISR, and spreads the leaders: with 6 partitions on
    # 3 brokers, each broker leads 2.
    def test_a_topic_has_three_replicas_in_sync_and_spread_leaders(self):
        leaders = []
        for index, partition in sorted(self.partitions.items()):
            self.assertEqual(sorted(partition.replicas), BROKERS, index)
            self.assertEqual(sorted(partition.isrs), BROKERS, index)
            self.assertEqual(partition.replicas[0], partition.leader, index)
            leaders.append(partition.leader)
        self.assertEqual(sorted(leaders), sorted(BROKERS * 2))

    # What confluent-kafka (acks=all, acks=1) and kcat write, both read back
    # whole; once the cluster has stopped, every follower holds the leader's
    # bytes up to the high watermark, and each replica's batches are valid
    # record batches by kafka-python's reader.
    def test_clients_read_what_they_wrote_and_replicas_are_identical(self):
        written = [(f"k{i % 7}".encode(), f"all-{i}".encode())
                   for i in range(100)]
        self.assertEqual(produce(self.cluster.bootstrap, "all", written), [])
        acks_one = [(f"k{i % 5}".encode(), f"one-{i}".encode())
                    for i in range(100)]
        self.assertEqual(produce(self.cluster.bootstrap, "1", acks_one), [])
        written += acks_one
        written += self.produce_with_kcat()

        read = consume_all(self.cluster.bootstrap, len(written))
        self.assertCountEqual(read, written)
        self.consume_with_kcat(written)

        self.wait_until_followers_have_the_high_watermarks()
        self.cluster.stop()
        self.running = False
        self.check_replicas(written)

    def produce_with_kcat(self):
        if not shutil.which("kcat"):
            return []
        lines = [f"kc{i}:kcat-{i}" for i in range(20)]
        subprocess.run(["kcat", "-b", self.cluster.bootstrap, "-P",
                        "-t", TOPIC, "-K:", "-X", "acks=all"],
                       input="\n".join(lines) + "\n", text=True, check=True,
                       timeout=30)
        return [tuple(s.encode() for s in line.split(":")) for line in lines]

    def consume_with_kcat(self, written):
        if not shutil.which("kcat"):
            return
        out = subprocess.run(
            ["kcat", "-b", self.cluster.bootstrap, "-C", "-t", TOPIC,
             "-o", "beginning", "-e", "-q", "-f", "%k:%s\n"],
            capture_output=True, text=True, check=True, timeout=30).stdout
        read = [tuple(s.encode() for s in line.split(":"))
                for line in out.splitlines()]
        self.assertCountEqual(read, written)

    def high_watermarks(self):
        """{broker: {(topic, partition): offset}} as last checkpointed."""
        return {broker: read_high_watermarks(self.cluster.data_dir(broker))
                for broker in BROKERS}

    def wait_until_followers_have_the_high_watermarks(self):
        def agreed():
            marks = self.high_watermarks()
            for p in range(PARTITIONS):
                leader = self.partitions[p].leader
                leader_mark = marks[leader].get((TOPIC, p))
                if leader_mark is None or any(
                        marks[b].get((TOPIC, p)) != leader_mark
                        for b in BROKERS):
                    return False
            return True

        wait_for(agreed, what="the followers to learn the high watermarks")

    def check_replicas(self, written):
        marks = self.high_watermarks()
        committed = []
        for p in range(PARTITIONS):
            committed += self.check_partition(p, marks)
        self.assertCountEqual(committed, written)

    def check_partition(self, p, marks):
        """Checks partition p's replicas against its leader's; returns the
        (key, value) of its records below the high watermark."""
        leader_dir = self.cluster.data_dir(self.partitions[p].leader)
        high_watermark = marks[self.partitions[p].leader][(TOPIC, p)]
        leader_log = log_bytes(leader_dir, p)
        end = byte_position_of(leader_log, high_watermark)
        leader_segments = [os.path.basename(f)
                           for f in segment_files(leader_dir, p)]
        for replica in BROKERS:
            replica_dir = self.cluster.data_dir(replica)
            story = f"partition {p}, broker {replica}"
            self.assertEqual(marks[replica][(TOPIC, p)], high_watermark, story)
            self.assertEqual([os.path.basename(f)
                              for f in segment_files(replica_dir, p)],
                             leader_segments, story)
            self.assertEqual(log_bytes(replica_dir, p)[:end],
                             leader_log[:end], story + " differs from leader")
            records = [record for path in segment_files(replica_dir, p)
                       for record in kafka_python_records(path)]
            self.assertEqual([offset for offset, _, _ in records],
                             list(range(high_watermark)), story)
        return [(key, value) for _, key, value in records]

if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
