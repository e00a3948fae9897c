/* libFuzzer target: the points rule file (libinih + the rule keys). Any
 * input ends in a rule with every number in its range and a zone of the tz
 * database, or in a "fuzz.ini:LINE: reason" error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_time.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct points_rule r;
	struct bbt_error e;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (rules_parse_string("fuzz.ini", text, &r, &e) < 0) {
		if (strncmp(e.msg, "fuzz.ini:", 9) != 0)
			__builtin_trap();
	} else if (r.points_per_session < 0 || r.min_duration_s < 0 ||
	    r.min_duration_s > 86400 || r.max_per_week < 0 || !r.name[0] ||
	    bbt_tz_check(r.week_zone, NULL) < 0) {
		__builtin_trap();
	}
	free(text);
	return 0;
}
