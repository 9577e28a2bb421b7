#!/usr/bin/python3
"""Which version of each API the real clients send to our broker.

Starts the broker, lets each client do what a user does (create a topic,
produce, consume in a group with commits, then the admin calls its library
offers), and reads the API versions it used from the client's own protocol
debug log:

  kafka-python       logger kafka.conn at DEBUG: "Request 7: FetchRequest_v4(...)"
  confluent-kafka    librdkafka's debug=protocol on stderr:
    and current        "Sent FetchRequest (v11, 94 bytes @ 0, CorrId 7)"
    librdkafka
                     (kcat links the same Debian librdkafka as confluent-kafka)

Prints a Markdown table, API by client, for Appendix B of the book; with
--check BOOK_PAGE, compares it with the table the page holds between the
lines BOOK_BEGIN and BOOK_END below, and exits 1 if they differ (so the
book's table stays what the clients really do).

Usage: client_api_versions.py [--check BOOK_PAGE] BROKER_BINARY
                              [CURRENT_CLIENT_JS]
"""
import collections
import logging
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from broker_fixture import BrokerProcess  # noqa: E402

LIBRDKAFKA_SENT = re.compile(r"Sent (\w+)Request \(v(\d+)")
KAFKA_PYTHON_SENT = re.compile(r"Request \d+: (\w+)Request_v(\d+)")
# The clients' older names for some APIs, and Kafka's names today.
KAFKA_NAMES = {"ApiVersion": "ApiVersions", "GroupCoordinator": "FindCoordinator",
               "Offset": "ListOffsets"}
# The lines around the table in Appendix B (Markdown comments; Doxygen
# drops them).
BOOK_BEGIN = "<!-- client_api_versions.py: begin -->"
BOOK_END = "<!-- client_api_versions.py: end -->"
# Short, so that each consumer surely heartbeats while the tool watches.
HEARTBEAT_MS = 200
CKJS_DIR = os.environ.get("CKJS_DIR", "/opt/literate-kafka/node")


def versions_in(log, pattern):
    """API name -> set of versions, from the lines of a debug log."""
    used = collections.defaultdict(set)
    for match in pattern.finditer(log):
        api = KAFKA_NAMES.get(match.group(1), match.group(1))
        used[api].add(int(match.group(2)))
    return used


def versions_in_summary(summary):
    """The same, from current_librdkafka_client.js's "Fetch v11/12" list."""
    used = collections.defaultdict(set)
    for api, versions in re.findall(r"(\w+) v([\d/]+)", summary):
        used[KAFKA_NAMES.get(api, api)].update(int(v) for v in versions.split("/"))
    return used


def drive_kafka_python(bootstrap):
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
    from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic("kp", 2, 1)])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i in range(10):
        producer.send("kp", key=b"k%d" % i, value=b"v%d" % i)
    producer.flush()
    consumer = KafkaConsumer("kp", bootstrap_servers=bootstrap, group_id="kp",
                             auto_offset_reset="earliest",
                             enable_auto_commit=False,
                             heartbeat_interval_ms=HEARTBEAT_MS)
    seen = 0
    while seen < 10:
        seen += sum(len(r) for r in consumer.poll(1000).values())
    consumer.commit()
    stay_for_heartbeats(lambda: consumer.poll(100))
    consumer.close()
    admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp")])
    admin.list_consumer_groups()
    admin.describe_consumer_groups(["kp"])
    admin.list_consumer_group_offsets("kp")
    admin.delete_topics(["kp"])


def drive_confluent_kafka(bootstrap):
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
    debug = {"bootstrap.servers": bootstrap, "debug": "protocol"}
    admin = AdminClient(debug)
    admin.create_topics([NewTopic("ck", 2, 1)])["ck"].result(10)
    producer = Producer(dict(debug, acks="all"))
    for i in range(10):
        producer.produce("ck", key=b"k%d" % i, value=b"v%d" % i)
    producer.flush(10)
    consumer = Consumer(dict(debug, **{"group.id": "ck",
                                       "auto.offset.reset": "earliest",
                                       "enable.auto.commit": False,
                                       "heartbeat.interval.ms": HEARTBEAT_MS}))
    consumer.subscribe(["ck"])
    seen = 0
    while seen < 10:
        message = consumer.poll(1)
        if message is not None and not message.error():
            seen += 1
    consumer.commit(asynchronous=False)
    stay_for_heartbeats(lambda: consumer.poll(0.1))
    consumer.close()
    topic = ConfigResource("topic", "ck")
    admin.describe_configs([topic])[topic].result(10)
    admin.list_groups(timeout=10)
    admin.delete_topics(["ck"])["ck"].result(10)


def stay_for_heartbeats(poll):
    """Polls for a few heartbeat intervals, so that every run sends one."""
    deadline = time.monotonic() + 5 * HEARTBEAT_MS / 1000
    while time.monotonic() < deadline:
        poll()


def measure(client, bootstrap, current_client_js):
    """The versions one client sent, from a child process's debug log."""
    if client == "current librdkafka":
        command = ["/usr/bin/node", current_client_js, bootstrap, "orders",
                   "10"]
        env = dict(os.environ, NODE_PATH=f"{CKJS_DIR}/node_modules")
        result = subprocess.run(command, env=env, capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{client} failed: {result.stderr[-2000:]}")
        return versions_in_summary(result.stdout)
    command = [sys.executable, __file__, "--drive", client, bootstrap]
    pattern = (KAFKA_PYTHON_SENT if client == "kafka-python"
               else LIBRDKAFKA_SENT)
    result = subprocess.run(command, capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{client} failed: {result.stderr[-2000:]}")
    return versions_in(result.stderr, pattern)


def table(columns):
    """A Markdown table: one row per API, one column per client."""
    apis = sorted(set().union(*columns.values()))
    lines = ["| API | " + " | ".join(columns) + " |",
             "|---|" + "---|" * len(columns)]
    for api in apis:
        cells = [", ".join(str(v) for v in sorted(used.get(api, ()))) or "-"
                 for used in columns.values()]
        lines.append(f"| {api} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table_in_book(page):
    """The lines of the page between BOOK_BEGIN and BOOK_END."""
    lines = open(page).read().splitlines()
    begin, end = lines.index(BOOK_BEGIN), lines.index(BOOK_END)
    return "\n".join(lines[begin + 1:end])


def main():
    args = sys.argv[1:]
    if args[0] == "--drive":
        drivers = {"kafka-python": drive_kafka_python,
                   "confluent-kafka": drive_confluent_kafka}
        drivers[args[1]](args[2])
        return
    book_page = None
    if args[0] == "--check":
        book_page, args = args[1], args[2:]
    broker = BrokerProcess(args[0], num_partitions=2)
    clients = ["kafka-python", "confluent-kafka"]
    if len(args) > 1:
        clients.append("current librdkafka")
    try:
        measured = table({c: measure(c, broker.bootstrap, args[-1])
                          for c in clients})
    finally:
        broker.stop()
    print(measured)
    if book_page and measured != table_in_book(book_page):
        print(f"{book_page} shows another table: update it", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
