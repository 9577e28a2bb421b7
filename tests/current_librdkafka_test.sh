#!/usr/bin/env bash
# A current librdkafka against our broker (see current_librdkafka_client.js):
# produce, consume in a group, commit; prints the API versions it used.
set -euo pipefail
broker=$1
client=$2
# Where tools/install_current_librdkafka.sh puts the client.
export NODE_PATH=${CKJS_DIR:-/opt/literate-kafka/node}/node_modules
data=$(mktemp -d)
out=$(mktemp)

"$broker" --data-dir "$data" --port 0 >"$out" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out")

/usr/bin/node "$client" "127.0.0.1:$port" orders 30
