. tests/integration/lib/test_db.sh
# Reading what the collector stored through its own commands, never its
# database file, so the integration scripts run unchanged on any backend
# (issue 12). Sourced with $BBT_BUILD set.
#
# bbtq DB EXPR COMMAND...: the rows of `bbt-server --db DB COMMAND...
# --format json` as r (a list of objects) in the Python expression EXPR,
# printed: a list one item a line, True/False as 1/0, None as "".
# Example: bbtq "$DB" 'len(r)' sessions; bbtq "$DB" '[x["via"] for x in r]' sessions
bbtq() {
	_bbtq_db=$1; _bbtq_x=$2; shift 2
	"$BBT_BUILD/bbt-server" --db "$_bbtq_db" "$@" --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)
v = eval(sys.argv[1])
def s(x):
    return "" if x is None else str(int(x)) if isinstance(x, bool) else str(x)
print("\n".join(map(s, v)) if isinstance(v, list) else s(v))' "$_bbtq_x"
}

# stored_field DB ID FIELD: one field of the stored session ID ("" if it is not
# stored); start and end as Unix seconds, flags comma-separated.
stored_field() {
	bbtq "$1" "[int(__import__('datetime').datetime.fromisoformat(x['$3']).timestamp())
	    if '$3' in ('start', 'end') else x['$3'] for x in r if x['id'] == '$2']" sessions
}
