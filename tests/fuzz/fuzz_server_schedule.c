/* libFuzzer target: the live-lesson schedule reader (charset detection,
 * libcsv, the provincial header, 开课时间 in every typed form). Any input
 * ends in lessons that make sense or a "NAME:LINE: reason" error. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schedule s;
	struct bbt_error e;

	if (schedule_parse_buf("fuzz.csv", (const char *)data, size, 2026, &s, &e) < 0) {
		if (strncmp(e.msg, "fuzz.csv", 8) != 0 || s.n != 0)
			__builtin_trap();
		return 0;
	}
	for (size_t i = 0; i < s.n; i++) {
		const struct schedule_lesson *l = &s.v[i];

		if (l->end_min <= l->start_min || l->start_min < 0 || l->end_min > 1440 ||
		    l->month < 1 || l->month > 12 || !l->seq[0] || !l->school[0])
			__builtin_trap();
	}
	schedule_free(&s);
	return 0;
}
