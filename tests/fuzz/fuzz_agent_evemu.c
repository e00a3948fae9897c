/* libFuzzer target: the evemu-record reader, then the detector over what it
 * read. Any input must parse, or fail with a "fuzz.events:" error; parsed
 * events must be in time order; feeding them must never crash, and every
 * session the detector logs must be well-formed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detector.h"
#include "evemu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct detector_settings set = { 2, 1, 1 };
	struct evemu_recording rec;
	struct detector_session s;
	struct bbt_error e;
	struct detector d;

	if (evemu_parse_buffer("fuzz.events", (const char *)data, size, &rec, &e) < 0) {
		if (strncmp(e.msg, "fuzz.events", 11) != 0)
			__builtin_trap();
		return 0;
	}
	if (strnlen(rec.id.name, sizeof(rec.id.name)) == sizeof(rec.id.name))
		__builtin_trap();
	detector_init(&d, &set);
	detector_device_add(&d, 0, &rec.id, rec.has_mt);
	for (size_t i = 0; i < rec.nevents; i++) {
		if (i > 0 && rec.events[i].time_us < rec.events[i - 1].time_us)
			__builtin_trap();
		detector_feed(&d, 0, rec.events[i].time_us, rec.events[i].type,
		    rec.events[i].code, rec.events[i].value);
		while (detector_take_closed(&d, &s))
			if (s.end_us < s.start_us || s.touches < 0 || s.active_minutes < 1)
				__builtin_trap();
	}
	detector_stop(&d);
	while (detector_take_closed(&d, &s))
		if (s.end_us < s.start_us || s.active_minutes < 1)
			__builtin_trap();
	evemu_free(&rec);
	return 0;
}
