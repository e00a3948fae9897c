/*
 * report: rows of typed cells and their three printed forms.
 *
 * Column widths use our own East Asian width table rather than wcwidth():
 * wcwidth depends on the process locale (a daemon under systemd often runs
 * with LANG=C, where every CJK character would count as unprintable), and a
 * report must look the same however it was started. Invalid UTF-8 counts
 * one column per byte, so a broken name misaligns but never crashes.
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	struct row *rows;
};

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
	if (r->columns == NULL)
		goto fail;
	for (size_t i = 0; i < ncols; i++) {
		r->columns[i] = strdup(columns[i]);
		if (r->columns[i] == NULL)
			goto fail;
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
	free(r->rows);
	free(r);
}

size_t report_nrows(const struct report *r)
{
	return r->nrows;
}

int report_row(struct report *r)
{
	struct cell *cells;

	if (r->nrows == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct row *p = realloc(r->rows, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		r->rows = p;
		r->cap = cap;
	}
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

int report_int(struct report *r, size_t col, long long v)
{
	struct cell *c = last_cell(r, col);

	if (c == NULL)
		return -1;
	c->type = CELL_INT;
	c->i = v;
	return 0;
}

int report_tenths(struct report *r, size_t col, long long tenths)
{
	struct cell *c = last_cell(r, col);

	if (c == NULL)
		return -1;
	c->type = CELL_TENTHS;
	c->i = tenths;
	return 0;
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

/* Decode one UTF-8 character at s; *n gets its length (1 for a bad byte). */
static uint32_t decode(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
		*n = 2;
		return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*n = 3;
		return ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) |
		    (s[2] & 0x3f);
	}
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80) {
		*n = 4;
		return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
		    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	}
	*n = 1;
	return 0xfffd;
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

size_t report_display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, n;

	while (*p != '\0') {
		w += (size_t)cp_width(decode(p, &n));
		p += n;
	}
	return w;
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
		fputs(t, out);
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

static void csv_cell(FILE *out, const char *t, int text)
{
	int quote = strpbrk(t, ",\"\r\n") != NULL || (t[0] == ' ' ||
	    (t[0] != '\0' && t[strlen(t) - 1] == ' '));

	if (quote)
		fputc('"', out);
	/* Excel runs a cell starting with = + @ as a formula: never for our data. */
	if (text && (t[0] == '=' || t[0] == '+' || t[0] == '@'))
		fputc('\'', out);
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
		csv_cell(out, r->columns[i], 0);
		fputs(i + 1 == r->ncols ? "\r\n" : ",", out);
	}
	for (size_t k = 0; k < r->nrows; k++) {
		for (size_t i = 0; i < r->ncols; i++) {
			const struct cell *c = &r->rows[k].cells[i];

			csv_cell(out, cell_text(c, buf, sizeof(buf), ""), c->type == CELL_STR);
			fputs(i + 1 == r->ncols ? "\r\n" : ",", out);
		}
	}
	return 0;
}

static int write_json(const struct report *r, FILE *out, struct bbt_error *e)
{
	cJSON *a = report_to_json(r);
	char *s = a ? cJSON_PrintUnformatted(a) : NULL;

	cJSON_Delete(a);
	if (s == NULL)
		return bbt_error_set(e, "out of memory");
	fputs(s, out);
	fputc('\n', out);
	free(s);
	return 0;
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
