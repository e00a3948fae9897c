#!/bin/sh
# File modes (issue 10 item 7): a new database and the -wal/-shm SQLite
# makes beside it are 0600 whatever the umask; an existing database, -wal or
# -shm open to group or others is set to 0600 with a warning naming it; a
# --tls-key that group or others can read gets a warning naming the file and
# "chmod 600". Covers server/db_sqlite.c (open path) and cmd_serve.c.
. tests/server/lib.sh
mode() { stat -c %a "$1"; }

# --- new files: 0600 with the widest umask ----------------------------------
umask 000
srv school add 0012 "第十二小学" > /dev/null
[ "$(mode "$DB")" = 600 ] || fail "new database is $(mode "$DB"), want 600"
admin=$(srv admin create 电教站 | tail -1)
start_server
# A read makes a worker open (and keep) its connection: the -wal and -shm stay.
expect 200 "$(req GET /api/v1/devices "$admin")" "devices"
[ -f "$DB-wal" ] && [ -f "$DB-shm" ] || fail "no -wal/-shm while serving"
[ "$(mode "$DB-wal")" = 600 ] || fail "new -wal is $(mode "$DB-wal")"
[ "$(mode "$DB-shm")" = 600 ] || fail "new -shm is $(mode "$DB-shm")"
stop_server
umask 022
# umask 0277 would make 0400, a database its owner cannot write: still 0600
(umask 0277 && srv --db "$T/second.db" school add 1 x > /dev/null) ||
	fail "a database could not be made under umask 0277"
[ "$(mode "$T/second.db")" = 600 ] || fail "umask 0277 database is $(mode "$T/second.db")"

# --- an existing wide database, -wal and -shm are fixed, with a warning -------
# A reader (sqlite3 holding a read transaction open) keeps the -wal and -shm
# in place while bbt-server opens them.
chmod 644 "$DB"
mkfifo "$T/hold"
python3 - "$DB" "$T/hold" <<'PY' &
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA journal_mode=WAL")
c.execute("BEGIN")
c.execute("SELECT count(*) FROM schools").fetchall()
open(sys.argv[2]).read()	# until the test writes to the fifo
PY
hold=$!
i=0
while [ ! -f "$DB-shm" ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "the holder made no -shm"; sleep 0.1
done
chmod 666 "$DB-wal" "$DB-shm"
srv devices > /dev/null 2> "$T/warn" || { cat "$T/warn"; fail "devices on a wide database"; }
echo done > "$T/hold"; wait "$hold"
for f in "$DB" "$DB-wal" "$DB-shm"; do
	[ "$(mode "$f")" = 600 ] || [ ! -e "$f" ] || fail "$f left at $(mode "$f")"
done
grep -q "$DB was mode 0644, open to group or others: set to 0600" "$T/warn" ||
	{ cat "$T/warn"; fail "no warning for the database"; }
grep -q "$DB-wal was mode 0666" "$T/warn" || { cat "$T/warn"; fail "no warning for -wal"; }
grep -q "$DB-shm was mode 0666" "$T/warn" || { cat "$T/warn"; fail "no warning for -shm"; }
# once private, nothing to say
srv devices > /dev/null 2> "$T/warn2"
! grep -q 'was mode' "$T/warn2" || { cat "$T/warn2"; fail "warned about a private database"; }

# --- a readable TLS key is named, with the fix ------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null || fail "openssl req"
chmod 644 "$T/key.pem"
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
stop_server
grep -q "warning: TLS key $T/key.pem is mode 0644, readable by group or others: chmod 600 \
$T/key.pem" "$T/serve.log" || { cat "$T/serve.log"; fail "no warning for a 0644 key"; }
chmod 640 "$T/key.pem"
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
stop_server
grep -q "TLS key $T/key.pem is mode 0640" "$T/serve.log" || fail "no warning for a 0640 key"
chmod 600 "$T/key.pem"
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
stop_server
! grep -q 'TLS key' "$T/serve.log" || { cat "$T/serve.log"; fail "warned about a 0600 key"; }
echo "server_files: ok"
