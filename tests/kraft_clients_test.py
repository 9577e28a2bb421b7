"""Real clients against a Chapter 5 cluster of processes: three KRaft
controllers and three brokers on loopback (chapters/05_controller/server/
kafka_cluster.py starts them).

- confluent-kafka's AdminClient creates a topic with replication factor 3 and
  min.insync.replicas=2; a producer with acks=all writes, and every record it
  is told was written (acknowledged) is kept.
- The leader of partition 0 dies: kill -9 of its broker process (the pid in
  DIR/broker-N.pid), no controlled shutdown. Its heartbeats stop, the
  controller fences it after broker.session.timeout.ms and elects a new
  leader from the ISR, with a higher leader epoch (Metadata v7 shows it). The
  same producer and consumer carry on: more acks=all writes succeed with two
  replicas in sync, min.insync.replicas.
- The killed broker starts again on its data directory: it registers again,
  catches up and is back in every partition's ISR. Every acknowledged record
  is read back.

And the launcher itself: its pid files, its one bootstrap.servers line, Ctrl-C
stopping every node, and a second start on the same directory, which keeps
the cluster's topics (the metadata log); and --combined, three nodes that are
brokers and voters both.

Usage: kraft_clients_test.py SERVER KAFKA_CLUSTER_PY
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

SERVER, LAUNCHER = sys.argv[1:3]
sys.path.insert(0, os.path.dirname(LAUNCHER))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_cluster import Cluster  # noqa: E402
import kraft_cluster_clients  # noqa: E402
from kraft_cluster_clients import read_all, records, wait_for  # noqa: E402

TOPIC = "payments"
PARTITIONS = 3
BROKERS = [1, 2, 3]
CONTROLLERS = [3000, 3001, 3002]
# A dead broker is fenced after broker.session.timeout.ms without a
# heartbeat: shorter than Kafka's 9 s, so that the test waits less.
SETTINGS = ["broker.session.timeout.ms=3000",
            "broker.heartbeat.interval.ms=500"]


def partitions_seen_by(port):
    """TOPIC's partitions as the broker at `port` knows them, or None."""
    return kraft_cluster_clients.partitions_seen_by(port, TOPIC, PARTITIONS)


class KRaftClients(unittest.TestCase):
    def setUp(self):
        self.base_dir = tempfile.mkdtemp(prefix="kraft-clients-")
        self.cluster = Cluster(SERVER, self.base_dir,
                               controllers=len(CONTROLLERS),
                               brokers=len(BROKERS), settings=SETTINGS)
        self.cluster.start()

    def tearDown(self):
        self.cluster.stop()
        shutil.rmtree(self.base_dir)

    def create_topic(self):
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
        futures = admin.create_topics([NewTopic(
            TOPIC, num_partitions=PARTITIONS, replication_factor=3,
            config={"min.insync.replicas": "2"})])
        futures[TOPIC].result(15)
        return self.wait_until_all_in_sync(self.cluster.broker(1).port)

    def wait_until_all_in_sync(self, port):
        def all_in_sync():
            partitions = partitions_seen_by(port)
            if partitions and all(p["leader"] != -1 and
                                  sorted(p["isr"]) == BROKERS
                                  for p in partitions.values()):
                return partitions
            return None

        return wait_for(all_in_sync, what="every replica in every ISR")

    def kill_broker(self, broker_id):
        kraft_cluster_clients.kill_broker(self, self.base_dir, self.cluster,
                                          broker_id)

    def wait_for_new_leader(self, port, killed, before):
        """Partition 0's new leader, elected from its ISR of `before` with a
        higher epoch, as the broker at `port` sees it."""
        def elected():
            partitions = partitions_seen_by(port)
            if not partitions:
                return None
            now = partitions[0]
            if now["leader"] in (-1, killed) or killed in now["isr"]:
                return None
            return now

        now = wait_for(elected, what="a new leader of partition 0")
        self.assertIn(now["leader"], before["isr"])
        self.assertGreater(now["leader_epoch"], before["leader_epoch"])
        return now

    # acks=all records survive kill -9 of a leader; the clients carry on
    # with a leader elected from the ISR; the killed broker returns, catches
    # up and rejoins the ISR; every acknowledged record is read back.
    def test_acknowledged_records_survive_a_leader_killed(self):
        before = self.create_topic()[0]
        producer = kraft_cluster_clients.AcknowledgedProducer(
            self.cluster.bootstrap, TOPIC)
        producer.produce(records("before", 300))
        self.assertEqual(producer.errors, [])
        consumer = Consumer({"bootstrap.servers": self.cluster.bootstrap,
                             "group.id": "unused",
                             "enable.auto.commit": False})
        consumer.assign([TopicPartition(TOPIC, p, 0)
                         for p in range(PARTITIONS)])
        read = read_all(consumer, len(producer.acknowledged))

        killed = before["leader"]
        self.kill_broker(killed)
        survivor = next(b for b in BROKERS if b != killed)
        survivor_port = self.cluster.broker(survivor).port
        self.wait_for_new_leader(survivor_port, killed, before)

        # min.insync.replicas=2 holds with two brokers: acks=all succeeds.
        producer.produce(records("after", 300))
        self.assertEqual(producer.errors, [])
        self.assertEqual(len(producer.acknowledged), 600)
        read += read_all(consumer, 600 - len(read))

        self.cluster.start_node(self.cluster.broker(killed))
        self.wait_until_all_in_sync(survivor_port)
        consumer.close()

        self.assertEqual(set(read), set(producer.acknowledged))
        self.assertEqual(set(self.read_from_beginning(len(read))),
                         set(producer.acknowledged))

    def read_from_beginning(self, expected):
        return kraft_cluster_clients.read_from_beginning(
            self.cluster.bootstrap, TOPIC, PARTITIONS, expected)


class Launcher(unittest.TestCase):
    """The launcher as `bazel run //:cluster` runs it."""

    def setUp(self):
        self.base_dir = tempfile.mkdtemp(prefix="kraft-launcher-")
        self.launcher = None

    def tearDown(self):
        if self.launcher and self.launcher.poll() is None:
            self.launcher.kill()
            self.launcher.wait()
        shutil.rmtree(self.base_dir)

    def start_launcher(self, *options):
        self.launcher = subprocess.Popen(
            [sys.executable, LAUNCHER, SERVER, "--data-dir", self.base_dir,
             "--brokers", "3", *options],
            stdout=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.launcher.stdout], [], [], 60)
        self.assertTrue(ready, "no bootstrap.servers line within 60 s")
        line = self.launcher.stdout.readline()
        match = re.fullmatch(r"bootstrap\.servers=((127\.0\.0\.1:\d+,?){3})\n",
                             line)
        self.assertTrue(match, line)
        return match.group(1)

    def pids(self, controllers):
        """{pid file name: pid} of every node."""
        names = ([f"broker-{i}.pid" for i in BROKERS] +
                 [f"controller-{i}.pid" for i in controllers])
        pids = {}
        for name in names:
            with open(os.path.join(self.base_dir, name)) as f:
                pids[name] = int(f.read())
        return pids

    def stop_launcher(self):
        """Ctrl-C; its standard output says nothing more."""
        self.launcher.send_signal(signal.SIGINT)
        rest, _ = self.launcher.communicate(timeout=120)
        self.assertEqual(self.launcher.returncode, 0)
        self.assertEqual(rest, "")

    @staticmethod
    def is_running(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    # One line, a pid file per node, each a process, and after Ctrl-C none
    # runs; a second start on the same directory keeps the topics.
    def test_pid_files_one_bootstrap_line_and_ctrl_c_stops_all(self):
        bootstrap = self.start_launcher("--controllers", "3")
        pids = self.pids(CONTROLLERS)
        self.assertEqual(len(set(pids.values())), 6)
        self.assertTrue(all(map(self.is_running, pids.values())), pids)
        for name in ["broker-1", "controller-3000"]:
            self.assertTrue(os.path.isdir(os.path.join(self.base_dir, name)))
            self.assertTrue(os.path.exists(
                os.path.join(self.base_dir, name + ".properties")))
            self.assertTrue(os.path.exists(
                os.path.join(self.base_dir, name + ".log")))
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic("kept", 2, 3)])["kept"].result(15)

        self.stop_launcher()
        self.assertFalse(any(map(self.is_running, pids.values())), pids)

        bootstrap = self.start_launcher("--controllers", "3")
        admin = AdminClient({"bootstrap.servers": bootstrap})
        topics = admin.list_topics(timeout=10).topics
        self.assertIn("kept", topics)
        self.assertEqual(len(topics["kept"].partitions), 2)
        self.stop_launcher()

    # --combined: each node is a broker and a voter (process.roles=broker,
    # controller), and both its pid files name it.
    def test_combined_nodes_are_brokers_and_voters(self):
        bootstrap = self.start_launcher("--combined")
        pids = self.pids(BROKERS)
        self.assertEqual(len(set(pids.values())), 3)
        for i in BROKERS:
            self.assertEqual(pids[f"broker-{i}.pid"],
                             pids[f"controller-{i}.pid"])
            properties = os.path.join(self.base_dir, f"broker-{i}.properties")
            with open(properties) as f:
                self.assertIn("process.roles=broker,controller\n", f.read())
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic("both", 3, 3)])["both"].result(15)
        self.stop_launcher()
        self.assertFalse(any(map(self.is_running, pids.values())), pids)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
