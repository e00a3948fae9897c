#!/bin/sh
# tests/windows/run.sh: the Windows agent's tests (make windows-test, a
# make test stage), run from the top of the tree.
#
#  1. `make windows windows-unit`: the exe and the cross-built unit tests
#     and the Linux bbt-server the sync test talks to (the first run builds
#     the mingw libraries, minutes; later runs reuse
#     build/windows/sysroot).
#  2. imports: the exe imports only DLLs and functions of Windows 7 SP1
#     (tests/windows/check-imports.sh).
#  3. every unit test exe under wine, in a fresh WINEPREFIX.
#  4. every tests/windows/it_*.sh scenario (service and helper, sync to a
#     Linux collector, MSI install/upgrade/uninstall),
#     each given WINEPREFIX, BBT_WIN (build/windows) and BBT_TMP.
#
# Skips (exit 77, reason on the last line) only where mingw-w64 or wine is
# not installed; as root or on CI (BBT_CI=1) that is a failure, since make
# deps installs both. Counts go to stdout and to $BBT_COUNTS as
# "windows PASSED FAILED SKIPPED".
top=$(pwd)
W=$top/build/windows
strict=0
{ [ "${BBT_CI:-0}" = 1 ] || [ "$(id -u)" = 0 ]; } && strict=1
pass=0; fail=0; skip=0
count() { [ -n "${BBT_COUNTS:-}" ] && echo "windows $pass $fail $skip" >>"$BBT_COUNTS"; }
ok() { echo "PASS windows $1"; pass=$((pass + 1)); }
bad() { echo "FAIL windows $1"; fail=$((fail + 1)); }

missing=
for t in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-objdump wine wineserver; do
	command -v $t >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	if [ "$strict" = 1 ]; then
		bad "tools missing:$missing (make deps installs them)"
		count; exit 1
	fi
	skip=1; count
	echo "SKIP windows: not installed:$missing (mingw-w64 and wine are needed)"
	exit 77
fi

t0=$(date +%s)
if ! nice make --no-print-directory windows windows-unit build/bbt-server >"$W.build.log" 2>&1; then
	tail -30 "$W.build.log"
	bad "build (log: $W.build.log)"
	count; exit 1
fi
ok "build ($(($(date +%s) - t0)) s)"

for exe in bbt-agent.exe bbt-agent-helper.exe; do
	if tests/windows/check-imports.sh "$W/$exe"; then
		ok "imports of $exe are all in Windows 7"
	else
		bad "imports of $exe"
	fi
done
# The helper reads keyboards: it must not be able to talk to a network.
net=$(x86_64-w64-mingw32-objdump -p "$W/bbt-agent-helper.exe" |
    grep -iE 'DLL Name: *(ws2_32|wsock32|wininet|winhttp|crypt32|secur32|dnsapi|iphlpapi)')
if [ -z "$net" ]; then
	ok "helper imports no network DLL"
else
	bad "helper imports a network DLL: $net"
fi

BBT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bbt-win.XXXXXX")
export BBT_TMP BBT_WIN=$W WINEPREFIX=$BBT_TMP/prefix WINEDEBUG=-all \
	WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
cleanup() { wineserver -k 2>/dev/null; rm -rf "$BBT_TMP"; }
trap cleanup EXIT
t0=$(date +%s)
if ! wineboot -i >"$BBT_TMP/wineboot.log" 2>&1; then
	cat "$BBT_TMP/wineboot.log"
	bad "wineboot"
	count; exit 1
fi
# wineboot returns before the prefix's first boot is over (services.exe
# keeps its database locked until then): wait for that wine to end.
wineserver -w
# Windows without a display: wine's null graphics driver (the helper's
# message-only window, SendInput).
wine reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f >/dev/null 2>&1
wineserver -p 2>/dev/null
echo "  wine prefix ready ($(($(date +%s) - t0)) s)"

for t in "$W"/tests/*.exe; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .exe)
	log=$BBT_TMP/$n.log
	wine "$t" >"$log" 2>&1	# from the top: tests read tests/data/
	rc=$?
	ns=$(grep -E '^\[  SKIPPED \] ' "$log" | grep -v 'test(s)' | sort -u | wc -l)
	if [ "$rc" != 0 ] || grep -q '^\[  FAILED  \]' "$log"; then
		tail -30 "$log"; bad "unit $n under wine (exit $rc)"
	elif [ "$ns" -gt 0 ] && [ "$strict" = 1 ]; then
		grep -E '^\[  SKIPPED \] ' "$log" | sort -u; bad "unit $n: $ns skipped"
	else
		ok "unit $n under wine"; skip=$((skip + ns))
	fi
done

for s in tests/windows/it_*.sh; do
	[ -f "$s" ] || continue
	n=$(basename "$s" .sh)
	t0=$(date +%s)
	sh "$s" >"$BBT_TMP/$n.log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "$n ($(($(date +%s) - t0)) s)"
	elif [ "$rc" = 77 ] && [ "$strict" = 0 ]; then
		echo "SKIP windows $n: $(tail -1 "$BBT_TMP/$n.log")"; skip=$((skip + 1))
	else
		tail -40 "$BBT_TMP/$n.log"; bad "$n (exit $rc)"
	fi
done

echo "windows: $pass passed, $fail failed, $skip skipped"
count
[ "$fail" = 0 ]
