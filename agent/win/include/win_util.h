/*
 * win_util: UTF-8 <-> UTF-16 for the Windows build. The agent's strings are
 * UTF-8 everywhere; only the edge that calls a W API converts.
 */
#ifndef WIN_UTIL_H
#define WIN_UTIL_H

#include <stddef.h>
#include <wchar.h>

/* malloc'ed conversions (free()); NULL for NULL input or invalid text. */
wchar_t *win_utf8_to_wide(const char *s);
char *win_wide_to_utf8(const wchar_t *w);
/* Into a buffer; -1 if it does not fit or is invalid, else the length. */
int win_wide_to_utf8_buf(const wchar_t *w, char *out, size_t len);
/* %ProgramData%\bbt-agent (UTF-8, no trailing separator), computed once. */
const char *win_program_data_dir(void);

#endif
