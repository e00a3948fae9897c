#!/usr/bin/env python3
"""Write evemu-record files of recorded classroom input, for replay tests and the demo.

  gen-lessons.py [--seed N] [--start TIME] KIND OUTDIR
    KIND: lesson | day | week

Writes OUTDIR/touch.events (an "IRTOUCH Infrared Touch" 6615:0070 IR frame,
multitouch protocol B) and OUTDIR/keyboard.events (a USB keyboard), and
OUTDIR/expected.jsonl: the sessions the plan holds under the contract's defaults (CONTRACT 4.2)
(idle_gap 600, min_session 900, stuck_contact 120), one JSON object per line
with start/end (ISO 8601 in --start's offset), touches, active_minutes and flags,
worked out from the generator's own plan (when each finger touched and moved),
not from the detector.

A day (time 0 = --start, default 2026-11-23T08:00:00+08:00):
  lesson 1  00:00-00:40  writing and two-finger zooms
  lesson 2  00:55-01:35  with a ghost touch (IR beam blinded) held 300 s: flagged
  lesson 3  02:30-02:40  a 10-minute use: too short, not logged
  lunch     03:30-05:30  a ghost contact held two hours in an empty room: no session
  lesson 4  06:00-06:45  writing
  evening   09:00        a book on the keyboard: one press, then 10 min of autorepeat
A week is five such days, 24 h apart. Deterministic for a given seed.
"""
import datetime
import json
import os
import random
import sys

EV_SYN, EV_KEY, EV_ABS, EV_MSC = 0, 1, 3, 4
SYN_REPORT = 0
BTN_TOUCH = 0x14A
ABS_X, ABS_Y = 0, 1
MT_SLOT, MT_X, MT_Y, MT_ID = 0x2F, 0x35, 0x36, 0x39
MSC_SCAN = 4
KEY_A = 30
IDLE_GAP, MIN_SESSION, STUCK = 600, 900, 120

TOUCH_HEADER = """# EVEMU 1.3
# Kernel: 6.1.0-27-amd64
# DMI: dmi:bvnLENOVO:bvrM1AKT49A:svnLENOVO:pn10M8S07U00
# Input device name: "IRTOUCH Infrared Touch"
# Input device ID: bus 0x03 vendor 0x6615 product 0x70 version 0x110
N: IRTOUCH Infrared Touch
I: 0003 6615 0070 0110
P: 02 00 00 00 00 00 00 00
B: 00 0b 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 00 00 00
B: 01 00 00 00 00 00 04 00 00
B: 03 03 00 00 00 00 80 73 02
B: 04 10 00 00 00 00 00 00 00
A: 00 0 32767 0 0 0
A: 01 0 32767 0 0 0
A: 2f 0 9 0 0 0
A: 35 0 32767 0 0 0
A: 36 0 32767 0 0 0
A: 39 0 65535 0 0 0
"""

KEYBOARD_HEADER = """# EVEMU 1.3
# Input device name: "Dell Dell USB Keyboard"
N: Dell Dell USB Keyboard
I: 0003 413c 2003 0110
P: 00 00 00 00 00 00 00 00
B: 00 13 00 12 00 00 00 00 00
B: 01 fe ff ff ff ff ff ff ff
B: 04 10 00 00 00 00 00 00 00
"""

NAMES = {(EV_SYN, 0): "EV_SYN / SYN_REPORT", (EV_KEY, BTN_TOUCH): "EV_KEY / BTN_TOUCH",
         (EV_ABS, ABS_X): "EV_ABS / ABS_X", (EV_ABS, ABS_Y): "EV_ABS / ABS_Y",
         (EV_ABS, MT_SLOT): "EV_ABS / ABS_MT_SLOT",
         (EV_ABS, MT_X): "EV_ABS / ABS_MT_POSITION_X",
         (EV_ABS, MT_Y): "EV_ABS / ABS_MT_POSITION_Y",
         (EV_ABS, MT_ID): "EV_ABS / ABS_MT_TRACKING_ID",
         (EV_MSC, MSC_SCAN): "EV_MSC / MSC_SCAN", (EV_KEY, KEY_A): "EV_KEY / KEY_A"}


class Device:
    """Events of one device plus the plan facts the expectations need."""

    def __init__(self):
        self.events = []      # (time_us, type, code, value)
        self.activity = []    # time_us of each activity event
        self.touch_starts = []
        self.ghost_spans = []  # (down_us, up_us): jittering contacts
        self.slot = 0
        self.next_id = 1
        self.down = set()

    def ev(self, t, typ, code, val):
        assert not self.events or t >= self.events[-1][0], "events out of order"
        self.events.append((t, typ, code, val))

    def last_t(self):
        return self.events[-1][0] if self.events else 0

    def syn(self, t):
        self.ev(t, EV_SYN, SYN_REPORT, 0)

    def select(self, t, slot):
        if slot != self.slot:
            self.ev(t, EV_ABS, MT_SLOT, slot)
            self.slot = slot

    def finger_down(self, t, slot, x, y):
        self.select(t, slot)
        self.ev(t, EV_ABS, MT_ID, self.next_id)
        self.next_id = (self.next_id + 1) % 65536
        self.ev(t, EV_ABS, MT_X, x)
        self.ev(t, EV_ABS, MT_Y, y)
        if not self.down:
            self.ev(t, EV_KEY, BTN_TOUCH, 1)
            self.ev(t, EV_ABS, ABS_X, x)
            self.ev(t, EV_ABS, ABS_Y, y)
        self.down.add(slot)
        self.touch_starts.append(t)
        self.activity.append(t)

    def finger_move(self, t, slot, x, y, active=True):
        self.select(t, slot)
        self.ev(t, EV_ABS, MT_X, x)
        self.ev(t, EV_ABS, MT_Y, y)
        if active:
            self.activity.append(t)

    def finger_up(self, t, slot):
        self.select(t, slot)
        self.ev(t, EV_ABS, MT_ID, -1)
        self.down.discard(slot)
        if not self.down:
            self.ev(t, EV_KEY, BTN_TOUCH, 0)


def stroke(dev, rnd, t, fingers):
    """One gesture of 0.3-1.5 s at 100 ms frames; returns its end time."""
    n = rnd.randint(3, 15)
    pos = [(rnd.randint(1000, 30000), rnd.randint(1000, 30000)) for _ in range(fingers)]
    for f, (x, y) in enumerate(pos):
        dev.finger_down(t, f, x, y)
    dev.syn(t)
    for _ in range(n):
        t += 100000
        for f in range(fingers):
            x, y = pos[f]
            pos[f] = (min(32767, x + rnd.randint(-300, 300) + 300),
                      min(32767, max(0, y + rnd.randint(-300, 300))))
            dev.finger_move(t, f, *pos[f])
        dev.syn(t)
    t += 100000
    for f in range(fingers):
        dev.finger_up(t, f)
    dev.syn(t)
    return t


class Ghost:
    """A blinded beam: a contact that jitters in place every 1.5 s for hold_s
    seconds. Its events are emitted in time order with the teacher's strokes."""

    def __init__(self, dev, t, hold_s, slot):
        self.dev, self.t0, self.slot = dev, t, slot
        self.up = t + hold_s * 10**6
        self.k = 1
        self.done = False
        dev.finger_down(t, slot, 32000, 500)
        dev.syn(t)
        dev.ghost_spans.append((t, self.up))

    def until(self, t):
        """Emit what happens before time t (jitter, then the lift)."""
        while not self.done:
            tt = self.t0 + self.k * 1500000
            if tt >= self.up:
                if self.up >= t:
                    return
                # A lift due during a stroke comes right after it.
                self.up = max(self.up, self.dev.last_t())
                self.dev.ghost_spans[-1] = (self.t0, self.up)
                self.dev.finger_up(self.up, self.slot)
                self.dev.syn(self.up)
                self.done = True
                return
            if tt >= t:
                return
            if tt < self.dev.last_t():
                self.k += 1     # the frame reported the stroke then, not the ghost
                continue
            self.dev.finger_move(tt, self.slot, 32000 + (self.k % 3), 500,
                                 active=(tt - self.t0) <= STUCK * 10**6)
            self.dev.syn(tt)
            self.k += 1


def ghost(dev, t, hold_s, slot=9):
    g = Ghost(dev, t, hold_s, slot)
    g.until(g.up + 1)
    return g.up


def lesson(dev, rnd, t0, minutes, ghost_at=None):
    """Strokes from t0 for about `minutes`, gaps always well under idle_gap."""
    end = t0 + minutes * 60 * 10**6
    t = t0
    g = None
    while t < end:
        if ghost_at is not None and g is None and t >= t0 + ghost_at * 10**6:
            g = Ghost(dev, t, 300, 9)
            t += 500000
        if g:
            g.until(t)
        t = stroke(dev, rnd, t, 2 if rnd.random() < 0.15 else 1)
        t += rnd.randint(3, 120) * 10**6 + rnd.randint(0, 999999)
    if g:
        g.until(g.up + 1)
    return t


def day(touch, keys, rnd, base):
    m = 60 * 10**6
    lesson(touch, rnd, base + 5 * 10**6, 40)
    lesson(touch, rnd, base + 55 * m, 40, ghost_at=600)
    lesson(touch, rnd, base + 150 * m, 10)
    ghost(touch, base + 210 * m, 7200, slot=8)
    lesson(touch, rnd, base + 360 * m, 45)
    t = base + 540 * m
    keys.ev(t, EV_MSC, MSC_SCAN, 0x70004)
    keys.ev(t, EV_KEY, KEY_A, 1)
    keys.syn(t)
    keys.activity.append(t)
    for k in range(1, 2400):
        tt = t + 500000 + k * 250000
        keys.ev(tt, EV_KEY, KEY_A, 2)
        keys.syn(tt)


def write(path, header, dev):
    events = dev.events
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        for t, typ, code, val in events:
            name = NAMES.get((typ, code), "")
            f.write("E: %d.%06d %04x %04x %d\t# %s %d\n" % (
                t // 10**6, t % 10**6, typ, code, val, name, val) if name else
                "E: %d.%06d %04x %04x %d\n" % (t // 10**6, t % 10**6, typ, code, val))


def expected(devs, start):
    """Sessions of the plan under the contract's defaults (CONTRACT 4.2)."""
    acts = sorted(t for d in devs for t in d.activity)
    starts = sorted(t for d in devs for t in d.touch_starts)
    ghosts = [g for d in devs for g in d.ghost_spans]
    out, cur = [], None
    for t in acts + [None]:
        if cur and (t is None or t - cur[1] >= IDLE_GAP * 10**6):
            out.append(cur)
            cur = None
        if t is None:
            break
        if cur is None:
            cur = [t, t, set()]
        cur[1] = t
        cur[2].add((t - cur[0]) // (60 * 10**6))
    rows = []
    for s, e, mins in out:
        if e - s < MIN_SESSION * 10**6:
            continue
        touches = sum(1 for t in starts if s <= t <= e)
        flags = ["stuck_contact"] if any(
            s <= g0 + STUCK * 10**6 < e + IDLE_GAP * 10**6 and g1 > g0 + STUCK * 10**6
            for g0, g1 in ghosts) else []
        # As the agent stores it: duration from the event clock, end = start + it.
        dur = (e - s) // 10**6
        rows.append({"start": iso(start, s), "end": iso(start, s // 10**6 * 10**6 + dur * 10**6),
                     "duration_s": dur, "touches": touches, "active_minutes": len(mins),
                     "flags": flags})
    return rows


def iso(start, t):
    return (start + datetime.timedelta(seconds=t // 10**6)).isoformat()


def main(argv):
    args = argv[1:]
    seed, start = 1, "2026-11-23T08:00:00+08:00"
    while args and args[0].startswith("--"):
        if args[0] == "--seed":
            seed = int(args[1])
        elif args[0] == "--start":
            start = args[1]
        else:
            sys.exit("unknown option " + args[0])
        args = args[2:]
    if len(args) != 2 or args[0] not in ("lesson", "day", "week"):
        sys.exit(__doc__)
    kind, outdir = args
    rnd = random.Random(seed)
    base = datetime.datetime.fromisoformat(start)
    touch, keys = Device(), Device()
    if kind == "lesson":
        lesson(touch, rnd, 5 * 10**6, 40)
    else:
        for d in range(1 if kind == "day" else 5):
            day(touch, keys, rnd, d * 86400 * 10**6)
    os.makedirs(outdir, exist_ok=True)
    write(os.path.join(outdir, "touch.events"), TOUCH_HEADER, touch)
    write(os.path.join(outdir, "keyboard.events"), KEYBOARD_HEADER, keys)
    with open(os.path.join(outdir, "expected.jsonl"), "w", encoding="utf-8") as f:
        for row in expected([touch, keys], base):
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(sys.argv)
