/*
 * csvin: read a CSV file as Chinese Excel saves it, record by record, in UTF-8.
 *
 * Input may be UTF-8 with a BOM, UTF-8 without one, GB18030 (a superset of
 * GBK, what "CSV" means in a Chinese Excel), or UTF-16 with its BOM (Excel's
 * "Unicode text", which is TAB-separated). The charset is decided once for
 * the whole file: a UTF-8 BOM means UTF-8, a UTF-16 BOM (FF FE or FE FF)
 * UTF-16, converted with iconv; else bytes that are entirely valid UTF-8 are
 * UTF-8; else the file is converted from GB18030 with iconv. Records are
 * then split by libcsv (RFC 4180 quoting, quoted newlines, strict quotes),
 * on commas, or on TABs when the first line has TABs and no comma.
 *
 * What is not text is named with what to do instead of a bare "NUL byte":
 * an .xlsx (a ZIP: "PK\3\4"), an .xls/.et (an OLE file: D0 CF 11 E0) and
 * UTF-16 without a BOM each get "save as CSV UTF-8 (逗号分隔)".
 *
 * Every record is handed to a callback with the physical line (1-based) where
 * it starts, so errors point at what a person sees in a text editor. Errors
 * are "NAME:LINE: reason" (NAME is the file name given by the caller). Blank
 * lines are skipped by libcsv and never reach the callback. A file holding a
 * NUL byte or larger than CSVIN_MAX_BYTES is refused.
 */
#ifndef SERVER_CSVIN_H
#define SERVER_CSVIN_H

#include <stddef.h>

#include "bbt_error.h"

#define CSVIN_MAX_BYTES (16u * 1024 * 1024)
#define CSVIN_MAX_FIELDS 256

enum csvin_charset { CSVIN_UTF8_BOM, CSVIN_UTF8, CSVIN_GB18030, CSVIN_UTF16 };

/*
 * Called once per record. fields[i] are NUL-terminated UTF-8 strings owned by
 * csvin and valid only during the call. Return 0 to go on, -1 (with e set to
 * a reason, no position: csvin adds "NAME:LINE: ") to stop the whole read.
 */
typedef int (*csvin_record_fn)(void *arg, size_t line, size_t nfields,
    char **fields, struct bbt_error *e);

/* Which charset csvin would read these bytes as. */
enum csvin_charset csvin_detect(const unsigned char *buf, size_t len);
/* Name of a charset for messages: "UTF-8 (BOM)", "UTF-8", "GB18030", "UTF-16". */
const char *csvin_charset_name(enum csvin_charset cs);

/*
 * Convert raw file bytes to UTF-8 (BOM removed) in a new malloc'd buffer
 * (*out, *out_len, NUL-terminated); *cs (may be NULL) gets what was detected.
 */
int csvin_to_utf8(const char *name, const char *buf, size_t len, char **out,
    size_t *out_len, enum csvin_charset *cs, struct bbt_error *e);

/* Decode and parse a whole in-memory file; name is used in messages. */
int csvin_parse_buf(const char *name, const char *buf, size_t len,
    csvin_record_fn fn, void *arg, enum csvin_charset *cs, struct bbt_error *e);

/* Trim ASCII blanks and the ideographic space U+3000 (which Chinese input
 * methods leave in cells) from both ends, in place; returns the new start. */
char *csvin_trim(char *s);

/*
 * Fold the full-width forms of ASCII (U+FF01..U+FF5E: ８：００, ＠) to ASCII
 * and the ideographic space U+3000 to a space, into out (NUL-terminated):
 * what a Chinese input method types in a time or a number. Both importers
 * read times through it. -1 if out is too small.
 */
int csvin_fold_width(const char *in, char *out, size_t cap);

/*
 * Files whose header row names the columns (the timetable, the schedule):
 * a table of the columns a reader knows, in its own order, and for each
 * the index of the cell that holds it (-1: not in this file's header).
 */
struct csvin_column {
	const char *name;	/* the header cell (ASCII case folded), and its name in messages */
	const char *alt;	/* another header cell meaning the same, or NULL */
	int required;		/* a header without it is refused */
};

/* Map the header row's n cells f (trimmed in place) to idx[0..count) and
 * set *ncols = n: 0, or -1 for a column given twice or a required one
 * missing (*ncols untouched). */
int csvin_map_header(const struct csvin_column *cols, size_t count, size_t n, char **f,
    long *idx, size_t *ncols, struct bbt_error *e);
/*
 * A row of n cells under a header of ncols: 0 when it is as wide, or when
 * the cells it lacks are all optional ones (trailing optional cells may be
 * left out); else -1 naming the required columns it lacks ("5 columns,
 * expected 8 (no teacher_id, ...)") rather than calling the cell empty.
 */
int csvin_check_width(const struct csvin_column *cols, size_t count, const long *idx,
    size_t ncols, size_t n, struct bbt_error *e);
/* Column c's cell of a row of n cells f, trimmed in place; "" if absent. */
const char *csvin_cell(const long *idx, size_t c, size_t n, char **f);
/* 1 when every one of v[0..count) is "" (the rows of bare commas Excel
 * leaves at the end of a sheet, skipped), else 0. */
int csvin_row_empty(const char *const *v, size_t count);
/* 0 when none of the columns need[0..nneed) is empty in v; else -1, "empty NAME". */
int csvin_require(const struct csvin_column *cols, const char *const *v, const int *need,
    size_t nneed, struct bbt_error *e);
/* Copy src into dst (cap bytes): 0, or -1 "NAME longer than cap-1 bytes". */
int csvin_copy(char *dst, size_t cap, const char *src, const struct csvin_column *col,
    struct bbt_error *e);

/* Read the file at path (at most CSVIN_MAX_BYTES) and parse it. */
int csvin_read_file(const char *path, csvin_record_fn fn, void *arg,
    enum csvin_charset *cs, struct bbt_error *e);

#endif
