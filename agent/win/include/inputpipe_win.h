/*
 * inputpipe_win: the service's pipe server for the helpers' input (see
 * agent/inputpipe_win.c and win_input.h).
 */
#ifndef INPUTPIPE_WIN_H
#define INPUTPIPE_WIN_H

#include <wchar.h>

/* Make the pipe the input source of the next platform_watch_open; NULL
 * name: WIN_INPUT_PIPE. */
void inputpipe_win_install(const wchar_t *name);

#endif
