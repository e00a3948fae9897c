/* Unit tests of bbt_hex: every byte value survives a round trip, encoding
 * is lowercase and NUL-terminated, and decoding refuses uppercase, non-hex
 * and a string cut short (its NUL is not a digit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bbt_hex.h"

static void test_round_trip_every_byte(void **state)
{
	unsigned char in[256], back[256];
	char hex[2 * sizeof(in) + 1];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)i;
	bbt_hex_encode(in, sizeof(in), hex);
	assert_int_equal(strlen(hex), 2 * sizeof(in));
	assert_memory_equal(hex, "000102", 6);
	assert_string_equal(hex + 2 * 0xfe, "feff");
	assert_int_equal(bbt_hex_decode(hex, back, sizeof(back)), 0);
	assert_memory_equal(in, back, sizeof(in));
}

static void test_empty(void **state)
{
	char hex[1] = { 'x' };
	unsigned char out[1] = { 7 };

	bbt_hex_encode(out, 0, hex);
	assert_int_equal(hex[0], '\0');
	assert_int_equal(bbt_hex_decode("", out, 0), 0);
	assert_int_equal(out[0], 7);
}

static void test_refused(void **state)
{
	unsigned char out[2];

	assert_int_equal(bbt_hex_decode("00ff", out, 2), 0);
	assert_int_equal(out[1], 0xff);
	assert_int_equal(bbt_hex_decode("00FF", out, 2), -1);
	assert_int_equal(bbt_hex_decode("0g00", out, 2), -1);
	assert_int_equal(bbt_hex_decode("g000", out, 2), -1);
	assert_int_equal(bbt_hex_decode("00f", out, 2), -1);
	assert_int_equal(bbt_hex_decode("0", out, 1), -1);
	assert_int_equal(bbt_hex_decode(" 0ff", out, 2), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_byte),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
