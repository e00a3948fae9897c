/*
 * sync_seed: test-only helper that logs sessions into an agent's store the
 * way `run` does (store_session_add), for the sync tests: wall times from
 * the realtime clock (which faketime may set years off) and boot-relative
 * times from CLOCK_BOOTTIME with this boot's id, as the daemon records
 * them. It exists because `replay` records no boot id, and the clock tests
 * need sessions of a real boot.
 *
 *   sync_seed STATE_DIR COUNT AGO_S DUR_S [BOOT]
 *   sync_seed STATE_DIR meta KEY
 *
 * COUNT sessions, the first starting AGO_S seconds ago (others 1 s apart
 * backwards), DUR_S long. BOOT: "current" (default), "none" (like replay)
 * or a UUID of another boot. Prints the ids, one per line. The second form
 * prints a store meta value (empty if unset), whatever the store's schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_time.h"
#include "clock.h"
#include "store.h"

static int print_meta(const char *dir, const char *key)
{
	struct store *st = NULL;
	struct bbt_error e;
	char v[1024] = "";

	if (store_open(&st, dir, &e) < 0) {
		fprintf(stderr, "sync_seed: %s\n", e.msg);
		return 1;
	}
	if (store_meta_get(st, key, v, sizeof(v)) <= 0)
		v[0] = '\0';
	printf("%s\n", v);
	store_close(st);
	return 0;
}

int main(int argc, char **argv)
{
	struct store *st = NULL;
	struct bbt_error e;
	const char *boot = argc > 5 ? argv[5] : "current";
	long count, ago, dur;
	int64_t now_s, now_boot;

	if (argc == 4 && strcmp(argv[2], "meta") == 0)
		return print_meta(argv[1], argv[3]);
	if (argc < 5) {
		fprintf(stderr, "usage: sync_seed STATE_DIR COUNT AGO_S DUR_S [BOOT]\n"
		    "       sync_seed STATE_DIR meta KEY\n");
		return 2;
	}
	count = strtol(argv[2], NULL, 10);
	ago = strtol(argv[3], NULL, 10);
	dur = strtol(argv[4], NULL, 10);
	if (store_open(&st, argv[1], &e) < 0) {
		fprintf(stderr, "sync_seed: %s\n", e.msg);
		return 1;
	}
	now_s = bbt_clock_realtime_us() / 1000000;
	now_boot = bbt_clock_boottime_us();
	for (long i = 0; i < count; i++) {
		struct bbt_session s;
		int64_t back = ago + i;

		memset(&s, 0, sizeof(s));
		bbt_uuid_v4(s.id);
		s.start = now_s - back;
		s.end = s.start + dur;
		s.duration_s = dur;
		s.utc_offset = 8 * 3600;
		s.touches = 42;
		s.active_minutes = (int)(dur / 60);
		snprintf(s.input.name, sizeof(s.input.name), "IRTOUCH Infrared Touch");
		snprintf(s.input.vid, sizeof(s.input.vid), "6615");
		snprintf(s.input.pid, sizeof(s.input.pid), "0070");
		if (strcmp(boot, "current") == 0) {
			if (clock_boot_id(s.boot_id, &e) < 0) {
				fprintf(stderr, "sync_seed: %s\n", e.msg);
				return 1;
			}
		} else if (strcmp(boot, "none") != 0) {
			snprintf(s.boot_id, sizeof(s.boot_id), "%s", boot);
		}
		if (s.boot_id[0]) {
			s.boot_start_us = now_boot - back * 1000000LL;
			s.boot_end_us = s.boot_start_us + dur * 1000000LL;
		}
		if (store_session_add(st, &s, &e) < 0) {
			fprintf(stderr, "sync_seed: %s\n", e.msg);
			return 1;
		}
		printf("%s\n", s.id);
	}
	store_close(st);
	return 0;
}
