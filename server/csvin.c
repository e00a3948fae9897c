/*
 * csvin: charset detection and conversion (iconv) in front of libcsv.
 *
 * libcsv does not count lines, so bytes are fed to it one at a time while we
 * count newlines: the first byte of a record that is not a line terminator
 * fixes the record's start line, and the end-of-record callback clears it.
 * Timetables are kilobytes, so the per-byte call costs nothing that matters.
 * The callback cannot stop libcsv, so after a failure we just stop feeding.
 */
#include "csvin.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *name;
	csvin_record_fn fn;
	void *arg;
	char *fields[CSVIN_MAX_FIELDS];
	size_t nfields;
	size_t line;		/* physical line of the byte being fed */
	size_t rec_line;	/* line where the current record began, 0 = none */
	size_t fail_line;	/* where the failure happened */
	int failed;
	struct bbt_error *e;
};

int csvin_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

enum csvin_charset csvin_detect(const unsigned char *buf, size_t len)
{
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		return CSVIN_UTF8_BOM;
	if (csvin_utf8_valid(buf, len))
		return CSVIN_UTF8;
	return CSVIN_GB18030;
}

const char *csvin_charset_name(enum csvin_charset cs)
{
	switch (cs) {
	case CSVIN_UTF8_BOM: return "UTF-8 (BOM)";
	case CSVIN_UTF8: return "UTF-8";
	case CSVIN_GB18030: return "GB18030";
	}
	return "?";
}

/* 1-based line of byte offset pos (GB18030 never uses 0x0a inside a character). */
static size_t line_of(const char *buf, size_t pos)
{
	size_t line = 1;

	for (size_t i = 0; i < pos; i++)
		line += buf[i] == '\n';
	return line;
}

static int from_gb18030(const char *name, const char *buf, size_t len,
    char **out, size_t *out_len, struct bbt_error *e)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	size_t cap = len * 2 + 4, left_in = len, left_out;
	char *in = (char *)buf, *res = NULL, *o;
	int rc = -1;

	if (cd == (iconv_t)-1)
		return bbt_error_set(e, "%s: iconv GB18030 -> UTF-8: %s", name,
		    strerror(errno));
	/* A GB18030 character of 2 or 4 bytes never takes more than 4 in UTF-8. */
	res = malloc(cap);
	if (res == NULL) {
		bbt_error_set(e, "%s: out of memory", name);
		goto out;
	}
	o = res;
	left_out = cap - 1;
	if (iconv(cd, &in, &left_in, &o, &left_out) == (size_t)-1) {
		bbt_error_set(e, "%s:%zu: bytes that are neither UTF-8 nor GB18030/GBK",
		    name, line_of(buf, (size_t)(in - buf)));
		goto out;
	}
	*o = '\0';
	*out_len = (size_t)(o - res);
	*out = res;
	res = NULL;
	rc = 0;
out:
	free(res);
	iconv_close(cd);
	return rc;
}

int csvin_to_utf8(const char *name, const char *buf, size_t len, char **out,
    size_t *out_len, enum csvin_charset *cs, struct bbt_error *e)
{
	enum csvin_charset found = csvin_detect((const unsigned char *)buf, len);
	const char *nul = memchr(buf, '\0', len);
	size_t skip = found == CSVIN_UTF8_BOM ? 3 : 0;

	if (nul != NULL)
		return bbt_error_set(e, "%s:%zu: NUL byte (not a text CSV file)", name,
		    line_of(buf, (size_t)(nul - buf)));
	if (cs != NULL)
		*cs = found;
	if (found == CSVIN_GB18030)
		return from_gb18030(name, buf, len, out, out_len, e);
	if (found == CSVIN_UTF8_BOM &&
	    !csvin_utf8_valid((const unsigned char *)buf + 3, len - 3))
		return bbt_error_set(e, "%s:%zu: invalid UTF-8 after a UTF-8 BOM",
		    name, line_of(buf, len));
	*out = malloc(len - skip + 1);
	if (*out == NULL)
		return bbt_error_set(e, "%s: out of memory", name);
	memcpy(*out, buf + skip, len - skip);
	(*out)[len - skip] = '\0';
	*out_len = len - skip;
	return 0;
}

static void clear_fields(struct reader *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	r->nfields = 0;
}

static void on_field(void *data, size_t len, void *arg)
{
	struct reader *r = arg;
	char *f;

	if (r->failed)
		return;
	r->fail_line = r->rec_line;
	if (r->nfields >= CSVIN_MAX_FIELDS) {
		r->failed = 1;
		bbt_error_set(r->e, "more than %d columns", CSVIN_MAX_FIELDS);
		return;
	}
	f = malloc(len + 1);
	if (f == NULL) {
		r->failed = 1;
		bbt_error_set(r->e, "out of memory");
		return;
	}
	if (len > 0)
		memcpy(f, data, len);
	f[len] = '\0';
	r->fields[r->nfields++] = f;
}

static void on_record(int term, void *arg)
{
	struct reader *r = arg;

	if (!r->failed) {
		r->fail_line = r->rec_line;
		if (r->fn(r->arg, r->rec_line, r->nfields, r->fields, r->e) < 0)
			r->failed = 1;
	}
	clear_fields(r);
	r->rec_line = 0;
}

/* Feed UTF-8 text to libcsv byte by byte, tracking each record's first line. */
static int parse_utf8(struct reader *r, const char *text, size_t len)
{
	struct csv_parser p;
	int rc = -1;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return bbt_error_set(r->e, "%s: cannot start the CSV parser", r->name);
	r->line = 1;
	for (size_t i = 0; i < len && !r->failed; i++) {
		char c = text[i];

		if (r->rec_line == 0 && c != '\n' && c != '\r')
			r->rec_line = r->line;
		if (csv_parse(&p, &text[i], 1, on_field, on_record, r) != 1) {
			bbt_error_set(r->e, "%s:%zu: malformed CSV (%s)", r->name,
			    r->rec_line ? r->rec_line : r->line, csv_strerror(csv_error(&p)));
			goto out;
		}
		r->line += c == '\n';
	}
	if (!r->failed && csv_fini(&p, on_field, on_record, r) != 0) {
		bbt_error_set(r->e, "%s:%zu: malformed CSV (%s)", r->name,
		    r->rec_line ? r->rec_line : r->line, csv_strerror(csv_error(&p)));
		goto out;
	}
	if (r->failed) {
		bbt_error_prefix(r->e, "%s:%zu", r->name, r->fail_line);
		goto out;
	}
	rc = 0;
out:
	clear_fields(r);
	csv_free(&p);
	return rc;
}

int csvin_parse_buf(const char *name, const char *buf, size_t len,
    csvin_record_fn fn, void *arg, enum csvin_charset *cs, struct bbt_error *e)
{
	struct reader r = { .name = name, .fn = fn, .arg = arg, .e = e };
	struct bbt_error local;
	char *text = NULL;
	size_t text_len = 0;
	int rc;

	if (e == NULL)
		r.e = &local;
	if (len > CSVIN_MAX_BYTES)
		return bbt_error_set(e, "%s: larger than %u bytes", name, CSVIN_MAX_BYTES);
	if (csvin_to_utf8(name, buf, len, &text, &text_len, cs, e) < 0)
		return -1;
	rc = parse_utf8(&r, text, text_len);
	free(text);
	return rc;
}

int csvin_read_file(const char *path, csvin_record_fn fn, void *arg,
    enum csvin_charset *cs, struct bbt_error *e)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if (f == NULL)
		return bbt_error_set(e, "%s: %s", path, strerror(errno));
	buf = malloc(CSVIN_MAX_BYTES + 1);
	if (buf == NULL) {
		bbt_error_set(e, "%s: out of memory", path);
		goto out;
	}
	len = fread(buf, 1, CSVIN_MAX_BYTES + 1, f);
	if (ferror(f)) {
		bbt_error_set(e, "%s: read error", path);
		goto out;
	}
	rc = csvin_parse_buf(path, buf, len, fn, arg, cs, e);
out:
	free(buf);
	fclose(f);
	return rc;
}

/* Trim ASCII blanks and U+3000 from both ends, in place. */
char *csvin_trim(char *s)
{
	size_t n;

	for (;;) {
		if (isspace((unsigned char)*s))
			s++;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
			s += 3;
		else
			break;
	}
	n = strlen(s);
	for (;;) {
		if (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	return s;
}
