/*
 * bbt_array: the one way to grow a heap array. Every count * size product
 * is checked (reallocarray), so a count from a file or the network cannot
 * wrap the allocation into a short buffer; capacity doubles, so n appends
 * cost O(n). On failure nothing changes: the old array and its capacity
 * stay valid and owned by the caller.
 */
#ifndef BBT_ARRAY_H
#define BBT_ARRAY_H

#include <stddef.h>

/*
 * Make the array at *pp (a T **, NULL at first) hold at least need
 * elements of size bytes; *cap is its capacity in elements. 0, or -1 with
 * errno ENOMEM (out of memory) or EOVERFLOW (need * size does not fit).
 * Usage: if (bbt_grow(&v, &cap, n + 1, sizeof(*v)) < 0) goto fail;
 */
int bbt_grow(void *pp, size_t *cap, size_t need, size_t size);

#endif
