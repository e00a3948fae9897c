#!/bin/sh
# The Linux agent's two processes (docs/agent-run.md): `bbt-agent run`
# (capture) and `bbt-agent sync --auto` (agent/syncd.c) started the way
# the units start it (lib/sync_units.sh): automatic enrollment on first
# start with the server down (retried under the backoff kept in the
# buffer until it answers), heartbeats every [sync] interval, sessions
# logged while it runs are uploaded, and a server that goes away and comes
# back loses nothing; detector settings from the heartbeat reach the
# capture process (its next wake; a reload here, as no input comes). Every
# session is sent exactly once in all (the fault server's sent.log), and
# ticks with nothing new send nothing.
. tests/sync/lib.sh
. tests/integration/lib/sync_units.sh
S="$BBT_TMP/srv"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"
cat >> "$BBT_TMP/agent.conf" <<EOT
[sync]
interval = 5
backoff_cap = 5
EOT
# wait_for SECONDS CMD...: poll (the thing tested is asynchronous).
wait_for() {
	n=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1
		sleep 0.1
	done
}
$AG run > "$BBT_TMP/run.log" 2>&1 &
RPID=$!; PIDS="$PIDS $RPID"
start_units
sleep 3
[ "$(meta enrolled)" != 1 ] || fail "enrolled with no server"
start_fault "$S" --port "$PORT" --settings '{"idle_gap":300,"min_session":600,"stuck_contact":60}'
enrolled() { [ "$(meta enrolled)" = 1 ]; }
has() { [ "$(stored "$S")" = "$1" ]; }
beats() { [ "$(wc -l < "$S/heartbeats.jsonl")" -gt "$1" ]; }
wait_for 20 enrolled || fail "no enrollment after the server came up"
# The server's detector settings reach the capture process, which applies
# them when it next wakes (no input comes here: a reload wakes it).
shared() { grep -q '^idle_gap=300 min_session=600 stuck_contact=60$' "$ST/server-settings"; }
wait_for 10 shared || { cat "$UNITS_LOG"; fail "server's detector settings not shared"; }
kill -HUP "$RPID"
applied() { grep -q 'detector settings from the server: idle_gap=300 min_session=600 stuck_contact=60' "$BBT_TMP/run.log"; }
wait_for 10 applied || { cat "$BBT_TMP/run.log"; fail "server's detector settings not applied"; }
$SEED "$ST" 4 7200 1200 none > /dev/null
wait_for 20 has 4 || fail "sessions not uploaded by the daemon"
# The reply was written (logged after it is sent): the server may go.
acked() {
	[ "$(awk '$2 == "/api/v1/sessions" && $3 == 200 { n += $4 } END { print n + 0 }' \
		"$S/requests.log")" -ge 4 ]
}
wait_for 10 acked || fail "no reply to the upload"
n=$(wc -l < "$S/heartbeats.jsonl")
wait_for 12 beats "$n" || fail "no heartbeat each interval"
# Two ticks with an empty outbox: nothing is sent again.
n=$(wc -l < "$S/heartbeats.jsonl")
wait_for 12 beats "$((n + 1))" || fail "no heartbeats while idle"
[ "$(sent "$S")" = 4 ] || fail "the daemon sent $(sent "$S") ids for 4 sessions"
kill "$FPID"; wait "$FPID" 2>/dev/null || :
$SEED "$ST" 3 3600 1200 none > /dev/null
sleep 3
start_fault "$S" --port "$PORT"
wait_for 20 has 7 || fail "sessions after the outage"
[ "$(unique "$S")" = 7 ] || fail "counted twice"
[ "$(sent "$S")" = 7 ] && [ -z "$(sent_twice "$S")" ] ||
	fail "the daemon sent $(sent "$S") ids for 7 sessions (twice: $(sent_twice "$S"))"
stop_units
kill -TERM "$RPID"; wait_for 10 sh -c "! kill -0 $RPID" || fail "run did not stop"
echo ok
