#!/bin/sh
# The house style's checkable part (docs/STYLE.md), on common/ agent/ (with
# agent/capture/, agent/win/) server/ *.c and *.h, each rule with the
# reason it exists there:
#  - no banned function: sprintf, vsprintf, strcpy, strcat, gets, atoi, atol,
#    matched as whole words, so snprintf and vsnprintf (other words) pass
#    and a strcpy on the same line as an snprintf does not;
#  - no bare realloc(p, n * size): arrays grow through bbt_grow, which
#    checks the product (the byte buffer bbt_buf grows by bytes);
#  - no volatile but `volatile sig_atomic_t` (a signal flag): volatile is
#    not a way to share data between threads, C11 atomics are;
#  - sqlite3.h only in the storage files (agent/store*, server/db_sqlite*,
#    common/bbt_sqlite*), libpq-fe.h only in server/db_pg*: the rest
#    reaches the database through their API;
#  - every .c and .h opens with a comment saying its job (a "/*" line
#    and then words);
#  - indentation is tabs: the leading white space of a line is tabs, then
#    at most one of: four spaces (a continuation line, style(9)) or " *"
#    (the inside of a block comment); nothing else;
#  - lines of at most 100 columns;
#  - every exported symbol of an object (nm) carries its module's prefix:
#    the file's name (store.c: store_*), or a family the file belongs to,
#    a name that at least two files of the directory have as their name
#    or its first words (db.h + db_sqlite.c + ...: db_*; common/bbt_*.c:
#    bbt_*). So agent/http_client.c exports http_client_*, not http_*.
#  - (on unless BBT_STYLE_CONTRACT=0, for a tree mid-renumbering)
#    the product contract is docs/CONTRACT.md: no text file of the tree
#    cites "SPEC x.y" (the SPEC is not in the tree, so such a citation
#    cannot be followed), and every "CONTRACT x.y" names a section heading
#    that docs/CONTRACT.md has (a renumbered or deleted section must take
#    its citations with it). A citation may wrap across a comment line.
# A line may opt out of the first three with a "style-ok" comment saying why.
#
# Usage: tests/style-check.sh [--root DIR] [--build DIR] | --self-test
# --build is where make put the objects (default build); without objects
# the symbol rule fails, so make style builds them first. --self-test plants
# one violation of each rule in a scratch tree and fails unless every one
# is caught and the clean tree passes: the check is shown able to fail.
# Counts "style PASSED FAILED 0" go to $BBT_COUNTS when it is set.
root=.
build=build
self_test=0
# Switched on (1) once every "SPEC x.y" in the tree cites CONTRACT instead.
contract=${BBT_STYLE_CONTRACT:-1}
while [ $# -gt 0 ]; do
	case $1 in
	--root) root=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--self-test) self_test=1; shift ;;
	*) echo "usage: $0 [--root DIR] [--build DIR] | --self-test" >&2; exit 2 ;;
	esac
done

# The storage files, the only ones that may include sqlite3.h.
STORAGE_RE='^(agent/store[a-z_]*|server/db_sqlite[a-z_]*|common/bbt_sqlite)\.[ch]$'
# The PostgreSQL backend's files, the only ones that may include libpq-fe.h.
PG_RE='^server/db_pg[a-z_]*\.[ch]$'

check_text() {
	f=$1 rel=$2
	if grep -nE '(^|[^A-Za-z0-9_])(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol)[[:space:]]*\(' \
		"$f" | grep -v 'style-ok'; then
		echo "style: $rel uses a banned function (use snprintf/strtol; or mark // style-ok with why)"
		status=1
	fi
	if grep -nE '(^|[^A-Za-z0-9_])realloc[[:space:]]*\([^,]*,[^;]*[A-Za-z0-9_)][[:space:]]*\*[[:space:]]*[A-Za-z0-9_(]' \
		"$f" | grep -v 'style-ok'; then
		echo "style: $rel: realloc(p, n * size) unchecked; grow arrays with bbt_grow (common/bbt_array.h)"
		status=1
	fi
	if grep -nE '(^|[^A-Za-z0-9_])volatile([^A-Za-z0-9_]|$)' "$f" |
		grep -vE 'volatile[[:space:]]+sig_atomic_t' | grep -v 'style-ok'; then
		echo "style: $rel: volatile is only for sig_atomic_t signal flags (threads: C11 atomics)"
		status=1
	fi
	if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]sqlite3\.h[>"]' "$f" >/dev/null &&
		! echo "$rel" | grep -qE "$STORAGE_RE"; then
		echo "style: $rel includes sqlite3.h; only the storage files may (agent/store*, server/db_sqlite*, common/bbt_sqlite*)"
		status=1
	fi
	if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]libpq-fe\.h[>"]' "$f" >/dev/null &&
		! echo "$rel" | grep -qE "$PG_RE"; then
		echo "style: $rel includes libpq-fe.h; only server/db_pg* may"
		status=1
	fi
	if ! head -2 "$f" | tr '\n' ' ' | grep -qE '^/\*+[[:space:]]*(\*[[:space:]]*)?[A-Za-z]'; then
		echo "style: $rel must open with a comment on its job"; status=1
	fi
	if grep -nP '^\t*+(?! {4}\S| \*|\S|$)' "$f" | sed "s|^|$rel:|" | grep .; then
		echo "style: $rel: indent with tabs (then 4 spaces for a continuation line, or \" *\" in a comment)"
		status=1
	fi
	if awk -v n="$rel" 'length($0) > 100 { print n ":" FNR ": line over 100 columns"; bad=1 } END { exit bad }' "$f"; then :; else status=1; fi
}

# The prefixes a symbol of DIR/NAME.o may carry: NAME, and each of its
# leading words (db of db_sqlite_live) that two or more files of DIR have
# as their name or its first words.
prefixes() {
	names=$1 name=$2
	echo "$name"
	p=
	for w in $(echo "$name" | tr '_' ' '); do
		p=${p:+${p}_}$w
		[ "$p" = "$name" ] && break
		n=$(echo "$names" | grep -cE "^${p}(_|\$)")
		[ "$n" -ge 2 ] && echo "$p"
	done
}

# The directories checked, for text and (where objects exist) symbols.
SRC_DIRS="common agent agent/capture agent/win agent/win/include agent/win/include/sys server"

check_symbols() {
	map=$(mktemp "${TMPDIR:-/tmp}/bbt-style-map.XXXXXX")
	objs=
	for d in $SRC_DIRS; do
		names=$(ls "$root/$d" 2>/dev/null | sed -n 's/\.[ch]$//p' | sort -u)
		for o in "$build/obj/$d"/*.o; do
			[ -f "$o" ] || continue
			echo "$o $(prefixes "$names" "$(basename "$o" .o)" | tr '\n' ' ')" >> "$map"
			objs="$objs $o"
			nobj=$((nobj + 1))
		done
	done
	if [ "$nobj" = 0 ]; then
		echo "style: no object under $build/obj (run make all first): symbols unchecked"
		status=1
	elif ! nm -A --defined-only -g $objs | awk -v map="$map" '
		BEGIN { while ((getline l < map) > 0) { n = split(l, w, " ");
		    for (i = 2; i <= n; i++) pre[w[1]] = pre[w[1]] " " w[i] } }
		{ o = $1; sub(/\.o:.*$/, ".o", o); s = $NF
		  if (NF < 3 || (s == "main" && o ~ /\/main\.o$/)) next
		  n = split(pre[o], p, " "); ok = 0
		  for (i = 1; i <= n; i++) if (s == p[i] || index(s, p[i] "_") == 1) ok = 1
		  if (!ok) { bad[o] = bad[o] " " s; any = 1 } }
		END { for (o in bad) { x = o; sub(/.*\/obj\//, "", x)
		    print "style: " x " exports without its module prefix (" substr(pre[o], 2) "):" bad[o] }
		  exit any }'; then
		status=1
	fi
	rm -f "$map"
}

# The text files that may cite the contract: code, scripts, docs, data.
cited_files() {
	find "$root" \( -path "$root/build" -o -path "$root/.git" -o -name corpus \) -prune -o \
	    -type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.md' -o -name '*.py' \
	    -o -name '*.mk' -o -name Makefile -o -name '*.js' -o -name '*.html' \
	    -o -name '*.ini' -o -name '*.conf' \) -print
}

# Citations of the contract: none of "SPEC x.y", and each "CONTRACT x.y"
# (and the "x.y, x.y" list after it) a heading of docs/CONTRACT.md. Read
# whole files, so "(SPEC\n * 4.4)" across a comment line counts.
check_contract() {
	doc="$root/docs/CONTRACT.md"
	if [ ! -f "$doc" ]; then
		echo "style: no docs/CONTRACT.md to check citations against"; status=1; return
	fi
	secs=$(sed -nE 's/^#+[[:space:]]+([0-9]+(\.[0-9]+)*)\.?([[:space:]].*)?$/\1/p' "$doc" |
	    tr '\n' ' ')
	if ! cited_files | sort | SECS="$secs" ROOT="$root" perl -e '
		my %sec = map { $_ => 1 } split " ", $ENV{SECS};
		my $sep = qr{(?:[ \t]|\n[ \t]*(?:\*|\#|//)?[ \t]*)+};
		my $and = qr{\s*(?:,|-|\xe2\x80\x93)\s*};	# ", " "-" or an en dash (bytes)
		my $bad = 0;
		while (my $f = <STDIN>) {
			chomp $f;
			open(my $fh, "<", $f) or next;
			local $/; my $t = <$fh>; close $fh;
			(my $rel = $f) =~ s{^\Q$ENV{ROOT}\E/?}{};
			my $line = sub { 1 + (substr($t, 0, $_[0]) =~ tr/\n//) };
			while ($t =~ /\bSPEC(?:\.md)?$sep\d/g) {
				printf "%s:%d: cites SPEC; cite CONTRACT (docs/CONTRACT.md)\n",
				    $rel, $line->($-[0]);
				$bad = 1;
			}
			while ($t =~ /\bCONTRACT(?:\.md)?$sep(\d+(?:\.\d+)?(?:$and\d+\.\d+)*)/g) {
				my ($at, $list) = ($-[0], $1);
				for my $n (split /$and/, $list) {
					next if $sec{$n};
					printf "%s:%d: cites CONTRACT %s, a section docs/CONTRACT.md does not have\n",
					    $rel, $line->($at), $n;
					$bad = 1;
				}
			}
		}
		exit $bad;'; then
		echo "style: contract citations must name a section of docs/CONTRACT.md"
		status=1
	fi
}

run_checks() {
	status=0
	nobj=0
	files=$(cd "$root" && for d in $SRC_DIRS; do ls "$d"/*.[ch] 2>/dev/null; done)
	if [ -z "$files" ]; then
		echo "style: no source file found under $root (run from the top)"; status=1
	fi
	for rel in $files; do
		check_text "$root/$rel" "$rel"
	done
	check_symbols
	[ "$contract" = 1 ] && check_contract
	return $status
}

# A clean scratch tree passes; each planted violation alone fails, with
# the message of its rule.
self_test() {
	t=$(mktemp -d "${TMPDIR:-/tmp}/bbt-style.XXXXXX")
	fails=0
	mkdir -p "$t/src/common" "$t/src/agent" "$t/src/server"
	plant_clean() {
		rm -rf "$t/src"/*/* "$t/build"
		mkdir -p "$t/build/obj/common" "$t/build/obj/agent" "$t/build/obj/server"
		printf '/* bbt_x: a helper. */\nint bbt_x_one(void);\n' > "$t/src/common/bbt_x.h"
		printf '/*\n * bbt_x: see bbt_x.h.\n */\n#include "bbt_x.h"\n\nint bbt_x_one(void)\n{\n\treturn 1;\n}\n' \
			> "$t/src/common/bbt_x.c"
		printf '/* store: the buffer. */\n#include <sqlite3.h>\nint store_n;\n' > "$t/src/agent/store.c"
		printf '/* db: storage. */\nint db_n;\n' > "$t/src/server/db.h"
		printf '/* db_sqlite: storage. */\n#include <sqlite3.h>\nint db_open_x;\n' > "$t/src/server/db_sqlite.c"
		mkdir -p "$t/src/docs"
		printf '# Contract\n## 4. The agent\n### 4.4 Sync\n### 4.5 Bundles\n## 8. Bars\n' \
			> "$t/src/docs/CONTRACT.md"
		printf '/* %s 4.4, 4.5; %s 8 */\n' CONTRACT CONTRACT >> "$t/src/common/bbt_x.c"
	}
	build_objs() {
		for c in "$t"/src/*/*.c; do
			d=$(basename "$(dirname "$c")")
			cc -w -c -o "$t/build/obj/$d/$(basename "$c" .c).o" -x c "$c" -I"$t/src/common" \
				$(pkg-config --cflags sqlite3 2>/dev/null) 2>/dev/null ||
				printf 'int %s_stub;\n' "$(basename "$c" .c)" | cc -c -x c -o \
				"$t/build/obj/$d/$(basename "$c" .c).o" -
		done
	}
	expect() {	# expect RESULT WHAT MESSAGE-PATTERN
		build_objs
		out=$(BBT_COUNTS= BBT_STYLE_CONTRACT=1 "$0" --root "$t/src" --build "$t/build" 2>&1)
		rc=$?
		if [ "$1" = pass ] && [ $rc != 0 ]; then
			echo "style self-test: the clean tree failed: $out"; fails=$((fails + 1))
		elif [ "$1" = fail ] && { [ $rc = 0 ] || ! echo "$out" | grep -q -- "$3"; }; then
			echo "style self-test: a planted $2 was not caught (exit $rc): $out"
			fails=$((fails + 1))
		fi
	}
	plant_clean; expect pass clean ''
	plant_clean; printf '\tstrcpy(a, b);\n' >> "$t/src/common/bbt_x.c"
	expect fail "banned function" "banned function"
	plant_clean; printf '\tp = realloc(p, n * sizeof(*p));\n' >> "$t/src/common/bbt_x.c"
	expect fail "bare realloc" "bbt_grow"
	plant_clean; printf 'static volatile int flag;\n' >> "$t/src/common/bbt_x.c"
	expect fail "volatile int" "volatile is only"
	plant_clean; printf 'static volatile sig_atomic_t stop;\n' >> "$t/src/common/bbt_x.c"
	expect pass "volatile sig_atomic_t" ''
	plant_clean; printf '/* uses the db. */\n#include <sqlite3.h>\n' > "$t/src/server/report.c"
	expect fail "sqlite3.h outside storage" "includes sqlite3.h"
	plant_clean; printf '/* uses the db. */\n#include <libpq-fe.h>\n' > "$t/src/server/report.c"
	expect fail "libpq-fe.h outside db_pg" "includes libpq-fe.h"
	plant_clean; printf 'int bbt_y_two(void);\n' > "$t/src/common/bbt_y.h"
	expect fail "header without its opening comment" "must open with a comment"
	plant_clean; printf '/* */ int bbt_y_two(void);\n' > "$t/src/common/bbt_y.h"
	expect fail "comment of no words" "must open with a comment"
	plant_clean; printf '  int x;\n' >> "$t/src/common/bbt_x.c"
	expect fail "space indent" "indent with tabs"
	plant_clean; printf '/* %0101d */\n' 0 >> "$t/src/common/bbt_x.c"
	expect fail "long line" "over 100 columns"
	plant_clean; printf '/* http_client: replies. */\nint http_get(void) { return 0; }\n' \
		> "$t/src/agent/http_client.c"
	expect fail "symbol without its prefix" "without its module prefix"
	plant_clean; printf '/* http_client: replies. */\nint http_client_get(void) { return 0; }\n' \
		> "$t/src/agent/http_client.c"
	expect pass "prefixed symbol" ''
	plant_clean; printf '/* db_sqlite_live: more. */\nint db_live_n;\n' > "$t/src/server/db_sqlite_live.c"
	expect pass "family prefix (db_)" ''
	plant_clean; printf '/* the detector (%s 4.2). */\n' SPEC >> "$t/src/common/bbt_x.c"
	expect fail "SPEC citation" "cites SPEC"
	plant_clean; printf '/* the detector (%s\n * 4.2). */\n' SPEC >> "$t/src/server/db.h"
	expect fail "SPEC citation across lines" "cites SPEC"
	plant_clean; printf '# see %s 5.1\n' SPEC.md > "$t/src/docs/x.md"
	expect fail "SPEC.md citation in a doc" "cites SPEC"
	plant_clean; printf '/* %s 4.9 */\n' CONTRACT >> "$t/src/common/bbt_x.c"
	expect fail "citation of a missing section" "does not have"
	plant_clean; printf '/* %s 4.4, 5.3 */\n' CONTRACT >> "$t/src/common/bbt_x.c"
	expect fail "missing section in a list" "T 5.3, a section"
	plant_clean; printf '%s 4.4\342\200\2234.6\n' CONTRACT.md > "$t/src/docs/x.md"
	expect fail "missing section after an en dash" "T 4.6, a section"
	plant_clean; printf '/* AF_UNSPEC, %s 4.2 */\n' SPECIAL >> "$t/src/common/bbt_x.c"
	expect pass "words containing SPEC" ''
	rm -rf "$t"
	if [ $fails = 0 ]; then echo "style self-test: every planted violation caught"; fi
	return $fails
}

if [ $self_test = 1 ]; then
	self_test
	exit $?
fi
run_checks
status=$?
if [ "$status" = 0 ]; then
	echo "style: ok"
	[ -n "${BBT_COUNTS:-}" ] && echo "style 1 0 0" >>"$BBT_COUNTS"
else
	[ -n "${BBT_COUNTS:-}" ] && echo "style 0 1 0" >>"$BBT_COUNTS"
fi
exit $status
