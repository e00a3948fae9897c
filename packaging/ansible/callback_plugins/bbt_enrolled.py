"""bbt_enrolled: at the end of every run, which classroom machines enrolled.

An Ansible callback (enabled in ansible.cfg), so that the summary prints
however the run ended: a batch that failed past max_fail_percentage stops
the playbook, and a play written for the summary would not run then.
For each host of the group bbt_agents it prints this run's result (ok,
changed, FAILED, UNREACHABLE, not run) and whether the collector's devices
report (GET /api/v1/devices) lists a device of that school and room.

Needs an admin token: $BBT_ADMIN_TOKEN, or the variable bbt_admin_token
(put it in a vault). The collector's address is bbt_collector_api_url,
else bbt_server_url; a private CA is bbt_collector_ca_file (on the
controller). Without a token the column says "?".
"""
import json
import os
import ssl
import unicodedata
import urllib.request

from ansible.plugins.callback import CallbackBase
from ansible.template import Templar

DOCUMENTATION = """
    name: bbt_enrolled
    type: aggregate
    short_description: which bbt agents enrolled, from the collector
    description: prints each bbt_agents host's result and enrollment at the end
    requirements: [enabled in callbacks_enabled]
"""


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def pad(s, n):
    return s + " " * max(0, n - width(s))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bbt_enrolled"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.play = None

    def v2_playbook_on_play_start(self, play):
        if self.play is None or "bbt_agents" in str(play.hosts):
            self.play = play

    def _setting(self, vars_, name, default=""):
        if name not in vars_:
            return default
        return str(Templar(loader=self.play._loader, variables=vars_).template(vars_[name]))

    def _devices(self, vars_):
        """(set of (school, room), where or why not)."""
        url = self._setting(vars_, "bbt_collector_api_url") or self._setting(vars_, "bbt_server_url")
        token = os.environ.get("BBT_ADMIN_TOKEN") or self._setting(vars_, "bbt_admin_token")
        if not url or not token:
            return None, "no collector URL or admin token (BBT_ADMIN_TOKEN)"
        url = url.rstrip("/") + "/api/v1/devices"
        ca = self._setting(vars_, "bbt_collector_ca_file")
        ctx = ssl.create_default_context(cafile=ca or None)
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=20, context=ctx) as r:
                rows = json.load(r)
        except Exception as e:  # the table still prints without it
            return None, f"{url}: {e}"
        return {(str(d.get("school")), str(d.get("room"))) for d in rows}, url

    def v2_playbook_on_stats(self, stats):
        if self.play is None:
            return
        vm = self.play._variable_manager
        if "bbt_agents" not in vm._inventory.groups:
            return               # a run for collectors only
        # ignore_restrictions: with serial, the inventory is restricted to the
        # last batch by now; --limit still applies.
        hosts = vm._inventory.get_hosts("bbt_agents", ignore_restrictions=True)
        if not hosts:
            return
        first = vm.get_vars(play=self.play, host=hosts[0])
        known, where = self._devices(first)
        rows = [("host", "school", "room", "this run", "enrolled")]
        n_enrolled = 0
        for h in hosts:
            v = vm.get_vars(play=self.play, host=h)
            school, room = str(v.get("bbt_school", "")), str(v.get("bbt_room", ""))
            s = stats.summarize(h.name)
            if stats.dark.get(h.name):
                run = "UNREACHABLE"
            elif stats.failures.get(h.name):
                run = "FAILED"
            elif h.name not in stats.processed:
                run = "not run"
            else:
                run = "changed" if s["changed"] else "ok"
            enrolled = "?" if known is None else ("yes" if (school, room) in known else "no")
            n_enrolled += enrolled == "yes"
            rows.append((h.name, school, room, run, enrolled))
        widths = [max(width(r[i]) for r in rows) for i in range(5)]
        out = [f"bbt enrollment ({where}):"]
        out += ["  " + "  ".join(pad(c, widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]
        if known is not None:
            out.append(f"  {n_enrolled} of {len(hosts)} machines enrolled")
        self._display.display("\n".join(out))
