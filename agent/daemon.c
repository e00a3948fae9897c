/*
 * daemon: the loop of `bbt-agent run` (see daemon.h for its invariants).
 *
 * Session ids: the detector knows sessions only by their times, so the
 * daemon tracks the open one (its start on the detector's clock and the
 * UUID given when it was first seen open). A closed session whose start
 * matches takes that UUID; one that opened and closed between two looks
 * gets a fresh one. A tracked session that vanishes without being logged
 * (shorter than min_session) has its checkpoint cleared.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_array.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "daemon.h"
#include "detector.h"
#include "platform.h"
#include "store.h"
#include "store_mem.h"

/* Events taken per wake: a multitouch frame is about ten, and more wait in
 * the kernel for the next round. 64 x 208 bytes, not 256 x: the buffer is
 * resident all day once a burst has filled it (CONTRACT 8). */
#define DAEMON_BATCH 64

struct daemon {
	struct agent_config cfg;
	const char *cli_config, *cli_state_dir;
	struct store *st;
	const struct daemon_link *link;
	void *sync;			/* the link's handle, may be NULL */
	struct platform_watch *pw;
	struct detector det;
	char boot_id[BBT_BOOT_ID_LEN];
	int64_t last_us;		/* latest time fed to the detector */
	int64_t ckpt_interval_us;
	/* The open session being tracked. */
	int tracking;
	char open_id[BBT_UUID_LEN];
	int64_t open_start_us;
	struct detector_session saved;	/* as last checkpointed */
	int have_saved;
	int saved_qualified;		/* a checkpoint >= min_session exists */
	int64_t next_ckpt_us;		/* checkpoint due, if dirty */
	/* Closed sessions the store refused, oldest first. */
	struct bbt_session *pending;
	size_t npending, cap_pending;
	int64_t next_retry_us;
	int stop;
	int idle_done;			/* memory given back since the last wake */
};

static int buffer_open(struct daemon *d);

/* Wall time (Unix us) of a BOOTTIME instant, by today's offset between the
 * two clocks. */
static int64_t wall_of(int64_t boot_us)
{
	return bbt_clock_realtime_us() - (bbt_clock_boottime_us() - boot_us);
}

static void session_build(const struct daemon *d, const struct detector_session *ds,
    const char *id, struct bbt_session *s)
{
	const struct detector_clock c = { wall_of(0), 0, bbt_tz_local_offset, d->boot_id };

	detector_session_record(ds, &c, id, s);
}

static void session_log_line(const char *what, const struct bbt_session *s)
{
	char start[BBT_ISO8601_LEN], end[BBT_ISO8601_LEN], flags[64];
	size_t nflags = bbt_flags_format(s->flags, " ", flags, sizeof(flags));

	bbt_time_format(s->start, s->utc_offset, start);
	bbt_time_format(s->end, s->utc_offset, end);
	log_info("session %s %s: %s .. %s, %llds, %d touches, %d active min, "
	    "input \"%s\"%s%s", s->id, what, start, end, (long long)s->duration_s,
	    s->touches, s->active_minutes, s->input.name, nflags ? ", flags: " : "", flags);
}

static int pending_push(struct daemon *d, const struct bbt_session *s)
{
	if (d->npending >= DAEMON_PENDING_MAX) {
		log_err("session %s lost: %d sessions already wait in memory for "
		    "the buffer (disk full or unwritable?), the most kept", s->id,
		    DAEMON_PENDING_MAX);
		return 0;
	}
	if (bbt_grow(&d->pending, &d->cap_pending, d->npending + 1, sizeof(*d->pending)) < 0)
		return -1;
	d->pending[d->npending++] = *s;
	return 0;
}

/* Log one closed session, or keep it for a retry. */
static void session_store(struct daemon *d, const struct bbt_session *s)
{
	struct bbt_error e;

	snprintf(e.msg, sizeof(e.msg), "the buffer is not open");
	if (d->npending == 0 && d->st && store_session_add(d->st, s, &e) == 0) {
		session_log_line("logged", s);
		d->link->kick(d->sync);
		return;
	}
	if (d->npending == 0)
		log_err("session %s: cannot store it, keeping it in memory and "
		    "retrying every %d s: %s", s->id, DAEMON_RETRY_S, e.msg);
	if (pending_push(d, s) < 0) {
		log_err("session %s: out of memory, lost", s->id);
		return;
	}
	if (d->next_retry_us == INT64_MAX)
		d->next_retry_us = bbt_clock_boottime_us() + DAEMON_RETRY_S * 1000000LL;
}

/* Retry refused sessions in order; stop at the first that fails again. */
static void pending_retry(struct daemon *d, int64_t now_us)
{
	struct bbt_error e;
	size_t done = 0;

	if (now_us < d->next_retry_us || (d->npending == 0 && d->st))
		return;
	if (!d->st && buffer_open(d) < 0) {
		d->next_retry_us = now_us + DAEMON_RETRY_S * 1000000LL;
		return;
	}
	while (done < d->npending) {
		if (store_session_add(d->st, &d->pending[done], &e) < 0) {
			log_warn("%zu session(s) still not stored: %s",
			    d->npending - done, e.msg);
			break;
		}
		session_log_line("logged (after retry)", &d->pending[done]);
		done++;
	}
	if (done > 0)
		d->link->kick(d->sync);
	memmove(d->pending, d->pending + done, (d->npending - done) * sizeof(*d->pending));
	d->npending -= done;
	d->next_retry_us = d->npending ? now_us + DAEMON_RETRY_S * 1000000LL : INT64_MAX;
}

static void tracking_forget(struct daemon *d, int clear_checkpoint)
{
	struct bbt_error e;

	if (d->tracking && d->have_saved && clear_checkpoint && d->st &&
	    store_checkpoint_clear(d->st, &e) < 0)
		log_warn("clearing the checkpoint: %s", e.msg);
	d->tracking = 0;
	d->have_saved = 0;
}

/* Closed sessions out of the detector, into the store. */
static void take_closed(struct daemon *d)
{
	struct detector_session ds;
	struct bbt_session s;
	char id[BBT_UUID_LEN];

	while (detector_take_closed(&d->det, &ds)) {
		if (d->tracking && ds.start_us == d->open_start_us) {
			snprintf(id, sizeof(id), "%s", d->open_id);
			/* store_session_add clears the checkpoint itself. */
			d->tracking = 0;
			d->have_saved = 0;
		} else if (bbt_uuid_v4(id) < 0) {
			log_err("cannot make a session id");
			continue;
		}
		session_build(d, &ds, id, &s);
		session_store(d, &s);
	}
}

static int dirty(const struct daemon *d, const struct detector_session *ds)
{
	return !d->have_saved || ds->end_us != d->saved.end_us ||
	    ds->touches != d->saved.touches || ds->flags != d->saved.flags ||
	    ds->active_minutes != d->saved.active_minutes;
}

/* Follow the open session: give a new one its id, checkpoint when due. */
static void track_open(struct daemon *d, int64_t now_us)
{
	struct detector_session ds;
	struct bbt_session s;
	struct bbt_error e;
	int qualifies;

	if (!detector_open_session(&d->det, &ds)) {
		tracking_forget(d, 1);	/* ended too short to be logged */
		return;
	}
	if (d->tracking && ds.start_us != d->open_start_us)
		tracking_forget(d, 1);
	if (!d->tracking) {
		if (bbt_uuid_v4(d->open_id) < 0)
			return;
		d->tracking = 1;
		d->open_start_us = ds.start_us;
		d->have_saved = 0;
		d->saved_qualified = 0;
		d->next_ckpt_us = now_us + d->ckpt_interval_us;
		log_debug("session %s opened", d->open_id);
	}
	/* CONTRACT 4.2: at once when it first qualifies, so a power cut right
	 * after that moment cannot lose a lesson. */
	qualifies = !d->saved_qualified &&
	    ds.end_us - ds.start_us >= d->cfg.detector.min_session * 1000000LL;
	if (!qualifies && (now_us < d->next_ckpt_us || !dirty(d, &ds)))
		return;
	session_build(d, &ds, d->open_id, &s);
	if (!d->st) {
		/* No buffer yet: the session waits in memory once closed. */
	} else if (store_checkpoint_save(d->st, &s, &e) < 0) {
		log_warn("checkpoint of session %s: %s", d->open_id, e.msg);
	} else {
		d->saved = ds;
		d->have_saved = 1;
		d->saved_qualified |= qualifies;
		log_debug("session %s checkpointed (%llds so far)", d->open_id,
		    (long long)s.duration_s);
	}
	d->next_ckpt_us = now_us + d->ckpt_interval_us;
}

static int64_t next_deadline(struct daemon *d)
{
	int64_t t = detector_next_deadline(&d->det);
	struct detector_session ds;

	if (d->tracking && detector_open_session(&d->det, &ds) && dirty(d, &ds) &&
	    d->next_ckpt_us < t)
		t = d->next_ckpt_us;
	if (d->next_retry_us < t)
		t = d->next_retry_us;
	return t;
}

static void apply_settings(struct daemon *d, const struct detector_settings *set,
    const char *from)
{
	log_info("detector settings from %s: idle_gap=%d min_session=%d stuck_contact=%d",
	    from, set->idle_gap, set->min_session, set->stuck_contact);
	d->cfg.detector = *set;
	detector_configure(&d->det, set);
}

static void reload(struct daemon *d)
{
	struct agent_config nc;
	struct bbt_error e;

	if (config_load(&nc, d->cli_config, d->cli_state_dir, &e) < 0) {
		log_err("reload failed, keeping the running config: %s", e.msg);
		return;
	}
	if (strcmp(nc.state_dir, d->cfg.state_dir) != 0)
		log_warn("reload: a new state_dir takes effect only on restart");
	snprintf(nc.state_dir, sizeof(nc.state_dir), "%s", d->cfg.state_dir);
	bbt_log_set_level(bbt_log_level_from_name(nc.log_level));
	d->cfg = nc;
	apply_settings(d, &nc.detector, "config reload");
	d->link->reconfigure(d->sync, &d->cfg);
}

static void handle(struct daemon *d, const struct platform_event *ev)
{
	int64_t t = ev->time_us < d->last_us ? d->last_us : ev->time_us;

	d->last_us = t;
	switch (ev->type) {
	case PLATFORM_EV_INPUT:
		detector_feed(&d->det, ev->dev, t, ev->ev_type, ev->ev_code, ev->ev_value);
		break;
	case PLATFORM_EV_DEVICE_ADD:
		if (detector_device_add(&d->det, ev->dev, &ev->id, ev->multitouch) < 0)
			log_warn("input %s: no detector slot", ev->node);
		break;
	case PLATFORM_EV_DEVICE_REMOVE:
		detector_device_remove(&d->det, ev->dev, t);
		break;
	case PLATFORM_EV_DEVICE_RESET:
		detector_device_reset(&d->det, ev->dev);
		break;
	case PLATFORM_EV_STOP:
		d->stop = 1;
		break;
	case PLATFORM_EV_RELOAD:
		log_info("reloading the configuration");
		reload(d);
		break;
	case PLATFORM_EV_WAKE:		/* the loop's top picks up what changed */
		break;
	}
}

/* After each wake: timers, closed sessions, the open one. */
static void settle(struct daemon *d)
{
	int64_t now_us = bbt_clock_boottime_us();

	if (now_us < d->last_us)
		now_us = d->last_us;
	d->last_us = now_us;
	if (now_us >= detector_next_deadline(&d->det))
		detector_tick(&d->det, now_us);
	take_closed(d);
	track_open(d, now_us);
	pending_retry(d, now_us);
}

/* Sleeping with no timer: give back what a lesson's work left cached. */
static void go_idle(struct daemon *d)
{
	store_mem_release(d->st);
	if (d->link->idle)
		d->link->idle(d->sync);
	d->idle_done = 1;
}

static int loop(struct daemon *d)
{
	struct platform_event *ev;
	struct detector_settings set;
	struct bbt_error e;
	size_t n;

	ev = malloc(DAEMON_BATCH * sizeof(*ev));
	if (!ev) {
		log_err("out of memory");
		return -1;
	}
	while (!d->stop) {
		int64_t deadline;

		if (d->link->settings(d->sync, &set) == 1)
			apply_settings(d, &set, "the server");
		deadline = next_deadline(d);
		if (deadline == INT64_MAX && !d->idle_done)
			go_idle(d);
		if (platform_watch_wait(d->pw, deadline, ev, DAEMON_BATCH, &n, &e) < 0) {
			log_err("%s", e.msg);
			free(ev);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			handle(d, &ev[i]);
		d->idle_done = 0;
		settle(d);
	}
	free(ev);
	return 0;
}

static void recover(struct daemon *d)
{
	struct bbt_session s;
	struct bbt_error e;
	int r = store_recover(d->st, d->cfg.detector.min_session, &s, &e);

	if (r < 0)
		log_err("recovering a checkpoint: %s", e.msg);
	else if (r == 1)
		session_log_line("recovered after an unclean stop", &s);
}

static int checkpoint_interval_us(void)
{
	const char *v = getenv("BBT_AGENT_CHECKPOINT_S");
	char *end;
	long s;

	if (!v || !*v)
		return DAEMON_CHECKPOINT_S * 1000000;
	errno = 0;
	s = strtol(v, &end, 10);
	if (errno || *end || s < 1 || s > DAEMON_CHECKPOINT_S) {
		log_warn("BBT_AGENT_CHECKPOINT_S=%s ignored (1..%d)", v, DAEMON_CHECKPOINT_S);
		return DAEMON_CHECKPOINT_S * 1000000;
	}
	return (int)s * 1000000;
}

/* May run on another thread: platform_watch_wake is safe from any thread. */
static void wake_loop(void *pw)
{
	platform_watch_wake(pw);
}

/* The buffer is open: recover a leftover checkpoint, start the link. */
static int buffer_ready(struct daemon *d)
{
	struct bbt_error e;

	recover(d);
	if (d->link->start(&d->sync, &d->cfg, wake_loop, d->pw, &e) < 0) {
		log_err("sync: %s", e.msg);
		return -1;
	}
	return 0;
}

/* Open the buffer the daemon started without (disk full at start). */
static int buffer_open(struct daemon *d)
{
	struct bbt_error e;

	if (store_open(&d->st, d->cfg.state_dir, &e) < 0) {
		log_warn("buffer still unavailable, %zu session(s) in memory: %s",
		    d->npending, e.msg);
		return -1;
	}
	log_info("buffer %s open, writing %zu session(s) kept in memory",
	    store_path(d->st), d->npending);
	if (buffer_ready(d) < 0)
		log_warn("sync not started; sessions are buffered");
	return 0;
}

static int setup(struct daemon *d)
{
	struct bbt_error e;

	if (platform_boot_id(d->boot_id, &e) < 0)
		log_warn("no boot id, sessions cannot be clock-corrected: %s", e.msg);
	/* Before any thread starts: the signal mask is inherited. */
	if (platform_watch_open(&d->pw, &e) < 0) {
		log_err("%s", e.msg);
		return -1;
	}
	if (store_open(&d->st, d->cfg.state_dir, &e) < 0) {
		/* CONTRACT 4.2: capture never depends on free space. */
		log_err("%s; recording anyway: closed sessions wait in memory (at most "
		    "%d) and are written when the buffer can be opened (tried every "
		    "%d s)", e.msg, DAEMON_PENDING_MAX, DAEMON_RETRY_S);
		d->st = NULL;
		d->next_retry_us = bbt_clock_boottime_us() + DAEMON_RETRY_S * 1000000LL;
		return 0;
	}
	return buffer_ready(d);
}

/* The agent stops: close the open session and log it. */
static int shutdown_sessions(struct daemon *d)
{
	detector_stop(&d->det);
	take_closed(d);
	tracking_forget(d, 1);
	d->next_retry_us = 0;
	pending_retry(d, bbt_clock_boottime_us());
	if (d->npending > 0) {
		log_err("%zu session(s) could not be stored before exit", d->npending);
		return -1;
	}
	return 0;
}

int daemon_run_link(const struct agent_config *cfg, const char *cli_config,
    const char *cli_state_dir, const struct daemon_link *link)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int status = 1;

	if (!d) {
		log_err("out of memory");
		return 1;
	}
	d->cfg = *cfg;
	d->link = link;
	d->cli_config = cli_config;
	d->cli_state_dir = cli_state_dir;
	d->next_retry_us = INT64_MAX;
	d->ckpt_interval_us = checkpoint_interval_us();
	bbt_log_set_level(bbt_log_level_from_name(d->cfg.log_level));
	detector_init(&d->det, &d->cfg.detector);
	if (setup(d) < 0)
		goto out;
	log_info("running: state %s, idle_gap=%d min_session=%d stuck_contact=%d, "
	    "%d input device(s)", d->cfg.state_dir, d->cfg.detector.idle_gap,
	    d->cfg.detector.min_session, d->cfg.detector.stuck_contact,
	    platform_watch_ndevices(d->pw));
	if (loop(d) < 0) {
		shutdown_sessions(d);
		goto out;
	}
	log_info("stopping");
	status = shutdown_sessions(d) < 0 ? 1 : 0;
out:
	if (d->sync)
		d->link->stop(d->sync);
	platform_watch_close(d->pw);
	if (d->st)
		store_close(d->st);
	free(d->pending);
	free(d);
	return status;
}
