/*
 * report: rows of typed cells and their three printed forms.
 *
 * Column widths use our own East Asian width table rather than wcwidth():
 * wcwidth depends on the process locale (a daemon under systemd often runs
 * with LANG=C, where every CJK character would count as unprintable), and a
 * report must look the same however it was started. Table text is printed
 * through one filter (visible_put) that both measures and escapes, so what
 * is measured is exactly what is printed and no control byte gets through.
 */
#include "report.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_array.h"
#include "bbt_time.h"
#include "points.h"

enum cell_type { CELL_NULL, CELL_STR, CELL_INT, CELL_BOOL, CELL_TENTHS };

struct cell {
	enum cell_type type;
	char *s;
	long long i;
};

struct row {
	struct cell *cells;
	cJSON *extra;		/* object of attached members, or NULL */
};

struct report {
	size_t ncols, nrows, cap;
	char **columns;
	unsigned char *code;	/* code[i]: column i holds codes or ids */
	struct row *rows;
};

/*
 * Columns that hold codes and ids, never quantities: a school code 0012, a
 * teacher id 007, a room 1-2 or an agent version 1.10 must stay text in a
 * spreadsheet (a token prefix 1e234567 must not become 1E+234567). Every
 * report names its columns with these JSON keys.
 */
static const char *const code_columns[] = {
	"school", "device_id", "teacher_id", "id", "room", "seq", "agent_version", "hw_id",
	"token",
};

static int is_code_column(const char *name)
{
	for (size_t i = 0; i < sizeof(code_columns) / sizeof(code_columns[0]); i++)
		if (strcmp(name, code_columns[i]) == 0)
			return 1;
	return 0;
}

int report_format_parse(const char *s, enum report_format *f, struct bbt_error *e)
{
	if (s != NULL && strcmp(s, "table") == 0)
		*f = REPORT_TABLE;
	else if (s != NULL && strcmp(s, "csv") == 0)
		*f = REPORT_CSV;
	else if (s != NULL && strcmp(s, "json") == 0)
		*f = REPORT_JSON;
	else
		return bbt_error_set(e, "bad format '%.32s' (want table, csv or json)",
		    s ? s : "");
	return 0;
}

struct report *report_new(size_t ncols, const char *const *columns)
{
	struct report *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->ncols = ncols;
	r->columns = calloc(ncols ? ncols : 1, sizeof(char *));
	r->code = calloc(ncols ? ncols : 1, 1);
	if (r->columns == NULL || r->code == NULL)
		goto fail;
	for (size_t i = 0; i < ncols; i++) {
		r->columns[i] = strdup(columns[i]);
		if (r->columns[i] == NULL)
			goto fail;
		r->code[i] = (unsigned char)is_code_column(columns[i]);
	}
	return r;
fail:
	report_free(r);
	return NULL;
}

void report_free(struct report *r)
{
	if (r == NULL)
		return;
	for (size_t k = 0; k < r->nrows; k++) {
		for (size_t i = 0; i < r->ncols; i++)
			free(r->rows[k].cells[i].s);
		free(r->rows[k].cells);
		cJSON_Delete(r->rows[k].extra);
	}
	for (size_t i = 0; r->columns != NULL && i < r->ncols; i++)
		free(r->columns[i]);
	free(r->columns);
	free(r->code);
	free(r->rows);
	free(r);
}

struct report *report_built(struct report *r, int rc, struct bbt_error *e)
{
	if (r == NULL) {
		bbt_error_set(e, "out of memory");
		return NULL;
	}
	if (rc < 0) {
		report_free(r);
		return NULL;
	}
	return r;
}

int report_code_column(struct report *r, size_t col)
{
	if (col >= r->ncols)
		return -1;
	r->code[col] = 1;
	return 0;
}

size_t report_ncols(const struct report *r)
{
	return r->ncols;
}

const char *report_column(const struct report *r, size_t i)
{
	return i < r->ncols ? r->columns[i] : NULL;
}

int report_set_column(struct report *r, size_t col, const char *name)
{
	char *copy = strdup(name);

	if (copy == NULL)
		return -1;
	free(r->columns[col]);
	r->columns[col] = copy;
	return 0;
}

size_t report_nrows(const struct report *r)
{
	return r->nrows;
}

int report_row(struct report *r)
{
	struct cell *cells;

	if (bbt_grow(&r->rows, &r->cap, r->nrows + 1, sizeof(*r->rows)) < 0)
		return -1;
	cells = calloc(r->ncols ? r->ncols : 1, sizeof(*cells));
	if (cells == NULL)
		return -1;
	r->rows[r->nrows].cells = cells;
	r->rows[r->nrows].extra = NULL;
	r->nrows++;
	return 0;
}

/* The cell col of the last row, emptied; NULL if there is no such cell. */
static struct cell *last_cell(struct report *r, size_t col)
{
	struct cell *c;

	if (r->nrows == 0 || col >= r->ncols)
		return NULL;
	c = &r->rows[r->nrows - 1].cells[col];
	free(c->s);
	memset(c, 0, sizeof(*c));
	return c;
}

int report_str(struct report *r, size_t col, const char *v)
{
	struct cell *c = last_cell(r, col);

	if (c == NULL)
		return -1;
	if (v == NULL)
		return 0;
	c->s = strdup(v);
	if (c->s == NULL)
		return -1;
	c->type = CELL_STR;
	return 0;
}

int report_map_column(struct report *r, size_t col,
    int (*fn)(const char *in, char *out, size_t n))
{
	char buf[256];

	if (col >= r->ncols)
		return 0;
	for (size_t k = 0; k < r->nrows; k++) {
		struct cell *c = &r->rows[k].cells[col];
		char *v;

		if (c->type != CELL_STR || !fn(c->s, buf, sizeof(buf)))
			continue;
		if ((v = strdup(buf)) == NULL)
			return -1;
		free(c->s);
		c->s = v;
	}
	return 0;
}

int report_time(struct report *r, size_t col, int64_t t, const char *zone)
{
	char buf[BBT_ISO8601_LEN];

	if (t <= 0)
		return report_str(r, col, NULL);
	bbt_time_format(t, period_tz_offset(zone, t), buf);
	return report_str(r, col, buf);
}

/* An integer cell of the given type in the last row. */
static int set_number(struct report *r, size_t col, int type, long long v)
{
	struct cell *c = last_cell(r, col);

	if (c == NULL)
		return -1;
	c->type = type;
	c->i = v;
	return 0;
}

int report_int(struct report *r, size_t col, long long v)
{
	return set_number(r, col, CELL_INT, v);
}

int report_tenths(struct report *r, size_t col, long long tenths)
{
	return set_number(r, col, CELL_TENTHS, tenths);
}

int report_bool(struct report *r, size_t col, int v)
{
	struct cell *c = last_cell(r, col);

	if (c == NULL)
		return -1;
	c->type = CELL_BOOL;
	c->i = v != 0;
	return 0;
}

int report_attach(struct report *r, const char *key, cJSON *item)
{
	struct row *row;

	if (r->nrows == 0 || item == NULL) {
		cJSON_Delete(item);
		return -1;
	}
	row = &r->rows[r->nrows - 1];
	if (row->extra == NULL)
		row->extra = cJSON_CreateObject();
	if (row->extra == NULL || !cJSON_AddItemToObject(row->extra, key, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

static cJSON *cell_json(const struct cell *c)
{
	switch (c->type) {
	case CELL_STR: return cJSON_CreateString(c->s);
	case CELL_INT: return cJSON_CreateNumber((double)c->i);
	case CELL_TENTHS: return cJSON_CreateNumber((double)c->i / 10.0);
	case CELL_BOOL: return cJSON_CreateBool((int)c->i);
	case CELL_NULL: break;
	}
	return cJSON_CreateNull();
}

static cJSON *row_json(const struct report *r, const struct row *row)
{
	cJSON *o = cJSON_CreateObject(), *x;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < r->ncols; i++) {
		x = cell_json(&row->cells[i]);
		if (x == NULL || !cJSON_AddItemToObject(o, r->columns[i], x))
			goto fail;
	}
	for (x = row->extra ? row->extra->child : NULL; x != NULL; x = x->next) {
		cJSON *dup = cJSON_Duplicate(x, 1);

		if (dup == NULL || !cJSON_AddItemToObject(o, x->string, dup))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *report_row_json(const struct report *r, size_t k)
{
	return k < r->nrows ? row_json(r, &r->rows[k]) : NULL;
}

cJSON *report_to_json(const struct report *r)
{
	cJSON *a = cJSON_CreateArray(), *o;

	if (a == NULL)
		return NULL;
	for (size_t k = 0; k < r->nrows; k++) {
		o = row_json(r, &r->rows[k]);
		if (o == NULL || !cJSON_AddItemToArray(a, o)) {
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

/*
 * Decode one UTF-8 character at s; *n gets its length. A byte that does not
 * start a well-formed character (stray continuation, overlong form such as
 * C0 9B for ESC, surrogate, past U+10FFFF, cut short) gives -1 with *n = 1,
 * so it is shown as \xNN, never passed raw to a terminal that might take a
 * lone 0x9b as CSI.
 */
static int32_t decode(const unsigned char *s, size_t *n)
{
	uint32_t cp, min;
	size_t len;

	*n = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2; cp = s[0] & 0x1fu; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3; cp = s[0] & 0x0fu; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4; cp = s[0] & 0x07u; min = 0x10000;
	} else {
		return -1;
	}
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)	/* also stops at the NUL */
			return -1;
		cp = (cp << 6) | (s[k] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = len;
	return (int32_t)cp;
}

/* Columns of one code point: the East Asian Wide and Fullwidth blocks are 2. */
static int cp_width(uint32_t c)
{
	if (c == 0 || (c >= 0x300 && c <= 0x36f) || c == 0x200b || c == 0x200d ||
	    (c >= 0xfe00 && c <= 0xfe0f))
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	    (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

/* Characters that change how a terminal lays out text rather than showing
 * something: C1 controls, bidi embeddings/overrides/isolates, line and
 * paragraph separators. Escaped in table output like the C0 controls. */
static int layout_control(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x2028 || c == 0x2029;
}

/* Print s to out (if not NULL) as the table shows it; returns its columns. */
static size_t visible_put(const char *s, FILE *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, n;
	char esc[8];

	while (*p != '\0') {
		int32_t c = decode(p, &n);

		if (c < 0 || c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", p[0]);
		} else if (layout_control((uint32_t)c)) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)c);
		} else {
			if (out != NULL)
				fwrite(p, 1, n, out);
			w += (size_t)cp_width((uint32_t)c);
			p += n;
			continue;
		}
		if (out != NULL)
			fputs(esc, out);
		w += strlen(esc);
		p += n;
	}
	return w;
}

size_t report_display_width(const char *s)
{
	return visible_put(s, NULL);
}

char *report_visible(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return NULL;
	visible_put(s, m);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Text of a cell for table and CSV; buf holds numbers. */
static const char *cell_text(const struct cell *c, char *buf, size_t cap, const char *null)
{
	switch (c->type) {
	case CELL_STR: return c->s;
	case CELL_INT: snprintf(buf, cap, "%lld", c->i); return buf;
	case CELL_TENTHS:
		snprintf(buf, cap, "%s%lld.%lld", c->i < 0 ? "-" : "", llabs(c->i) / 10,
		    llabs(c->i) % 10);
		return buf;
	case CELL_BOOL: return c->i ? "true" : "false";
	case CELL_NULL: break;
	}
	return null;
}

static void pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void table_line(const struct report *r, const size_t *w, const struct row *row,
    FILE *out)
{
	char buf[32];

	for (size_t i = 0; i < r->ncols; i++) {
		const char *t = row ? cell_text(&row->cells[i], buf, sizeof(buf), "-") : r->columns[i];
		size_t tw = report_display_width(t);
		int right = row != NULL && (row->cells[i].type == CELL_INT ||
		    row->cells[i].type == CELL_TENTHS);
		int last = i + 1 == r->ncols;

		if (right)
			pad(out, w[i] - tw);
		visible_put(t, out);
		if (!right && !last)
			pad(out, w[i] - tw);
		fputs(last ? "\n" : "  ", out);
	}
}

static int write_table(const struct report *r, FILE *out, struct bbt_error *e)
{
	size_t *w = calloc(r->ncols ? r->ncols : 1, sizeof(*w));
	char buf[32];

	if (w == NULL)
		return bbt_error_set(e, "out of memory");
	for (size_t i = 0; i < r->ncols; i++) {
		w[i] = report_display_width(r->columns[i]);
		for (size_t k = 0; k < r->nrows; k++) {
			size_t cw = report_display_width(cell_text(&r->rows[k].cells[i], buf,
			    sizeof(buf), "-"));

			if (cw > w[i])
				w[i] = cw;
		}
	}
	table_line(r, w, NULL, out);
	for (size_t k = 0; k < r->nrows; k++)
		table_line(r, w, &r->rows[k], out);
	free(w);
	return 0;
}

/*
 * 1 if a spreadsheet could take text t for a formula: it starts with TAB,
 * CR or LF (some applications trim those, then see what follows), or its
 * first character after spaces (ASCII, no-break, ideographic) is = + - @ or
 * the full-width ＝ ＋ － ＠ that Chinese input methods type.
 */
static int formula_lead(const char *t)
{
	static const char *const wide[] = { "\xef\xbc\x9d", "\xef\xbc\x8b", "\xef\xbc\x8d",
		"\xef\xbc\xa0" };

	if (t[0] == '\t' || t[0] == '\r' || t[0] == '\n')
		return 1;
	for (;;) {
		if (t[0] == ' ')
			t++;
		else if (strncmp(t, "\xc2\xa0", 2) == 0)
			t += 2;
		else if (strncmp(t, "\xe3\x80\x80", 3) == 0)
			t += 3;
		else
			break;
	}
	if (t[0] != '\0' && strchr("=+-@", t[0]) != NULL)
		return 1;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (strncmp(t, wide[i], 3) == 0)
			return 1;
	return 0;
}

/* 1 if Excel would read code t as a number or a date: it starts with a digit
 * (0012, 1-2, 1.10, 1E5), ASCII or full-width. */
static int numeric_lead(const char *t)
{
	return isdigit((unsigned char)t[0]) ||
	    (strncmp(t, "\xef\xbc", 2) == 0 && (unsigned char)t[2] >= 0x90 &&
	    (unsigned char)t[2] <= 0x99);
}

/* One CSV cell; text: a string cell (guarded), code: of a code column. */
static void csv_cell(FILE *out, const char *t, int text, int code)
{
	const char *lead = "";
	int quote;

	/* Never for numbers we print (-120 stays a number). */
	if (text && formula_lead(t))
		lead = "'";
	else if (text && code && numeric_lead(t))
		lead = "\t";
	quote = lead[0] == '\t' || strpbrk(t, ",\"\r\n\t") != NULL || (t[0] == ' ' ||
	    (t[0] != '\0' && t[strlen(t) - 1] == ' '));
	if (quote)
		fputc('"', out);
	fputs(lead, out);
	for (; *t != '\0'; t++) {
		if (*t == '"')
			fputc('"', out);
		fputc(*t, out);
	}
	if (quote)
		fputc('"', out);
}

static int write_csv(const struct report *r, FILE *out)
{
	char buf[32];

	fputs("\xef\xbb\xbf", out);
	for (size_t i = 0; i < r->ncols; i++) {
		csv_cell(out, r->columns[i], 0, 0);
		fputs(i + 1 == r->ncols ? "\r\n" : ",", out);
	}
	for (size_t k = 0; k < r->nrows; k++) {
		for (size_t i = 0; i < r->ncols; i++) {
			const struct cell *c = &r->rows[k].cells[i];

			csv_cell(out, cell_text(c, buf, sizeof(buf), ""), c->type == CELL_STR,
			    r->code[i]);
			fputs(i + 1 == r->ncols ? "\r\n" : ",", out);
		}
	}
	return 0;
}

/* The JSON array, one row's tree at a time: the same text cJSON prints for
 * the whole array, without ever holding the whole tree or its text. */
static int json_rows(const struct report *r, FILE *out)
{
	fputc('[', out);
	for (size_t k = 0; k < r->nrows; k++) {
		cJSON *o = row_json(r, &r->rows[k]);
		char *s = o ? cJSON_PrintUnformatted(o) : NULL;

		cJSON_Delete(o);
		if (s == NULL)
			return -1;
		if (k > 0)
			fputc(',', out);
		fputs(s, out);
		free(s);
	}
	fputc(']', out);
	return 0;
}

static int write_json(const struct report *r, FILE *out, struct bbt_error *e)
{
	if (json_rows(r, out) < 0)
		return bbt_error_set(e, "out of memory");
	fputc('\n', out);
	return 0;
}

char *report_json_text(const struct report *r, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	int rc;

	if (m == NULL)
		return NULL;
	rc = json_rows(r, m);
	if (fclose(m) != 0 || rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int report_write(const struct report *r, enum report_format f, FILE *out,
    struct bbt_error *e)
{
	int rc;

	switch (f) {
	case REPORT_TABLE: rc = write_table(r, out, e); break;
	case REPORT_CSV: rc = write_csv(r, out); break;
	default: rc = write_json(r, out, e); break;
	}
	if (rc == 0 && (fflush(out) != 0 || ferror(out)))
		return bbt_error_set(e, "write error");
	return rc;
}
