#!/bin/sh
# Rollout with Ansible from a signed apt repository (issue 17), against real
# Debian 12 machines on this one: root filesystems built with debootstrap
# (one minbase tarball, cached in build/rootfs/, unpacked once per host),
# each with its own network namespace, address (a veth on a bridge the test
# makes) and host name. pc1 and the collectors c1, c2 boot with systemd as
# PID 1 (systemd-nspawn into the host's network namespace), so the units
# the roles enable really start; pc2 is a chroot with only its sshd
# running (the roles' "no systemd" path). Ansible reaches them all over
# real SSH (not the chroot connection), as root with a key made here. The test's repository (packaging/build-repo.sh, as `make repo`) and
# the collector (bbt-server serve) listen on the bridge; the hosts reach
# nothing else: they have no route out and no Debian source, every library
# the packages need is in the root filesystem.
#
# pc2, without systemd, has its units enabled for the next boot but not
# started, and the role enrolls it with the agent's own `enroll` command,
# run as the service user, which is what the unit's first start does
# (bbt_agent_enroll_without_systemd); on pc1 the unit does it. The test
# runs `bbt-agent sync` on both as the unit would, for the collector to
# see each machine at once.
#
# Shows: the inventory made from an Excel CSV (BOM, CRLF; GBK too), the
# package installed from the signed repository, each host's agent.conf
# with its room in Chinese, a host that is down reported (run fails,
# summary says UNREACHABLE / not enrolled), a failed batch stopping the run
# before the next one (the failure threshold; the summary still prints),
# the down host picked up on the next run (in batches of one), a second
# run with changed=0, --check --diff showing a changed room without
# changing it, an upgrade through the repository (apt-get upgrade on pc2,
# the playbook on pc1) keeping each device's enrollment, and every machine
# in the collector's devices report. Also: pc2 with restore software
# (bbt_state_dir); the collector role on c1 (from a .deb, SQLite, TLS),
# its unit running and answering over TLS; then PostgreSQL: the database
# on c1 (bbt_postgresql), c1's collector on it over the Unix socket (peer
# authentication), c2's over TCP with a password, haproxy on c2 ending
# TLS in front of both, a machine enrolled through haproxy seen by both
# collectors (one database). Every booted host ends with no failed unit.
# Root only (namespaces, chroot, nspawn, debootstrap).
set -eu
top=$(pwd); T=$BBT_TMP; B=$BBT_BUILD
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root: network namespaces, chroot, debootstrap"; exit 77; }
for tool in ansible-playbook debootstrap reprepro gpg ssh ssh-keygen unshare ip dpkg-deb systemd-nspawn; do
	command -v $tool >/dev/null || fail "$tool is not installed (make deps)"
done
[ -x /usr/sbin/sshd ] || fail "openssh-server is not installed (make deps)"
t0=$(date +%s)
lap() { echo "time: $1 at $(( $(date +%s) - t0 )) s"; }

# --- packages: this tree's, and a newer version of the same for the upgrade
v1=$(cat "$top/VERSION"); arch=$(dpkg --print-architecture); v2="$v1+rollout2"
# Built again unless both .debs of VERSION are newer than every file of the
# tree (a clean clone always builds; a rerun with nothing edited does not).
stale=1
if [ -f "$top/build/bbt-agent_${v1}_$arch.deb" ] && [ -f "$top/build/bbt-server_${v1}_$arch.deb" ]; then
	old=$(ls -t "$top/build/bbt-agent_${v1}_$arch.deb" "$top/build/bbt-server_${v1}_$arch.deb" | tail -1)
	[ -z "$(find "$top" \( -path "$top/build" -o -path "$top/.git" \) -prune -o -type f -newer "$old" -print |
		head -1)" ] && stale=0
fi
if [ $stale = 1 ]; then
	"$top/packaging/build-deb.sh" >"$T/deb.out" 2>&1 || { cat "$T/deb.out"; fail "build-deb"; }
fi
for p in bbt-agent bbt-server; do
	deb="$top/build/${p}_${v1}_$arch.deb"
	cp "$deb" "$T/"
	# The same files under a higher version number: what a new release
	# looks like to apt, without building the tree twice.
	dpkg-deb -R "$deb" "$T/re-$p"
	sed -i "s/^Version: .*/Version: $v2/" "$T/re-$p/DEBIAN/control"
	dpkg-deb -b "$T/re-$p" "$T/${p}_${v2}_$arch.deb" >/dev/null
done
export BBT_REPO="$T/repo" BBT_REPO_PRIVATE="$T/repo-private"
"$top/packaging/build-repo.sh" "$T/bbt-agent_${v1}_$arch.deb" "$T/bbt-server_${v1}_$arch.deb" \
	>"$T/repo.out" 2>&1 || { cat "$T/repo.out"; fail "build-repo"; }
lap "packages and repository"

# --- one root filesystem, unpacked for each host
deps=$(for p in bbt-agent bbt-server; do dpkg-deb -f "$T/${p}_${v1}_$arch.deb" Depends; done |
	tr ',' '\n' | sed 's/|.*//; s/(.*//; s/[[:space:]]//g' | grep -v '^\$' | sort -u)
t1=$(date +%s)
# dbus, postgresql, python3-psycopg2, haproxy: the collectors' hosts (one
# root filesystem for all keeps one cache); libpq5 though bbt-server names
# it, so its Depends changing does not make a new root filesystem.
tar=$("$top/tests/integration/lib/bookworm_rootfs.sh" "$top" python3 python3-apt \
	openssh-server systemd dbus postgresql python3-psycopg2 haproxy libpq5 $deps) || fail "debootstrap"
echo "rootfs: $tar ($(( $(date +%s) - t1 )) s)"

# A /24 of our own: one no route of this machine (another test's) uses.
id=$(( $$ % 250 ))
while ip route | grep -q "^10\.250\.$id\."; do id=$(( (id + 1) % 250 )); done
net=10.250.$id; br=bbtbr$$
ssh-keygen -q -t ed25519 -N '' -f "$T/id"
pids=""; hostpids=""; nspids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	# systemd-nspawn powers its machine off on SIGTERM (a few seconds).
	for p in $nspids; do kill "$p" 2>/dev/null || :; done
	i=0
	for p in $nspids; do
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$p" 2>/dev/null || :
	done
	# unshare ignores SIGTERM while it waits for its child; SIGKILL ends it
	# and, through --kill-child, the host's PID 1 and so all in it.
	for p in $hostpids; do kill -KILL "$p" 2>/dev/null || :; done
	wait 2>/dev/null || :
	for h in pc1 pc2 c1 c2; do ip netns del "bbt$$-$h" 2>/dev/null || :; done
	ip link del "$br" 2>/dev/null || :
}
trap cleanup EXIT
# The runner's timeout sends SIGTERM: go through the EXIT trap then too.
trap 'exit 1' INT TERM HUP
ip link add "$br" type bridge
ip addr add "$net.1/24" dev "$br"
ip link set "$br" up
n=10
for h in pc1 pc2 c1 c2; do
	n=$((n + 1)); r="$T/hosts/$h"; ns="bbt$$-$h"
	mkdir -p "$r"; tar -C "$r" -xf "$tar"
	# What every real machine has of its own: a machine id (the agent's
	# hw_id here, as /sys is not mounted), a host name, host keys.
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$r/etc/machine-id"
	echo "$h" >"$r/etc/hostname"
	rm -f "$r"/etc/ssh/ssh_host_*; chroot "$r" ssh-keygen -A >/dev/null
	: >"$r/etc/apt/sources.list"
	# What the roles must enable themselves: the database and haproxy
	# (enabled by their packages in the root filesystem). No apt timers:
	# an apt-get update at boot would hold the lock the roles need.
	systemctl --root="$r" --quiet disable postgresql.service haproxy.service 2>/dev/null || :
	systemctl --root="$r" --quiet mask apt-daily.timer apt-daily-upgrade.timer
	mkdir -p -m 700 "$r/root/.ssh"; cp "$T/id.pub" "$r/root/.ssh/authorized_keys"
	printf 'ListenAddress %s\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nUsePAM no\nUseDNS no\n' \
		"$net.$n" >"$r/etc/ssh/sshd_config.d/bbt-test.conf"
	ip netns add "$ns"
	ip link add "v$$$h" type veth peer name eth0 netns "$ns"
	ip link set "v$$$h" master "$br" up
	ip -n "$ns" addr add "$net.$n/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	echo "$net.$n" >"$T/$h.addr"
done
# A host's "power button": sshd as PID 1 of a PID namespace inside the
# host's network namespace, with mounts of its own; killing it kills all.
boot() { # HOST: sshd only, in a chroot
	r="$T/hosts/$1"
	ip netns exec "bbt$$-$1" unshare --mount --uts --pid --fork --kill-child sh -c "
		hostname $1
		mount -t proc proc '$r/proc'
		mount --rbind /dev '$r/dev'
		mount -t tmpfs tmpfs '$r/run'
		mkdir -p '$r/run/sshd'
		exec chroot '$r' /usr/sbin/sshd -D -e" 2>"$T/sshd-$1.log" &
	hostpids="$hostpids $!"
	wait_ssh "$1"
}
# A host booting with systemd as PID 1, in its network namespace. Not
# registered with machined and in no scope of its own (this machine's
# init is not systemd). Its sshd is the package's ssh.service.
sboot() { # HOST
	systemd-nspawn --quiet --register=no --keep-unit --console=read-only -M "$1" -D "$T/hosts/$1" \
		--network-namespace-path="/run/netns/bbt$$-$1" -b >"$T/boot-$1.log" 2>&1 &
	nspids="$nspids $!"
}
rsh() { h=$1; shift; ssh -i "$T/id" -o BatchMode=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null "root@$(cat "$T/$h.addr")" "$@"; }
wait_ssh() { # HOST
	i=0
	until ssh -i "$T/id" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=2 "root@$(cat "$T/$1.addr")" true 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 150 ] || { cat "$T/sshd-$1.log" "$T/boot-$1.log" 2>/dev/null; fail "$1: sshd did not come up"; }
		sleep 0.2
	done
}
# pc2 stays down for the first run; c1 and c2 boot meanwhile.
for h in pc1 c1 c2; do sboot $h; done
wait_ssh pc1
lap "hosts"

# --- the collector and the repository's web server, on the bridge
db="$T/c.db"
"$B/bbt-server" --db "$db" school add 610102001 "测试小学" >/dev/null
etok=$("$B/bbt-server" --db "$db" token create --school 610102001 --uses 10 | tail -1)
adm=$("$B/bbt-server" --db "$db" admin create 电教站 | tail -1)
"$B/bbt-server" --db "$db" serve --listen "$net.1:0" 2>"$T/serve.log" &
pids="$pids $!"
(cd "$T/repo" && exec python3 -u -m http.server --bind "$net.1" 0) >"$T/http.log" 2>&1 &
pids="$pids $!"
i=0
until grep -q 'listening on .*threads)' "$T/serve.log" && grep -q 'port [0-9]' "$T/http.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/serve.log" "$T/http.log"; fail "servers did not start"; }
	sleep 0.1
done
curl_url=http://$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$T/serve.log" | head -1)
repo_url="http://$net.1:$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$T/http.log" | head -1)/"

# --- the inventory, from the CSV as Excel saves it (BOM, CRLF)
printf '\357\273\277host,school,room\r\n%s,610102001,三年级二班\r\n%s,610102001,四年级一班\r\n' \
	"$(cat "$T/pc1.addr")" "$(cat "$T/pc2.addr")" >"$T/hosts.csv"
inv() { mkdir -p "$T/inv"; python3 "$top/packaging/ansible/csv_inventory.py" "$1" >"$T/inv/hosts.yml"; }
inv "$T/hosts.csv" || fail "csv_inventory"
tail -c +4 "$T/hosts.csv" | iconv -f utf-8 -t gbk >"$T/hosts-gbk.csv"
python3 "$top/packaging/ansible/csv_inventory.py" "$T/hosts-gbk.csv" | cmp -s - "$T/inv/hosts.yml" ||
	fail "a GBK CSV gives another inventory than the UTF-8 one"
mkdir -p "$T/inv/group_vars"
cat >"$T/inv/group_vars/all.yml" <<EOF
ansible_user: root
ansible_ssh_private_key_file: $T/id
ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5
bbt_server_url: $curl_url/
bbt_enroll_token: $etok
bbt_apt_url: $repo_url
bbt_apt_key_file: $T/repo/bbt-archive-keyring.gpg
bbt_apt_key_fingerprint: $(cat "$T/repo/FINGERPRINT")
EOF
# pc2 has restore software: its state lives on a partition kept at boot.
mkdir -p "$T/inv/host_vars"
echo "bbt_state_dir: /data/bbt-agent" >"$T/inv/host_vars/$(cat "$T/pc2.addr").yml"
play() { # LOG ansible-playbook-args...
	log=$1; shift
	(cd "$top/packaging/ansible" && BBT_ADMIN_TOKEN=$adm ANSIBLE_CONFIG=$PWD/ansible.cfg \
		ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 \
		ansible-playbook -i "$T/inv/hosts.yml" agents.yml "$@") >"$log" 2>&1
}
recap() { # LOG HOST -> "ok=N changed=N unreachable=N failed=N"
	grep -E "^$(cat "$T/$2.addr") +:" "$1" | sed 's/.*: *//' | tr -s ' '
}
field() { recap "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
in_host() { h=$1; shift; chroot "$T/hosts/$h" "$@"; }

# --- run 1: pc2 is down
lap "ready"
if play "$T/run1.log"; then cat "$T/run1.log"; fail "a run with a host down must fail"; fi
lap "run 1 (pc2 down)"
[ "$(field "$T/run1.log" pc2 unreachable)" = 1 ] || { cat "$T/run1.log"; fail "pc2 not reported unreachable"; }
[ "$(field "$T/run1.log" pc1 failed)" = 0 ] || { cat "$T/run1.log"; fail "pc1 failed"; }
grep -Eq "^  $net.11 +610102001 +三年级二班 +changed +yes$" "$T/run1.log" &&
	grep -Eq "^  $net.12 +610102001 +四年级一班 +UNREACHABLE +no$" "$T/run1.log" &&
	grep -q "1 of 2 machines enrolled" "$T/run1.log" ||
	{ cat "$T/run1.log"; fail "the summary does not say who enrolled"; }
[ "$(in_host pc1 dpkg-query -W -f='${Version}' bbt-agent)" = "$v1" ] || fail "pc1: bbt-agent $v1 not installed"
# From the signed repository: apt knows the package only from there.
in_host pc1 apt-cache policy bbt-agent >"$T/policy1"
grep -q "500 ${repo_url%/} bookworm/main" "$T/policy1" || { cat "$T/policy1"; fail "pc1: not from the repository"; }
grep -q 'Signed-By: /usr/share/keyrings/bbt-archive-keyring.gpg' "$T/hosts/pc1/etc/apt/sources.list.d/bbt.sources" ||
	fail "pc1: the source does not pin the key"
[ -e "$T/hosts/pc2/usr/bin/bbt-agent" ] && fail "pc2 was down but has the agent"

# --- the failure threshold: batches of one, the down host first; its batch
# fails (100% > 30%), so the run stops before pc1's batch
for l in 1 3 2; do sed -n "${l}p" "$T/hosts.csv"; done >"$T/hosts-rev.csv"
inv "$T/hosts-rev.csv"
if play "$T/run1b.log" -e bbt_serial=1; then cat "$T/run1b.log"; fail "a failed batch must fail the run"; fi
inv "$T/hosts.csv"
lap "run 1b (threshold)"
[ "$(grep -c '^PLAY \[bbt agents' "$T/run1b.log")" = 1 ] || { cat "$T/run1b.log"; fail "the run went on past a failed batch"; }
grep -Eq "^  $net.11 +610102001 +三年级二班 +not run +yes$" "$T/run1b.log" ||
	{ cat "$T/run1b.log"; fail "the summary does not say pc1 was not run"; }

# --- pc2 is back; first a look in check mode, as the README says: it
# says what it would do on this new machine, and does none of it
boot pc2
play "$T/check0.log" --check --diff --limit "$(cat "$T/pc2.addr")" ||
	{ cat "$T/check0.log"; fail "check mode on a new machine failed"; }
lap "check mode on a new machine"
[ "$(field "$T/check0.log" pc2 changed)" -gt 0 ] || { cat "$T/check0.log"; fail "check mode: pc2 would not change"; }
grep -q 'would add .* and install bbt-agent' "$T/check0.log" || { cat "$T/check0.log"; fail "check mode: no install shown"; }
[ -e "$T/hosts/pc2/usr/bin/bbt-agent" ] || [ -e "$T/hosts/pc2/etc/apt/sources.list.d/bbt.sources" ] ||
	[ -e "$T/hosts/pc2/usr/share/keyrings/bbt-archive-keyring.gpg" ] && fail "check mode changed pc2"

# --- run 2: batches of one
play "$T/run2.log" -e bbt_serial=1 || { cat "$T/run2.log"; fail "run 2 failed"; }
lap "run 2 (pc2 back, batches of one)"
[ "$(grep -c '^PLAY \[bbt agents' "$T/run2.log")" = 2 ] || { cat "$T/run2.log"; fail "not two batches"; }
[ "$(field "$T/run2.log" pc1 changed)" = 0 ] || { cat "$T/run2.log"; fail "pc1 changed on run 2"; }
[ "$(field "$T/run2.log" pc2 changed)" -gt 0 ] || { cat "$T/run2.log"; fail "pc2 not set up on run 2"; }
grep -q "2 of 2 machines enrolled" "$T/run2.log" || { cat "$T/run2.log"; fail "summary after run 2"; }
for h in pc1 pc2; do
	c="$T/hosts/$h/etc/bbt-agent/agent.conf"
	room=$( [ $h = pc1 ] && echo 三年级二班 || echo 四年级一班 )
	sd=$( [ $h = pc1 ] && echo /var/lib/bbt-agent || echo /data/bbt-agent )
	grep -qx "room = $room" "$c" && grep -qx "school = 610102001" "$c" &&
		grep -qx "url = $curl_url/" "$c" && grep -qx "state_dir = $sd" "$c" ||
		{ cat "$c"; fail "$h: agent.conf is not this host's"; }
	[ "$(in_host $h stat -c '%U:%G %a' /etc/bbt-agent/agent.conf)" = "root:bbt-agent 640" ] || fail "$h: agent.conf owner or mode"
	[ -L "$T/hosts/$h/etc/systemd/system/multi-user.target.wants/bbt-agent.service" ] ||
		fail "$h: bbt-agent.service not enabled"
	in_host $h runuser -u bbt-agent -- bbt-agent status --json >"$T/$h.status" ||
		fail "$h: status"
	grep -q '"enrolled": *true' "$T/$h.status" || { cat "$T/$h.status"; fail "$h: not enrolled"; }
	sed -n 's/.*"device_id": *"\([^"]*\)".*/\1/p' "$T/$h.status" >"$T/$h.dev1"
	[ -s "$T/$h.dev1" ] || { cat "$T/$h.status"; fail "$h: no device id"; }
done
cmp -s "$T/pc1.dev1" "$T/pc2.dev1" && fail "pc1 and pc2 enrolled as one device"
# pc2's enrollment is in its state directory, and its unit is pointed there.
[ "$(in_host pc2 stat -c '%U %a' /data/bbt-agent)" = "bbt-agent 700" ] || fail "pc2: state dir owner or mode"
ls "$T/hosts/pc2/data/bbt-agent" | grep -q . || fail "pc2: nothing in its state dir"
d="$T/hosts/pc2/etc/systemd/system/bbt-agent.service.d/bbt-state-dir.conf"
grep -q '^ExecStart=.*--state-dir /data/bbt-agent ' "$d" && grep -qx 'ReadWritePaths=/data/bbt-agent' "$d" ||
	{ cat "$d"; fail "pc2: the unit is not pointed at its state dir"; }
[ -e "$T/hosts/pc1/etc/systemd/system/bbt-agent.service.d/bbt-state-dir.conf" ] &&
	fail "pc1: a state-dir drop-in without a state dir"
# ... and its sync path unit watches the kick file there.
d="$T/hosts/pc2/etc/systemd/system/bbt-agent-sync.path.d/bbt-state-dir.conf"
grep -qx 'PathModified=' "$d" && grep -qx 'PathModified=/data/bbt-agent/sync.kick' "$d" ||
	{ cat "$d"; fail "pc2: the sync path unit does not watch its state dir"; }
[ -e "$T/hosts/pc1/etc/systemd/system/bbt-agent-sync.path.d/bbt-state-dir.conf" ] &&
	fail "pc1: a path-unit drop-in without a state dir"

# --- run 3: nothing to do
play "$T/run3.log" || { cat "$T/run3.log"; fail "run 3 failed"; }
lap "run 3 (idempotence)"
for h in pc1 pc2; do
	[ "$(field "$T/run3.log" $h changed)" = 0 ] || { cat "$T/run3.log"; fail "$h: changed on a second run"; }
done

# --- the collector role on c1: from a .deb this time (the agents showed
# the repository), SQLite, TLS
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=c1 \
	-addext "subjectAltName=IP:$(cat "$T/c1.addr")" -keyout "$T/c1.key" -out "$T/c1.crt" 2>/dev/null
cat >"$T/inv/collectors.yml" <<EOF
all:
  children:
    bbt_collectors:
      hosts:
        $(cat "$T/c1.addr"):
          bbt_server_tls_cert_src: $T/c1.crt
          bbt_server_tls_key_src: $T/c1.key
          bbt_server_source: deb
          bbt_server_deb: $T/bbt-server_${v1}_$arch.deb
EOF
wait_ssh c1
cplay() { log=$1; shift; (cd "$top/packaging/ansible" && ANSIBLE_CONFIG=$PWD/ansible.cfg ANSIBLE_NOCOLOR=1 \
	ansible-playbook -i "$T/inv/collectors.yml" collectors.yml "$@") >"$log" 2>&1; }
cplay "$T/c1check.log" --check || { cat "$T/c1check.log"; fail "collector role, check mode on a new server"; }
[ -e "$T/hosts/c1/usr/bin/bbt-server" ] && fail "check mode installed bbt-server"
cplay "$T/c1.log" || { cat "$T/c1.log"; fail "collector role"; }
cplay "$T/c1b.log" || { cat "$T/c1b.log"; fail "collector role, second run"; }
lap "collector role, twice"
[ "$(field "$T/c1b.log" c1 changed)" = 0 ] || { cat "$T/c1b.log"; fail "c1: changed on a second run"; }
[ "$(in_host c1 dpkg-query -W -f='${Version}' bbt-server)" = "$v1" ] || fail "c1: bbt-server not installed"
[ -e "$T/hosts/c1/etc/apt/sources.list.d/bbt.sources" ] && fail "c1: a repository though installed from a .deb"
[ "$(in_host c1 stat -c '%U %a' /etc/default/bbt-server)" = "root 600" ] || fail "c1: /etc/default/bbt-server mode"
[ -L "$T/hosts/c1/etc/systemd/system/multi-user.target.wants/bbt-server.service" ] || fail "c1: not enabled"
# Its unit runs (systemd on c1), on the SQLite file the role set.
[ "$(rsh c1 systemctl is-active bbt-server.service)" = active ] ||
	{ rsh c1 systemctl status bbt-server.service; fail "c1: bbt-server.service is not active"; }
i=0
until curl -sf --cacert "$T/c1.crt" "https://$(cat "$T/c1.addr"):8470/healthz" >/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || { rsh c1 journalctl -u bbt-server --no-pager | tail -20; fail "c1: the collector does not answer over TLS"; }
	sleep 0.2
done
[ -s "$T/hosts/c1/var/lib/bbt-server/bbt.db" ] || fail "c1: no SQLite database where the role said"

# --- check mode: a room renamed in the CSV is shown, not written
sum1=$(sha256sum "$T/hosts/pc1/etc/bbt-agent/agent.conf")
sed 's/三年级二班/三年级三班/' "$T/hosts.csv" >"$T/hosts2.csv"
inv "$T/hosts2.csv"
play "$T/check.log" --check --diff || { cat "$T/check.log"; fail "check mode failed"; }
lap "check mode"
grep -q '"-room = 三年级二班"' "$T/check.log" && grep -q '"+room = 三年级三班"' "$T/check.log" ||
	{ cat "$T/check.log"; fail "--diff does not show the new room"; }
grep -q "$etok" "$T/check.log" && fail "--diff shows the enrollment token"
[ "$(field "$T/check.log" pc2 changed)" = 0 ] || { cat "$T/check.log"; fail "check mode: pc2 would change"; }
[ "$(sha256sum "$T/hosts/pc1/etc/bbt-agent/agent.conf")" = "$sum1" ] || fail "check mode changed agent.conf"
inv "$T/hosts.csv"

# --- the machines report in; then an upgrade through the repository
for h in pc1 pc2; do
	in_host $h runuser -u bbt-agent -- bbt-agent sync >"$T/$h.sync" 2>&1 ||
		{ cat "$T/$h.sync"; fail "$h: sync"; }
done
"$top/packaging/build-repo.sh" "$T/bbt-agent_${v2}_$arch.deb" "$T/bbt-server_${v2}_$arch.deb" \
	>"$T/repo2.out" 2>&1 || { cat "$T/repo2.out"; fail "build-repo (upgrade)"; }
# pc2 upgrades the way a machine does on its own (apt, as unattended-
# upgrades would, which the role allowed for this repository's origin);
# pc1 through the next playbook run, which then has nothing to do on pc2.
grep -q 'origin=bbt' "$T/hosts/pc2/etc/apt/apt.conf.d/52bbt-unattended-upgrades" ||
	fail "pc2: unattended-upgrades not allowed the bbt repository"
ssh -i "$T/id" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	"root@$(cat "$T/pc2.addr")" 'apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get -q -y upgrade' \
	>"$T/pc2-upgrade.log" 2>&1 || { cat "$T/pc2-upgrade.log"; fail "pc2: apt-get upgrade"; }
[ "$(in_host pc2 dpkg-query -W -f='${Version}' bbt-agent)" = "$v2" ] ||
	{ cat "$T/pc2-upgrade.log"; fail "pc2: apt-get upgrade did not take $v2"; }
play "$T/run4.log" || { cat "$T/run4.log"; fail "the upgrade run failed"; }
lap "run 4 (upgrade)"
[ "$(field "$T/run4.log" pc1 changed)" -gt 0 ] || { cat "$T/run4.log"; fail "pc1: the playbook did not upgrade"; }
[ "$(field "$T/run4.log" pc2 changed)" = 0 ] || { cat "$T/run4.log"; fail "pc2: changed after its own upgrade"; }
for h in pc1 pc2; do
	[ "$(in_host $h dpkg-query -W -f='${Version}' bbt-agent)" = "$v2" ] || fail "$h: not upgraded to $v2"
	in_host $h runuser -u bbt-agent -- bbt-agent status --json >"$T/$h.status2"
	grep -q '"enrolled": *true' "$T/$h.status2" &&
		[ "$(sed -n 's/.*"device_id": *"\([^"]*\)".*/\1/p' "$T/$h.status2")" = "$(cat "$T/$h.dev1")" ] ||
		{ cat "$T/$h.status2"; fail "$h: the upgrade lost its enrollment"; }
	grep -qx "room = $( [ $h = pc1 ] && echo 三年级二班 || echo 四年级一班 )" \
		"$T/hosts/$h/etc/bbt-agent/agent.conf" || fail "$h: the upgrade changed agent.conf"
done
grep -q "2 of 2 machines enrolled" "$T/run4.log" || { cat "$T/run4.log"; fail "summary after the upgrade"; }

# --- the collector's view: two devices, their rooms, both seen
curl -sf -H "Authorization: Bearer $adm" "$curl_url/api/v1/devices" >"$T/devices.json" ||
	fail "devices API"
python3 - "$T/devices.json" "$(cat "$T/pc1.dev1")" "$(cat "$T/pc2.dev1")" <<'EOF' || fail "collector's devices"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
by_id = {d["device_id"]: d for d in rows}
assert len(rows) == 2, rows
for dev, host, room in ((sys.argv[2], "pc1", "三年级二班"), (sys.argv[3], "pc2", "四年级一班")):
    d = by_id[dev]
    assert d["hostname"] == host and d["room"] == room and d["school"] == "610102001", d
    assert any(d.get(k) for k in ("last_seen", "last_heartbeat", "seen")), d
EOF
lap "devices"

# --- several collectors on one PostgreSQL database: the database on c1
# (role bbt_postgresql), c1's collector on it over the Unix socket (peer
# authentication), c2's over TCP with a password, haproxy on c2 ending TLS
# in front of both. The password has a colon and a backslash (pgpass
# escapes them).
c1a=$(cat "$T/c1.addr"); c2a=$(cat "$T/c2.addr")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=c2 \
	-addext "subjectAltName=IP:$c2a" -keyout "$T/c2.key" -out "$T/c2.crt" 2>/dev/null
cat "$T/c2.crt" "$T/c2.key" >"$T/lb.pem"
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=40200
maxconn=$(( nofile / 2 - 100 )); [ $maxconn -gt 20000 ] && maxconn=20000
pgpw="pw:$$\\x$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$T/inv/collectors.yml" <<EOF
all:
  vars:
    bbt_server_db_backend: postgresql
    bbt_pg_password: '$pgpw'
    bbt_server_source: deb
    bbt_server_deb: $T/bbt-server_${v1}_$arch.deb
    bbt_server_trusted_proxies: [$c2a/32]
  children:
    bbt_db:
      hosts:
        $c1a:
          bbt_pg_listen_addresses: '*'
    bbt_collectors:
      hosts:
        $c1a: {}
        $c2a: {}
    bbt_haproxy:
      hosts:
        $c2a:
          bbt_haproxy_listen: "$c2a:8443"
          bbt_haproxy_pem: $T/lb.pem
          # Open files: haproxy needs twice its maxconn; a machine's hard
          # limit (systemd's default) is 524288, the runner's here may be
          # far lower (20000) and nspawn cannot raise it without
          # CAP_SYS_RESOURCE.
          bbt_haproxy_maxconn: $maxconn
EOF
wait_ssh c2
cplay "$T/pg1.log" || { cat "$T/pg1.log"; fail "collectors on PostgreSQL"; }
lap "collectors on PostgreSQL"
cplay "$T/pg2.log" || { cat "$T/pg2.log"; fail "collectors on PostgreSQL, second run"; }
lap "collectors on PostgreSQL, again"
for h in c1 c2; do
	[ "$(field "$T/pg2.log" $h changed)" = 0 ] || { cat "$T/pg2.log"; fail "$h: changed on a second run"; }
done
grep -qF -- "$pgpw" "$T/pg1.log" "$T/pg2.log" && fail "the run's output shows the database password"
for u in c1:postgresql c1:bbt-server c2:bbt-server c2:haproxy; do
	[ "$(rsh "${u%%:*}" systemctl is-active "${u#*:}.service")" = active ] ||
		{ rsh "${u%%:*}" systemctl status "${u#*:}.service"; fail "$u is not active"; }
done
grep -qx 'BBT_DB="postgresql://bbt-server@/bbt?host=/var/run/postgresql"' "$T/hosts/c1/etc/default/bbt-server" &&
	grep -qx "BBT_DB=\"postgresql://bbt-server@$c1a:5432/bbt?sslmode=prefer\"" "$T/hosts/c2/etc/default/bbt-server" &&
	grep -qx 'PGPASSFILE=/etc/bbt-server/pgpass' "$T/hosts/c2/etc/default/bbt-server" ||
	{ cat "$T/hosts/c1/etc/default/bbt-server" "$T/hosts/c2/etc/default/bbt-server"; fail "the collectors' --db"; }
grep -qF -- "$pgpw" "$T/hosts/c2/etc/default/bbt-server" && fail "c2: the password is in the URL"
[ -e "$T/hosts/c1/etc/bbt-server/pgpass" ] && fail "c1: a pgpass though on the database host"
[ "$(in_host c2 stat -c '%U %a' /etc/bbt-server/pgpass)" = "bbt-server 600" ] || fail "c2: pgpass owner or mode"
# Each collector answers on its own, and through haproxy over TLS.
for a in "$c1a" "$c2a"; do
	curl -sf "http://$a:8470/healthz" >/dev/null || fail "collector $a: no /healthz"
done
i=0
until curl -sf --cacert "$T/c2.crt" "https://$c2a:8443/healthz" >/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "haproxy on c2: no /healthz over TLS"
	sleep 0.2
done
# One database: a school and tokens made with c1's command line, a machine
# enrolled through haproxy, seen in the devices report of each collector.
pgcli() { rsh c1 "set -a; . /etc/default/bbt-server; set +a; runuser -u bbt-server -- bbt-server $*"; }
pgcli school add 610102002 省测试学校 >/dev/null || fail "c1: school add on PostgreSQL"
ptok=$(pgcli token create --school 610102002 --uses 2 | tail -1)
padm=$(pgcli admin create 省电教馆 | tail -1)
[ -n "$ptok" ] && [ -n "$padm" ] || fail "c1: tokens on PostgreSQL"
mkdir -p -m 700 "$T/lb-agent"
printf '[server]\nurl = https://%s:8443/\nenroll_token = %s\nschool = 610102002\nroom = 五年级一班\nca_file = %s\n' \
	"$c2a" "$ptok" "$T/c2.crt" >"$T/lb-agent.conf"
chmod 600 "$T/lb-agent.conf"
"$B/bbt-agent" --config "$T/lb-agent.conf" --state-dir "$T/lb-agent" enroll >"$T/lb-enroll.log" 2>&1 ||
	{ cat "$T/lb-enroll.log"; fail "enrolling through haproxy"; }
"$B/bbt-agent" --config "$T/lb-agent.conf" --state-dir "$T/lb-agent" status --json >"$T/lb.status"
lbdev=$(sed -n 's/.*"device_id": *"\([^"]*\)".*/\1/p' "$T/lb.status")
[ -n "$lbdev" ] || { cat "$T/lb.status"; fail "no device id through haproxy"; }
for a in "$c1a" "$c2a"; do
	curl -sf -H "Authorization: Bearer $padm" "http://$a:8470/api/v1/devices" >"$T/pgdev.json" ||
		fail "collector $a: devices API"
	python3 - "$T/pgdev.json" "$lbdev" <<'PY' || { cat "$T/pgdev.json"; fail "collector $a does not see the machine"; }
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert [d for d in rows if d["device_id"] == sys.argv[2] and d["room"] == "五年级一班"], rows
PY
done
# No unit of ours (or of what the roles set up) failed on a host under
# systemd. Not the whole system: with several machines booting at once on
# this machine's cgroup v1, systemd in a container now and then fails to
# attach one of its own early units to its cgroup (systemd-tmpfiles-setup-dev).
for h in pc1 c1 c2; do
	rsh $h systemctl --failed --plain --no-legend --no-pager >"$T/$h.failed" || fail "$h: systemctl --failed"
	grep -E '^(bbt|postgresql|haproxy|ssh)' "$T/$h.failed" && fail "$h: a unit failed"
done
lap "done"
# Nothing of the hosts outlives the test.
cleanup; trap - EXIT
sleep 0.5
for p in $pids $hostpids; do kill -0 "$p" 2>/dev/null && fail "process $p outlived the test"; done
pgrep -f "$T/hosts/" >/dev/null && fail "a host's process outlived the test"
echo "rollout_ansible: ok"
