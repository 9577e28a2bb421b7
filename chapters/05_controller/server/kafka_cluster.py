"""A Chapter 5 cluster on one machine: a KRaft quorum of controllers and
brokers, each its own process (kafka_server_main) on a loopback port.

    bazel run //:cluster -- --data-dir /tmp/cluster
    bazel run //:cluster -- --data-dir /tmp/cluster --controllers 3 \\
        --brokers 3 --base-port 19092
    bazel run //:cluster -- --data-dir /tmp/cluster --combined

By default three controllers (node ids 3000, 3001, 3002: the voters of
controller.quorum.voters) and three brokers (node ids 1, 2, 3). With
--combined each of the --brokers nodes is both (process.roles=broker,
controller, as Kafka's combined mode) and the voters are those nodes. Each
node has, under DIR:

    DIR/broker-1/             its data (log.dirs): partitions, and the
                              metadata log __cluster_metadata-0
    DIR/broker-1.properties   its settings, as kafka-server-start takes them
    DIR/broker-1.log          what it prints
    DIR/broker-1.pid          its process id (kill -9 $(cat ...) to crash it)

and the same for controller-3000 etc. (a combined node has broker-N files,
and a controller-N.pid too, naming the same process).

The launcher starts the controllers, then the brokers, waits until every
broker is registered and unfenced (every broker's Metadata lists them all:
a broker's metadata cache knows only the unfenced ones), prints one line,
`bootstrap.servers=127.0.0.1:PORT,...`, on its standard output, and on
SIGTERM or Ctrl-C stops the brokers (each moves its leadership away first:
controlled shutdown) and then the controllers, with SIGTERM.

A directory that holds a cluster already is started again with its data:
unlike Chapter 4's static controller, the controllers keep the cluster's
topics in the metadata log, and each broker finds its partitions' states
there when it comes back.

Tests use the Cluster class the same way (tests/kraft_clients_test.py).

Usage: kafka_cluster.py SERVER_BINARY --data-dir DIR [--controllers N]
           [--brokers N] [--combined] [--base-port P] [--config FILE]
           [--override name=value]...
"""
import argparse
import importlib.util
import os
import signal
import socket
import struct
import sys
import time


def load_chapter4_launcher():
    """Chapter 4's launcher, whose node processes, free ports and user paths
    this one reuses (a module of the same name: loaded by its path)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "..", "04_replication", "kafka_cluster.py")
    spec = importlib.util.spec_from_file_location("replication_cluster", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


replication_cluster = load_chapter4_launcher()
NodeProcess = replication_cluster.NodeProcess
free_loopback_ports = replication_cluster.free_loopback_ports
from_user_directory = replication_cluster.from_user_directory

FIRST_CONTROLLER_ID = 3000
# A broker says it listens once it is unfenced: after an election, its
# registration, and catching up with the metadata log; after a restart, once
# the controller has let its old registration's session end.
START_TIMEOUT_S = 30
READY_TIMEOUT_S = 30


# --- Metadata, by hand: the launcher needs no client library to know when
# the brokers are up, and the tests read the leader epochs (Metadata v7)
# that confluent-kafka does not show.

METADATA_API_KEY = 3
METADATA_VERSION = 7


class Reader:
    """Reads a response's fields in order (Kafka's non-flexible encoding)."""

    def __init__(self, data):
        self.data, self.position = data, 0

    def _unpack(self, fmt):
        (value,) = struct.unpack_from(fmt, self.data, self.position)
        self.position += struct.calcsize(fmt)
        return value

    def int8(self):
        return self._unpack(">b")

    def int16(self):
        return self._unpack(">h")

    def int32(self):
        return self._unpack(">i")

    def string(self):
        length = self.int16()
        if length < 0:
            return None
        value = self.data[self.position:self.position + length].decode()
        self.position += length
        return value

    def array(self, read_element):
        return [read_element() for _ in range(max(self.int32(), 0))]


def encode_metadata_request(correlation_id, topics):
    """Metadata v7 with request header v1; topics None: every topic."""
    client_id = b"kafka_cluster.py"
    header = struct.pack(">hhih", METADATA_API_KEY, METADATA_VERSION,
                         correlation_id, len(client_id)) + client_id
    if topics is None:
        body = struct.pack(">i", -1)
    else:
        body = struct.pack(">i", len(topics))
        for topic in topics:
            name = topic.encode()
            body += struct.pack(">h", len(name)) + name
    body += struct.pack(">b", 0)  # allow_auto_topic_creation: no
    return struct.pack(">i", len(header) + len(body)) + header + body


def read_partition(reader):
    return {
        "error_code": reader.int16(),
        "partition": reader.int32(),
        "leader": reader.int32(),
        "leader_epoch": reader.int32(),
        "replicas": reader.array(reader.int32),
        "isr": reader.array(reader.int32),
        "offline_replicas": reader.array(reader.int32),
    }


def read_topic(reader):
    topic = {"error_code": reader.int16(), "name": reader.string(),
             "is_internal": reader.int8() != 0}
    partitions = reader.array(lambda: read_partition(reader))
    topic["partitions"] = {p["partition"]: p for p in partitions}
    return topic


def decode_metadata_response(data):
    reader = Reader(data)
    reader.int32()  # throttle_time_ms
    brokers = reader.array(
        lambda: (reader.int32(), reader.string(), reader.int32(),
                 reader.string()))
    cluster_id = reader.string()
    controller_id = reader.int32()
    topics = reader.array(lambda: read_topic(reader))
    return {"brokers": {node_id: (host, port)
                        for node_id, host, port, _rack in brokers},
            "cluster_id": cluster_id, "controller_id": controller_id,
            "topics": {t["name"]: t for t in topics}}


def receive_exactly(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        data += chunk
    return data


def fetch_metadata(address, topics=(), timeout_s=2):
    """Metadata v7 from the broker at (host, port): {"brokers": {id: (host,
    port)}, "controller_id", "cluster_id", "topics": {name: {"partitions":
    {index: {"leader", "leader_epoch", "replicas", "isr", ...}}}}}. Raises
    OSError if the broker cannot be reached."""
    with socket.create_connection(address, timeout=timeout_s) as connection:
        correlation_id = 1
        connection.sendall(encode_metadata_request(
            correlation_id, None if topics is None else list(topics)))
        (size,) = struct.unpack(">i", receive_exactly(connection, 4))
        response = receive_exactly(connection, size)
    (answered,) = struct.unpack_from(">i", response)
    if answered != correlation_id:
        raise ConnectionError(
            f"correlation id {answered}, not {correlation_id}")
    return decode_metadata_response(response[4:])


# --- The cluster.

class ClusterNode:
    """One node's identity, files and process."""

    def __init__(self, cluster, role, node_id, port):
        self.role = role  # "broker", "controller" or "broker,controller"
        self.node_id = node_id
        self.port = port
        self.name = (f"controller-{node_id}" if role == "controller"
                     else f"broker-{node_id}")
        self.base_dir = cluster.base_dir
        self.process = None  # a NodeProcess, while it runs

    @property
    def is_broker(self):
        return "broker" in self.role

    @property
    def is_controller(self):
        return "controller" in self.role

    def path(self, suffix):
        return os.path.join(self.base_dir, self.name + suffix)

    @property
    def data_dir(self):
        return self.path("")

    @property
    def properties_file(self):
        return self.path(".properties")

    def pid_files(self):
        roles = [r for r in ("broker", "controller") if r in self.role]
        return [os.path.join(self.base_dir, f"{role}-{self.node_id}.pid")
                for role in roles]

    def write_properties(self, config_text, settings):
        """The node's properties file: the --config file's text, then the
        cluster's settings for this node, which win (a key given twice in a
        properties file keeps its last value)."""
        with open(self.properties_file, "w") as f:
            if config_text:
                f.write(config_text.rstrip("\n") + "\n\n")
            f.write(f"# {self.name}, as kafka_cluster.py started it\n")
            for name, value in settings:
                f.write(f"{name}={value}\n")

    def start(self, server_binary):
        """Starts the process; what an earlier run printed is kept in
        NAME.log.1."""
        if os.path.exists(self.path(".log")):
            os.replace(self.path(".log"), self.path(".log.1"))
        self.process = NodeProcess(self.name,
                                   [server_binary, self.properties_file],
                                   self.path(".log"))
        for pid_file in self.pid_files():
            with open(pid_file, "w") as f:
                f.write(f"{self.process.process.pid}\n")

    def is_running(self):
        return self.process is not None and self.process.process.poll() is None

    def stop(self):
        """SIGTERM and wait; what went wrong, or None."""
        problem = self.process.stop() if self.process else None
        self.process = None
        for pid_file in self.pid_files():
            if os.path.exists(pid_file):
                os.remove(pid_file)
        return problem


class Cluster:
    """Controllers and brokers of Chapter 5 on loopback.

    `controllers` voters (ids 3000...) and `brokers` brokers (ids 1..N), or,
    `combined`, `brokers` nodes that are both. `config` is a properties file
    every node starts from; `settings` (name=value) go to every node over it.
    `base_port`: the brokers listen on base_port, base_port + 1, ..., the
    controllers on the ports after theirs; 0: free ports, chosen at start.
    """

    def __init__(self, server_binary, base_dir, controllers=3, brokers=3,
                 combined=False, base_port=0, config=None, settings=()):
        self.server_binary = server_binary
        self.base_dir = base_dir
        self.base_port = base_port
        self.config_text = ""
        if config:
            with open(config) as f:
                self.config_text = f.read()
        # Group offsets replicated as Kafka's default replicates them (3),
        # where there are brokers enough.
        self.settings = [
            f"offsets.topic.replication.factor={min(3, brokers)}"
        ] + list(settings)
        self.layout = self._layout(controllers, brokers, combined)
        self.nodes = {}  # name -> ClusterNode

    @staticmethod
    def _layout(controllers, brokers, combined):
        """(role, node id) of every node, the brokers first."""
        if combined:
            return [("broker,controller", i) for i in range(1, brokers + 1)]
        return ([("broker", i) for i in range(1, brokers + 1)] +
                [("controller", FIRST_CONTROLLER_ID + i)
                 for i in range(controllers)])

    @property
    def brokers(self):
        return [node for node in self.nodes.values() if node.is_broker]

    @property
    def controllers(self):
        return [node for node in self.nodes.values() if node.is_controller]

    @property
    def bootstrap(self):
        return ",".join(f"127.0.0.1:{node.port}" for node in self.brokers)

    def broker(self, node_id):
        return self.nodes[f"broker-{node_id}"]

    def data_dir(self, node_id):
        return self.broker(node_id).data_dir

    def start(self, attempts=3):
        """Starts every node and waits until the brokers are registered and
        unfenced. With free ports, a port another program took meanwhile
        makes a node fail ("Address already in use"): then again, on new
        ports. Any other failure stops the start."""
        for _ in range(attempts if self.base_port == 0 else 1):
            self._place_nodes()
            if self._start_nodes():
                try:
                    self.wait_until_ready()
                except RuntimeError:
                    self._stop_nodes()
                    raise
                return
            outputs = "\n".join(f"{node.name}: {node.process.output()}"
                                for node in self.nodes.values())
            self._stop_nodes()
            if "Address already in use" not in outputs:
                break
        raise RuntimeError("the cluster did not start:\n" + outputs)

    def stop(self):
        """Stops the brokers, then the controllers; raises if one was not
        clean."""
        problems = self._stop_nodes()
        if problems:
            raise RuntimeError("unclean stop:\n" + "\n".join(problems))

    def start_node(self, node):
        """Starts a node (again) with its properties file and data."""
        node.start(self.server_binary)
        if not node.process.wait_listening(time.monotonic() + START_TIMEOUT_S):
            raise RuntimeError(f"{node.name} exited: {node.process.output()}")

    def wait_until_ready(self, timeout_s=READY_TIMEOUT_S):
        """Until every broker's Metadata lists every broker: each one is
        registered and unfenced, and each broker knows it."""
        expected = {node.node_id for node in self.brokers}
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(self._lists_brokers(node, expected)
                   for node in self.brokers):
                return
            self._check_running()
            time.sleep(0.1)
        raise RuntimeError("the brokers were not all registered and unfenced "
                           f"in {timeout_s} s; see {self.base_dir}/*.log")

    def _lists_brokers(self, node, expected):
        try:
            metadata = fetch_metadata(("127.0.0.1", node.port))
        except (OSError, struct.error):
            return False
        return set(metadata["brokers"]) == expected

    def _check_running(self):
        for node in self.nodes.values():
            if not node.is_running():
                raise RuntimeError(f"{node.name} exited: "
                                   f"{node.process.output()}")

    def _place_nodes(self):
        if self.base_port:
            ports = range(self.base_port, self.base_port + len(self.layout))
        else:
            ports = free_loopback_ports(len(self.layout))
        self.nodes = {}
        for (role, node_id), port in zip(self.layout, ports):
            node = ClusterNode(self, role, node_id, port)
            self.nodes[node.name] = node

    def _voters(self):
        return ",".join(f"{node.node_id}@127.0.0.1:{node.port}"
                        for node in self.controllers)

    def _node_settings(self, node):
        """The settings of one node: the cluster's, then its identity."""
        settings = [tuple(s.split("=", 1)) for s in self.settings]
        return settings + [
            ("process.roles", node.role),
            ("node.id", node.node_id),
            ("controller.quorum.voters", self._voters()),
            ("listeners", f"PLAINTEXT://127.0.0.1:{node.port}"),
            ("log.dirs", node.data_dir),
        ]

    def _start_nodes(self):
        """Starts the controllers, then the brokers; True once all listen."""
        os.makedirs(self.base_dir, exist_ok=True)
        ordered = self.controllers + [n for n in self.brokers
                                      if not n.is_controller]
        deadline = time.monotonic() + START_TIMEOUT_S
        for node in ordered:
            node.write_properties(self.config_text, self._node_settings(node))
            node.start(self.server_binary)
        return all([node.process.wait_listening(deadline) for node in ordered])

    def _stop_nodes(self):
        """Stops the brokers one at a time (each moves its leadership to the
        brokers still running: controlled shutdown, which needs the
        controllers), then the controllers; what went wrong in each."""
        only_brokers = [n for n in self.brokers if not n.is_controller]
        return [problem for problem in
                map(ClusterNode.stop, only_brokers + self.controllers)
                if problem]


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Chapter 5's KRaft controllers and brokers on loopback.")
    parser.add_argument("server_binary")
    parser.add_argument("--data-dir", required=True,
                        help="the nodes' data, new or of a cluster started "
                             "here before")
    parser.add_argument("--controllers", type=int, default=3,
                        help="the voters (node ids 3000...; default 3)")
    parser.add_argument("--brokers", type=int, default=3,
                        help="the brokers (node ids 1...; default 3)")
    parser.add_argument("--combined", action="store_true",
                        help="each broker is a controller too "
                             "(process.roles=broker,controller)")
    parser.add_argument("--base-port", type=int, default=0,
                        help="the first broker's port; the others follow, "
                             "then the controllers' (default: free ports)")
    parser.add_argument("--config", help="a properties file for every node")
    parser.add_argument("--override", action="append", default=[],
                        metavar="NAME=VALUE", help="a setting for every node")
    arguments = parser.parse_args(argv)
    if arguments.controllers < 1 or arguments.brokers < 1:
        parser.error("a cluster needs a controller and a broker")
    for setting in arguments.override:
        if "=" not in setting:
            parser.error(f"--override {setting}: expected name=value")
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    base_dir = os.path.abspath(from_user_directory(arguments.data_dir))
    config = arguments.config and from_user_directory(arguments.config)
    cluster = Cluster(arguments.server_binary, base_dir, arguments.controllers,
                      arguments.brokers, arguments.combined,
                      arguments.base_port, config, arguments.override)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    try:
        cluster.start()
    except RuntimeError as e:
        sys.exit(str(e))
    voters = ", ".join(f"{n.node_id} at 127.0.0.1:{n.port}"
                       for n in cluster.controllers)
    print(f"controllers {voters}; data under {base_dir}", file=sys.stderr)
    print(f"bootstrap.servers={cluster.bootstrap}", flush=True)
    exited = set()
    while not stopping:
        report_exited_nodes(cluster, exited)
        time.sleep(0.2)
    try:
        cluster.stop()
    except RuntimeError as e:
        sys.exit(str(e))
    print("cluster stopped cleanly", file=sys.stderr)


def report_exited_nodes(cluster, reported):
    """Says once on stderr that a node is gone (killed, or crashed)."""
    for node in cluster.nodes.values():
        if node.name not in reported and not node.is_running():
            reported.add(node.name)
            print(f"{node.name} exited ({node.process.process.returncode}); "
                  f"its output is in {node.path('.log')}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
