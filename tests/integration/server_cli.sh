#!/bin/sh
# The bbt-server command line as a careless admin meets it (issue 10, item
# 8): every command and subcommand listed by --help answers --help on
# stdout with exit 0, and an unknown flag with exit 2 and a message naming
# the flag (one convention: 0 ok, 1 failure, 2 usage); `timetable import
# --help` reads no file; a read command run without --db in a folder with
# no database fails naming ./bbt.db and creates nothing; --db defaults to
# $BBT_DB; an unknown --tz is refused with exit 2. Covers server/main.c,
# server/cmd_*.c (their parsing) and common/bbt_time.c (bbt_tz_check).
set -eu
B=$BBT_BUILD; T=$BBT_TMP
srv() { "$B/bbt-server" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
mkdir "$T/empty" "$T/data"

# --- every command from the usage: --help and an unknown flag ---------------
srv --help > "$T/help" || fail "--help exit status"
# "  token create --school ..." -> "token create"; "  points  [--week" -> "points";
# "  admin create NAME | admin list | admin revoke NAME" -> each of the three.
awk '/^  [a-z]/ {
	print $1 ($2 ~ /^[a-z]+$/ ? " " $2 : "")
	for (i = 2; i < NF; i++)
		if ($i == "|" && $(i + 1) == $1 && $(i + 2) ~ /^[a-z]+$/) print $1 " " $(i + 2)
}' "$T/help" | sort -u > "$T/commands"
for want in serve "school add" "token create" "admin create" "timetable import" \
	"schedule import" import points verify stats devices "admin list" "token revoke"; do
	grep -qx "$want" "$T/commands" || fail "'$want' not found in bbt-server --help"
done
n=0
while read -r cmd; do
	top=${cmd%% *}
	for c in "$cmd" "$top"; do
		# --help needs no database, and makes none.
		# shellcheck disable=SC2086
		(cd "$T/empty" && "$B/bbt-server" $c --help) > "$T/out" 2> "$T/err" ||
			fail "'$c --help' exit $? ($(cat "$T/err"))"
		grep -q '^usage: bbt-server' "$T/out" || fail "'$c --help' printed no usage on stdout"
		[ -s "$T/err" ] && fail "'$c --help' wrote to stderr: $(cat "$T/err")"
		# shellcheck disable=SC2086
		(cd "$T/empty" && "$B/bbt-server" $c --no-such-flag) > "$T/out" 2> "$T/err" &&
			fail "'$c --no-such-flag' accepted"
		rc=0; (cd "$T/empty" && "$B/bbt-server" $c --no-such-flag) >/dev/null 2>&1 || rc=$?
		[ "$rc" = 2 ] || fail "'$c --no-such-flag' exit $rc, want 2"
		grep -q -- "--no-such-flag" "$T/err" || fail "'$c --no-such-flag': flag not named"
		grep -q '^usage: bbt-server' "$T/err" || fail "'$c --no-such-flag': no usage on stderr"
		n=$((n + 1))
	done
done < "$T/commands"
[ -z "$(ls -A "$T/empty")" ] || fail "--help or a bad flag created $(ls "$T/empty")"
echo "$n command lines: --help 0, unknown flag 2"
rc=0; srv frobnicate >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q frobnicate "$T/err" || fail "unknown command: exit $rc"
for c in school token admin timetable schedule; do
	rc=0; srv $c frobnicate x >/dev/null 2>"$T/err" || rc=$?
	[ "$rc" = 2 ] && grep -q "unknown subcommand 'frobnicate'" "$T/err" ||
		fail "$c: unknown subcommand: exit $rc $(cat "$T/err")"
done

# --- timetable import --help is not a file name ----------------------------
printf 'not,a,timetable\n' > "$T/empty/--help"
(cd "$T/empty" && "$B/bbt-server" --db "$T/data/x.db" timetable import --help) > "$T/out" ||
	fail "timetable import --help exit $?"
grep -q '^usage: bbt-server timetable import' "$T/out" || fail "timetable import --help usage"
[ ! -e "$T/data/x.db" ] || fail "timetable import --help opened the database"
# ... and a file really named so is still reachable after --.
rc=0; (cd "$T/empty" && "$B/bbt-server" --db "$T/data/x.db" timetable import -- --help) \
	>/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q -- '--help' "$T/err" || fail "timetable import -- --help: exit $rc"
rm "$T/empty/--help"

# --- no --db, wrong folder: an error naming the path, nothing created -------
for c in points verify stats devices "token create --school 1" "admin create ann" \
	"import $T/nothing.bbtb" "token list" "admin list" "device list"; do
	rc=0
	# shellcheck disable=SC2086
	(cd "$T/empty" && env -u BBT_DB "$B/bbt-server" $c) > "$T/out" 2> "$T/err" || rc=$?
	[ "$rc" = 1 ] || fail "'$c' without a database: exit $rc, want 1"
	grep -q "no database at ./bbt.db" "$T/err" || fail "'$c': path not named: $(cat "$T/err")"
	[ -s "$T/out" ] && fail "'$c' without a database printed a report: $(cat "$T/out")"
	[ ! -e "$T/empty/bbt.db" ] || fail "'$c' created ./bbt.db"
done
rc=0; srv --db "$T/data/missing.db" points 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "$T/data/missing.db" "$T/err" || fail "--db missing: exit $rc"
[ ! -e "$T/data/missing.db" ] || fail "points created --db"

# --- $BBT_DB is the default; school add may create, and says so -------------
(cd "$T/empty" && BBT_DB="$T/data/env.db" "$B/bbt-server" school add 610102001 实验小学) \
	> "$T/out" 2> "$T/err" || fail "school add with \$BBT_DB"
grep -q "creating a new database at $T/data/env.db" "$T/err" || fail "no note on a new db"
[ -f "$T/data/env.db" ] && [ ! -e "$T/empty/bbt.db" ] || fail "\$BBT_DB not used"
(cd "$T/empty" && BBT_DB="$T/data/env.db" "$B/bbt-server" devices --school 610102001) \
	> "$T/out" 2> "$T/err" || fail "devices with \$BBT_DB: $(cat "$T/err")"
grep -q device_id "$T/out" || fail "devices with \$BBT_DB: no table"
# --db beats $BBT_DB.
rc=0; BBT_DB="$T/data/env.db" srv --db "$T/data/other.db" stats 2>"$T/err" >/dev/null || rc=$?
[ "$rc" = 1 ] && grep -q other.db "$T/err" || fail "--db must win over \$BBT_DB"

# --- --tz: a zone of the tz database, or exit 2 ----------------------------
for z in Mars/Olympus Asia/Shangai ../../etc/passwd ""; do
	rc=0; srv --db "$T/data/env.db" --tz "$z" points > "$T/out" 2> "$T/err" || rc=$?
	[ "$rc" = 2 ] || fail "--tz '$z': exit $rc, want 2"
	[ -s "$T/out" ] && fail "--tz '$z' printed a report"
	grep -q -e "unknown time zone" -e "empty zone" "$T/err" || fail "--tz '$z': $(cat "$T/err")"
done
grep -q -- "--tz" "$T/err" || fail "--tz error does not name the option"
for z in Asia/Shanghai Europe/Berlin UTC; do
	srv --db "$T/data/env.db" --tz "$z" verify --from 2026-11-23 --to 2026-11-29 >/dev/null ||
		fail "--tz $z refused"
done
# No tz database at all: the default zone is a failure that says what to do.
rc=0; TZDIR="$T/no-zones" srv --db "$T/data/env.db" points > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "install tzdata" "$T/err" || fail "no tz database: exit $rc $(cat "$T/err")"
TZDIR="$T/no-zones" srv --db "$T/data/env.db" --tz UTC points > /dev/null || fail "--tz UTC needs no tzdata"
# --- the lists of stored rows: report entries that keep their own shape -------
# (report_cmds.c RC_LIST): CSV headers are the keys, never Chinese; no xlsx,
# --out or --lang; -s still names the school of token and device list.
for c in sessions "timetable list" "token list" "device list"; do
	# shellcheck disable=SC2086
	srv --db "$T/data/env.db" $c --format csv > "$T/out" || fail "$c --format csv"
	head -1 "$T/out" | sed 's/^\xef\xbb\xbf//; s/\r$//' | grep -qx '[a-z_,]*' ||
		fail "$c: CSV header not the keys: $(head -1 "$T/out")"
	for bad in "--format xlsx --out $T/x.xlsx" "--lang zh" "--out $T/x.csv"; do
		rc=0; srv --db "$T/data/env.db" $c $bad > /dev/null 2> "$T/err" || rc=$?
		[ "$rc" = 2 ] || fail "$c $bad: exit $rc, want 2"
	done
done
for c in "token list" "device list"; do
	srv --db "$T/data/env.db" $c -s 610102001 > /dev/null || fail "$c -s"
done
echo "server cli: ok"
