/*
 * report: the output shapes every report command shares (points, verify,
 * stats, devices): a list of rows with named columns, printed as
 *   table  aligned columns for people; Chinese characters count two columns
 *          (East Asian Wide/Fullwidth), so names line up in a terminal;
 *          null cells show as "-". No control byte ever reaches the
 *          terminal: C0 controls, DEL and invalid UTF-8 bytes print as
 *          \xNN, C1 controls and the bidi/line-separator format characters
 *          as \uNNNN (report_visible), so a hostile hostname cannot move the
 *          cursor, clear the screen or retitle the admin's window
 *   csv    what Chinese Excel opens correctly: UTF-8 with a BOM, CRLF,
 *          RFC 4180 quoting, null as an empty cell. Two guards, on text
 *          cells only (numbers we print, such as a clock offset of -120,
 *          stay numbers):
 *          - formula: a text cell whose first character, after any spaces,
 *            is = + - @ (or their full-width forms), or which starts with
 *            TAB, CR or LF, gets a leading ' so no spreadsheet runs it;
 *          - codes: a cell of a code column (report_code_column; by default
 *            the columns named in report.c: school, device_id, teacher_id,
 *            id, room, seq, agent_version, hw_id, token) that starts with a digit
 *            gets a leading TAB, so Excel keeps "0012" as the text 0012
 *            instead of the number 12 (docs/server.md says why TAB)
 *   json   one array of objects, keys in column order; cells keep their type
 *          (string, integer, boolean, null), and a row may carry extra JSON
 *          members (points --explain nests its sessions that way)
 * A report owns copies of everything put in it.
 */
#ifndef SERVER_REPORT_H
#define SERVER_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "bbt_error.h"

enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_JSON };

struct report;

/* "table", "csv", "json" -> *f. */
int report_format_parse(const char *s, enum report_format *f, struct bbt_error *e);

/* A report with ncols columns named columns[i] (copied). NULL if out of memory. */
struct report *report_new(size_t ncols, const char *const *columns);
void report_free(struct report *r);
/*
 * The end of a build: r if rc (the walk that filled it, run only when r
 * is not NULL) is 0; NULL with e saying "out of memory" if r is NULL, or
 * with r freed if rc < 0 (e filled by the walk).
 */
struct report *report_built(struct report *r, int rc, struct bbt_error *e);
size_t report_nrows(const struct report *r);
/* Its columns (for writers outside this module: report_xlsx). */
size_t report_ncols(const struct report *r);
const char *report_column(const struct report *r, size_t i);

/* Rename column col (a header language; the code flag stays). -1 if out
 * of memory. */
int report_set_column(struct report *r, size_t col, const char *name);

/*
 * Give every string cell of column col the text fn writes for it (fn
 * returns 1 after writing a NUL-terminated replacement into out, of n
 * bytes; 0 keeps the cell). The header language's values (report_xlsx).
 * -1 if out of memory; cells already replaced stay replaced.
 */
int report_map_column(struct report *r, size_t col,
    int (*fn)(const char *in, char *out, size_t n));

/* Treat column col as a code (ids, school codes): see the csv guard above. */
int report_code_column(struct report *r, size_t col);

/* Start a new row; its cells are null until set. */
int report_row(struct report *r);
/* Set a cell of the last row (v NULL = null). */
int report_str(struct report *r, size_t col, const char *v);
int report_int(struct report *r, size_t col, long long v);
int report_bool(struct report *r, size_t col, int v);
/* An instant as ISO 8601 in the named zone; null for t <= 0 (never). */
int report_time(struct report *r, size_t col, int64_t t, const char *zone);
/* A number with one decimal given in tenths (400 -> 40.0; JSON 40.0). */
int report_tenths(struct report *r, size_t col, long long tenths);
/* Attach an extra JSON member to the last row (JSON output only); takes item. */
int report_attach(struct report *r, const char *key, cJSON *item);

/* The whole report as a cJSON array (caller deletes). NULL if out of memory. */
cJSON *report_to_json(const struct report *r);
/* Row k as the array's object (caller deletes); NULL if out of memory or
 * past the last row. For writers that go a row at a time. */
cJSON *report_row_json(const struct report *r, size_t k);
/* The JSON array as text (*len bytes, NUL-terminated, caller frees), built
 * one row at a time: the text report_write prints, less its newline. NULL
 * if out of memory. */
char *report_json_text(const struct report *r, size_t *len);
/* Print in the given format. */
int report_write(const struct report *r, enum report_format f, FILE *out,
    struct bbt_error *e);

/* Terminal columns taken by a UTF-8 string (wide CJK = 2, combining = 0),
 * as the table prints it (escapes included). */
size_t report_display_width(const char *s);
/* s as table output shows it: controls escaped (see above); caller frees.
 * NULL if out of memory. */
char *report_visible(const char *s);

#endif
