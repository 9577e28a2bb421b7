#!/usr/bin/env bash
# kcat as a consumer-group member (-G): it finds the coordinator, joins,
# syncs, is assigned both partitions, and reads every record.
set -euo pipefail
broker=$1
data=$(mktemp -d)
out=$(mktemp)
"$broker" --data-dir "$data" --port 0 --num-partitions 2 >"$out" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out")

printf 'k1:a\nk2:b\nk3:c\nk4:d\n' | kcat -b "127.0.0.1:$port" -P -t visits -K:
read=$(timeout 30 kcat -b "127.0.0.1:$port" -G visitors -o beginning -e -q \
  -f '%s\n' visits | sort | tr '\n' ' ')
[[ $read == "a b c d " ]] || { echo "FAIL: read '$read'"; exit 1; }
echo "ok: kcat -G read every record as a group member"
