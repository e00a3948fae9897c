#!/usr/bin/env python3
"""Turn the hosts CSV a school keeps in Excel into an Ansible inventory.

    packaging/ansible/csv_inventory.py hosts.csv > inventory.yml

The CSV has the columns host,school,room (a header row is optional), in
UTF-8 with or without a BOM, or GBK/GB18030 as Chinese Excel saves "CSV".
Each machine lands in the group bbt_agents and in school_<code>, with its
school and room as host variables (bbt_school, bbt_room). A bad row stops
it before anything is written, naming the file and line, so a typo never
reaches a machine. Room names are kept exactly as written (三年级二班).
"""
import csv
import io
import json
import re
import sys

HEADER = ("host", "主机")
HOST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:_-]*$")


def decode(raw, path):
    """Text of the file: UTF-8 (BOM or not), else GB18030 (a superset of GBK)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: neither UTF-8 nor GBK (byte {e.start})") from None


def read_hosts(path):
    """[(host, school, room)]; raises ValueError naming the line."""
    with open(path, "rb") as f:
        text = decode(f.read(), path)
    out, seen = [], {}
    for i, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [c.strip() for c in row]
        if not cells or all(not c for c in cells) or cells[0].startswith("#"):
            continue
        if i == 1 and cells[0].lower() in HEADER:
            continue
        while len(cells) > 3 and not cells[-1]:
            cells.pop()          # Excel's trailing empty columns
        if len(cells) != 3 or not all(cells):
            raise ValueError(f"{path}:{i}: want host,school,room, got {row!r}")
        host, school, room = cells
        if not HOST_RE.match(host):
            raise ValueError(f"{path}:{i}: bad host name {host!r}")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", school):
            raise ValueError(f"{path}:{i}: bad school code {school!r}")
        if any(ord(c) < 32 for c in room):
            raise ValueError(f"{path}:{i}: control character in room {room!r}")
        if host in seen:
            raise ValueError(f"{path}:{i}: host {host} already on line {seen[host]}")
        seen[host] = i
        out.append((host, school, room))
    if not out:
        raise ValueError(f"{path}: no hosts")
    return out


def inventory(hosts):
    """YAML text (every scalar JSON-quoted, which YAML reads as written)."""
    q = lambda s: json.dumps(s, ensure_ascii=False)
    lines = ["# made by csv_inventory.py; edit the CSV, not this file",
             "all:", "  children:", "    bbt_agents:", "      children:"]
    for school in sorted({s for _, s, _ in hosts}):
        lines += [f"        {q('school_' + school)}:", "          hosts:"]
        for host, s, room in hosts:
            if s == school:
                lines.append(f"            {q(host)}: {{bbt_school: {q(s)}, bbt_room: {q(room)}}}")
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        hosts = read_hosts(argv[1])
    except (OSError, ValueError) as e:
        print(f"csv_inventory: {e}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(inventory(hosts).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
