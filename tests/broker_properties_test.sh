#!/usr/bin/env bash
# The broker programs started as Kafka's is, from a properties file with
# --override's: kcat's metadata shows the configured node id, port and
# partition counts; ignored settings warn; a bad or unknown setting stops the
# program with a message naming it, before anything starts.
set -euo pipefail
broker=$1            # //:broker (Chapter 5's single KRaft node, with groups)
chapter2_broker=$2   # //chapters/02_partitions:broker_main
example=$3           # config/server.properties
work=$(mktemp -d)
out=$work/out
err=$work/err
pid=
trap '[[ -n $pid ]] && kill -TERM $pid 2>/dev/null || true' EXIT
fail() { echo "FAIL: $*"; cat "$out" "$err" 2>/dev/null; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
start() {  # start BINARY ARGS...: runs it in the background until it listens
  "$@" >"$out" 2>"$err" &
  pid=$!
  for _ in $(seq 50); do grep -q listening "$out" && return; sleep 0.1; done
  fail "did not start: $*"
}
stop() { kill -TERM "$pid"; wait "$pid"; pid=; }
metadata() { kcat -b "127.0.0.1:$1" -L; }

# 1. A file in Java's format, with an override over it.
port=$(free_port)
cat >"$work/server.properties" <<PROPERTIES
# comments, blank lines, "key: value", blanks and a continued line

node.id = 5
listeners: PLAINTEXT://127.0.0.1:$port
log.dirs=$work/data
num.partitions=\\
    2
offsets.topic.num.partitions=3
process.roles=broker
PROPERTIES
start "$broker" "$work/server.properties" --override node.id=7
metadata "$port" | grep -q "broker 7 at 127.0.0.1:$port" \
  || fail "node id and port: $(metadata "$port")"
echo x | kcat -b "127.0.0.1:$port" -P -t orders
metadata "$port" | grep -q 'topic "orders" with 2 partitions' \
  || fail "num.partitions: $(metadata "$port")"
# __consumer_offsets is created when a client first looks for a group's
# coordinator (FindCoordinator), as Kafka's KRaft broker creates it: a group
# member does, then the topic has offsets.topic.num.partitions partitions.
timeout 30 kcat -b "127.0.0.1:$port" -G probe -o beginning -e -q orders >/dev/null \
  || fail "kcat -G: no coordinator"
metadata "$port" | grep -q 'topic "__consumer_offsets" with 3 partitions' \
  || fail "offsets.topic.num.partitions: $(metadata "$port")"
grep -q "ignored: process.roles (not implemented here)" "$err" \
  || fail "no warning for process.roles"
stop

# 2. The shipped example starts as it is, with the shorthand flags over it.
start "$broker" "$example" --data-dir "$work/example-data" --port 0 --node-id 3
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out")
metadata "$port" | grep -q "broker 3 at 127.0.0.1:$port" \
  || fail "example with flags: $(metadata "$port")"
stop

# 3. Chapter 2's broker, without a group coordinator, ignores group settings.
start "$chapter2_broker" "$work/server.properties" --port 0
grep -q "ignored: offsets.topic.num.partitions (this broker has no group coordinator" "$err" \
  || fail "Chapter 2 on group settings: $(cat "$err")"
stop

# 4. A bad value and an unknown setting stop the program before it starts.
refuses() {  # refuses SETTING EXPECTED: the override is refused, naming it
  if "$broker" "$work/server.properties" --override "$1" \
       --override "log.dirs=$work/never" >"$out" 2>"$err"; then
    fail "started with $1"
  fi
  grep -qF "$2" "$err" || fail "$1: $(cat "$err")"
  [[ ! -e $work/never ]] || fail "$1: created the data directory"
}
refuses num.partitions=0 \
  "Invalid value 0 for configuration num.partitions: Value must be at least 1"
refuses log.segment.bytes=lots \
  "Invalid value lots for configuration log.segment.bytes: Not a number of type INT"
refuses offsets.topic.segment.bytes=13 \
  "Invalid value 13 for configuration offsets.topic.segment.bytes: Value must be at least 14"
refuses num.partition=2 "Unknown configuration num.partition"
refuses listeners=PLAINTEXT://0.0.0.0:$port \
  "advertised.listeners cannot use the nonroutable meta-address 0.0.0.0"
echo "ok: properties file, overrides, shorthands, warnings and refusals"
