# Helpers for tests/integration/agent_run_*.sh (sourced, not run: the
# runner only runs tests/integration/*.sh). They start `bbt-agent run`
# under umockdev with hand-written device descriptions (tests/data/) and
# evemu event files made here, and read the results with sqlite3.
#
# Needs: $BBT_BUILD, $BBT_TMP, umockdev-run, sqlite3.

DATA=$(cd "$(dirname "$0")/../data" && pwd)
AGENT="$BBT_BUILD/bbt-agent"
STATE="$BBT_TMP/state"
CONF="$BBT_TMP/agent.conf"
LOG="$BBT_TMP/agent.log"
PIDFILE="$BBT_TMP/agent.pid"
mkdir -p "$STATE"

fail() { echo "FAIL: $*"; [ -f "$LOG" ] && { echo "--- agent log:"; cat "$LOG"; }; exit 1; }
ok() { echo "ok: $*"; }

for tool in umockdev-run sqlite3; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (make deps)"
done

# Under make san the agent starts through lib/san_exec.sh: see there why.
SAN_EXEC="$(cd "$(dirname "$0")" && pwd)/lib/san_exec.sh"

# write_conf IDLE_GAP MIN_SESSION [STUCK_CONTACT]
write_conf() {
	cat >"$CONF" <<CONF
[detector]
idle_gap = $1
min_session = $2
stuck_contact = ${3:-60}
CONF
}

# Note: umockdev-run -e replays the first event at once whatever its time,
# then keeps the gaps; so an events file always starts "now".

# Taps on a touch frame (multitouch protocol B), one every STEP seconds:
# gen_taps FIRST_S COUNT STEP_S >> file. Each tap lasts 0.1 s.
gen_taps() {
	awk -v first="$1" -v n="$2" -v step="$3" 'BEGIN {
		for (i = 0; i < n; i++) {
			t = first + i * step; u = t + 0.1; x = 1000 + 10 * i
			printf "E: %.6f 0003 002f 0\n", t
			printf "E: %.6f 0003 0039 %d\n", t, 100 + i
			printf "E: %.6f 0003 0035 %d\nE: %.6f 0003 0036 2000\n", t, x, t
			printf "E: %.6f 0001 014a 1\n", t
			printf "E: %.6f 0003 0000 %d\nE: %.6f 0003 0001 2000\n", t, x, t
			printf "E: %.6f 0000 0000 0\n", t
			printf "E: %.6f 0003 0039 -1\nE: %.6f 0001 014a 0\n", u, u
			printf "E: %.6f 0000 0000 0\n", u
		}
	}'
}

# Mouse motion, one move every STEP seconds: gen_moves FIRST_S COUNT STEP_S.
gen_moves() {
	awk -v first="$1" -v n="$2" -v step="$3" 'BEGIN {
		for (i = 0; i < n; i++) {
			t = first + i * step
			printf "E: %.6f 0002 0000 5\nE: %.6f 0002 0001 -3\n", t, t
			printf "E: %.6f 0000 0000 0\n", t
		}
	}'
}

# An events file: evemu header then what gen_* wrote. events_file NAME
events_header() {
	printf '# EVEMU 1.3\n# bbt test recording\n'
}

# start_agent EVENTS_FILE [extra umockdev-run args...]: the touch frame as
# /dev/input/event10 replaying EVENTS_FILE, agent in the background. The
# agent's pid is the shell's (exec), written to $PIDFILE; $TESTBED is the
# testbed dir (its dev/input/ is the agent's /dev/input). Nodes named in
# $HIDE_NODES are moved to $TESTBED/hidden-NODE before the agent starts:
# moving one back is a device arriving (hotplug).
start_agent() {
	ev=$1; shift
	rm -f "$PIDFILE"
	LOG_MARK=$(cat "$LOG" 2>/dev/null | wc -l)
	umockdev-run -d "$DATA/touch-irtouch.umockdev" -e "/dev/input/event10=$ev" "$@" -- \
		sh -c 'for n in ${HIDE_NODES:-}; do
				mv "$UMOCKDEV_DIR/dev/input/$n" "$UMOCKDEV_DIR/hidden-$n"; done
			echo "$UMOCKDEV_DIR" >"$0.dir"; echo $$ >"$0"
			exec sh "$4" "$1" --config "$2" --state-dir "$3" run' \
		"$PIDFILE" "$AGENT" "$CONF" "$STATE" "$SAN_EXEC" >>"$LOG" 2>&1 &
	UMOCKDEV_PID=$!
	i=0
	while [ ! -s "$PIDFILE" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "agent did not start"
		sleep 0.1
	done
	AGENT_PID=$(cat "$PIDFILE")
	TESTBED=$(cat "$PIDFILE.dir")	# the mocked / (umockdev's testbed dir)
	wait_log "running:" 10 || fail "agent not running"
}

# wait_log PATTERN SECONDS: 0 once the log of the agent started last
# matches.
LOG_MARK=0
wait_log() {
	i=0
	while ! tail -n +$((LOG_MARK + 1)) "$LOG" 2>/dev/null | grep -q "$1"; do
		i=$((i + 1)); [ $i -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# wait_exit SECONDS: 0 once umockdev-run (and so the agent) has exited;
# the agent's exit status is in $AGENT_STATUS.
wait_exit() {
	i=0
	while kill -0 "$UMOCKDEV_PID" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt $(($1 * 10)) ] && return 1
		sleep 0.1
	done
	wait "$UMOCKDEV_PID"; AGENT_STATUS=$?
	# Both are gone: never signal a pid that may have been reused.
	UMOCKDEV_PID=; AGENT_PID=
	return 0
}

cleanup() {
	[ -n "${AGENT_PID:-}" ] && kill -9 "$AGENT_PID" 2>/dev/null
	[ -n "${UMOCKDEV_PID:-}" ] && kill "$UMOCKDEV_PID" 2>/dev/null
	return 0
}
trap cleanup EXIT INT TERM

# sql QUERY: one query on the agent's buffer.
sql() {
	sqlite3 -batch -noheader "$STATE/buffer.db" "$1"
}

alive() { kill -0 "$AGENT_PID" 2>/dev/null; }
