/* sys/random.h for the Windows build: getrandom() from the system RNG. */
#ifndef BBT_WIN_SYS_RANDOM_H
#define BBT_WIN_SYS_RANDOM_H
#include <stddef.h>
#include <sys/types.h>
ssize_t getrandom(void *buf, size_t len, unsigned flags);
#endif
