/* libFuzzer target: the timetable CSV importer (charset detection, iconv,
 * libcsv with line tracking, header mapping, row validation). Any input must
 * end in success or a "NAME:LINE: reason" error, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csvin.h"
#include "timetable.h"

static int count_cb(void *arg, size_t line, size_t n, char **f, struct bbt_error *e)
{
	size_t *total = arg;

	for (size_t i = 0; i < n; i++)
		*total += strlen(f[i]);
	return line == 0 ? bbt_error_set(e, "record without a line") : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timetable tt;
	struct bbt_error e;
	size_t total = 0;

	if (csvin_parse_buf("fuzz.csv", (const char *)data, size, count_cb, &total, NULL,
	    &e) < 0 && strncmp(e.msg, "fuzz.csv", 8) != 0)
		__builtin_trap();
	if (timetable_parse_buf("fuzz.csv", (const char *)data, size, &tt, &e) == 0) {
		for (size_t i = 0; i < tt.n; i++) {
			if (tt.slots[i].end_min <= tt.slots[i].start_min ||
			    tt.slots[i].weekday < 1 || tt.slots[i].weekday > 7)
				__builtin_trap();
		}
		timetable_free(&tt);
	} else if (tt.n != 0) {
		__builtin_trap();
	}
	return 0;
}
