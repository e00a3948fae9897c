/*
 * hidtouch: HID digitizer reports -> the detector's multitouch events;
 * portable C with no Windows API, so it is unit-tested natively and under
 * wine (tests/unit/agent_hidtouch.c, on real frames' descriptors). The
 * Windows helper cuts reports into contacts with Windows' own parser
 * (agent/win/hidp_touch.c, HidP_* on Raw Input's preparsed data) and uses
 * hidtouch_track here for the events; hidtouch_parse/decode are the same
 * decoding without Windows (a cross-check, and for readers of raw reports
 * elsewhere, e.g. hidraw).
 *
 * hidtouch_parse reads a report descriptor into fields: for every
 * variable Input item, its report id, bit offset and size, usage, logical
 * range, and which Finger (0x0D:0x22) logical collection it belongs to.
 * hidtouch_decode cuts one report into contacts (Contact Identifier, Tip
 * Switch, X, Y per finger; Contact Count caps how many are valid).
 * hidtouch_track turns successive frames into protocol B events
 * (ABS_MT_SLOT, ABS_MT_TRACKING_ID, ABS_MT_POSITION_X/Y, SYN_REPORT), the
 * numbers evdev gives on Linux, so ghost-touch rules and `touches` mean
 * the same thing on both systems.
 *
 * Invariants: never reads past a descriptor or report (lengths checked on
 * every item and bit); a contact that is down and then missing from a
 * frame that holds its report id is lifted (frames that report only the
 * touching fingers); tracking ids grow by one per contact begun.
 */
#include <string.h>

#include "hidtouch.h"

#define PAGE_GD 0x01
#define PAGE_DIG 0x0D
#define U_FINGER 0x22
#define U_TIP 0x42
#define U_CONTACT_ID 0x51
#define U_CONTACT_COUNT 0x54
#define U_X 0x30
#define U_Y 0x31

struct parse_state {
	uint32_t page, lmin_raw, lmax_raw;
	int lmin_bytes;
	uint32_t size, count, report_id;
	uint32_t usages[64];
	size_t nusages;
	uint32_t umin, umax;
	int have_range;
	int finger_depth[16];		/* collection stack: finger index or -1 */
	int depth, finger, nfingers;
	uint32_t offset[256];		/* next bit per report id */
};

static int32_t sign_extend(uint32_t v, int bytes)
{
	if (bytes == 1)
		return (int8_t)v;
	if (bytes == 2)
		return (int16_t)v;
	return (int32_t)v;
}

static void add_field(struct hidtouch_desc *d, struct parse_state *s, uint32_t usage)
{
	struct hidtouch_field *f;
	uint32_t page = usage > 0xffff ? usage >> 16 : s->page;

	if (d->nfields >= HIDTOUCH_MAX_FIELDS)
		return;
	f = &d->fields[d->nfields++];
	f->report_id = (uint8_t)s->report_id;
	f->bit = s->offset[s->report_id];
	f->bits = (uint8_t)s->size;
	f->page = (uint16_t)page;
	f->usage = (uint16_t)usage;
	f->lmin = sign_extend(s->lmin_raw, s->lmin_bytes);
	f->finger = s->finger;
}

static void on_input(struct hidtouch_desc *d, struct parse_state *s, uint32_t flags)
{
	if (!(flags & 0x01) && (flags & 0x02)) {	/* Data, Variable */
		for (uint32_t i = 0; i < s->count; i++) {
			uint32_t u = s->have_range ? s->umin + i :
			    s->nusages ? s->usages[i < s->nusages ? i : s->nusages - 1] : 0;

			if (!s->have_range || u <= s->umax)
				add_field(d, s, u);
			s->offset[s->report_id] += s->size;
		}
		return;
	}
	s->offset[s->report_id] += s->size * s->count;	/* padding or array */
}

static void on_collection(struct parse_state *s, int begin, uint32_t kind)
{
	if (begin) {
		/* A Finger collection, or (as hid-multitouch takes it) a logical
		 * collection with no usage of its own right inside the touch
		 * application: many frames declare Finger once, for the first. */
		int is_finger = s->nusages ? s->usages[s->nusages - 1] == U_FINGER &&
		    s->page == PAGE_DIG : kind == 2 && s->depth == 1 && s->nfingers > 0;

		if (s->depth < 16)
			s->finger_depth[s->depth] = is_finger ? s->nfingers : -1;
		s->depth++;
		if (is_finger)
			s->finger = s->nfingers++;
		return;
	}
	if (s->depth > 0)
		s->depth--;
	s->finger = -1;
	for (int i = s->depth - 1; i >= 0 && i < 16; i--)
		if (s->finger_depth[i] >= 0) {
			s->finger = s->finger_depth[i];
			break;
		}
}

static void on_global(struct parse_state *s, unsigned tag, uint32_t v, int bytes)
{
	switch (tag) {
	case 0: s->page = v; break;
	case 1: s->lmin_raw = v; s->lmin_bytes = bytes; break;
	case 2: s->lmax_raw = v; break;
	case 7: s->size = v; break;
	case 8:
		s->report_id = v & 0xff;
		if (s->offset[s->report_id] == 0)
			s->offset[s->report_id] = 8;	/* after the id byte */
		break;
	case 9: s->count = v; break;
	default: break;
	}
}

static void on_local(struct parse_state *s, unsigned tag, uint32_t v)
{
	if (tag == 0 && s->nusages < 64)
		s->usages[s->nusages++] = v;
	else if (tag == 1) {
		s->umin = v;
		s->have_range = 1;
	} else if (tag == 2)
		s->umax = v;
}

int hidtouch_parse(const uint8_t *rd, size_t n, struct hidtouch_desc *d, struct bbt_error *e)
{
	struct parse_state s;
	size_t i = 0;

	memset(d, 0, sizeof(*d));
	memset(&s, 0, sizeof(s));
	s.finger = -1;
	while (i < n) {
		uint8_t b = rd[i++];
		int bytes = (b & 3) == 3 ? 4 : (b & 3);
		unsigned type = (b >> 2) & 3, tag = b >> 4;
		uint32_t v = 0;

		if (b == 0xfe) {	/* long item: size, tag, data */
			if (i + 2 > n)
				break;
			i += 2u + rd[i];
			continue;
		}
		if (i + (size_t)bytes > n)
			return bbt_error_set(e, "report descriptor: item cut short at byte %zu", i - 1);
		for (int k = 0; k < bytes; k++)
			v |= (uint32_t)rd[i + (size_t)k] << (8 * k);
		i += (size_t)bytes;
		if (type == 1) {
			on_global(&s, tag, v, bytes);
			if (tag == 8)
				d->uses_report_ids = 1;
			continue;
		}
		if (type == 2) {
			on_local(&s, tag, v);
			continue;
		}
		if (type == 0 && tag == 8)
			on_input(d, &s, v);
		else if (type == 0 && (tag == 9 || tag == 11))
			;	/* output and feature reports carry no touch */
		else if (type == 0 && tag == 10)
			on_collection(&s, 1, v);
		else if (type == 0 && tag == 12)
			on_collection(&s, 0, 0);
		s.nusages = 0;
		s.have_range = 0;
	}
	d->nfingers = s.nfingers;
	return d->nfingers > 0 ? 0 : bbt_error_set(e, "report descriptor: no Finger collection");
}

static int64_t get_bits(const uint8_t *r, size_t n, uint32_t bit, unsigned bits, int sign)
{
	uint64_t v = 0;

	if (bits == 0 || bits > 32 || ((size_t)bit + bits + 7) / 8 > n)
		return -1;
	for (unsigned k = 0; k < bits; k++)
		v |= (uint64_t)((r[(bit + k) / 8] >> ((bit + k) % 8)) & 1) << k;
	if (sign && (v >> (bits - 1)) & 1)
		return (int64_t)v - ((int64_t)1 << bits);
	return (int64_t)v;
}

int hidtouch_decode(const struct hidtouch_desc *d, const uint8_t *r, size_t n,
    struct hidtouch_contact *out, size_t max, size_t *count)
{
	uint8_t id = d->uses_report_ids && n > 0 ? r[0] : 0;
	int contact_count = -1, seen = 0;
	size_t m = 0;

	*count = 0;
	for (int f = 0; f < d->nfingers && m < max; f++) {
		struct hidtouch_contact c = { .id = -1, .x = -1, .y = -1 };
		int has = 0;

		for (size_t i = 0; i < d->nfields; i++) {
			const struct hidtouch_field *fl = &d->fields[i];
			int64_t v;

			if (fl->report_id != id || fl->finger != f)
				continue;
			v = get_bits(r, n, fl->bit, fl->bits, fl->lmin < 0);
			has = 1;
			if (fl->page == PAGE_DIG && fl->usage == U_TIP)
				c.tip = v > 0;
			else if (fl->page == PAGE_DIG && fl->usage == U_CONTACT_ID)
				c.id = (int32_t)v;
			else if (fl->page == PAGE_GD && fl->usage == U_X)
				c.x = (int32_t)v;
			else if (fl->page == PAGE_GD && fl->usage == U_Y)
				c.y = (int32_t)v;
		}
		if (has)
			out[m++] = c;
	}
	for (size_t i = 0; i < d->nfields; i++)
		if (d->fields[i].report_id == id && d->fields[i].finger < 0 &&
		    d->fields[i].page == PAGE_DIG && d->fields[i].usage == U_CONTACT_COUNT)
			contact_count = (int)get_bits(r, n, d->fields[i].bit, d->fields[i].bits, 0);
	seen = m > 0;
	if (contact_count > 0 && (size_t)contact_count < m)
		m = (size_t)contact_count;
	*count = m;
	return seen ? 0 : -1;	/* -1: this report is not a touch report */
}

static void emit(struct hidtouch_event *ev, size_t max, size_t *n, uint16_t type,
    uint16_t code, int32_t value)
{
	if (*n < max)
		ev[(*n)++] = (struct hidtouch_event){ type, code, value };
}

size_t hidtouch_track(struct hidtouch_tracker *t, const struct hidtouch_contact *c, size_t nc,
    struct hidtouch_event *ev, size_t max)
{
	int seen[HIDTOUCH_SLOTS] = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < nc; i++) {
		int s = -1, free_s = -1;

		for (int k = 0; k < HIDTOUCH_SLOTS; k++) {
			if (t->down[k] && t->contact[k] == c[i].id)
				s = k;
			else if (!t->down[k] && free_s < 0)
				free_s = k;
		}
		if (!c[i].tip) {
			continue;	/* lifted: released below, as not seen */
		}
		if (s < 0 && (s = free_s) < 0)
			continue;	/* more fingers than slots */
		seen[s] = 1;
		emit(ev, max, &n, 3, 0x2f, s);			/* ABS_MT_SLOT */
		if (!t->down[s]) {
			t->down[s] = 1;
			t->contact[s] = c[i].id;
			emit(ev, max, &n, 3, 0x39, t->next_tracking_id++);	/* TRACKING_ID */
		}
		emit(ev, max, &n, 3, 0x35, c[i].x);		/* POSITION_X */
		emit(ev, max, &n, 3, 0x36, c[i].y);		/* POSITION_Y */
	}
	for (int k = 0; k < HIDTOUCH_SLOTS; k++) {
		if (t->down[k] && !seen[k]) {
			t->down[k] = 0;
			emit(ev, max, &n, 3, 0x2f, k);
			emit(ev, max, &n, 3, 0x39, -1);
		}
	}
	if (n > 0)
		emit(ev, max, &n, 0, 0, 0);			/* SYN_REPORT */
	return n;
}
