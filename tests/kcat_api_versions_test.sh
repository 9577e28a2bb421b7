#!/usr/bin/env bash
# librdkafka (through kcat) negotiates versions with our node: it sends
# ApiVersions v3, accepts our answer (header v0, compact array), and moves the
# connection to UP. It then sees that we do not advertise Metadata yet and
# stops with "Required feature not supported": a broker must never advertise
# what it does not implement.
set -euo pipefail
ping_node=$1
out=$(mktemp)
"$ping_node" server --port 0 >"$out" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$out")

log=$(timeout 20 kcat -b "127.0.0.1:$port" -L -m 5 -d protocol,broker 2>&1 || true)
check() {
  grep -q "$1" <<<"$log" || { echo "missing: $1"; echo "$log" | tail -20; exit 1; }
}
check "Sent ApiVersionRequest (v3"
check "Received ApiVersionResponse (v3"
check "APIVERSION_QUERY -> UP"
check "Required feature not supported by broker"
echo "ok: librdkafka accepted our ApiVersions v3 answer"
