/* bbt_error: message buffers passed up the call chain (see bbt_error.h). */
#include "bbt_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int bbt_error_set(struct bbt_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int bbt_error_prefix(struct bbt_error *e, const char *fmt, ...)
{
	char prefix[BBT_ERROR_LEN], old[BBT_ERROR_LEN];
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old);
	return -1;
}

const char *bbt_error_msg(const struct bbt_error *e)
{
	return e == NULL ? "" : e->msg;
}
