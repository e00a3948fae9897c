/*
 * unit_shim.h: force-included into the shared unit tests when cross-built
 * for wine (agent/windows.mk). Those tests clean up and inspect their temp
 * dirs with system("rm -rf ..."), a POSIX shell command; under wine the
 * shim runs it with the host's /bin/sh (wine's start /unix), on the same
 * files, since the tests' /tmp paths resolve through drive Z: to the host's
 * /tmp. Test builds only: the agent itself never runs a shell.
 */
#ifndef BBT_UNIT_SHIM_H
#define BBT_UNIT_SHIM_H
int bbt_wine_system(const char *cmd);
#define system(c) bbt_wine_system(c)
#endif
