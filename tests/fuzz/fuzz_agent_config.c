/* libFuzzer target: the agent's INI config (libinih + our key table and line
 * tracking). Any input must end in success with every value in its range, or
 * in a "fuzz.conf:..." error; never a crash, a leak or an unterminated field. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bbt_log.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent_config c;
	struct bbt_error e;

	bbt_log_set_level(BBT_LOG_ERR);	/* http:// warnings are expected noise */
	config_defaults(&c);
	if (config_parse_buf(&c, "fuzz.conf", (const char *)data, size, &e) < 0) {
		if (strncmp(e.msg, "fuzz.conf:", 10) != 0)
			__builtin_trap();
		return 0;
	}
	if (c.detector.idle_gap < 1 || c.detector.min_session < 0 ||
	    c.detector.stuck_contact < 1 || c.sync.interval < 5 ||
	    c.sync.backoff_cap < c.sync.interval)
		__builtin_trap();
	if (strnlen(c.server.url, sizeof(c.server.url)) == sizeof(c.server.url) ||
	    strnlen(c.server.room, sizeof(c.server.room)) == sizeof(c.server.room) ||
	    strnlen(c.state_dir, sizeof(c.state_dir)) == sizeof(c.state_dir) ||
	    strnlen(c.log_level, sizeof(c.log_level)) == sizeof(c.log_level))
		__builtin_trap();
	return 0;
}
