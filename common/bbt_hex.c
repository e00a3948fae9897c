/*
 * bbt_hex: lowercase hex encoding (bbt_hex.h). Decoding accepts only the
 * lowercase digits encoding writes, so a stored value has one spelling.
 */
#include "bbt_hex.h"

void bbt_hex_encode(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int bbt_hex_decode(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = digit(s[2 * i]), lo = hi < 0 ? -1 : digit(s[2 * i + 1]);

		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi * 16 + lo);
	}
	return 0;
}
