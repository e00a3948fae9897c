/*
 * bbt_utf8: see bbt_utf8.h. The lead byte fixes the length and the least
 * code point that length may carry; C0/C1 leads and F5..FF can start no
 * shortest form, so they are refused before any continuation is read.
 */
#include "bbt_utf8.h"

size_t bbt_utf8_char(const unsigned char *p, size_t left, uint32_t *cp)
{
	size_t need;
	uint32_t min, c = p[0];

	if (c < 0x80) {
		need = 0; min = 0;
	} else if (c >= 0xc2 && c <= 0xdf) {
		need = 1; min = 0x80; c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2; min = 0x800; c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3; min = 0x10000; c &= 0x07;
	} else {
		return 0;
	}
	if (left <= need)
		return 0;
	for (size_t k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp != NULL)
		*cp = c;
	return need + 1;
}

int bbt_utf8_valid(const void *s, size_t len, int allow_nul)
{
	const unsigned char *p = s;
	size_t i = 0;

	while (i < len) {
		size_t n = bbt_utf8_char(p + i, len - i, NULL);

		if (n == 0 || (p[i] == 0 && !allow_nul))
			return 0;
		i += n;
	}
	return 1;
}
