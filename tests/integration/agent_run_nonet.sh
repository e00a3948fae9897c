#!/bin/sh
# Privilege separation of `bbt-agent run` (CONTRACT 4.1, agent/capture/,
# docs/agent-run.md): run execs bbt-agent-capture, whose ELF NEEDED list
# (and everything ldd resolves from it) holds no network stack, whose
# process has no_new_privs and a seccomp filter, and which cannot open a
# TCP socket: its test hook tries one after confining itself, and strace
# sees socket(AF_INET, ...) fail with EACCES (with the filter removed the
# socket opens and this test fails). The same process, under umockdev,
# still records a lesson and writes the kick file for the sync process.
set -u
. "$(dirname "$0")/lib/agent_run.sh"
CAP="$BBT_BUILD/bbt-agent-capture"
[ -x "$CAP" ] || fail "$CAP not built"

# 1. No network stack linked, directly or through a dependency.
net='libcurl|libssl|libcrypto|libgnutls|libnghttp|libgssapi|libkrb5|libusb|libp11-kit|libidn2|libssh|libglib'
needed=$(readelf -d "$CAP" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "NEEDED: $needed"
[ -n "$needed" ] || fail "no NEEDED entries read from $CAP"
echo "$needed" | grep -Eq "$net" && fail "capture links a network or USB library: $needed"
ldd "$CAP" | grep -Eq "$net" && fail "capture pulls in a network library: $(ldd "$CAP")"
# The check can fail: the full agent links libcurl.
readelf -d "$AGENT" | grep -q 'libcurl' || fail "the pattern does not see libcurl in bbt-agent"
ok "capture links no network stack"

# 2. Under umockdev, with strace following run -> exec -> capture.
command -v strace >/dev/null || fail "strace is not installed (make deps)"
write_conf 3 5
ev="$BBT_TMP/lesson.events"
{ events_header; gen_taps 0 9 1; } >"$ev"
export BBT_CAPTURE_SOCKET_PROBE=1
# LeakSanitizer cannot run under ptrace (make san): no leak check here; the
# other agent_run_* scripts run the same program with it.
[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
TRACE="$BBT_TMP/strace.out"
SAVED_EXEC=$SAN_EXEC
SAN_EXEC="$BBT_TMP/traced.sh"
printf '#!/bin/sh\nexec strace -f -qq -e trace=socket,execve -o "%s" sh "%s" "$@"\n' \
	"$TRACE" "$SAVED_EXEC" >"$SAN_EXEC"
start_agent "$ev"
pid=$(pgrep -f -n "bbt-agent-capture --config $CONF" || :)
[ -n "$pid" ] || fail "no bbt-agent-capture process"
grep -q '^NoNewPrivs:[[:space:]]*1' /proc/"$pid"/status || fail "no_new_privs not set"
grep -q '^Seccomp:[[:space:]]*2' /proc/"$pid"/status || fail "no seccomp filter"
grep -Eq "$net" /proc/"$pid"/maps && fail "a network library is mapped in the capture process"
grep -q 'socket probe: TCP socket refused: Permission denied' "$LOG" ||
	fail "the capture process could open a TCP socket"
ok "capture process $pid: no_new_privs, seccomp, TCP socket refused"

wait_log "session .* logged" 20 || fail "no session logged"
[ -s "$STATE/sync.kick" ] || fail "no kick file for the sync process"
kill -TERM "$pid"
wait_exit 10 || fail "capture did not stop on SIGTERM"
[ "$AGENT_STATUS" = 0 ] || fail "exit status $AGENT_STATUS, want 0"
[ "$(sql 'SELECT count(*) FROM sessions')" = 1 ] || fail "want 1 session"
ok "the sandboxed capture process recorded the lesson and kicked sync"

grep -q 'execve(".*bbt-agent-capture"' "$TRACE" || fail "run did not exec the capture program"
grep -Eq 'socket\(AF_INET, SOCK_STREAM[^)]*\) = -1 EACCES' "$TRACE" ||
	{ grep socket "$TRACE"; fail "strace saw no refused AF_INET socket"; }
grep -Eq 'socket\(AF_INET6?, [^=]*= [0-9]' "$TRACE" &&
	fail "an inet socket was opened: $(grep 'socket(AF_INET' "$TRACE")"
ok "strace: socket(AF_INET) = -1 EACCES, no inet socket opened"
