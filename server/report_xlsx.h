/*
 * report_xlsx: a report as a real Excel workbook (CONTRACT 5.1 `--format xlsx
 * --out FILE`), written with libxlsxwriter. One sheet, a bold header row
 * in Chinese (the column keys of the JSON form translated; a column already
 * named in Chinese stays), or the keys themselves (--lang en), frozen so it
 * stays in view; then one row per report row:
 *   - text stays a text cell, so codes and ids (610102001, 0012) keep their
 *     leading zeros and are never turned into numbers;
 *   - a time (ISO 8601 as the reports print it, already in the server's
 *     zone) becomes an Excel date-time of that wall-clock time;
 *   - integers and one-decimal figures are numbers (percent and hour columns
 *     show one decimal), booleans are TRUE/FALSE, nulls are empty cells.
 * Nested JSON members (points --explain's sessions) are not written.
 */
#ifndef SERVER_REPORT_XLSX_H
#define SERVER_REPORT_XLSX_H

#include "bbt_error.h"
#include "report.h"

/* Write rep to path (replaced whole) as one sheet named sheet, Chinese
 * headers. Times are written as printed: already in the server's zone. */
int report_xlsx_write(const struct report *rep, const char *path, const char *zone,
    const char *sheet, struct bbt_error *e);
/* The same with Chinese (zh) or key headers. */
int report_xlsx_write_lang(const struct report *rep, const char *path, const char *sheet,
    int zh, struct bbt_error *e);

/* "xlsx" -> *xlsx = 1; anything else through report_format_parse. */
int report_xlsx_format_parse(const char *s, enum report_format *f, int *xlsx,
    struct bbt_error *e);
/*
 * A report command's output (report_cmd.c): xlsx to out (required), else
 * format f to out (NULL = stdout). zh: Chinese headers for xlsx, table and
 * csv (rep's columns are renamed for the last two; JSON keys never change).
 */
int report_xlsx_output(struct report *rep, int xlsx, enum report_format f,
    const char *out, int zh, const char *sheet, struct bbt_error *e);

/* The Chinese header of a report column key ("teacher_id" -> "教师工号"); the
 * key itself when it has none. */
const char *report_xlsx_header(const char *key);
/* The Chinese word for a status or reason value (delivered -> 已开课), or v. */
const char *report_xlsx_value(const char *v);

#endif
