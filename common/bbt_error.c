/* bbt_error: message buffers passed up the call chain (see bbt_error.h). */
#include "bbt_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void bbt_error_vset(struct bbt_error *e, const char *fmt, va_list ap)
{
	if (e != NULL)
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

void bbt_error_vprefix(struct bbt_error *e, const char *fmt, va_list ap)
{
	char prefix[BBT_ERROR_LEN], old[BBT_ERROR_LEN];

	if (e == NULL)
		return;
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old);
}

const char *bbt_error_msg(const struct bbt_error *e)
{
	return e == NULL ? "" : e->msg;
}
