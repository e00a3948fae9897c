/*
 * evemu: reads evemu-record files (what `replay` and umockdev take).
 *
 * Strict where a mistake would change sessions, lenient elsewhere:
 * - "E:" lines must be exactly "E: <sec>.<frac> <type hex> <code hex>
 *   <value decimal>" with an optional "#" comment after; anything else is
 *   "FILE:LINE: bad event line". Event times must not go backwards (a
 *   recording of one device never does; a spliced one is an error with its
 *   line rather than a silent reordering that would change sessions).
 * - "N:" is the whole rest of the line ("#" included), "I:" must carry four
 *   hex numbers (bus vendor product version); vendor/product are shown as 4
 *   lowercase hex digits. "A:" lines for ABS_MT_SLOT or ABS_MT_TRACKING_ID
 *   mark a multitouch device. Comments, blank lines and other header lines
 *   ("P:", "B:", "L:", "S:", unknown ones) are ignored.
 * - Limits: lines over EVEMU_MAX_LINE bytes are refused; a buffer over
 *   EVEMU_MAX_FILE bytes too (evemu_parse_buffer). Files are read as a
 *   stream (evemu_open/evemu_next), one line at a time, so replaying a
 *   recording takes the same memory whatever its length.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evemu.h"
#include "bbt_array.h"
#include "bbt_file.h"
#include "bbt_session.h"

#define EVEMU_MAX_FILE (256u * 1024 * 1024)
#define EVEMU_MAX_LINE 4096
#define EVEMU_MAX_SEC 4000000000LL

/* Unsigned hex number of at most 8 digits at *p; advances *p. */
static int hex_field(const char **p, uint32_t *out)
{
	const char *s = *p;
	uint32_t v = 0;
	int n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; n < 9; n++, s++) {
		int dg;

		if (*s >= '0' && *s <= '9')
			dg = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			dg = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			dg = *s - 'A' + 10;
		else
			break;
		v = v * 16 + (uint32_t)dg;
	}
	if (n == 0 || n > 8)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

/* "<sec>.<frac>" with 1..6 fraction digits (evemu writes 6). */
static int time_field(const char **p, int64_t *us)
{
	const char *s = *p;
	int64_t sec = 0, frac = 0;
	int n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		sec = sec * 10 + (*s - '0');
		if (sec > EVEMU_MAX_SEC)
			return -1;
	}
	if (n == 0 || *s != '.')
		return -1;
	s++;
	for (n = 0; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == 6)
			return -1;
		frac = frac * 10 + (*s - '0');
	}
	if (n == 0)
		return -1;
	for (; n < 6; n++)
		frac *= 10;
	*us = sec * 1000000 + frac;
	*p = s;
	return 0;
}

static int value_field(const char **p, int32_t *out)
{
	const char *s = *p;
	char *end;
	long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	*p = end;
	return 0;
}

/* After the fields: only blanks, or a comment. */
static int rest_ok(const char *s)
{
	if (*s != '\0' && *s != ' ' && *s != '\t' && *s != '#')
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == '#';
}

static int push_event(struct evemu_recording *rec, const struct evemu_event *ev)
{
	if (bbt_grow(&rec->events, &rec->cap, rec->nevents + 1, sizeof(*rec->events)) < 0)
		return -1;
	rec->events[rec->nevents++] = *ev;
	return 0;
}

/* One "E:" line's fields; prev: the file's previous event time or NULL. */
static int parse_event(const char *name, size_t lineno, const char *s,
    const int64_t *prev, struct evemu_event *ev, struct bbt_error *e)
{
	uint32_t type, code;

	if (time_field(&s, &ev->time_us) < 0 || hex_field(&s, &type) < 0 ||
	    hex_field(&s, &code) < 0 || value_field(&s, &ev->value) < 0 ||
	    type > 0xffff || code > 0xffff || !rest_ok(s))
		return bbt_error_set(e, "%s:%zu: bad event line (want 'E: SEC.USEC TYPE CODE "
		    "VALUE')", name, lineno);
	ev->type = (uint16_t)type;
	ev->code = (uint16_t)code;
	if (prev != NULL && ev->time_us < *prev)
		return bbt_error_set(e, "%s:%zu: event time goes backwards", name, lineno);
	return 0;
}

static int event_line(const char *name, size_t lineno, const char *s,
    struct evemu_recording *rec, struct bbt_error *e)
{
	struct evemu_event ev;

	if (parse_event(name, lineno, s, rec->nevents > 0 ?
	    &rec->events[rec->nevents - 1].time_us : NULL, &ev, e) < 0)
		return -1;
	if (push_event(rec, &ev) < 0)
		return bbt_error_set(e, "%s:%zu: out of memory", name, lineno);
	return 0;
}

/* Copy the name, trimmed, cut at a UTF-8 character boundary if too long. */
static void name_line(const char *s, struct evemu_recording *rec)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= sizeof(rec->id.name)) {
		n = sizeof(rec->id.name) - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(rec->id.name, s, n);
	rec->id.name[n] = '\0';
	/* The name travels in session records: the collector refuses controls. */
	bbt_text_scrub(rec->id.name);
}

static int id_line(const char *name, size_t lineno, const char *s,
    struct evemu_recording *rec, struct bbt_error *e)
{
	uint32_t bus, vid, pid, ver;

	if (hex_field(&s, &bus) < 0 || hex_field(&s, &vid) < 0 ||
	    hex_field(&s, &pid) < 0 || hex_field(&s, &ver) < 0 || !rest_ok(s) ||
	    vid > 0xffff || pid > 0xffff)
		return bbt_error_set(e, "%s:%zu: bad I: line (want 'I: BUS VENDOR PRODUCT "
		    "VERSION' in hex)", name, lineno);
	snprintf(rec->id.vid, sizeof(rec->id.vid), "%04x", (unsigned)vid);
	snprintf(rec->id.pid, sizeof(rec->id.pid), "%04x", (unsigned)pid);
	return 0;
}

static void abs_line(const char *s, struct evemu_recording *rec)
{
	uint32_t code;

	if (hex_field(&s, &code) == 0 && (code == 0x2f || code == 0x39))
		rec->has_mt = 1;
}

/* A header line (anything but "E:"): what it says goes into rec. */
static int header_line(const char *name, size_t lineno, const char *line,
    struct evemu_recording *rec, struct bbt_error *e)
{
	if (strncmp(line, "N:", 2) == 0)
		name_line(line + 2, rec);
	else if (strncmp(line, "I:", 2) == 0)
		return id_line(name, lineno, line + 2, rec, e);
	else if (strncmp(line, "A:", 2) == 0)
		abs_line(line + 2, rec);
	return 0;
}

static int one_line(const char *name, size_t lineno, const char *line,
    struct evemu_recording *rec, struct bbt_error *e)
{
	if (strncmp(line, "E:", 2) == 0)
		return event_line(name, lineno, line + 2, rec, e);
	return header_line(name, lineno, line, rec, e);
}

int evemu_parse_buffer(const char *name, const char *buf, size_t len,
    struct evemu_recording *rec, struct bbt_error *e)
{
	char line[EVEMU_MAX_LINE + 1];
	size_t pos = 0, lineno = 0;

	memset(rec, 0, sizeof(*rec));
	snprintf(rec->path, sizeof(rec->path), "%s", name);
	if (len > EVEMU_MAX_FILE)
		return bbt_error_set(e, "%s: larger than %u bytes", name, EVEMU_MAX_FILE);
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		lineno++;
		if (n > EVEMU_MAX_LINE) {
			bbt_error_set(e, "%s:%zu: line longer than %d bytes", name, lineno,
			    EVEMU_MAX_LINE);
			goto fail;
		}
		memcpy(line, buf + pos, n);
		pos += n + (nl ? 1 : 0);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';	/* an embedded NUL just ends the line early */
		if (one_line(name, lineno, line, rec, e) < 0)
			goto fail;
	}
	return 0;
fail:
	evemu_free(rec);
	return -1;
}

/* ---- streaming: one event at a time, memory independent of the file ---- */

struct evemu_reader {
	FILE *f;
	struct evemu_recording hdr;	/* path, id, has_mt; no events */
	size_t lineno;
	char line[EVEMU_MAX_LINE + 2];
	struct evemu_event next;	/* read ahead: the first event follows the header */
	int have_next, have_prev;
	int64_t prev_us;
};

/* The next line into r->line: 1, 0 at the end, -1 on error. */
static int read_line(struct evemu_reader *r, struct bbt_error *e)
{
	size_t n;

	if (fgets(r->line, sizeof(r->line), r->f) == NULL)
		return ferror(r->f) ? bbt_error_set(e, "%s: read error", r->hdr.path) : 0;
	r->lineno++;
	n = strlen(r->line);
	if (n > 0 && r->line[n - 1] == '\n')
		r->line[--n] = '\0';
	else if (n > EVEMU_MAX_LINE)
		return bbt_error_set(e, "%s:%zu: line longer than %d bytes", r->hdr.path,
		    r->lineno, EVEMU_MAX_LINE);
	if (n > 0 && r->line[n - 1] == '\r')
		r->line[--n] = '\0';
	return 1;
}

/* Read lines up to the next event (header lines on the way are applied). */
static int read_ahead(struct evemu_reader *r, struct bbt_error *e)
{
	int rc;

	r->have_next = 0;
	while ((rc = read_line(r, e)) == 1) {
		if (strncmp(r->line, "E:", 2) != 0) {
			if (header_line(r->hdr.path, r->lineno, r->line, &r->hdr, e) < 0)
				return -1;
			continue;
		}
		if (parse_event(r->hdr.path, r->lineno, r->line + 2,
		    r->have_prev ? &r->prev_us : NULL, &r->next, e) < 0)
			return -1;
		r->prev_us = r->next.time_us;
		r->have_prev = r->have_next = 1;
		return 0;
	}
	return rc;
}

int evemu_open(const char *path, struct evemu_reader **out, struct bbt_error *e)
{
	struct evemu_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL)
		return bbt_error_set(e, "%s: out of memory", path);
	snprintf(r->hdr.path, sizeof(r->hdr.path), "%s", path);
	r->f = fopen(path, "rb");
	if (r->f == NULL) {
		bbt_error_set(e, "%s: %s", path, strerror(errno));
		free(r);
		return -1;
	}
	if (read_ahead(r, e) < 0) {
		evemu_close(r);
		return -1;
	}
	*out = r;
	return 0;
}

const struct evemu_recording *evemu_header(const struct evemu_reader *r)
{
	return &r->hdr;
}

int evemu_peek(const struct evemu_reader *r, struct evemu_event *ev)
{
	if (r->have_next)
		*ev = r->next;
	return r->have_next;
}

int evemu_next(struct evemu_reader *r, struct evemu_event *ev, struct bbt_error *e)
{
	if (!r->have_next)
		return 0;
	*ev = r->next;
	if (read_ahead(r, e) < 0)
		return -1;
	return 1;
}

void evemu_close(struct evemu_reader *r)
{
	if (r == NULL)
		return;
	if (r->f != NULL)
		fclose(r->f);
	free(r);
}

int evemu_load(const char *path, struct evemu_recording *rec,
    struct bbt_error *e)
{
	char *buf;
	size_t len;
	int rc;

	memset(rec, 0, sizeof(*rec));
	if (bbt_file_read(path, EVEMU_MAX_FILE, &buf, &len, e) < 0)
		return -1;
	rc = evemu_parse_buffer(path, buf, len, rec, e);
	free(buf);
	return rc;
}

void evemu_free(struct evemu_recording *rec)
{
	free(rec->events);
	rec->events = NULL;
	rec->nevents = rec->cap = 0;
}
