#!/bin/sh
# Backoff restarts from its floor on any progress (CONTRACT 4.4): on a flaky
# link every pass acknowledges a batch and then fails (faultserver
# flaky:2@sessions: every second upload gets a 500 or a reset), so a
# backlog of 8 batches takes 8 passes. Counted as 7 consecutive failures,
# the waits grow to minutes (expected over 5 minutes in all); restarted
# from the floor each time, each wait is at most 5 s. The daemon must
# drain the backlog within 50 s, every session once, and the backoff
# state in the buffer must show no run of failures afterwards. Sync is the
# process the units start (`sync --auto`, lib/sync_units.sh), beside `run`.
. tests/sync/lib.sh
. tests/integration/lib/sync_units.sh
S="$BBT_TMP/srv"
start_fault "$S"
URL="http://127.0.0.1:$PORT/"
agent_conf "$URL"
cat >> "$BBT_TMP/agent.conf" <<EOT
[sync]
interval = 3600
backoff_cap = 3600
EOT
enroll "$URL"
N=1600	# 8 batches of SYNC_BATCH_MAX (200)
$SEED "$ST" $N 7200 1200 none > /dev/null
echo "flaky:2@sessions" > "$S/mode"
$AG run > "$BBT_TMP/run.log" 2>&1 &
RPID=$!; PIDS="$PIDS $RPID"
start_units
t0=$(date +%s)
while [ "$(unique "$S")" -lt $N ]; do
	if [ $(( $(date +%s) - t0 )) -ge 50 ]; then
		grep -c 'injected\|HTTP 500\|reset\|Empty reply' "$UNITS_LOG" || :
		fail "$(unique "$S") of $N sessions after 50 s on a flaky link:" \
		    "backoff did not restart on progress"
	fi
	sleep 0.5
done
t=$(( $(date +%s) - t0 ))
echo "drained $N sessions in ${t}s over a flaky link"
[ "$(stored "$S")" = $N ] || fail "stored $(stored "$S") for $N sessions (counted twice?)"
# The fault server really failed passes (else this proves nothing).
n500=$(awk '$2 == "/api/v1/sessions" && $3 == 500' "$S/requests.log" | wc -l)
nreset=$(awk '$2 == "/api/v1/sessions" && $3 == 0' "$S/requests.log" | wc -l)
[ "$n500" -ge 3 ] && [ "$nreset" -ge 3 ] || fail "only $n500 500s and $nreset resets"
# The last pass was clean: the stored backoff count is 0.
i=0
until meta sync_backoff | grep -q '^0 '; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "backoff state: $(meta sync_backoff)"
	sleep 0.1
done
stop_units
kill -TERM "$RPID"; wait "$RPID" 2>/dev/null || :
echo ok
