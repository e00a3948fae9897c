/*
 * cmd_replay: `bbt-agent replay --start TIME FILE...` (CONTRACT 4.1).
 *
 * Each FILE is one input device (device index = its position). The events
 * of all files are merged by their recorded time (ties: the earlier file,
 * then file order) and fed to the detector on a virtual clock whose 0 is
 * TIME; detector_tick runs at every deadline the detector asks for, as in
 * `run`, so the sessions are the ones `run` would have logged. At the end
 * of the input the agent "stops" (detector_stop).
 *
 * Sessions are stored exactly as `run` stores them (store_session_add) and
 * printed as one CONTRACT 4.3 JSON line each, in TIME's offset. Their boot_id
 * stays "": their wall times come from --start, not from a clock. A
 * session that cannot be stored is an error (exit 1): replay must not
 * print what it did not keep. The files are read as streams (evemu.h),
 * twice: a first pass checks every line, so a bad one anywhere fails the
 * replay before anything is stored; memory stays flat however long the
 * recordings.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "commands.h"
#include "detector.h"
#include "evemu.h"
#include "store.h"

struct replay {
	struct evemu_reader *rd[DETECTOR_MAX_DEVICES];
	int n;
	int64_t start_us;
	int offset;
	struct detector det;
	struct store *st;
	long logged;
};

static int emit(struct replay *r, const struct detector_session *ds,
    struct bbt_error *e)
{
	const struct detector_clock c = { r->start_us, r->offset, NULL, NULL };
	char id[BBT_UUID_LEN];
	struct bbt_session s;
	char *line;

	if (bbt_uuid_v4(id) < 0)
		return bbt_error_set(e, "cannot make a session id");
	detector_session_record(ds, &c, id, &s);
	if (store_session_add(r->st, &s, e) < 0)
		return bbt_error_prefix(e, "storing session");
	line = bbt_session_to_json_line(&s);
	if (line == NULL)
		return bbt_error_set(e, "out of memory");
	printf("%s\n", line);
	free(line);
	fflush(stdout);
	r->logged++;
	return 0;
}

static int drain(struct replay *r, struct bbt_error *e)
{
	struct detector_session ds;

	while (detector_take_closed(&r->det, &ds))
		if (emit(r, &ds, e) < 0)
			return -1;
	return 0;
}

/* Run every detector deadline that falls before time t. */
static int ticks_until(struct replay *r, int64_t t, struct bbt_error *e)
{
	int64_t dl, prev = INT64_MIN;

	while ((dl = detector_next_deadline(&r->det)) <= t && dl > prev) {
		detector_tick(&r->det, dl);
		if (drain(r, e) < 0)
			return -1;
		prev = dl;
	}
	return 0;
}

/* The file whose next event is earliest, or -1 when all are done. */
static int next_file(const struct replay *r)
{
	struct evemu_event ev, best_ev;
	int best = -1;

	for (int i = 0; i < r->n; i++) {
		if (!evemu_peek(r->rd[i], &ev))
			continue;
		if (best < 0 || ev.time_us < best_ev.time_us) {
			best = i;
			best_ev = ev;
		}
	}
	return best;
}

static int run_replay(struct replay *r, struct bbt_error *e)
{
	struct evemu_event ev;
	int i;

	while ((i = next_file(r)) >= 0) {
		if (evemu_next(r->rd[i], &ev, e) < 0)
			return -1;
		if (ticks_until(r, ev.time_us, e) < 0)
			return -1;
		/* SYN_DROPPED in a recording: the device's contact state is lost,
		 * as in run (which then re-reads it from the kernel). */
		if (ev.type == 0 && ev.code == 3)
			detector_device_reset(&r->det, i);
		detector_feed(&r->det, i, ev.time_us, ev.type, ev.code, ev.value);
		if (drain(r, e) < 0)
			return -1;
	}
	detector_stop(&r->det);
	return drain(r, e);
}

/*
 * Read each file through once without keeping anything, so a bad line
 * anywhere fails the replay before a session is stored or printed; then
 * the real pass reads them again. Both passes stream: memory does not
 * depend on the recordings' length.
 */
static int check_all(char **files, int n, struct bbt_error *e)
{
	struct evemu_reader *rd;
	struct evemu_event ev;
	int rc = 0;

	for (int i = 0; i < n && rc == 0; i++) {
		if (evemu_open(files[i], &rd, e) < 0)
			return -1;
		while ((rc = evemu_next(rd, &ev, e)) == 1)
			;
		evemu_close(rd);
	}
	return rc;
}

static int open_all(struct replay *r, char **files, int n, struct bbt_error *e)
{
	if (check_all(files, n, e) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct evemu_recording *h;

		if (evemu_open(files[i], &r->rd[i], e) < 0)
			return -1;
		r->n = i + 1;
		h = evemu_header(r->rd[i]);
		detector_device_add(&r->det, i, &h->id, h->has_mt);
	}
	return 0;
}

int cmd_replay(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "start", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bbt_error err = { "" };
	const char *start = NULL;
	struct replay *r;
	int c, rc = 1, nfiles;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		if (c == 's')
			start = optarg;
		else
			goto usage;
	}
	nfiles = argc - optind;
	if (start == NULL || nfiles < 1)
		goto usage;
	if (nfiles > DETECTOR_MAX_DEVICES) {
		fprintf(stderr, "bbt-agent: replay: at most %d files (devices)\n",
		    DETECTOR_MAX_DEVICES);
		return 2;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		log_err("replay: out of memory");
		return 1;
	}
	if (bbt_time_parse_us(start, &r->start_us, &r->offset, &err) < 0) {
		fprintf(stderr, "bbt-agent: replay: --start: %s\n", bbt_error_msg(&err));
		rc = 2;
		goto out;
	}
	detector_init(&r->det, &ctx->cfg.detector);
	if (open_all(r, argv + optind, nfiles, &err) < 0 ||
	    store_open(&r->st, ctx->cfg.state_dir, &err) < 0 ||
	    run_replay(r, &err) < 0) {
		log_err("replay: %s", bbt_error_msg(&err));
		goto out;
	}
	log_info("replay: %ld session(s) logged", r->logged);
	rc = 0;
out:
	store_close(r->st);
	for (int i = 0; i < r->n; i++)
		evemu_close(r->rd[i]);
	free(r);
	return rc;
usage:
	fprintf(c == 'h' ? stdout : stderr, "usage: bbt-agent replay --start TIME FILE...\n"
	    "  TIME: ISO 8601 with offset, e.g. 2026-11-23T08:00:00+08:00\n");
	return c == 'h' ? 0 : 2;
}
