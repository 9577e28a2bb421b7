"""A Chapter 4 cluster on one machine: the static controller and three brokers.

Each runs as its own process (static_controller_main, broker_main) on a free
loopback port, with its data directory under the one given:

    DIR/controller/   DIR/broker-1/   DIR/broker-2/   DIR/broker-3/

and its output in DIR/controller.out, DIR/broker-N.out. The launcher waits
until every process listens, prints the bootstrap servers for kcat and the
clients, and on SIGTERM or Ctrl-C stops the brokers and then the controller
with SIGTERM (a clean shutdown: every broker checkpoints its high watermarks
and closes its logs).

    bazel run //chapters/04_replication:cluster -- /tmp/cluster
    kcat -b 127.0.0.1:PORT -L

The directory must be empty or new: the static controller keeps the cluster's
topics in memory only, so a cluster started again on old data directories
would not know their topics (Chapter 5's controller keeps them in the
metadata log).

Tests use the Cluster class the same way (tests/replication_clients_test.py).

Usage: kafka_cluster.py BROKER_BINARY CONTROLLER_BINARY [DIR]
           [--brokers N] [--config FILE] [--override name=value]...
           [--broker-override name=value]...
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

CONTROLLER_ID = 3000
START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 15


def free_loopback_ports(count):
    """Ports no one listens on now (another program may take one before we
    do: Cluster.start tries again with new ones)."""
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class NodeProcess:
    """One program of the cluster, its output in a file."""

    def __init__(self, name, command, output_path):
        self.name = name
        self.output_path = output_path
        with open(output_path, "w") as output:
            # Its own session: Ctrl-C reaches the launcher, which stops the
            # nodes in order, not every node at once.
            self.process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True)

    def output(self):
        with open(self.output_path) as f:
            return f.read()

    def wait_listening(self, deadline):
        """True once the node says it listens; False if it exited first."""
        while time.monotonic() < deadline:
            if re.search(r"listening on \S+:\d+", self.output()):
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start: {self.output()}")

    def stop(self):
        """SIGTERM; the node's output if it did not stop cleanly, else None."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        output = self.output()
        if self.process.returncode != 0 or "stopped cleanly" not in output:
            return f"{self.name} ({self.process.returncode}): {output}"
        return None


class Cluster:
    """The static controller and `brokers` brokers (ids 1..N) on loopback.

    `settings` are name=value overrides given to every node (the brokers and
    the controller read Chapter 2's settings alike), after `config`, a
    properties file, if any; `broker_settings` go to the brokers only (the
    replica.* ones, which the controller does not know).
    """

    def __init__(self, broker_binary, controller_binary, base_dir, brokers=3,
                 config=None, settings=(), broker_settings=()):
        self.broker_binary = broker_binary
        self.controller_binary = controller_binary
        self.base_dir = base_dir
        self.broker_ids = list(range(1, brokers + 1))
        self.config = config
        self.settings = list(settings)
        # Group offsets replicated as Kafka's default replicates them (3),
        # where there are brokers enough.
        self.broker_settings = [
            f"offsets.topic.replication.factor={min(3, brokers)}"
        ] + list(broker_settings)
        self.ports = {}  # node id -> port
        self.nodes = []

    @property
    def bootstrap(self):
        return ",".join(f"127.0.0.1:{self.ports[i]}" for i in self.broker_ids)

    def data_dir(self, node_id):
        if node_id == CONTROLLER_ID:
            return os.path.join(self.base_dir, "controller")
        return os.path.join(self.base_dir, f"broker-{node_id}")

    def start(self, attempts=3):
        """Starts every node and waits until each listens."""
        for _ in range(attempts):
            ids = self.broker_ids + [CONTROLLER_ID]
            self.ports = dict(zip(ids, free_loopback_ports(len(ids))))
            if self._start_nodes():
                return
            outputs = "\n".join(f"{node.name}: {node.output()}"
                                for node in self.nodes)
            self._stop_nodes()  # a port was taken meanwhile? new ones
        raise RuntimeError("the cluster did not start:\n" + outputs)

    def stop(self):
        """Stops the brokers, then the controller; raises if one was not
        clean."""
        problems = self._stop_nodes()
        if problems:
            raise RuntimeError("unclean stop:\n" + "\n".join(problems))

    def _stop_nodes(self):
        """What went wrong in each node's stop (the controller's last)."""
        problems = [problem for problem in map(NodeProcess.stop, self.nodes)
                    if problem]
        self.nodes = []
        return problems

    def _start_nodes(self):
        # The brokers first: the controller's first UpdateMetadata, sent as
        # it starts, then reaches them all.
        self.nodes = [self._start_broker(i) for i in self.broker_ids]
        self.nodes.append(self._start_controller())
        deadline = time.monotonic() + START_TIMEOUT_S
        return all([node.wait_listening(deadline) for node in self.nodes])

    def _arguments(self, node_id, settings):
        arguments = [self.config] if self.config else []
        arguments += ["--data-dir", self.data_dir(node_id),
                      "--port", str(self.ports[node_id]),
                      "--node-id", str(node_id)]
        for setting in self.settings + settings:
            arguments += ["--override", setting]
        return arguments

    def _start_broker(self, broker_id):
        controller = f"127.0.0.1:{self.ports[CONTROLLER_ID]}"
        settings = self.broker_settings + [
            f"controller.quorum.bootstrap.servers={controller}"]
        command = [self.broker_binary] + self._arguments(broker_id, settings)
        return self._start(f"broker-{broker_id}", command)

    def _start_controller(self):
        brokers = ",".join(f"{i}@127.0.0.1:{self.ports[i]}"
                           for i in self.broker_ids)
        command = [self.controller_binary] + self._arguments(
            CONTROLLER_ID, [f"static.brokers={brokers}"])
        return self._start("controller", command)

    def _start(self, name, command):
        return NodeProcess(name, command,
                           os.path.join(self.base_dir, f"{name}.out"))


def from_user_directory(path):
    """A path as the user typed it, also under `bazel run` (which starts
    programs elsewhere and says where the user was)."""
    user_dir = os.environ.get("BUILD_WORKING_DIRECTORY")
    if user_dir and not os.path.isabs(path):
        return os.path.join(user_dir, path)
    return path


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Chapter 4's static controller and brokers on loopback.")
    parser.add_argument("broker_binary")
    parser.add_argument("controller_binary")
    parser.add_argument("dir", nargs="?",
                        help="an empty or new directory for the nodes' data "
                             "(default: a new temporary one)")
    parser.add_argument("--brokers", type=int, default=3)
    parser.add_argument("--config", help="a properties file for every node")
    parser.add_argument("--override", action="append", default=[],
                        metavar="NAME=VALUE", help="a setting for every node")
    parser.add_argument("--broker-override", action="append", default=[],
                        metavar="NAME=VALUE",
                        help="a setting for the brokers only (replica.*)")
    return parser.parse_args(argv)


def main(argv):
    arguments = parse_arguments(argv)
    base_dir = (from_user_directory(arguments.dir) if arguments.dir
                else tempfile.mkdtemp(prefix="kafka-cluster-"))
    os.makedirs(base_dir, exist_ok=True)
    if os.listdir(base_dir):
        sys.exit(f"{base_dir} is not empty: the static controller would not "
                 "know its topics; give an empty or new directory")
    config = arguments.config and from_user_directory(arguments.config)
    cluster = Cluster(arguments.broker_binary, arguments.controller_binary,
                      base_dir, arguments.brokers, config, arguments.override,
                      arguments.broker_override)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    cluster.start()
    print(f"controller {CONTROLLER_ID} at 127.0.0.1:"
          f"{cluster.ports[CONTROLLER_ID]}, data under {base_dir}")
    print(f"bootstrap.servers={cluster.bootstrap}", flush=True)
    while not stopping:
        time.sleep(0.2)
    cluster.stop()
    print("cluster stopped cleanly")


if __name__ == "__main__":
    main(sys.argv[1:])
