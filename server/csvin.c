/*
 * csvin: charset detection and conversion (iconv) in front of libcsv.
 *
 * libcsv does not count lines, so bytes are fed to it one at a time while we
 * count newlines: the first byte of a record that is not a line terminator
 * fixes the record's start line, and the end-of-record callback clears it.
 * Timetables are kilobytes, so the per-byte call costs nothing that matters.
 * The callback cannot stop libcsv, so after a failure we just stop feeding.
 */
#include "bbt_file.h"
#include "bbt_utf8.h"
#include "csvin.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct reader {
	const char *name;
	csvin_record_fn fn;
	void *arg;
	char *fields[CSVIN_MAX_FIELDS];
	size_t nfields;
	size_t line;		/* physical line of the byte being fed */
	size_t rec_line;	/* line where the current record began, 0 = none */
	size_t fail_line;	/* where the failure happened */
	unsigned char delim;	/* ',' or TAB */
	int failed;
	struct bbt_error *e;
};

enum csvin_charset csvin_detect(const unsigned char *buf, size_t len)
{
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		return CSVIN_UTF8_BOM;
	if (len >= 2 && ((buf[0] == 0xff && buf[1] == 0xfe) || (buf[0] == 0xfe && buf[1] == 0xff)))
		return CSVIN_UTF16;
	if (bbt_utf8_valid(buf, len, 1))
		return CSVIN_UTF8;
	return CSVIN_GB18030;
}

const char *csvin_charset_name(enum csvin_charset cs)
{
	switch (cs) {
	case CSVIN_UTF8_BOM: return "UTF-8 (BOM)";
	case CSVIN_UTF8: return "UTF-8";
	case CSVIN_GB18030: return "GB18030";
	case CSVIN_UTF16: return "UTF-16";
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

/* Convert with iconv from charset "from"; the BOM of UTF-16 is consumed. */
static int convert(const char *name, const char *from, const char *buf, size_t len,
    char **out, size_t *out_len, struct bbt_error *e)
{
	iconv_t cd = iconv_open("UTF-8", from);
	/* A GB18030 character of 2 or 4 bytes never takes more than 4 in UTF-8,
	 * a UTF-16 unit of 2 never more than 3. */
	size_t cap = len * 2 + 4, left_in = len, left_out;
	char *in = (char *)buf, *res = NULL, *o;
	int rc = -1;

	if (cd == (iconv_t)-1)
		return bbt_error_set(e, "%s: iconv %s -> UTF-8: %s", name, from,
		    strerror(errno));
	res = malloc(cap);
	if (res == NULL) {
		bbt_error_set(e, "%s: out of memory", name);
		goto out;
	}
	o = res;
	left_out = cap - 1;
	if (iconv(cd, &in, &left_in, &o, &left_out) == (size_t)-1) {
		if (strcmp(from, "GB18030") == 0)
			bbt_error_set(e, "%s:%zu: bytes that are neither UTF-8 nor GB18030/GBK",
			    name, line_of(buf, (size_t)(in - buf)));
		else
			bbt_error_set(e, "%s: broken %s text after byte %zu: save it as "
			    "CSV UTF-8 (逗号分隔)", name, from, (size_t)(in - buf));
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

#define SAVE_AS "in Excel or WPS choose 另存为 (Save As) " \
	"\"CSV UTF-8 (逗号分隔)\" and import that"

/* A file that is not text at all, named for what it is; 0 if it may be text. */
static int not_text(const char *name, const unsigned char *b, size_t len,
    struct bbt_error *e)
{
	size_t even = 0, odd = 0, n = len < 4096 ? len : 4096;

	if (len >= 4 && memcmp(b, "PK\x03\x04", 4) == 0)
		return bbt_error_set(e, "%s: this is an Excel workbook (.xlsx) or another ZIP "
		    "file, not CSV text: " SAVE_AS, name);
	if (len >= 8 && memcmp(b, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0)
		return bbt_error_set(e, "%s: this is an old Excel/WPS workbook (.xls, .et), not "
		    "CSV text: " SAVE_AS, name);
	if (csvin_detect(b, len) == CSVIN_UTF16)
		return 0;
	/* UTF-16 of mostly ASCII has a NUL in every other byte. */
	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0)
			continue;
		if (i % 2)
			odd++;
		else
			even++;
	}
	if (n >= 16 && (even + odd) * 3 >= n && (even * 10 < odd || odd * 10 < even))
		return bbt_error_set(e, "%s: this is UTF-16 text without a byte order mark: "
		    SAVE_AS, name);
	return 0;
}

int csvin_to_utf8(const char *name, const char *buf, size_t len, char **out,
    size_t *out_len, enum csvin_charset *cs, struct bbt_error *e)
{
	enum csvin_charset found = csvin_detect((const unsigned char *)buf, len);
	const char *nul;
	size_t skip = found == CSVIN_UTF8_BOM ? 3 : 0;

	if (not_text(name, (const unsigned char *)buf, len, e) < 0)
		return -1;
	if (cs != NULL)
		*cs = found;
	if (found == CSVIN_UTF16) {
		if (convert(name, "UTF-16", buf, len, out, out_len, e) < 0)
			return -1;
		nul = memchr(*out, '\0', *out_len);
		if (nul == NULL)
			return 0;
		bbt_error_set(e, "%s:%zu: NUL character (not a text CSV file)", name,
		    line_of(*out, (size_t)(nul - *out)));
		free(*out);
		*out = NULL;
		return -1;
	}
	nul = memchr(buf, '\0', len);
	if (nul != NULL)
		return bbt_error_set(e, "%s:%zu: NUL byte (not a text CSV file: save it as "
		    "CSV UTF-8)", name, line_of(buf, (size_t)(nul - buf)));
	if (found == CSVIN_GB18030)
		return convert(name, "GB18030", buf, len, out, out_len, e);
	if (found == CSVIN_UTF8_BOM &&
	    !bbt_utf8_valid(buf + 3, len - 3, 1))
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

/* With TAB as the delimiter only a space is a blank around a field. */
static int is_space(unsigned char c)
{
	return c == CSV_SPACE;
}

/* TAB-separated when the first line has a TAB and no comma (Excel's
 * "Unicode text"), else comma-separated. */
static unsigned char delimiter(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	size_t n = nl ? (size_t)(nl - text) : len;

	return memchr(text, '\t', n) != NULL && memchr(text, ',', n) == NULL ? CSV_TAB :
	    CSV_COMMA;
}

/* Feed UTF-8 text to libcsv byte by byte, tracking each record's first line. */
static int parse_utf8(struct reader *r, const char *text, size_t len)
{
	struct csv_parser p;
	int rc = -1;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return bbt_error_set(r->e, "%s: cannot start the CSV parser", r->name);
	if (delimiter(text, len) == CSV_TAB) {
		csv_set_delim(&p, CSV_TAB);
		csv_set_space_func(&p, is_space);
	}
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
	char *buf;
	size_t len;
	int rc;

	if (bbt_file_read(path, CSVIN_MAX_BYTES, &buf, &len, e) < 0)
		return -1;
	rc = csvin_parse_buf(path, buf, len, fn, arg, cs, e);
	free(buf);
	return rc;
}

int csvin_fold_width(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	while (*in != '\0') {
		const unsigned char *u = (const unsigned char *)in;
		char c = *in;
		size_t skip = 1;

		if (u[0] == 0xef && ((u[1] == 0xbc && u[2] >= 0x81 && u[2] <= 0xbf) ||
		    (u[1] == 0xbd && u[2] >= 0x80 && u[2] <= 0x9e))) {
			/* U+FF01..U+FF5E = EF BC 81..EF BD 9E -> 0x21..0x7e */
			c = (char)(0x21 + (u[1] - 0xbc) * 0x40 + (u[2] - 0x81));
			skip = 3;
		} else if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) {
			c = ' ';
			skip = 3;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = c;
		in += skip;
	}
	if (cap == 0)
		return -1;
	out[o] = '\0';
	return 0;
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

/* Does header cell h name column c? */
static int header_is(const struct csvin_column *c, const char *h)
{
	return strcasecmp(h, c->name) == 0 || (c->alt && strcmp(h, c->alt) == 0);
}

int csvin_map_header(const struct csvin_column *cols, size_t count, size_t n, char **f,
    long *idx, size_t *ncols, struct bbt_error *e)
{
	for (size_t c = 0; c < count; c++)
		idx[c] = -1;
	for (size_t i = 0; i < n; i++) {
		const char *h = csvin_trim(f[i]);

		for (size_t c = 0; c < count; c++) {
			if (!header_is(&cols[c], h))
				continue;
			if (idx[c] >= 0)
				return bbt_error_set(e, "column '%s' appears twice", h);
			idx[c] = (long)i;
		}
	}
	for (size_t c = 0; c < count; c++) {
		if (!cols[c].required || idx[c] >= 0)
			continue;
		if (cols[c].alt)
			return bbt_error_set(e, "header lacks the column '%s' (%s)", cols[c].name,
			    cols[c].alt);
		return bbt_error_set(e, "header lacks the column '%s'", cols[c].name);
	}
	*ncols = n;
	return 0;
}

int csvin_check_width(const struct csvin_column *cols, size_t count, const long *idx,
    size_t ncols, size_t n, struct bbt_error *e)
{
	char missing[256] = "";
	size_t used = 0;
	int short_required = 0;

	if (n >= ncols)
		return 0;
	for (size_t c = 0; c < count; c++) {
		if (idx[c] < 0 || (size_t)idx[c] < n)
			continue;
		short_required |= cols[c].required;
		if (used < sizeof(missing))
			used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s",
			    used ? ", " : "", cols[c].name);
	}
	if (!short_required)
		return 0;
	return bbt_error_set(e, "%zu columns, expected %zu (no %s; a row cut short, or a "
	    "cell missing its comma)", n, ncols, missing);
}

const char *csvin_cell(const long *idx, size_t c, size_t n, char **f)
{
	return idx[c] >= 0 && (size_t)idx[c] < n ? csvin_trim(f[idx[c]]) : "";
}

int csvin_row_empty(const char *const *v, size_t count)
{
	for (size_t c = 0; c < count; c++)
		if (v[c][0] != '\0')
			return 0;
	return 1;
}

int csvin_require(const struct csvin_column *cols, const char *const *v, const int *need,
    size_t nneed, struct bbt_error *e)
{
	for (size_t i = 0; i < nneed; i++)
		if (v[need[i]][0] == '\0')
			return bbt_error_set(e, "empty %s", cols[need[i]].name);
	return 0;
}

int csvin_copy(char *dst, size_t cap, const char *src, const struct csvin_column *col,
    struct bbt_error *e)
{
	size_t n = strlen(src);

	if (n >= cap)
		return bbt_error_set(e, "%s longer than %zu bytes", col->name, cap - 1);
	memcpy(dst, src, n + 1);
	return 0;
}
