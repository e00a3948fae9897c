# The collector's database for an integration script, on either backend
# (CONTRACT 5.7: both pass the same suite). Sourced with $BBT_TMP set.
#
# BBT_TEST_DB=pg (set by tests/pg/cluster.sh, which also sets
# BBT_PG_SOCKET and BBT_PG_BIN) makes each script's databases PostgreSQL
# ones, each its own, copied from the cluster's migrated template;
# otherwise they are SQLite files in $BBT_TMP.
#
# test_db [NAME]: print a fresh --db (NAME tells two of one script apart).
# db_is_pg: true when the scripts run on PostgreSQL.
# db_sql DB SQL: run fixture SQL (a setup the product cannot make), in
#   the SQL both backends take; never to read what the product stored
#   (that goes through the CLI: bbtq in server_query.sh).
# db_dump DB: every row of DB as text (to show a secret is not stored).
db_is_pg() { [ "${BBT_TEST_DB:-sqlite}" = pg ]; }

test_db() {
	if ! db_is_pg; then
		echo "$BBT_TMP/${1:-bbt}.db"
		return
	fi
	[ -n "${BBT_PG_SOCKET:-}" ] ||
		{ echo "BBT_TEST_DB=pg: run under tests/pg/cluster.sh" >&2; return 1; }
	_db_name="t_$(basename "$BBT_TMP" | tr 'A-Z.-' 'a-z__')_${1:-bbt}"
	"$BBT_PG_BIN/createdb" -h "$BBT_PG_SOCKET" -U postgres -T bbt_template "$_db_name" >&2 ||
		return 1
	echo "postgresql:///$_db_name?host=$BBT_PG_SOCKET&user=postgres"
}

db_sql() {
	case $1 in
	postgres*) "$BBT_PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 -d "$1" -c "$2" > /dev/null ;;
	*) sqlite3 "$1" "$2" ;;
	esac
}

db_dump() {
	case $1 in
	postgres*) "$BBT_PG_BIN/pg_dump" --data-only -d "$1" ;;
	*) sqlite3 "$1" .dump ;;
	esac
}
