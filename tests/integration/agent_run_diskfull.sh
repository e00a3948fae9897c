#!/bin/sh
# Disk full at start (CONTRACT 4.2, agent/daemon.c, issue 11 loss 4): the
# state dir is a small tmpfs filled to the last byte. `bbt-agent run`
# does not exit: it logs that sessions wait in memory, records a session,
# and writes it once space is back (its 30 s retry, while running). Before,
# it exited 1 and recorded nothing.
set -u
. "$(dirname "$0")/lib/agent_run.sh"

MNT="$BBT_TMP/full"
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=256k tmpfs "$MNT" 2>"$BBT_TMP/mount.err"; then
	echo "cannot mount a tmpfs here: $(cat "$BBT_TMP/mount.err")"
	exit 77
fi
cleanup_mnt() { cleanup; umount "$MNT" 2>/dev/null; }
trap cleanup_mnt EXIT INT TERM
STATE="$MNT/state"
mkdir -p "$STATE"
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null	# until ENOSPC
[ "$(df --output=avail "$MNT" | tail -1 | tr -d ' ')" = 0 ] || fail "tmpfs not full"

write_conf 2 1
ev="$BBT_TMP/taps.events"
{ events_header; gen_taps 0 8 0.5; } >"$ev"	# a 3.5 s session, then idle
start_agent "$ev"
grep -q "wait in memory" "$LOG" || fail "no log line saying sessions wait in memory"
wait_log "keeping it in memory" 15 || fail "the session was not kept in memory"
alive || fail "the agent exited with the disk full"
ok "disk full at start: running, the session kept in memory"

rm -f "$MNT/filler"
# The daemon retries every DAEMON_RETRY_S (30 s) while running.
wait_log "open, writing 1 session" 40 || fail "space back, but the buffer was not opened"
[ "$(sql 'SELECT count(*) FROM sessions')" = 1 ] || fail "the session was not written while running"
ok "space back: the running agent wrote the session kept in memory"
kill -TERM "$AGENT_PID"
wait_exit 20 || fail "agent did not stop"
[ "$AGENT_STATUS" = 0 ] || fail "exit status $AGENT_STATUS"
n=$(sql 'SELECT count(*) FROM sessions')
[ "$n" = 1 ] || fail "want the session written once space returned, have $n"
ok "stopped cleanly, the session in the buffer"
