/*
 * agent_usbdb: the vendor table generated from firmware-notes/touch-devices.tsv
 * and its lookups: exact ids, vendor-wide entries, exact-over-wildcard,
 * unknown ids, sysfs-style strings, and the table's own invariants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "usbdb.h"

static void test_known_frame_and_panel(void **state)
{
	const struct usbdb_entry *t = usbdb_lookup(0x6615, 0x0070);

	assert_non_null(t);
	assert_string_equal(t->maker, "IRTOUCH Systems");
	assert_int_equal(t->kind, USBDB_IR_FRAME);
	assert_string_equal(usbdb_kind_name(t->kind), "ir_frame");
	assert_string_equal(t->driver, "hid-multitouch");
	t = usbdb_lookup(0x222a, 0x0001);
	assert_non_null(t);
	assert_string_equal(t->maker, "ILITEK");
	assert_string_equal(usbdb_kind_name(t->kind), "capacitive_panel");
	t = usbdb_lookup(0x0eef, 0x7224);
	assert_non_null(t);
	assert_int_equal(t->kind, USBDB_CAPACITIVE_PANEL);
}

static void test_unknown_ids(void **state)
{
	assert_null(usbdb_lookup(0x2f1a, 0x0101));	/* made-up brand */
	assert_null(usbdb_lookup(0x046d, 0xc077));	/* a mouse */
	assert_null(usbdb_lookup(0x6615, 0x9999));	/* known vendor, unknown product */
}

static void test_vendor_wide_entry(void **state)
{
	const struct usbdb_entry *t = usbdb_lookup(0x056a, 0x0357);

	assert_non_null(t);
	assert_int_equal(t->pid, -1);
	assert_int_equal(t->kind, USBDB_PEN_BOARD);
}

static void test_exact_wins_over_vendor_wide(void **state)
{
	/* Every vendor with a "*" line: any exact line of it must win. */
	for (unsigned i = 0; i < usbdb_table_len; i++) {
		const struct usbdb_entry *t = &usbdb_table[i];

		if (t->pid < 0)
			continue;
		assert_ptr_equal(usbdb_lookup(t->vid, (uint16_t)t->pid), t);
	}
}

static void test_lookup_str(void **state)
{
	assert_ptr_equal(usbdb_lookup_str("6615", "0070"), usbdb_lookup(0x6615, 0x0070));
	assert_ptr_equal(usbdb_lookup_str("222A", "0001"), usbdb_lookup(0x222a, 0x0001));
	assert_null(usbdb_lookup_str("", "0070"));
	assert_null(usbdb_lookup_str("66x5", "0070"));
	assert_null(usbdb_lookup_str("16615", "0070"));
	assert_null(usbdb_lookup_str(NULL, "0070"));
}

static void test_table_invariants(void **state)
{
	assert_true(usbdb_table_len > 50);
	for (unsigned i = 0; i < usbdb_table_len; i++) {
		const struct usbdb_entry *t = &usbdb_table[i];

		assert_true(t->maker[0] != '\0');
		assert_true(t->pid >= -1 && t->pid <= 0xffff);
		assert_true(t->verified == (strcmp(t->source, "unverified") != 0));
		for (unsigned j = i + 1; j < usbdb_table_len; j++)
			assert_false(usbdb_table[j].vid == t->vid && usbdb_table[j].pid == t->pid);
	}
	assert_false(usbdb_lookup(0x1ff7, 0x0013)->verified);	/* CVTouch, marked so */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_frame_and_panel),
		cmocka_unit_test(test_unknown_ids),
		cmocka_unit_test(test_vendor_wide_entry),
		cmocka_unit_test(test_exact_wins_over_vendor_wide),
		cmocka_unit_test(test_lookup_str),
		cmocka_unit_test(test_table_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
