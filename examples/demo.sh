#!/bin/sh
# bbt end to end on one machine (`make demo`; see examples/README.md).
#
# A collector on an SQLite file in a temp dir on 127.0.0.1 (a free port),
# two schools, five classrooms, a timetable, five agents (each its own
# state dir and hw_id, as five classroom PCs), a week of recorded lessons
# (evemu recordings written by tests/gen/gen-lessons.py) replayed through
# each agent's detector, four agents syncing over HTTP and one with no
# network sending a signed bundle on a "USB stick" (export + import), then
# the week's points and the devices. Everything it starts is stopped on
# exit; BBT_DEMO_KEEP=1 keeps the temp dir to look around, BBT_DEMO_DIR=DIR
# builds the demo in DIR (kept; tests/console/ serves its database).
#
# At the end it prints the admin console's URL and a demo sign-in; run from
# a terminal, it keeps the collector up for you to look until Enter or
# Ctrl-C. Unattended (stdin not a terminal) it stops at once.
#
# Needs $BBT_BUILD (the dir holding bbt-agent and bbt-server; the Makefile
# sets it) and python3.
set -eu
cd "$(dirname "$0")/.."
: "${BBT_BUILD:=$(pwd)/build}"
A="$BBT_BUILD/bbt-agent"
SV="$BBT_BUILD/bbt-server"
GEN="$(pwd)/tests/gen/gen-lessons.py"
if [ -n "${BBT_DEMO_DIR:-}" ]; then
	mkdir -p "$BBT_DEMO_DIR"
	T=$(cd "$BBT_DEMO_DIR" && pwd) BBT_DEMO_KEEP=1
else
	T=$(mktemp -d /tmp/bbt-demo.XXXXXX)
fi
DB="$T/bbt.db"
SPID=""

cleanup() {
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null || :
		wait "$SPID" 2>/dev/null || :
	fi
	if [ "${BBT_DEMO_KEEP:-0}" = 1 ]; then
		echo "demo files kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }
S() { "$SV" --db "$DB" "$@"; }
# ag N ARGS: run agent N (its own config, state dir and hw_id). Its stderr
# (the warning that the demo's collector is plain http) is shown only if
# the command fails.
ag() {
	n=$1; shift
	if BBT_HW_ID="demo-pc-$n" "$A" --config "$T/agent$n.conf" \
		--state-dir "$T/agent$n" "$@" 2> "$T/agent.err"; then
		return 0
	fi
	cat "$T/agent.err" >&2
	return 1
}

for f in "$A" "$SV"; do [ -x "$f" ] || die "missing $f (run: make demo)"; done

# The previous ISO week (Monday..Sunday), so that no lesson lies in the
# future, which the collector would reject.
set -- $(python3 -c '
import datetime as d
t = d.date.today(); mon = t - d.timedelta(days=t.weekday() + 7)
y, w, _ = mon.isocalendar(); print(mon.isoformat(), "%d-W%02d" % (y, w))')
MONDAY=$1 WEEK=$2
day() { python3 -c 'import datetime as d, sys
print((d.date.fromisoformat(sys.argv[1]) + d.timedelta(days=int(sys.argv[2]) - 1)).isoformat())' \
	"$MONDAY" "$1"; }

step "collector: $DB"
S school add 610102001 "西安市第一小学" --district 碑林区
S school add 610102002 "西安市第二小学" --district 雁塔区
cat > "$T/timetable.csv" <<'EOF'
学校代码,教室,星期,开始时间,结束时间,教师工号,教师姓名,学科
610102001,三年级二班,1,08:00,08:40,T1001,王芳,数学
610102001,三年级二班,2,08:00,08:40,T1001,王芳,数学
610102001,三年级二班,3,08:00,08:40,T1001,王芳,数学
610102001,三年级二班,4,08:00,08:40,T1001,王芳,数学
610102001,三年级二班,5,08:00,08:40,T1001,王芳,数学
610102001,三年级二班,1,08:55,09:35,T1002,李强,语文
610102001,三年级二班,2,08:55,09:35,T1002,李强,语文
610102001,三年级二班,3,08:55,09:35,T1002,李强,语文
610102001,三年级二班,4,08:55,09:35,T1002,李强,语文
610102001,三年级二班,5,08:55,09:35,T1002,李强,语文
610102001,三年级二班,1,14:00,14:45,T1003,张敏,英语
610102001,三年级二班,3,14:00,14:45,T1003,张敏,英语
610102001,三年级二班,5,14:00,14:45,T1004,赵磊,科学
610102001,四年级一班,2,08:00,08:40,T1005,孙丽,数学
610102001,四年级一班,2,08:55,09:35,T1006,周杰,音乐
610102001,四年级一班,2,14:00,14:45,T1005,孙丽,数学
610102001,五年级三班,3,08:00,08:40,T1007,吴静,语文
610102001,五年级三班,3,08:55,09:35,T1004,赵磊,科学
610102001,五年级三班,4,08:00,08:40,T1007,吴静,语文
610102002,一年级一班,1,08:00,08:40,T2001,刘洋,科学
610102002,一年级一班,1,08:55,09:35,T2002,陈静,语文
610102002,一年级一班,1,14:00,14:45,T2001,刘洋,科学
610102002,一年级一班,5,08:00,08:40,T2002,陈静,语文
610102002,六年级二班,2,08:00,08:40,T2003,马超,体育
EOF
S timetable import "$T/timetable.csv"
# Live lessons (专递课堂) of the same week between the two schools, so
# verify has each outcome to show: delivered, partial, missed, no_device.
cat > "$T/schedule.csv" <<EOF
序号,授课类型,学科,主讲教师,地市（县区）,单位,课程名称,开课时间,学段,年级,学校排课负责人,联系方式,平台,备注,教室,接收单位,接收教室
1,专递课堂,数学,王芳,西安市（碑林区）,西安市第一小学,分数的意义,$(day 1) 08:00-08:40,小学,三年级,张老师,13800000000,国家平台,,三年级二班,西安市第二小学,一年级一班
2,专递课堂,语文,李强,西安市（碑林区）,西安市第一小学,古诗两首,$(day 2) 08:55-09:35,小学,三年级,张老师,13800000000,国家平台,,三年级二班,西安市第二小学,一年级一班
3,名师课堂,数学,王芳,西安市（碑林区）,西安市第一小学,图形的运动,$(day 3) 08:00-09:00,小学,三年级,张老师,13800000000,国家平台,,三年级二班,西安市第二小学,六年级二班
4,专递课堂,数学,孙丽,西安市（碑林区）,西安市第一小学,小数乘法,$(day 5) 14:00-14:45,小学,四年级,张老师,13800000000,国家平台,,四年级一班,西安市第二小学,一年级一班
5,专递课堂,语文,吴静,西安市（碑林区）,西安市第一小学,草船借箭,$(day 4) 10:00-10:40,小学,五年级,张老师,13800000000,国家平台,,五年级三班,西安市第二小学,二年级一班
EOF
S schedule import "$T/schedule.csv" > /dev/null
TOK1=$(S token create --school 610102001 --uses 10 | tail -1)
TOK2=$(S token create --school 610102002 --uses 10 | tail -1)

"$SV" --db "$DB" serve --listen 127.0.0.1:0 2> "$T/server.log" &
SPID=$!
i=0
until grep -q 'listening on .*threads)' "$T/server.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/server.log"; die "server did not start"; }
	kill -0 "$SPID" 2>/dev/null || { cat "$T/server.log"; die "server exited"; }
	sleep 0.1
done
PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$T/server.log" | head -1)
URL="http://127.0.0.1:$PORT/"
echo "collector listening on $URL (pid $SPID)"

step "enroll five classroom PCs"
# agent N school room token
enroll() {
	mkdir -p "$T/agent$1"
	printf '[server]\nurl = %s\nschool = %s\nroom = %s\n' "$URL" "$2" "$3" \
		> "$T/agent$1.conf"
	ag "$1" enroll --server "$URL" --token "$4" --school "$2" --room "$3"
}
enroll 1 610102001 三年级二班 "$TOK1"
enroll 2 610102001 四年级一班 "$TOK1"
enroll 3 610102001 五年级三班 "$TOK1"
enroll 4 610102002 一年级一班 "$TOK2"
enroll 5 610102002 六年级二班 "$TOK2"

step "replay the week $WEEK of recorded lessons ($MONDAY ..)"
[ -f "$GEN" ] || die "missing $GEN (the lesson generator): cannot go on"
# record N KIND WEEKDAY SEED: tests/gen/gen-lessons.py writes recordings
# (an IR touch frame and a keyboard) of KIND = lesson (one 40-minute lesson
# at 08:00), day (lessons at 08:00, 08:55 with a ghost touch, a 10-minute use
# at 10:30, 14:00, plus a ghost contact at lunch and a book on the keyboard)
# or week (five such days); agent N replays them from that weekday 08:00.
record() {
	d="$T/lessons/agent$1-$2-day$3"
	start="$(day "$3")T08:00:00+08:00"
	python3 "$GEN" --seed "$4" --start "$start" "$2" "$d" > /dev/null ||
		die "gen-lessons.py failed"
	echo "agent $1 ($(room "$1")): a recorded $2 from $start"
	ag "$1" replay --start "$start" "$d/touch.events" "$d/keyboard.events" \
		> "$d/sessions.jsonl" || die "replay failed"
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    print("  session %s %s-%s %4d s, %2d touches, %2d active min %s" % (
        s["start"][:10], s["start"][11:16], s["end"][11:16], s["duration_s"],
        s["touches"], s["active_minutes"], " ".join(s["flags"])))' "$d/sessions.jsonl"
}
room() { sed -n 's/^room = //p' "$T/agent$1.conf"; }
record 1 week 1 101	# three lessons a day: each teacher's weekly cap shows
record 2 day 2 202
record 3 day 3 303	# this PC has no network: its sessions go by bundle
record 3 lesson 4 304
record 4 day 1 404
record 4 lesson 5 405
record 5 lesson 6 505	# a Saturday: no timetable slot, unattributed

step "sync: four PCs upload over HTTP"
for n in 1 2 4 5; do printf 'agent %s: ' "$n"; ag "$n" sync; done

step "no network in 五年级三班: export a signed bundle to a USB stick, import it"
mkdir -p "$T/usb"
ag 3 export --out "$T/usb"
S import "$T"/usb/*.bbtb
echo "importing the same stick again counts nothing twice:"
S import "$T"/usb/*.bbtb
echo "when the PC is back online its sync finds everything already there:"
printf 'agent 3: '; ag 3 sync

step "points for $WEEK (互动授课: 5 points per lesson of 15 min or more, 2 per week)"
S points --week "$WEEK"
step "why (--explain, 西安市第一小学)"
S points --week "$WEEK" --school 610102001 --explain
step "devices"
missing=""
S devices || missing="bbt-server devices"
step "verify the live lessons of $WEEK (专递课堂核验)"
S verify --from "$MONDAY" --to "$(day 7)"

step "admin console"
# A bureau officer with a password (admin passwd reads it from stdin); a
# collector without password sign-in gets the admin token instead.
S admin create demo > "$T/admin.token"
if printf 'demo-2026\n' | S admin passwd demo > /dev/null 2>&1; then
	SIGNIN="用户名 demo，密码 demo-2026"
else
	SIGNIN="管理员令牌 $(tail -1 "$T/admin.token")"
fi
echo "console: ${URL}?week=$WEEK"
echo "sign in: $SIGNIN"
if [ -n "$missing" ]; then
	echo "demo: incomplete: $missing failed (see above)" >&2
	exit 1
fi
if [ -t 0 ] && [ -t 1 ]; then
	trap 'echo; exit 0' INT
	printf '\nThe collector keeps running while you look: press Enter (or Ctrl-C) to stop. '
	read -r _ || :
fi
step "done"
[ "${BBT_DEMO_KEEP:-0}" = 1 ] ||
	echo "The collector is stopped and $T removed on exit (BBT_DEMO_KEEP=1 keeps it)."
