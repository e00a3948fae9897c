#!/bin/sh
# tests/console/run.sh: the admin console in headless Chromium (console.mjs)
# against a real collector serving the demo's data (examples/demo.sh with
# BBT_DEMO_DIR), a bureau officer and a school admin signed in with a
# password. playwright-core comes from npm into build/console-node (once;
# reused after), the browser is Debian's /usr/bin/chromium. Screenshots go
# to build/console-shots/. Counts "console P F 0" into $BBT_COUNTS.
set -eu
cd "$(dirname "$0")/../.."
: "${BBT_BUILD:=$(pwd)/build}"
SV="$BBT_BUILD/bbt-server"
NODE_DIR="$(pwd)/build/console-node"
SHOTS="$(pwd)/build/console-shots"
T=$(mktemp -d /tmp/bbt-console.XXXXXX)
SPID=""
cleanup() {
	[ -z "$SPID" ] || { kill "$SPID" 2>/dev/null || :; wait "$SPID" 2>/dev/null || :; }
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
counts() {
	[ -z "${BBT_COUNTS:-}" ] || echo "console $1 $2 0" >> "$BBT_COUNTS"
}
die() { echo "FAIL console: $*"; counts 0 1; exit 1; }

[ -x "$SV" ] || die "missing $SV"
[ -x /usr/bin/chromium ] || die "missing /usr/bin/chromium (Debian package chromium)"
if [ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
	mkdir -p "$NODE_DIR"
	npm install --prefix "$NODE_DIR" --no-audit --no-fund playwright-core@1 \
		> "$T/npm.log" 2>&1 || { cat "$T/npm.log"; die "npm install playwright-core"; }
fi
mkdir -p "$SHOTS"

BBT_DEMO_DIR="$T/demo" BBT_BUILD="$BBT_BUILD" sh examples/demo.sh > "$T/demo.log" 2>&1 \
	< /dev/null || { cat "$T/demo.log"; die "examples/demo.sh"; }
WEEK=$(sed -n 's/.*console: .*?week=\(.*\)$/\1/p' "$T/demo.log")
DB="$T/demo/bbt.db"
S() { "$SV" --db "$DB" "$@"; }

# Two admins with passwords; where the collector has no `admin passwd`
# (password sign-in) the run uses their tokens and fails that check.
S admin create officer > "$T/officer.tok"
S admin create xiaoli --school 610102001 > "$T/xiaoli.tok"
missing=0
if printf 'officer-pass-1\n' | S admin passwd officer > "$T/passwd.log" 2>&1 &&
	printf 'xiaoli-pass-1\n' | S admin passwd xiaoli >> "$T/passwd.log" 2>&1; then
	BUREAU=officer:officer-pass-1 SCHOOL=xiaoli:xiaoli-pass-1
else
	missing=1
	BUREAU=token:$(tail -1 "$T/officer.tok") SCHOOL=token:$(tail -1 "$T/xiaoli.tok")
fi

"$SV" --db "$DB" serve --listen 127.0.0.1:0 2> "$T/server.log" &
SPID=$!
i=0
until grep -q 'listening on .*threads)' "$T/server.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/server.log"; die "server did not start"; }
	kill -0 "$SPID" 2>/dev/null || { cat "$T/server.log"; die "server exited"; }
	sleep 0.1
done
PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$T/server.log" | head -1)

mkdir -p "$T/dl"
rc=0
BBT_URL="http://127.0.0.1:$PORT/" BBT_WEEK="$WEEK" BBT_BUREAU="$BUREAU" BBT_SCHOOL="$SCHOOL" \
	BBT_OTHER_SCHOOL=610102002 BBT_SHOTS="$SHOTS" BBT_TMP="$T/dl" \
	BBT_NODE_MODULES="$NODE_DIR/node_modules" \
	timeout 150 node tests/console/console.mjs > "$T/out.log" 2>&1 || rc=$?
cat "$T/out.log"
pass=$(grep -c '^PASS ' "$T/out.log" || :)
fail=$(grep -c '^FAIL ' "$T/out.log" || :)
if [ "$missing" = 1 ]; then
	echo "FAIL password sign-in: this collector has no \`admin passwd\`"
	cat "$T/passwd.log"
	fail=$((fail + 1))
fi
# A run that died before its summary is a failure, whatever it printed.
grep -q '^console: ' "$T/out.log" || { echo "FAIL console.mjs exited $rc early"; fail=$((fail + 1)); }
echo "console: $pass passed, $fail failed (screenshots in $SHOTS)"
counts "$pass" "$fail"
[ "$fail" = 0 ]
