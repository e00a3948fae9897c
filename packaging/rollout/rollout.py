#!/usr/bin/env python3
"""Install bbt-agent on many classroom machines over SSH, unattended.

Reads a CSV of hosts (columns host, school, room; a header row is optional;
UTF-8 with or without BOM), and for each host: copies the .deb, preseeds the
enrollment answers, installs the package (apt-get resolves its libraries),
writes /etc/bbt-agent/agent.conf when it differs from what that host should
have, and restarts the agent. Every step is idempotent, so a rerun after a
failure or an interruption only redoes what is missing; hosts that finished
are recorded in the state file and skipped (--force redoes them).

At the end it prints a summary per host and, with --admin-token, asks the
collector's devices report which machines have enrolled.
See packaging/rollout/README.md.
"""
import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
import urllib.request

CONF = """; written by bbt rollout
[server]
url = {url}
enroll_token = {token}
school = {school}
room = {room}
"""


def read_hosts(path):
    """Rows (line number, host, school, room); raises ValueError naming the line."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    out, seen = [], set()
    for i, row in enumerate(rows, start=1):
        if not row or all(not c.strip() for c in row) or row[0].startswith("#"):
            continue
        if i == 1 and row[0].strip().lower() in ("host", "主机"):
            continue
        if len(row) != 3 or not all(c.strip() for c in row):
            raise ValueError(f"{path}:{i}: want host,school,room, got {row!r}")
        host, school, room = (c.strip() for c in row)
        if any(c in host for c in " ;|&$`'\""):
            raise ValueError(f"{path}:{i}: bad host name {host!r}")
        if "\n" in room or "\n" in school:
            raise ValueError(f"{path}:{i}: newline in a field")
        if host in seen:
            raise ValueError(f"{path}:{i}: host {host} listed twice")
        seen.add(host)
        out.append((i, host, school, room))
    return out


def load_state(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def save_state(path, state):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def remote_script(deb_name, conf, school, room, url, token):
    """The shell run on the host as root; each step checks before it acts."""
    q = shlex.quote
    return f"""set -e
export DEBIAN_FRONTEND=noninteractive
printf '%s\\n' {q('bbt-agent bbt-agent/server_url string ' + url)} \
  {q('bbt-agent bbt-agent/enroll_token string ' + token)} \
  {q('bbt-agent bbt-agent/school string ' + school)} \
  {q('bbt-agent bbt-agent/room string ' + room)} | debconf-set-selections
want=$(dpkg-deb -f /tmp/{q(deb_name)} Version)
have=$(dpkg-query -W -f='${{Version}}' bbt-agent 2>/dev/null || true)
if [ "$want" != "$have" ]; then apt-get install -y -q /tmp/{q(deb_name)} >/dev/null; fi
conf=/etc/bbt-agent/agent.conf
printf '%s' {q(conf)} > $conf.rollout
if ! cmp -s $conf.rollout $conf; then
  chgrp bbt-agent $conf.rollout; chmod 0640 $conf.rollout; mv $conf.rollout $conf
  systemctl restart bbt-agent 2>/dev/null || true
else
  rm -f $conf.rollout
fi
systemctl enable --now bbt-agent >/dev/null 2>&1 || true
echo ok
"""


def run_host(args, host, school, room, token):
    ssh = shlex.split(args.ssh)
    target = f"{args.user}@{host}" if args.user else host
    deb_name = os.path.basename(args.deb)
    conf = CONF.format(url=args.server, token=token, school=school, room=room)
    script = remote_script(deb_name, conf, school, room, args.server, token)
    if args.dry_run:
        print(f"[dry-run] {host}: copy {deb_name}, preseed, install, write agent.conf "
              f"(school {school}, room {room})")
        return True, "dry run"
    scp = shlex.split(args.scp) + [args.deb, f"{target}:/tmp/{deb_name}"]
    r = subprocess.run(scp, capture_output=True, text=True, timeout=args.timeout)
    if r.returncode != 0:
        return False, "copy failed: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    r = subprocess.run(ssh + [target, "sh -s"], input=script, capture_output=True,
                       text=True, timeout=args.timeout)
    if r.returncode != 0 or not r.stdout.strip().endswith("ok"):
        return False, "install failed: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    return True, "installed"


def enrolled_devices(args):
    """{(school, room)} of devices the collector knows, or None if unknown."""
    if not args.admin_token:
        return None
    req = urllib.request.Request(args.server.rstrip("/") + "/api/v1/devices",
                                 headers={"Authorization": "Bearer " + args.admin_token})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            rows = json.load(r)
    except Exception as e:  # the summary still prints without it
        print(f"could not ask the collector for devices: {e}", file=sys.stderr)
        return None
    return {(str(d.get("school")), str(d.get("room"))) for d in rows}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hosts", required=True, help="CSV: host,school,room")
    p.add_argument("--deb", required=True, help="the bbt-agent .deb to install")
    p.add_argument("--server", required=True, help="collector URL")
    p.add_argument("--token-file", required=True, help="file holding the enrollment token")
    p.add_argument("--user", default="root", help="SSH user (default root)")
    p.add_argument("--ssh", default="ssh -o BatchMode=yes -o ConnectTimeout=10")
    p.add_argument("--scp", default="scp -q -o BatchMode=yes -o ConnectTimeout=10")
    p.add_argument("--state", default="rollout.state.json", help="progress file")
    p.add_argument("--admin-token", help="admin token: ask the collector who enrolled")
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("--force", action="store_true", help="redo hosts already done")
    p.add_argument("--dry-run", action="store_true")
    args = p.parse_args()

    try:
        hosts = read_hosts(args.hosts)
        with open(args.token_file, encoding="utf-8") as f:
            token = f.read().strip()
    except (OSError, ValueError) as e:
        print(f"rollout: {e}", file=sys.stderr)
        return 2
    state = load_state(args.state)
    for _, host, school, room in hosts:
        prev = state.get(host)
        if prev and prev.get("ok") and prev.get("room") == room and \
                prev.get("school") == school and not args.force:
            print(f"{host}: done before, skipped")
            continue
        try:
            ok, why = run_host(args, host, school, room, token)
        except subprocess.TimeoutExpired:
            ok, why = False, "timed out"
        print(f"{host}: {why}")
        if not args.dry_run:
            state[host] = {"ok": ok, "school": school, "room": room, "result": why}
            save_state(args.state, state)
    known = enrolled_devices(args)
    print("\nhost\tschool\troom\tinstalled\tenrolled")
    failed = 0
    for _, host, school, room in hosts:
        st = state.get(host, {})
        enrolled = "?" if known is None else ("yes" if (school, room) in known else "no")
        inst = "dry-run" if args.dry_run else ("yes" if st.get("ok") else "NO")
        failed += inst == "NO"
        print(f"{host}\t{school}\t{room}\t{inst}\t{enrolled}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
