#!/usr/bin/env bash
# kafka-consumer-groups against our broker while kcat consumes as a member:
# --list names the group; --describe shows it Stable, the partitions it owns,
# and no lag once kcat has committed what it read.
set -euo pipefail
broker=$1
tool=$2
data=$(mktemp -d)
out=$(mktemp)
"$broker" --data-dir "$data" --port 0 --num-partitions 2 >"$out" &
pid=$!
trap 'kill -TERM $pid ${member:-} 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out")
b="127.0.0.1:$port"

# Both partitions get records: kcat commits only offsets it has consumed, so an
# empty partition would show no CURRENT-OFFSET and no lag. Unkeyed records go to
# a random partition, hence the explicit -p.
printf 'a\nb\nc\n' | kcat -b "$b" -P -t views -p 0
printf 'd\ne\n' | kcat -b "$b" -P -t views -p 1
timeout 30 kcat -b "$b" -G watchers -o beginning -q -X auto.commit.interval.ms=200 views >/dev/null &
member=$!
described=""
for _ in $(seq 60); do
  described=$("$tool" --bootstrap-server "$b" --describe --group watchers || true)
  caught_up=$(grep -cE '^watchers +views +[01] +[0-9]+ +[0-9]+ +0 ' <<<"$described" || true)
  [[ $caught_up == 2 ]] && break
  sleep 0.5
done
"$tool" --bootstrap-server "$b" --list | grep -qx watchers || { echo "FAIL: --list"; exit 1; }
grep -q "Group watchers is Stable" <<<"$described" || { echo "FAIL: $described"; exit 1; }
[[ $(grep -c "^watchers" <<<"$described") == 2 ]] || { echo "FAIL: partitions: $described"; exit 1; }
[[ $(grep -cE '^watchers +views +[01] +[0-9]+ +[0-9]+ +0 ' <<<"$described") == 2 ]] ||
  { echo "FAIL: lag: $described"; exit 1; }
echo "$described"
echo "ok: kafka-consumer-groups lists and describes kcat's group"
