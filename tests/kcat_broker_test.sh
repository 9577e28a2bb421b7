#!/usr/bin/env bash
# kcat (librdkafka) against our broker: list, produce with acks=1 and
# acks=all, consume from the beginning to the end, restart, consume again.
set -euo pipefail
broker=$1
data=$(mktemp -d)
out=$(mktemp)

start() {
  "$broker" --data-dir "$data" --port "${port:-0}" >"$out" &
  pid=$!
  for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out")
}
stop() { kill -TERM "$pid"; wait "$pid"; }
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
fail() { echo "FAIL: $*"; exit 1; }

start
kcat -b "127.0.0.1:$port" -L | grep -q "broker 1 at 127.0.0.1:$port" || fail "kcat -L"

printf 'k1:a\nk2:b\n' | kcat -b "127.0.0.1:$port" -P -t orders -K: -X acks=1
printf 'k1:c\nk3:d\n' | kcat -b "127.0.0.1:$port" -P -t orders -K: -X acks=all
consume() { kcat -b "127.0.0.1:$port" -C -t orders -o beginning -e -q -f '%o %k=%s\n'; }
expected=$'0 k1=a\n1 k2=b\n2 k1=c\n3 k3=d'
[[ $(consume) == "$expected" ]] || fail "read back: $(consume)"
kcat -b "127.0.0.1:$port" -L | grep -q 'topic "orders" with 1 partitions' || fail "topic listed"

stop
start
[[ $(consume) == "$expected" ]] || fail "after restart: $(consume)"
echo "ok: kcat lists, produces (acks=1, acks=all) and consumes, across a restart"
