"""Starts our broker program as a child process, for tests with real clients."""
import os
import re
import signal
import subprocess
import tempfile
import time


class BrokerProcess:
    """A broker on a free loopback port with its own data directory.

    `restart()` stops it with SIGTERM (a clean shutdown) and starts it again on
    the same directory.
    """

    def __init__(self, broker_binary, num_partitions=1):
        self.binary = broker_binary
        self.num_partitions = num_partitions
        self.data_dir = tempfile.mkdtemp(prefix="broker-")
        self.port = 0
        self.process = None
        self.start()

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--data-dir", self.data_dir, "--port", str(self.port),
             "--num-partitions", str(self.num_partitions)],
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not match:
            raise RuntimeError(f"the broker did not start: {line!r}")
        self.port = int(match.group(1))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=10)
        if self.process.returncode != 0 or "stopped cleanly" not in out:
            raise RuntimeError(f"unclean stop ({self.process.returncode}): {out}")

    def restart(self):
        self.stop()
        time.sleep(0.1)
        self.start()
