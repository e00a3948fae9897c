/*
 * ini.h for the Windows build: the part of libinih's interface the agent
 * uses (ini_parse_stream), implemented by agent/ini_win.c with libinih r55's
 * rules as Debian builds it. Debian's libinih source package could not be
 * fetched from the archive mirror (its files answer 404), so there is no
 * library to cross-build; config.c is the same code on both systems.
 */
#ifndef BBT_WIN_INI_H
#define BBT_WIN_INI_H

typedef int (*ini_handler)(void *user, const char *section, const char *name,
    const char *value);
typedef char *(*ini_reader)(char *str, int num, void *stream);

#define INI_MAX_LINE 200

/* 0 on success, the first bad line's number, or -2 (out of memory). */
int ini_parse_stream(ini_reader reader, void *stream, ini_handler handler, void *user);

#endif
