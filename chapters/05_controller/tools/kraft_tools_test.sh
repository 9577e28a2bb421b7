#!/usr/bin/env bash
# The tools against a Chapter 5 cluster of processes (three controllers, three
# brokers, started by server/kafka_cluster.py):
#   kafka-metadata-quorum describe --status / --replication: the quorum of
#     3000-3002 with brokers 1-3 observing;
#   kafka-leader-election: nothing to do while the preferred replicas lead;
#     with the preferred leader of orders-0 killed, PREFERRED fails for it;
#     with --restart: restarted and back in the ISR, PREFERRED makes it
#     leader again;
#   dump_metadata_log: the active controller's metadata log holds the
#     LeaderChange, the brokers' registrations and the topic.
set -euo pipefail
launcher=$1
server=$2
topics=$3
election=$4
quorum=$5
dump=$6
restart=${7:-}
data=$(mktemp -d)
out=$(mktemp)
/usr/bin/python3 "$launcher" "$server" --data-dir "$data" >"$out" 2>&1 &
cluster=$!
restarted=""
trap 'kill -TERM $cluster ${restarted} 2>/dev/null || true; wait $cluster || true' EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }
for _ in $(seq 600); do grep -q "^bootstrap.servers=" "$out" && break; sleep 0.1; done
b=$(sed -n 's/^bootstrap.servers=//p' "$out")
[[ -n $b ]] || fail "the cluster did not start"
tab=$'\t'

# Waits (at most 30 s) until a command's output matches a regular expression.
wait_for() {
  local pattern=$1
  shift
  for _ in $(seq 150); do
    if "$@" 2>/dev/null | grep -qE "$pattern"; then return 0; fi
    sleep 0.2
  done
  fail "never matched /$pattern/: $*"
}

# Waits (at most 30 s) until a command prints nothing.
wait_for_nothing() {
  for _ in $(seq 150); do
    [[ -z $("$@" 2>&1) ]] && return 0
    sleep 0.2
  done
  fail "still printing: $*"
}

# --- kafka-metadata-quorum --------------------------------------------------
status=$("$quorum" --bootstrap-server "$b" describe --status)
echo "$status"
grep -qE "^LeaderId: +300[012]$" <<<"$status" || fail "LeaderId"
grep -qE "^CurrentVoters: +\[3000,3001,3002\]$" <<<"$status" || fail "voters"
wait_for "^CurrentObservers: +\[[123],[123],[123]\]$" \
  "$quorum" --bootstrap-server "$b" describe --status
replication=$("$quorum" --bootstrap-server "$b" describe --replication)
echo "$replication"
[[ $(grep -c "Leader" <<<"$replication") == 1 ]] || fail "one leader row"
[[ $(grep -c "Follower" <<<"$replication") == 2 ]] || fail "two followers"
[[ $(grep -c "Observer" <<<"$replication") == 3 ]] || fail "three observers"

# --- kafka-leader-election --------------------------------------------------
"$topics" --bootstrap-server "$b" --create --topic orders --partitions 3 \
  --replication-factor 3 >/dev/null
wait_for "Partition: 2${tab}Leader: [0-9]" \
  "$topics" --bootstrap-server "$b" --describe --topic orders
# With every preferred replica leading there is nothing to do: for all
# partitions the controller leaves out those that need no election (as
# Kafka's ReplicationControlManager does), for a named one it says so.
[[ -z $("$election" --bootstrap-server "$b" --election-type preferred \
  --all-topic-partitions) ]] || fail "elected with nothing to elect"
elected=$("$election" --bootstrap-server "$b" --election-type preferred \
  --topic orders --partition 0)
[[ $elected == "Valid replica already elected for partitions orders-0" ]] ||
  fail "nothing to elect: $elected"

# orders-0's preferred leader: the first of its replicas.
line=$("$topics" --bootstrap-server "$b" --describe --topic orders |
  grep "Partition: 0$tab")
preferred=$(sed -n "s/.*Replicas: \([0-9]*\).*/\1/p" <<<"$line")
kill -9 "$(cat "$data/broker-$preferred.pid")"
wait_for "Partition: 0${tab}Leader: [0-9]+${tab}Replicas: $preferred,[0-9,]*${tab}Isr: [0-9,]*$" \
  "$topics" --bootstrap-server "$b" --describe --topic orders --under-replicated-partitions
if refused=$("$election" --bootstrap-server "$b" --election-type preferred \
  --topic orders --partition 0 2>&1); then fail "elected a dead broker"; fi
echo "$refused"
grep -q "^Error completing leader election (PREFERRED) for partition: orders-0: " \
  <<<"$refused" || fail "dead preferred leader: $refused"

if [[ $restart == --restart ]]; then
  "$server" "$data/broker-$preferred.properties" >>"$data/broker-$preferred.log" 2>&1 &
  restarted=$!
  wait_for_nothing "$topics" --bootstrap-server "$b" --describe --topic orders \
    --under-replicated-partitions
  elected=$("$election" --bootstrap-server "$b" --election-type preferred \
    --topic orders --partition 0)
  [[ $elected == "Successfully completed leader election (PREFERRED) for partitions orders-0" ]] ||
    fail "preferred election: $elected"
  wait_for "Partition: 0${tab}Leader: $preferred${tab}" \
    "$topics" --bootstrap-server "$b" --describe --topic orders
fi

# --- the metadata log -------------------------------------------------------
segment="$data/controller-3000/__cluster_metadata-0/00000000000000000000.log"
dumped=$("$dump" --cluster-metadata-decoder --files "$segment")
grep -q "LeaderChange: {\"version\":0,\"leaderId\":300" <<<"$dumped" ||
  fail "no LeaderChange"
grep -q "payload: RegisterBrokerRecord(broker_id=1" <<<"$dumped" ||
  fail "no registration"
grep -q "payload: TopicRecord(name=\"orders\"" <<<"$dumped" || fail "no topic"
echo "ok: the quorum, leader elections and the metadata log, as Kafka's tools show them"
