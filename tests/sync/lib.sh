# Shared helpers of tests/integration/sync_*.sh (sourced; not a test).
# Needs $BBT_BUILD (binaries, plus synctest/sync_seed from `make sync-tests`)
# and $BBT_TMP.
set -eu
A="$BBT_BUILD/bbt-agent"
SEED="$BBT_BUILD/synctest/sync_seed"
FAULT="$(pwd)/tests/faultserver.py"
if [ ! -x "$SEED" ]; then
	echo "missing $SEED: build it with make BUILD=... sync-tests"; exit 1
fi
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || :; done; }
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*"; exit 1; }

# start_fault DIR [ARGS...]: a fault server in DIR; sets FPID and PORT.
start_fault() {
	d=$1; shift
	mkdir -p "$d"; rm -f "$d/port"
	python3 "$FAULT" --dir "$d" "$@" 2>>"$d/server.log" &
	FPID=$!; PIDS="$PIDS $FPID"
	i=0
	while [ ! -s "$d/port" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || fail "fault server did not start"
		sleep 0.1
	done
	PORT=$(cat "$d/port")
}

# agent_conf URL: write $BBT_TMP/agent.conf and set ST (state dir) and AG
# (the agent command line).
agent_conf() {
	ST="$BBT_TMP/state"
	mkdir -p "$ST"
	cat > "$BBT_TMP/agent.conf" <<EOT
[server]
url = $1
enroll_token = enroll-me
school = 610102001
room = 三年级二班
${CA_LINE:-}
EOT
	AG="$A --config $BBT_TMP/agent.conf --state-dir $ST"
}

enroll() {
	$AG enroll --server "$1" --token enroll-me --school 610102001 \
		--room 三年级二班 || fail "enroll"
}

# meta KEY: a value from the agent's store.
meta() { $SEED "$ST" meta "$1"; }
# stored DIR: number of sessions the fault server stored.
stored() { if [ -f "$1/sessions.jsonl" ]; then wc -l < "$1/sessions.jsonl"; else echo 0; fi; }
# unique DIR: number of distinct ids it stored.
unique() {
	if [ -f "$1/sessions.jsonl" ]; then
		python3 -c 'import json,sys; print(len({json.loads(l)["id"] for l in open(sys.argv[1])}))' "$1/sessions.jsonl"
	else echo 0; fi
}
# sent DIR: number of session ids the agent sent to the fault server in all
# (its sent.log: every id of every upload, resends included).
sent() { if [ -f "$1/sent.log" ]; then wc -l < "$1/sent.log"; else echo 0; fi; }
# sent_twice DIR: the ids sent more than once (empty when each went once).
sent_twice() { [ -f "$1/sent.log" ] && cut -d' ' -f2 "$1/sent.log" | sort | uniq -d; :; }
# summary LINE: fail unless the last sync printed exactly LINE (the counts
# as a whole: "0 accepted" alone also matches "0 accepted, 5 duplicate").
summary() {
	grep -qx "sync: $1" "$BBT_TMP/out" || { cat "$BBT_TMP/out"; fail "want \"sync: $1\""; }
}
