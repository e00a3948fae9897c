# Shared helpers of tests/integration/bundle_*.sh (sourced; not a test): a
# real collector (bbt-server serve on 127.0.0.1:0 over a fresh database: SQLite,
# or PostgreSQL with BBT_TEST_DB=pg) and real agents enrolled with it, each
# with its own state dir and hw_id.
# Needs $BBT_BUILD (binaries and synctest/sync_seed) and $BBT_TMP.
set -eu
A="$BBT_BUILD/bbt-agent"
SV="$BBT_BUILD/bbt-server"
SEED="$BBT_BUILD/synctest/sync_seed"
if [ ! -x "$SEED" ]; then
	echo "missing $SEED: build it with make BUILD=... sync-tests"; exit 1
fi
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || :; wait "$p" 2>/dev/null || :; done; }
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*"; exit 1; }
S() { "$SV" --db "$DB" "$@"; }
. tests/integration/lib/server_query.sh
DB=$(test_db)

# start_server: serve $DB on a free loopback port; sets URL and SPID.
start_server() {
	"$SV" --db "$DB" serve --listen 127.0.0.1:0 2> "$BBT_TMP/server.log" &
	SPID=$!; PIDS="$PIDS $SPID"
	i=0
	until grep -q 'listening on .*threads)' "$BBT_TMP/server.log" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$BBT_TMP/server.log"; fail "server did not start"; }
		kill -0 "$SPID" 2>/dev/null || { cat "$BBT_TMP/server.log"; fail "server died"; }
		sleep 0.1
	done
	port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$BBT_TMP/server.log" | head -1)
	URL="http://127.0.0.1:$port/"
}

# school_token CODE NAME: add a school, print an enrollment token for it.
school_token() {
	S school add "$1" "$2" > /dev/null || fail "school add $1"
	S token create --school "$1" --uses 10 | tail -1
}

# agent NAME TOKEN SCHOOL ROOM: enroll an agent (hw_id "hw-NAME"); its
# state dir is $BBT_TMP/NAME, its command line "ag NAME ...".
agent() {
	mkdir -p "$BBT_TMP/$1"
	cat > "$BBT_TMP/$1.conf" <<EOT
[server]
url = $URL
school = $3
room = $4
EOT
	ag "$1" enroll --server "$URL" --token "$2" --school "$3" --room "$4" \
		> /dev/null || fail "enroll $1"
}
ag() {
	n=$1; shift
	BBT_HW_ID="hw-$n" "$A" --config "$BBT_TMP/$n.conf" --state-dir "$BBT_TMP/$n" "$@"
}
# meta NAME KEY: a value from an agent's store.
meta() { "$SEED" "$BBT_TMP/$1" meta "$2"; }
# seed NAME COUNT: log COUNT finished sessions in an agent's store; prints ids.
seed() { "$SEED" "$BBT_TMP/$1" "$2" 9000 1800 none; }
# export NAME: export to $BBT_TMP/usb-NAME, print the bundle's path.
export_bundle() {
	rm -rf "$BBT_TMP/usb-$1"; mkdir -p "$BBT_TMP/usb-$1"
	ag "$1" export --out "$BBT_TMP/usb-$1" > /dev/null || fail "export $1"
	ls "$BBT_TMP/usb-$1"/*.bbtb
}
# stored: sessions in the collector's database.
stored() { bbtq "$DB" 'len(r)' sessions; }
