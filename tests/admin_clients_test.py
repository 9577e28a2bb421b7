"""Real Kafka admin clients against our broker, over TCP.

- confluent-kafka's AdminClient (librdkafka 2.0.2: DescribeConfigs v1,
  AlterConfigs v0, DeleteTopics v1): describes a topic's configs, with where
  each value comes from, and the broker's read-only settings; replaces a
  topic's configs, which a restart keeps; deletes a topic, which Metadata
  then no longer lists and which a restart does not bring back; an unknown
  topic is UNKNOWN_TOPIC_OR_PART.
- kafka-python's KafkaAdminClient (DescribeConfigs v2, DeleteTopics v3 with
  our ranges) does the same.

Usage: admin_clients_test.py BROKER_BINARY
"""
import sys
import unittest

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (AdminClient, ConfigResource, ConfigSource,
                                   NewTopic)
from kafka.admin import ConfigResource as KpConfigResource
from kafka.admin import ConfigResourceType, KafkaAdminClient

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from broker_fixture import BrokerProcess  # noqa: E402

BROKER = sys.argv[1]
BROKER_ID = "1"  # the broker program's node.id by default


class AdminClients(unittest.TestCase):
    def setUp(self):
        self.broker = BrokerProcess(BROKER)
        self.admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})

    def tearDown(self):
        self.broker.stop()

    def create_topic(self, name, config):
        futures = self.admin.create_topics(
            [NewTopic(name, num_partitions=2, replication_factor=1,
                      config=config)])
        futures[name].result(10)

    def describe(self, resource):
        return self.admin.describe_configs([resource])[resource].result(10)

    def topics(self):
        return set(self.admin.list_topics(timeout=10).topics)

    def test_confluent_kafka_describes_topic_and_broker_configs(self):
        self.create_topic("configured", {"retention.ms": "1000"})
        configs = self.describe(ConfigResource("topic", "configured"))
        self.assertEqual(configs["retention.ms"].value, "1000")
        self.assertEqual(configs["retention.ms"].source,
                         ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
        self.assertFalse(configs["retention.ms"].is_read_only)
        self.assertEqual(configs["segment.bytes"].value, "1073741824")
        self.assertEqual(configs["segment.bytes"].source,
                         ConfigSource.DEFAULT_CONFIG.value)

        broker = self.describe(ConfigResource("broker", BROKER_ID))
        self.assertTrue(broker["num.partitions"].is_read_only)
        self.assertEqual(broker["log.dirs"].value, self.broker.data_dir)

        with self.assertRaises(KafkaException) as missing:
            self.describe(ConfigResource("topic", "missing"))
        self.assertEqual(missing.exception.args[0].code(),
                         KafkaError.UNKNOWN_TOPIC_OR_PART)

    def test_confluent_kafka_alters_configs_for_good(self):
        self.create_topic("altered", {"flush.messages": "5"})
        resource = ConfigResource("topic", "altered",
                                  set_config={"retention.ms": "2000"})
        self.admin.alter_configs([resource])[resource].result(10)
        configs = self.describe(ConfigResource("topic", "altered"))
        self.assertEqual(configs["retention.ms"].value, "2000")
        self.assertEqual(configs["flush.messages"].source,
                         ConfigSource.DEFAULT_CONFIG.value)
        self.broker.restart()
        self.admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        configs = self.describe(ConfigResource("topic", "altered"))
        self.assertEqual(configs["retention.ms"].value, "2000")

        broker = ConfigResource("broker", BROKER_ID,
                                set_config={"num.partitions": "3"})
        with self.assertRaises(KafkaException) as refused:
            self.admin.alter_configs([broker])[broker].result(10)
        self.assertEqual(refused.exception.args[0].code(),
                         KafkaError.INVALID_REQUEST)

    def test_confluent_kafka_deletes_topics_for_good(self):
        self.create_topic("doomed", {})
        self.assertIn("doomed", self.topics())
        self.admin.delete_topics(["doomed"])["doomed"].result(10)
        self.assertNotIn("doomed", self.topics())
        with self.assertRaises(KafkaException) as missing:
            self.admin.delete_topics(["doomed"])["doomed"].result(10)
        self.assertEqual(missing.exception.args[0].code(),
                         KafkaError.UNKNOWN_TOPIC_OR_PART)
        self.broker.restart()
        self.admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        self.assertNotIn("doomed", self.topics())

    def test_kafka_python_describes_and_deletes(self):
        self.create_topic("both", {"segment.ms": "60000"})
        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap)
        try:
            response = admin.describe_configs(
                [KpConfigResource(ConfigResourceType.TOPIC, "both")])
            (error_code, _, _, name, entries) = response[0].resources[0]
            self.assertEqual((error_code, name), (0, "both"))
            values = {entry[0]: entry[1] for entry in entries}
            self.assertEqual(values["segment.ms"], "60000")
            deleted = admin.delete_topics(["both"], timeout_ms=10000)
            self.assertEqual(deleted.topic_error_codes, [("both", 0)])
        finally:
            admin.close()
        self.assertNotIn("both", self.topics())


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
