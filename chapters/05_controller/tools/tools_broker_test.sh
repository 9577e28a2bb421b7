#!/usr/bin/env bash
# The tools against a Chapter 3 broker process (before KRaft). kafka-topics:
# create (with configs), list, describe and its report options, alter
# --partitions, delete; and the errors, as Kafka prints them, with exit code
# 1. kafka-leader-election and kafka-metadata-quorum: this broker serves
# neither ElectLeaders nor DescribeQuorum (there is no quorum before Chapter
# 5), and they say so after ApiVersions, with exit code 1.
set -euo pipefail
broker=$1
tool=$2
leader_election=$3
metadata_quorum=$4
data=$(mktemp -d)
log=$(mktemp)
"$broker" --data-dir "$data" --port 0 >"$log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log")
topics() { "$tool" --bootstrap-server "127.0.0.1:$port" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
tab=$'\t'

# Runs the tool expecting exit code 1; its stdout and stderr in $out.
expect_failure() {
  if out=$(topics "$@" 2>&1); then fail "exit 0 for $*: $out"; fi
}

[[ $(topics --create --topic views --partitions 2 --replication-factor 1 \
  --config retention.ms=60000 --config 'retention.bytes = 5000') == \
  "Created topic views." ]] || fail "create"
topics --create --topic orders --partitions 3 --replication-factor 1 \
  --config min.insync.replicas=2 >/dev/null

expect_failure --create --topic views --partitions 1
# (Kafka's controller says "Topic 'views' already exists."; Chapter 2's
# broker words it its own way.)
grep -qix "Error while executing topic command : Topic 'views' already exists.\?" \
  <<<"$out" || fail "create twice: $out"
topics --create --topic views --partitions 1 --if-not-exists ||
  fail "--if-not-exists"

[[ $(topics --list --exclude-internal) == $'orders\nviews' ]] || fail "list"
topics --list | grep -qx __consumer_offsets || fail "list internal"
[[ $(topics --list --topic 'vi.*') == views ]] || fail "list --topic regex"

described=$(topics --describe --topic views)
echo "$described"
grep -qE "^Topic: views${tab}TopicId: [A-Za-z0-9_-]{22}${tab}PartitionCount: 2${tab}ReplicationFactor: 1${tab}Configs: .*retention.ms=60000" \
  <<<"$described" || fail "topic line"
grep -q "retention.bytes=5000" <<<"$described" || fail "trimmed config"
for p in 0 1; do
  grep -qE "^${tab}Topic: views${tab}Partition: $p${tab}Leader: ([0-9]+)${tab}Replicas: \1${tab}Isr: \1$" \
    <<<"$described" || fail "partition $p line"
done
[[ $(topics --describe --exclude-internal | grep -c "^Topic: ") == 2 ]] || fail "describe all"

# One broker: nothing is under-replicated, but orders (min.insync.replicas=2,
# an ISR of one) is under its minimum ISR, and views is at its minimum (1).
[[ -z $(topics --describe --under-replicated-partitions) ]] ||
  fail "under-replicated"
under_min=$(topics --describe --under-min-isr-partitions)
[[ $(grep -c "^${tab}Topic: orders${tab}Partition: " <<<"$under_min") == 3 ]] ||
  fail "under-min-isr: $under_min"
grep -q "views\|^Topic:" <<<"$under_min" && fail "under-min-isr lists views"
[[ $(topics --describe --at-min-isr-partitions | grep -c "Topic: views") == 2 ]] ||
  fail "at-min-isr"

topics --alter --topic views --partitions 4
topics --describe --topic views | grep -q "PartitionCount: 4" || fail "alter"
expect_failure --alter --topic views --partitions 2
grep -q "^Error while executing topic command : " <<<"$out" ||
  fail "shrink: $out"

topics --delete --topic views
[[ $(topics --list --exclude-internal) == orders ]] || fail "delete"

expect_failure --describe --topic views
[[ $out == "Topic 'views' does not exist as expected" ]] || fail "missing: $out"
topics --describe --topic views --if-exists || fail "--if-exists"
expect_failure --list --create --topic x
grep -q "exactly one action" <<<"$out" || fail "two actions: $out"
expect_failure --create --topic x --partitions 0
[[ $out == "The partitions must be greater than 0" ]] || fail "partitions 0"
expect_failure --create --topic x --config retention.ms
grep -q 'format "key=val"' <<<"$out" || fail "bad config: $out"
echo "ok: kafka-topics creates, lists, describes, alters and deletes"

b="127.0.0.1:$port"
if out=$("$leader_election" --bootstrap-server "$b" --election-type preferred \
  --all-topic-partitions 2>&1); then fail "leader election: $out"; fi
grep -q "UNSUPPORTED_VERSION: .* does not support ElectLeaders version 2" \
  <<<"$out" || fail "leader election: $out"
if out=$("$metadata_quorum" --bootstrap-server "$b" describe --status 2>&1); then
  fail "metadata quorum: $out"
fi
grep -q "UNSUPPORTED_VERSION: .* does not support DescribeQuorum version 1" \
  <<<"$out" || fail "metadata quorum: $out"
if out=$("$leader_election" --bootstrap-server "$b" --election-type preferred \
  --topic orders 2>&1); then fail "no --partition: $out"; fi
[[ $out == "Missing required option(s): partition" ]] || fail "$out"
echo "ok: kafka-leader-election and kafka-metadata-quorum fail cleanly"
