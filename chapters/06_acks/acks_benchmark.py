"""P4 and P5: what acks=all with three replicas costs, on this machine, as
ratios against baselines measured in the same run.

It starts a cluster of processes with the nodes of //:cluster (one KRaft
controller, three brokers, on loopback) and two topics of one partition:
`rf1` (one replica) and `rf3` (three replicas, min.insync.replicas=2).
Build it optimised: the unoptimised brokers are several times slower.

P4, throughput: one confluent-kafka producer (acks=all, linger.ms 5, the
defaults otherwise) sends RECORDS records of 100 bytes as fast as it can,
to rf1 and then to rf3, alternating, REPETITIONS times each. The result is
the median of rf3's records per second over the median of rf1's: the goal
is at least 0.30.

P5, end-to-end latency: a producer that sends each record at once, in a
request of its own (acks=all, linger.ms 0), sends 100-byte records
carrying their send time to rf3 at a tenth of the rate the cluster
sustains such requests at (measured first), and a consumer (assigned, not
in a group, in a process of its own) notes when each arrives. The baseline
is the loopback round trip of 100 bytes between two Python threads over
TCP, measured just before, with the same clock. The goal is p50 and p99
each at most 20 times the baseline's; each is the median of REPETITIONS
runs. For comparison it does the same with P4's producer (linger.ms 5) at
a tenth of P4's rate: the 5 ms it waits for a batch to fill are themselves
about 70 round trips.

  bazel run -c opt //chapters/06_acks:acks_benchmark -- [--records N]
      [--repetitions N] [--latency-seconds S]

It prints each repetition and the medians, and a JSON line with the
results.
"""
import argparse
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import struct
import sys
import tempfile
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

RECORD_BYTES = 100


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("server_binary")
    parser.add_argument("launcher")
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--latency-rate", type=float, default=0,
                        help="records/s for P5 (default: a tenth of P4's)")
    return parser.parse_args(argv)


def create_topics(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([
        NewTopic("rf1", 1, 1),
        NewTopic("rf3", 1, 3, config={"min.insync.replicas": "2"}),
    ])
    for future in futures.values():
        future.result(30)
    # Each topic's leader known and its replicas in sync before timing.
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for topic in ("rf1", "rf3"):
        producer.produce(topic, b"warm-up")
    if producer.flush(60):
        raise RuntimeError("the warm-up records were not acknowledged")


def records_per_second(bootstrap, topic, count, linger_ms=5,
                       records_per_batch=10_000):
    """One producer, acks=all, `count` records of 100 bytes, at most
    `records_per_batch` in a request's batch."""
    errors = []
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                         "linger.ms": linger_ms,
                         "batch.num.messages": records_per_batch,
                         "queue.buffering.max.messages": max(count, 100_000)})
    value = b"x" * RECORD_BYTES

    def on_delivery(error, _message):
        if error is not None:
            errors.append(error)

    start = time.perf_counter()
    for _ in range(count):
        while True:
            try:
                producer.produce(topic, value, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    if producer.flush(120):
        raise RuntimeError(f"{topic}: records left unacknowledged")
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{topic}: {errors[0]}")
    return count / elapsed


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def loopback_round_trips(count=20_000):
    """Round trips of 100 bytes between two threads over loopback TCP, in
    microseconds."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def echo():
        connection, _ = server.accept()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            data = connection.recv(RECORD_BYTES, socket.MSG_WAITALL)
            if not data:
                return
            connection.sendall(data)

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    client = socket.create_connection(server.getsockname())
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    message = b"x" * RECORD_BYTES
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        client.sendall(message)
        client.recv(RECORD_BYTES, socket.MSG_WAITALL)
        samples.append((time.perf_counter_ns() - start) / 1000)
    client.close()
    thread.join(5)
    server.close()
    return samples


def consume_latencies(bootstrap, ready, done, results):
    """The consumer's process: reads rf3 from its end until `done` is set,
    and puts each record's latency (perf_counter_ns is CLOCK_MONOTONIC,
    one clock for every process) on `results`, in microseconds."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "p5",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition("rf3", 0, -1)])  # from the end
    deadline = time.monotonic() + 2  # its first fetch finds the end
    while time.monotonic() < deadline:
        consumer.poll(0.1)
    ready.set()
    latencies = []
    while not done.is_set():
        message = consumer.poll(0.1)  # returns as soon as one is there
        if message is None or message.error():
            continue
        received = time.perf_counter_ns()
        sent = struct.unpack_from(">q", message.value())[0]
        latencies.append((received - sent) / 1000)
    consumer.close()
    results.put(latencies)


def end_to_end_latencies(bootstrap, rate, seconds, linger_ms):
    """Producer send to consumer receive on rf3, in microseconds, at `rate`
    records per second, from a producer with `linger_ms`. The consumer is
    a process of its own, so that the two do not share Python's lock."""
    ready, done = multiprocessing.Event(), multiprocessing.Event()
    results = multiprocessing.Queue()
    consumer = multiprocessing.Process(
        target=consume_latencies, args=(bootstrap, ready, done, results))
    consumer.start()
    ready.wait(30)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                         "linger.ms": linger_ms})
    interval = 1.0 / rate
    padding = b"x" * (RECORD_BYTES - 8)
    next_send = time.perf_counter()
    end = next_send + seconds
    while next_send < end:
        now = time.perf_counter()
        if now < next_send:
            time.sleep(next_send - now)
        producer.produce("rf3", struct.pack(">q", time.perf_counter_ns()) +
                         padding)
        producer.poll(0)
        next_send += interval
    producer.flush(30)
    time.sleep(1)
    done.set()
    latencies = results.get(timeout=60)
    consumer.join(30)
    # The first second warms the connections up.
    return latencies[int(rate):]


def measure_p4(bootstrap, arguments):
    """RF 3 acks=all records per second over RF 1's, the median of each."""
    rates = {"rf1": [], "rf3": []}
    for repetition in range(arguments.repetitions):
        for topic in ("rf1", "rf3"):
            rate = records_per_second(bootstrap, topic, arguments.records)
            rates[topic].append(rate)
            print(f"P4 repetition {repetition + 1} {topic}: "
                  f"{rate:,.0f} records/s", flush=True)
    rf1 = statistics.median(rates["rf1"])
    rf3 = statistics.median(rates["rf3"])
    print(f"P4 median: rf1 {rf1:,.0f}, rf3 acks=all {rf3:,.0f} records/s, "
          f"ratio {rf3 / rf1:.2f} (goal >= 0.30)", flush=True)
    return {"p4_rf1_records_per_s": round(rf1),
            "p4_rf3_records_per_s": round(rf3),
            "p4_ratio": round(rf3 / rf1, 3)}


def measure_latency(name, bootstrap, rate, linger_ms, arguments):
    """End to end p50 and p99 over the loopback round trip's, each
    repetition against a baseline of its own; the medians."""
    ratios = {"p50": [], "p99": []}
    for repetition in range(arguments.repetitions):
        baseline = loopback_round_trips()
        latencies = end_to_end_latencies(bootstrap, rate,
                                         arguments.latency_seconds, linger_ms)
        if not latencies:
            raise RuntimeError("the consumer received nothing")
        for quantile, fraction in (("p50", 0.50), ("p99", 0.99)):
            e2e = percentile(latencies, fraction)
            rtt = percentile(baseline, fraction)
            ratios[quantile].append(e2e / rtt)
            print(f"{name} repetition {repetition + 1}, {rate:,.0f} "
                  f"records/s, linger.ms {linger_ms}, {quantile}: end to end "
                  f"{e2e:,.0f} us, loopback round trip {rtt:,.1f} us, ratio "
                  f"{e2e / rtt:.1f}", flush=True)
    result = {f"{name}_rate_records_per_s": round(rate),
              f"{name}_linger_ms": linger_ms}
    for quantile, samples in ratios.items():
        result[f"{name}_{quantile}_ratio"] = round(
            statistics.median(samples), 1)
        print(f"{name} median {quantile} ratio "
              f"{statistics.median(samples):.1f} (goal <= 20)", flush=True)
    return result


def measure_p5(bootstrap, p4_rf3_rate, arguments):
    """P5 proper: a producer that sends each record in a request of its own
    (linger.ms 0) at a tenth of the rate the cluster sustains such requests
    at on rf3. For comparison, P4's producer (linger.ms 5) at a tenth of
    P4's rate."""
    sustained = statistics.median(
        records_per_second(bootstrap, "rf3", arguments.records // 10,
                           linger_ms=0, records_per_batch=1)
        for _ in range(arguments.repetitions))
    print(f"P5: rf3 sustains {sustained:,.0f} one-record requests per second",
          flush=True)
    result = {"p5_sustained_records_per_s": round(sustained)}
    result.update(measure_latency("p5", bootstrap,
                                  arguments.latency_rate or sustained / 10,
                                  0, arguments))
    result.update(measure_latency("p5_linger5", bootstrap, p4_rf3_rate / 10,
                                  5, arguments))
    return result


def main(argv):
    arguments = parse_arguments(argv)
    sys.path.insert(0, os.path.dirname(arguments.launcher))
    from kafka_cluster import Cluster

    base_dir = tempfile.mkdtemp(prefix="acks-benchmark-")
    cluster = Cluster(arguments.server_binary, base_dir, controllers=1,
                      brokers=3)
    cluster.start()
    try:
        create_topics(cluster.bootstrap)
        result = measure_p4(cluster.bootstrap, arguments)
        result.update(measure_p5(cluster.bootstrap,
                                 result["p4_rf3_records_per_s"], arguments))
        print(json.dumps(result), flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(base_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
