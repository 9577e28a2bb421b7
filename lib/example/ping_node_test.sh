#!/usr/bin/env bash
# The ping example as two processes over TCP, and a clean stop on SIGTERM.
set -euo pipefail
ping_node=$1
out=$(mktemp)

"$ping_node" server --port 0 >"$out" &
server=$!
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$out")
[[ -n $port ]] || { echo "the server did not start"; cat "$out"; exit 1; }

"$ping_node" client --server-port "$port" --count 500

kill -TERM "$server"
wait "$server" || { echo "the server did not exit cleanly: $?"; exit 1; }
grep -q "stopped cleanly after answering 500 requests" "$out" || { cat "$out"; exit 1; }
echo "ok: 500 pings over TCP, clean stop on SIGTERM"
