#!/bin/sh
# The collector's disk fills up (server/api_device.c, db_sqlite.c): an upload
# that cannot be committed is answered 503 with nothing acknowledged, the
# server stays up, and once space is freed the same batch is accepted whole
# (none of it was half-stored: no duplicates). Needs root to mount a small
# tmpfs: not root, it says so and exits 77 (a skip: the runner prints it,
# and fails it on CI); as root a failing mount is a failure.
. tests/server/lib.sh
if [ "$(id -u)" != 0 ]; then echo "not root: cannot mount a small disk (skipped)"; exit 77; fi
disk="$T/disk"; mkdir -p "$disk"
mount -t tmpfs -o size=4m tmpfs "$disk" || fail "root, yet cannot mount a 4 MB tmpfs"
trap 'stop_server; umount "$disk" 2>/dev/null || :' EXIT
DB="$disk/bbt.db"
srv school add 610102001 "西安市第一小学" > /dev/null
tok=$(srv token create --school 610102001 | tail -1)
start_server
expect 201 "$(enroll "$tok" hw-1 101)" "enroll"; dev=$(jget device_token)

# 300 sessions in one batch (about 100 KB of rows and indexes).
python3 - > "$T/batch.json" <<'PY'
import json, uuid
ss = [{"id": str(uuid.uuid4()), "start": "2026-11-%02dT%02d:00:00+08:00" % (2 + i // 20, 8 + i % 10),
       "end": "2026-11-%02dT%02d:40:00+08:00" % (2 + i // 20, 8 + i % 10), "duration_s": 2400,
       "touches": 100, "active_minutes": 30, "teacher": None,
       "input": {"name": "IRTOUCH Infrared Touch " + "x" * 100, "vid": "6615", "pid": "0070"},
       "flags": []} for i in range(300)]
print(json.dumps({"agent_time": "2026-11-23T09:00:00+08:00", "sessions": ss}))
PY
# Fill the disk to the last block.
dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null || :
sync
st=$(req POST /api/v1/sessions "$dev" -H 'Content-Type: application/json' \
	--data-binary "@$T/batch.json")
[ "$st" = 503 ] || { cat "$T/reply"; fail "upload on a full disk: got $st, want 503"; }
grep -q '"error"' "$T/reply" || fail "503 without a JSON error"
grep -q '"accepted"' "$T/reply" && fail "a full disk acknowledged sessions"
expect 200 "$(req GET /healthz -)" "server alive on a full disk"

rm -f "$disk/filler"
expect 200 "$(req POST /api/v1/sessions "$dev" -H 'Content-Type: application/json' \
	--data-binary "@$T/batch.json")" "the same batch once space is back"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
assert len(r["accepted"]) == 300 and not r["duplicate"] and not r["rejected"], \
    (len(r["accepted"]), len(r["duplicate"]), r["rejected"][:2])' "$T/reply" ||
	fail "after the disk-full refusal the batch was not accepted whole"
stop_server
[ "$(bbtq "$DB" 'len(r)' sessions)" = 300 ] || fail "stored count"
echo "server_diskfull: ok"
