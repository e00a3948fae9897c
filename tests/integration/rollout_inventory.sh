#!/bin/sh
# The inventory from the schools' hosts CSV (packaging/ansible/csv_inventory.py,
# issue 17): UTF-8 with a BOM and CRLF as Excel saves it, GBK, the same hosts
# and Chinese rooms from both; a bad row, a duplicate host or a bad host name
# stops it naming the line; Ansible reads the result with the rooms intact;
# the playbooks pass ansible-playbook --syntax-check; haproxy accepts the
# configuration the bbt_haproxy role writes for two collectors.
set -eu
top=$(pwd); T=$BBT_TMP; inv="$top/packaging/ansible/csv_inventory.py"
fail() { echo "FAIL: $*"; exit 1; }
command -v ansible-inventory >/dev/null || fail "ansible is not installed (make deps)"
printf '\357\273\277host,school,room,,\r\npc-1.school.lan,610102001,三年级二班,,\r\n10.1.2.32,610102001,四年级一班\r\n\r\n10.1.3.5,610102002,高一(3)班\r\n' \
	>"$T/utf8.csv"
python3 "$inv" "$T/utf8.csv" >"$T/a.yml" || fail "a good CSV refused"
tail -c +4 "$T/utf8.csv" | iconv -f utf-8 -t gbk >"$T/gbk.csv"
python3 "$inv" "$T/gbk.csv" >"$T/b.yml" || fail "a GBK CSV refused"
cmp -s "$T/a.yml" "$T/b.yml" || { diff "$T/a.yml" "$T/b.yml"; fail "GBK and UTF-8 differ"; }
ansible-inventory -i "$T/a.yml" --list >"$T/list.json" 2>"$T/inv.err" || { cat "$T/inv.err"; fail "ansible-inventory"; }
python3 - "$T/list.json" <<'PY' || fail "inventory content"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
hv = d["_meta"]["hostvars"]
assert hv["pc-1.school.lan"] == {"bbt_school": "610102001", "bbt_room": "三年级二班"}, hv
assert hv["10.1.3.5"]["bbt_room"] == "高一(3)班", hv
assert sorted(d["bbt_agents"]["children"]) == ["school_610102001", "school_610102002"], d
assert sorted(d["school_610102001"]["hosts"]) == ["10.1.2.32", "pc-1.school.lan"], d
PY
bad() { # WHY EXPECT LINES...
	why=$1; want=$2; shift 2
	printf '%s\n' "$@" >"$T/bad.csv"
	if python3 "$inv" "$T/bad.csv" >"$T/out" 2>"$T/err"; then fail "$why accepted"; fi
	[ -s "$T/out" ] && fail "$why: printed an inventory anyway"
	grep -q "$want" "$T/err" || { cat "$T/err"; fail "$why: no '$want'"; }
}
bad "a short row" 'bad.csv:3' 'host,school,room' 'pc1,610102001,三年级二班' 'pc2,610102001'
bad "a duplicate host" 'bad.csv:3: host pc1 already on line 2' 'host,school,room' \
	'pc1,610102001,一班' 'pc1,610102001,二班'
bad "a host name with a space" "bad.csv:1: bad host name" 'pc 1,610102001,一班'
bad "an empty file" 'no hosts' 'host,school,room'
(cd "$top/packaging/ansible" && printf 'all:\n  children:\n    bbt_collectors: {hosts: {c1: {}}}\n    bbt_haproxy: {hosts: {lb: {}}}\n' >"$T/s.yml" &&
	ANSIBLE_CONFIG=$PWD/ansible.cfg ansible-playbook -i "$T/s.yml" -i "$T/a.yml" site.yml --syntax-check) \
	>"$T/syntax" 2>&1 || { cat "$T/syntax"; fail "syntax-check"; }
# The haproxy role's configuration for two collectors: haproxy itself
# accepts it, with both backends, health checks and X-Forwarded-For.
command -v haproxy >/dev/null || fail "haproxy is not installed (make deps)"
cat >"$T/lb.yml" <<EOF
all:
  children:
    bbt_collectors:
      hosts:
        c1: {ansible_host: 10.1.0.11}
        c2: {ansible_host: 10.1.0.12}
EOF
cat >"$T/lb-play.yml" <<EOF
- hosts: localhost
  connection: local
  gather_facts: false
  vars: {bbt_haproxy_listen: "127.0.0.1:8443", bbt_haproxy_pem: "", bbt_haproxy_backend_port: 8470, bbt_haproxy_maxconn: 20000}
  tasks:
    - ansible.builtin.template:
        src: $top/packaging/ansible/roles/bbt_haproxy/templates/haproxy.cfg.j2
        dest: $T/haproxy.cfg
        mode: "0644"
EOF
ANSIBLE_CONFIG="$top/packaging/ansible/ansible.cfg" ansible-playbook -i "$T/lb.yml" "$T/lb-play.yml" \
	>"$T/lb.log" 2>&1 || { cat "$T/lb.log"; fail "rendering haproxy.cfg"; }
haproxy -c -f "$T/haproxy.cfg" >"$T/hc" 2>&1 || { cat "$T/haproxy.cfg" "$T/hc"; fail "haproxy refuses the role's configuration"; }
grep -q 'server c1 10.1.0.11:8470 check' "$T/haproxy.cfg" && grep -q 'server c2 10.1.0.12:8470 check' "$T/haproxy.cfg" &&
	grep -q 'option forwardfor' "$T/haproxy.cfg" && grep -q 'option httpchk GET /healthz' "$T/haproxy.cfg" ||
	{ cat "$T/haproxy.cfg"; fail "haproxy.cfg lacks a backend, the health check or X-Forwarded-For"; }
echo "rollout_inventory: ok"
