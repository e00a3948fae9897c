# The sync units of packaging/debian, emulated for tests (sourced): the
# Linux agent is two processes (docs/agent-run.md), `run` (capture) and
# `bbt-agent sync --auto` started by bbt-agent-sync.timer (every minute)
# and bbt-agent-sync.path (when the capture process rewrites
# STATE/sync.kick). start_units runs the same command the same way: at
# once when the kick file changes (checked every 0.2 s) and every
# UNIT_TIMER_S seconds (default 1, a fast timer; 0 for none), one at a time
# as systemd does. Needs $AG (the agent command line), $ST, $BBT_TMP.
UNITS_LOG="$BBT_TMP/units.log"

kick_stamp() { stat -c %y "$ST/sync.kick" 2>/dev/null || echo none; }

start_units() {
	(
		last=$(kick_stamp); t=0; timer=${UNIT_TIMER_S:-1}
		while :; do
			k=$(kick_stamp); t=$((t + 1))
			if [ "$k" != "$last" ]; then
				last=$k; echo "path: kick $k" >>"$UNITS_LOG"
				$AG sync --auto >>"$UNITS_LOG" 2>&1 || :
			elif [ "$timer" != 0 ] && [ $t -ge $((timer * 5)) ]; then
				t=0; $AG sync --auto >>"$UNITS_LOG" 2>&1 || :
			fi
			sleep 0.2
		done
	) &
	UNITS_PID=$!; PIDS="$PIDS $UNITS_PID"
}

stop_units() {
	kill "$UNITS_PID" 2>/dev/null || :
	wait "$UNITS_PID" 2>/dev/null || :
}
