#!/bin/sh
# Packaging (issue 7): build both .debs with debhelper, check their contents
# and metadata, run lintian, verify the systemd units, then install them on
# this machine (root only: CI runs as root) with preseeded debconf answers
# pointing at a collector that is not up yet, check the install finishes in
# seconds, start the agent as its unit would, start the collector and watch
# the agent enroll; upgrade keeps the enrollment, purge removes it.
# Named zz_ so that it runs last: it installs packages on the machine.
# Not root: the install half cannot run, and the script exits 77 (a skip,
# which the runner prints, and fails on CI). The .debs checked are the ones
# of VERSION built by this run, never an older one left in build/.
set -eu
top=$(pwd)
fail() { echo "FAIL: $*"; exit 1; }

for tool in dpkg-buildpackage lintian systemd-analyze debconf-set-selections; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (make deps)"
done
touch "$BBT_TMP/stamp"
"$top/packaging/build-deb.sh" >"$BBT_TMP/build.out" 2>&1 || { cat "$BBT_TMP/build.out"; fail "build-deb"; }
version=$(cat "$top/VERSION"); arch=$(dpkg --print-architecture)
agent_deb="$top/build/bbt-agent_${version}_$arch.deb"
server_deb="$top/build/bbt-server_${version}_$arch.deb"
for deb in "$agent_deb" "$server_deb"; do
	[ -f "$deb" ] || { ls "$top"/build/*.deb; fail "no $(basename "$deb") (VERSION $version)"; }
	[ -n "$(find "$deb" -newer "$BBT_TMP/stamp")" ] || fail "$(basename "$deb") is not from this build"
	[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "$(basename "$deb"): not version $version"
done

# Metadata: shared-library Depends computed by dh_shlibdeps.
dpkg-deb -f "$agent_deb" Depends | tee "$BBT_TMP/agent.depends"
for lib in libcurl4 libsqlite3-0 libcjson1 libusb-1.0-0 libssl3 adduser; do
	grep -q "$lib" "$BBT_TMP/agent.depends" || fail "bbt-agent Depends lacks $lib"
done
dpkg-deb -f "$server_deb" Depends | tee "$BBT_TMP/server.depends"
for lib in libmicrohttpd12 libsqlite3-0 libcjson1 libssl3; do
	grep -q "$lib" "$BBT_TMP/server.depends" || fail "bbt-server Depends lacks $lib"
done
grep -q libmicrohttpd "$BBT_TMP/agent.depends" && fail "agent must not depend on libmicrohttpd"

# Contents.
dpkg-deb -c "$agent_deb" >"$BBT_TMP/agent.list"
dpkg-deb -c "$server_deb" >"$BBT_TMP/server.list"
for f in ./usr/bin/bbt-agent ./lib/systemd/system/bbt-agent.service \
	./usr/libexec/bbt-agent/bbt-agent-capture ./lib/systemd/system/bbt-agent-sync.service \
	./lib/systemd/system/bbt-agent-sync.timer ./lib/systemd/system/bbt-agent-sync.path \
	./lib/systemd/system/bbt-agent-sync-stop.service ./usr/share/doc/bbt-agent/agent-run.md \
	./usr/share/doc/bbt-agent/restore-software.md \
	./usr/share/man/man8/bbt-agent.8.gz ./usr/share/bbt-agent/agent.conf.example; do
	grep -q " $f\$" "$BBT_TMP/agent.list" || fail "bbt-agent lacks $f"
done
for f in ./usr/bin/bbt-server ./lib/systemd/system/bbt-server.service \
	./usr/share/man/man8/bbt-server.8.gz ./etc/bbt-server/points.ini; do
	grep -q " $f\$" "$BBT_TMP/server.list" || fail "bbt-server lacks $f"
done
mkdir "$BBT_TMP/ctl"; dpkg-deb -e "$server_deb" "$BBT_TMP/ctl"
grep -qx /etc/bbt-server/points.ini "$BBT_TMP/ctl/conffiles" || fail "points.ini is not a conffile"

# lintian: no errors (warnings are printed and explained in packaging/README.md).
# Exit 0: no error tag; 1: error tags; anything else: lintian itself failed.
rc=0; lintian --no-tag-display-limit "$agent_deb" "$server_deb" >"$BBT_TMP/lintian" 2>&1 || rc=$?
cat "$BBT_TMP/lintian"
grep -q '^E:' "$BBT_TMP/lintian" && fail "lintian reported errors"
[ "$rc" = 0 ] || fail "lintian failed (exit $rc) without an E: line"

# Units: syntax and the sandbox score.
mkdir "$BBT_TMP/units"
dpkg-deb -x "$agent_deb" "$BBT_TMP/units/a"; dpkg-deb -x "$server_deb" "$BBT_TMP/units/s"
for u in "$BBT_TMP"/units/a/lib/systemd/system/*.service \
	"$BBT_TMP"/units/a/lib/systemd/system/*.timer "$BBT_TMP"/units/a/lib/systemd/system/*.path \
	"$BBT_TMP/units/s/lib/systemd/system/bbt-server.service"; do
	# Only what this machine lacks is excused: no systemd as PID 1 (bus),
	# targets a container has not got, and our own binary when it is not
	# installed here but is in the package. Any other line is an error.
	root=${u%/lib/systemd/system/*}
	excuse='^Failed to connect to bus: '
	excuse="$excuse|^[a-z-]+\.(service|timer|path): Cannot add dependency job for unit [a-z-]+\.(target|service|timer|path), ignoring: "
	for x in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$u" | sort -u); do
		if [ -x "$root$x" ]; then
			excuse="$excuse|^[a-z-]+\.service: Command $x is not executable: No such file or directory\$"
		elif [ ! -x "$x" ]; then
			fail "$(basename "$u"): $x is neither in the package nor on this machine"
		fi
	done
	systemd-analyze verify --man=no "$u" >"$BBT_TMP/verify.all" 2>&1 || :
	grep -Ev "$excuse" "$BBT_TMP/verify.all" >"$BBT_TMP/verify" || :
	cat "$BBT_TMP/verify.all"
	[ -s "$BBT_TMP/verify" ] && fail "systemd-analyze verify $(basename "$u")"
	echo "verified $(basename "$u")"
	case $u in *.service) ;; *) continue ;; esac
	# The filter keeps real errors: one planted in a copy is reported.
	sed 's/^\[Service\]$/[Service]\nRestart=sometimes/' "$u" >"$BBT_TMP/planted.service"
	systemd-analyze verify --man=no "$BBT_TMP/planted.service" 2>&1 | grep -Ev "$excuse" |
		grep -q 'restart specifier' || fail "systemd-analyze verify: a planted error was filtered out"
	systemd-analyze security --offline=true --threshold=30 "$u" >"$BBT_TMP/sec" 2>&1 ||
		{ tail -5 "$BBT_TMP/sec"; fail "$(basename "$u") exposure above 3.0"; }
	tail -1 "$BBT_TMP/sec"
done

# Privilege separation (CONTRACT 4.1, docs/agent-run.md): each agent unit's
# sandbox, as installed.
U="$BBT_TMP/units/a/lib/systemd/system"
for u in "$U"/bbt-agent*; do
	echo "--- $(basename "$u"):"
	grep -E '^(ExecStart|ExecStop|User|SupplementaryGroups|Device|PrivateDevices|Inaccessible|RestrictAddressFamilies|IPAddress|PathModified|OnUnitInactiveSec|TimeoutStopSec|Before|After)' "$u"
done
cap="$U/bbt-agent.service"
grep -qx 'RestrictAddressFamilies=AF_UNIX AF_NETLINK' "$cap" || fail "capture unit may use IP"
grep -qx 'SupplementaryGroups=input' "$cap" || fail "capture unit lacks the input group"
grep -qx 'IPAddressDeny=any' "$cap" || fail "capture unit lacks IPAddressDeny=any"
grep -q 'char-usb_device' "$cap" && fail "capture unit still opens USB devices"
for u in "$U/bbt-agent-sync.service" "$U/bbt-agent-sync-stop.service"; do
	n=$(basename "$u")
	grep -q '^SupplementaryGroups=' "$u" && fail "$n has a supplementary group"
	grep -q '^DeviceAllow=' "$u" && fail "$n allows a device"
	grep -qx 'PrivateDevices=yes' "$u" || fail "$n lacks PrivateDevices=yes"
	grep -qx 'InaccessiblePaths=-/dev/input' "$u" || fail "$n can see /dev/input"
	grep -q '^ExecSt[a-z]*=/usr/bin/bbt-agent .*sync' "$u" || fail "$n does not run sync"
done
grep -q 'sync --auto$' "$U/bbt-agent-sync.service" || fail "sync unit does not run sync --auto"
grep -qx 'PathModified=/var/lib/bbt-agent/sync.kick' "$U/bbt-agent-sync.path" ||
	fail "path unit does not watch the kick file"
grep -qx 'Unit=bbt-agent-sync.service' "$U/bbt-agent-sync.timer" || fail "timer unit"
grep -qx 'TimeoutStopSec=30s' "$U/bbt-agent-sync-stop.service" || fail "stop pass unbounded"
grep -qx 'Before=bbt-agent.service' "$U/bbt-agent-sync-stop.service" ||
	fail "stop pass not ordered to run after capture stops"
needed=$(readelf -d "$BBT_TMP/units/a/usr/libexec/bbt-agent/bbt-agent-capture" | grep NEEDED)
echo "$needed" | grep -Eq 'libcurl|libssl|libcrypto|libgnutls|libusb' &&
	fail "packaged capture program links a network library: $needed"
echo "units: capture has input and no IP; sync has IP and no devices"

if [ "$(id -u)" != 0 ]; then
	echo "not root: install, upgrade and purge not run (skipped)"; exit 77
fi

# A collector's database with a school and a token, not serving yet.
db="$BBT_TMP/server.db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BBT_BUILD/bbt-server" --db "$db" school add 610102001 "测试小学" >/dev/null
token=$("$BBT_BUILD/bbt-server" --db "$db" token create --school 610102001 --uses 5 | tail -1)

dpkg --purge bbt-agent bbt-server >/dev/null 2>&1 || true
cat <<EOT | debconf-set-selections
bbt-agent bbt-agent/server_url string http://127.0.0.1:$port/
bbt-agent bbt-agent/enroll_token string $token
bbt-agent bbt-agent/school string 610102001
bbt-agent bbt-agent/room string 三年级二班
EOT
start=$(date +%s)
DEBIAN_FRONTEND=noninteractive dpkg -i "$agent_deb" "$server_deb" >"$BBT_TMP/install" 2>&1 ||
	{ cat "$BBT_TMP/install"; fail "dpkg -i"; }
took=$(( $(date +%s) - start ))
echo "install with an unreachable collector took ${took}s"
[ "$took" -le 30 ] || fail "install took ${took}s: postinst must not wait on the network"
grep -q "enroll_token = $token" /etc/bbt-agent/agent.conf || fail "agent.conf not preseeded"
id -nG bbt-agent | grep -qw input || fail "bbt-agent not in group input"
[ "$(stat -c %a /etc/bbt-agent/agent.conf)" = 640 ] || fail "agent.conf mode"

# Start the agent the way its unit does (no systemd as PID 1 here).
mkdir -p /var/lib/bbt-agent; chown bbt-agent:bbt-agent /var/lib/bbt-agent; chmod 700 /var/lib/bbt-agent
runuser -u bbt-agent -- /usr/bin/bbt-agent --config /etc/bbt-agent/agent.conf \
	--state-dir /var/lib/bbt-agent run >"$BBT_TMP/agent.log" 2>&1 &
agent=$!
"$BBT_BUILD/bbt-server" --db "$db" serve --listen "127.0.0.1:$port" >"$BBT_TMP/server.log" 2>&1 &
server=$!
trap 'kill $agent $server 2>/dev/null || true' EXIT
enrolled=0
for i in $(seq 1 120); do
	# The sync process as bbt-agent-sync.timer starts it (every minute there).
	runuser -u bbt-agent -- /usr/bin/bbt-agent --config /etc/bbt-agent/agent.conf \
		--state-dir /var/lib/bbt-agent sync --auto >>"$BBT_TMP/sync.log" 2>&1 || :
	if runuser -u bbt-agent -- /usr/bin/bbt-agent --config /etc/bbt-agent/agent.conf \
		--state-dir /var/lib/bbt-agent status --json 2>/dev/null | grep -q '"enrolled": *true'; then
		enrolled=1; break
	fi
	sleep 1
done
[ "$enrolled" = 1 ] || { cat "$BBT_TMP/agent.log" "$BBT_TMP/sync.log"; fail "agent did not enroll once the collector started"; }
echo "agent enrolled after the collector came up (${i}s)"
kill $agent; wait $agent 2>/dev/null || true
id1=$(sqlite3 /var/lib/bbt-agent/buffer.db "select value from meta where key='device_id'")

# Upgrade (reinstall) keeps state and enrollment; purge removes them.
DEBIAN_FRONTEND=noninteractive dpkg -i "$agent_deb" >/dev/null 2>&1 || fail "reinstall"
id2=$(sqlite3 /var/lib/bbt-agent/buffer.db "select value from meta where key='device_id'")
[ -n "$id1" ] && [ "$id1" = "$id2" ] || fail "upgrade lost the enrollment ($id1 / $id2)"
DEBIAN_FRONTEND=noninteractive dpkg --purge bbt-agent bbt-server >/dev/null 2>&1 || fail "purge"
[ ! -e /var/lib/bbt-agent ] || fail "purge left /var/lib/bbt-agent"
[ ! -e /etc/bbt-agent ] || fail "purge left /etc/bbt-agent"
echo "packaging: ok"

# --- issue 10: GLib (named time zones) is the server's alone ----------------
grep -q libglib "$BBT_TMP/server.depends" || fail "bbt-server Depends lacks libglib2.0-0"
grep -q libglib "$BBT_TMP/agent.depends" && fail "agent must not depend on libglib (local zone only)"

# --- issue 10: the agent unit does not wait for the network -----------------
# Capture needs none and sync retries by itself; waiting for
# network-online.target delayed capture by up to two minutes offline.
# The stop pass is ordered before capture, so it must not wait either.
grep -En '^(After|Wants|Requires|BindsTo)=.*network-online' \
	"$BBT_TMP/units/a/lib/systemd/system/bbt-agent.service" \
	"$BBT_TMP/units/a/lib/systemd/system/bbt-agent-sync-stop.service" &&
	fail "bbt-agent.service waits for network-online.target"

# --- issue 10: purge keeps every school's data unless confirmed -------------
DEBIAN_FRONTEND=noninteractive dpkg -i "$server_deb" >"$BBT_TMP/install" 2>&1 ||
	{ cat "$BBT_TMP/install"; fail "dpkg -i bbt-server"; }
mkdir -p /var/lib/bbt-server; chown bbt-server:bbt-server /var/lib/bbt-server
chmod 700 /var/lib/bbt-server
srvdb=/var/lib/bbt-server/bbt.db
runuser -u bbt-server -- /usr/bin/bbt-server --db "$srvdb" school add 610102001 测试小学 \
	>/dev/null 2>&1 || fail "packaged server cannot make its database"
DEBIAN_FRONTEND=noninteractive dpkg --purge bbt-server >"$BBT_TMP/purge" 2>&1 ||
	{ cat "$BBT_TMP/purge"; fail "purge bbt-server"; }
ls /var/lib/bbt-server/*.db >/dev/null 2>&1 || fail "purge without confirmation deleted the database"
grep -q "kept the database in /var/lib/bbt-server" "$BBT_TMP/purge" ||
	{ cat "$BBT_TMP/purge"; fail "purge did not say it kept the database"; }
[ ! -e /etc/bbt-server ] || fail "purge left /etc/bbt-server"
# Reinstalled, the server uses the kept data again.
DEBIAN_FRONTEND=noninteractive dpkg -i "$server_deb" >/dev/null 2>&1 || fail "reinstall bbt-server"
runuser -u bbt-server -- /usr/bin/bbt-server --db "$srvdb" token create --school 610102001 \
	>/dev/null 2>"$BBT_TMP/err" || { cat "$BBT_TMP/err"; fail "kept database not usable"; }
echo "bbt-server bbt-server/purge_database boolean true" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive dpkg --purge bbt-server >"$BBT_TMP/purge" 2>&1 ||
	{ cat "$BBT_TMP/purge"; fail "confirmed purge bbt-server"; }
[ ! -e /var/lib/bbt-server ] || fail "confirmed purge kept /var/lib/bbt-server"
! getent passwd bbt-server >/dev/null || fail "confirmed purge kept the bbt-server user"
echo "purge: database kept without confirmation, deleted with it"

# --- issue 10: dpkg-reconfigure merges the answers into agent.conf ----------
cat <<EOT | debconf-set-selections
bbt-agent bbt-agent/server_url string http://127.0.0.1:$port/
bbt-agent bbt-agent/enroll_token string $token
bbt-agent bbt-agent/school string 610102001
bbt-agent bbt-agent/room string 三年级二班
EOT
DEBIAN_FRONTEND=noninteractive dpkg -i "$agent_deb" >"$BBT_TMP/install" 2>&1 ||
	{ cat "$BBT_TMP/install"; fail "dpkg -i bbt-agent"; }
conf=/etc/bbt-agent/agent.conf
# The admin edits the file after the install: a key, comments, a section.
sed -i 's/^room = .*/room = 三年级三班   ; moved in December/' "$conf"
sed -i '/^\[server\]/a ; admin: ask 王老师 before changing the token' "$conf"
sed -i '/^\[server\]/a ca_file = /etc/ssl/district-ca.pem' "$conf"
printf '\n[detector]\n; slow boards in this school\nidle_gap = 300\n' >>"$conf"
cp "$conf" "$BBT_TMP/conf.before"
# An upgrade leaves the admin's file alone.
DEBIAN_FRONTEND=noninteractive dpkg -i "$agent_deb" >/dev/null 2>&1 || fail "reinstall bbt-agent"
cmp -s "$conf" "$BBT_TMP/conf.before" || { diff "$BBT_TMP/conf.before" "$conf"; fail "upgrade changed agent.conf"; }
# The admin answers the questions (the editor frontend, driven by a script):
# they start from what the file says now; a new collector and school.
cat >"$BBT_TMP/edit" <<EOT
#!/bin/sh
cp "\$1" "$BBT_TMP/shown"
sed -i -e 's|^bbt-agent/server_url=.*|bbt-agent/server_url="https://collector.example.edu.cn/"|' \
	-e 's|^bbt-agent/school=.*|bbt-agent/school="610102002"|' "\$1"
EOT
chmod +x "$BBT_TMP/edit"
DEBIAN_FRONTEND=editor EDITOR="$BBT_TMP/edit" dpkg-reconfigure bbt-agent </dev/null \
	>"$BBT_TMP/reconf" 2>&1 ||
	{ cat "$BBT_TMP/reconf"; fail "dpkg-reconfigure bbt-agent"; }
grep -q '^bbt-agent/room="三年级三班"' "$BBT_TMP/shown" ||
	{ cat "$BBT_TMP/shown"; fail "reconfigure did not start from the file's room"; }
cat "$conf"
grep -qx 'url = https://collector.example.edu.cn/' "$conf" || fail "reconfigure: url not merged"
grep -qx 'school = 610102002' "$conf" || fail "reconfigure: school not merged"
grep -qx 'room = 三年级三班   ; moved in December' "$conf" || fail "reconfigure lost the room or its comment"
grep -qx "enroll_token = $token" "$conf" || fail "reconfigure lost the token"
for l in 'ca_file = /etc/ssl/district-ca.pem' '; admin: ask 王老师 before changing the token' \
	'[detector]' '; slow boards in this school' 'idle_gap = 300'; do
	grep -qxF "$l" "$conf" || fail "reconfigure lost the admin's line '$l'"
done
[ "$(grep -c '^url' "$conf")" = 1 ] && [ "$(grep -c '^\[server\]' "$conf")" = 1 ] ||
	fail "reconfigure duplicated keys or sections"
[ "$(stat -c %a:%G "$conf")" = 640:bbt-agent ] || fail "agent.conf mode after reconfigure"
DEBIAN_FRONTEND=noninteractive dpkg --purge bbt-agent >/dev/null 2>&1 || fail "purge bbt-agent"
echo "packaging (issue 10): ok"
