/*
 * bbt_array: see bbt_array.h. The pointer is passed as void * and moved
 * with memcpy, so any T ** can be given without a cast (a T ** does not
 * convert to void ** in C). The first capacity is 8 elements or need.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_array.h"

#ifdef _WIN32
/* mingw's C library has no reallocarray: the same check by hand. */
static void *reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size); // style-ok: n * size checked just above
}
#endif

int bbt_grow(void *pp, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 8;
	void *p, *np;

	if (need <= *cap)
		return 0;
	if (size == 0 || need > SIZE_MAX / size) {
		errno = EOVERFLOW;
		return -1;
	}
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > SIZE_MAX / size)
		ncap = need;
	memcpy(&p, pp, sizeof(p));
	np = reallocarray(p, ncap, size);
	if (np == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(pp, &np, sizeof(np));
	*cap = ncap;
	return 0;
}
