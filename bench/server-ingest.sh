#!/bin/sh
# Collector ingest throughput (CONTRACT 8, issue 12): the same sessions sent
# to the real bbt-server over loopback HTTP in batches by BENCH_AGENTS
# enrolled devices at once (default 4, each its own keep-alive connection),
# at each scale of BENCH_SCALES sessions (default "20000 100000 500000",
# each into a fresh database), beside the limit: the same rows inserted
# straight into the same schema with the same durability, one transaction
# per batch, in the same run. The target is a ratio of at least 0.5.
#
# SQLite: the limit is bench/ingest_raw.c, one connection (SQLite has one
# writer) and one prepared statement on a copy of the collector's own
# database with its sessions deleted (so the same tables, indexes, foreign
# keys; WAL, synchronous=FULL, foreign_keys=ON). It is C: a Python inserter
# was slower than the collector itself, so no honest limit.
# PostgreSQL (under tests/pg/cluster.sh, which sets BBT_TEST_DB=pg): the
# collector on a database of that cluster, and the limit is multi-row
# INSERTs of the same rows from BENCH_AGENTS psql sessions at once into a
# copy of the collector's database with its sessions deleted (same
# partitions, indexes, foreign keys), synchronous_commit on as the collector
# sets it. Both sides share that cluster's durability: the test cluster
# runs with fsync off, so its figures say what the collector costs, not
# what a disk costs. Figures only, never pass/fail.
# bench: also on PostgreSQL
set -eu
: "${BBT_BUILD:?}" "${BBT_TMP:=$(mktemp -d)}"
scales=${BENCH_SCALES:-20000 100000 500000}; batch=${BENCH_BATCH:-200}
agents=${BENCH_AGENTS:-4}
dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2046 # flags are words
cc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$BBT_TMP/ingest_raw" \
    "$dir/ingest_raw.c" $(pkg-config --cflags --libs sqlite3 libcjson)
pg=0
[ "${BBT_TEST_DB:-sqlite}" = pg ] && pg=1
# fresh NAME: a new empty --db (a copy of the cluster's migrated template on PG).
fresh() {
	if [ $pg = 1 ]; then
		"$BBT_PG_BIN/createdb" -h "$BBT_PG_SOCKET" -U postgres -T bbt_template "$1"
		echo "postgresql:///$1?host=$BBT_PG_SOCKET&user=postgres"
	else
		echo "$BBT_TMP/$1.db"
	fi
}
# copy FROM TO: TO becomes a copy of database FROM, its sessions deleted.
copy_db() {
	if [ $pg = 1 ]; then
		"$BBT_PG_BIN/createdb" -h "$BBT_PG_SOCKET" -U postgres -T "$1" "$2"
		"$BBT_PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 -h "$BBT_PG_SOCKET" -U postgres -d "$2" \
			-c "TRUNCATE sessions, session_ids" -c "VACUUM ANALYZE" > /dev/null
	else
		sqlite3 "$BBT_TMP/$1.db" "VACUUM INTO '$BBT_TMP/$2.db'"
		sqlite3 "$BBT_TMP/$2.db" "DELETE FROM sessions; VACUUM" > /dev/null
	fi
}
[ $pg = 1 ] && echo "backend: PostgreSQL (tests/pg/cluster.sh: fsync off, synchronous_commit on)" ||
	echo "backend: SQLite (WAL, synchronous=FULL)"
echo "$agents agents at once, batches of $batch sessions"
# The target is the issue's: on SQLite, at least 0.5 of the raw limit at
# every scale; on PostgreSQL the figure is printed beside its limit only.
target="(target >= 0.5)"
[ $pg = 1 ] && target="(beside multi-row INSERT)"
printf '%9s %16s %16s %6s %16s\n' sessions "raw (limit)/s" "HTTP new/s" ratio "HTTP dup/s"
k=0
for n in $scales; do
	k=$((k + 1)); name="bench_ingest_$$_$k"
	db=$(fresh "$name"); log="$BBT_TMP/serve$k.log"
	srv() { "$BBT_BUILD/bbt-server" --db "$db" "$@"; }
	srv school add 610100001 "基准小学" >/dev/null 2>&1
	token=$(srv token create --school 610100001 --uses "$agents" | tail -1)
	"$BBT_BUILD/bbt-server" --db "$db" serve --listen 127.0.0.1:0 2>"$log" &
	spid=$!
	trap 'kill "$spid" 2>/dev/null || :; wait "$spid" || :' EXIT
	trap 'exit 1' INT TERM
	i=0
	until grep -q 'listening on .*threads)' "$log" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$log"; exit 1; }
		sleep 0.1
	done
	port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log" | head -1)
	python3 "$dir/ingest_load.py" http "$port" "$token" "$n" "$batch" "$agents" \
		"$BBT_TMP/rows$k" > "$BBT_TMP/http$k"
	kill -TERM "$spid"; wait "$spid" 2>/dev/null || :
	trap - EXIT
	copy_db "$name" "${name}_raw"
	if [ $pg = 1 ]; then
		raw="postgresql:///${name}_raw?host=$BBT_PG_SOCKET&user=postgres"
		python3 "$dir/ingest_load.py" pg "$raw" "$BBT_PG_BIN/psql" "$agents" \
			"$BBT_TMP/rows$k" > "$BBT_TMP/raw$k"
	else
		"$BBT_TMP/ingest_raw" "$BBT_TMP/${name}_raw.db" "$BBT_TMP/rows$k" > "$BBT_TMP/raw$k"
	fi
	read -r new dup < "$BBT_TMP/http$k"; read -r rawr < "$BBT_TMP/raw$k"
	awk -v n="$n" -v r="$rawr" -v h="$new" -v d="$dup" -v t="$target" 'BEGIN {
		printf "%9d %16.0f %16.0f %6.2f %16.0f  %s\n", n, r, h, h / r, d, t }'
	rm -f "$BBT_TMP/rows$k" "$BBT_TMP/$name.db"* "$BBT_TMP/${name}_raw.db"*
	if [ $pg = 1 ]; then
		"$BBT_PG_BIN/dropdb" -h "$BBT_PG_SOCKET" -U postgres "$name"
		"$BBT_PG_BIN/dropdb" -h "$BBT_PG_SOCKET" -U postgres "${name}_raw"
	fi
done
echo "ratio: HTTP new / raw $target; HTTP dup: the same batches sent again"
echo "clocks start when every loader is connected and ready, stop at the last answer"
