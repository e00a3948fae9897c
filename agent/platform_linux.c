/*
 * platform_linux: the platform interface (platform.h) on Linux.
 *
 * Devices are classified from sysfs (/sys/class/input/eventN/..), which
 * holds the same capability bitmaps as the EVIOCGBIT ioctls and also works
 * under umockdev without recorded ioctls. Event nodes are opened
 * O_RDONLY|O_NONBLOCK and never grabbed (EVIOCGRAB would take touch away
 * from the desktop and make evemu-record refuse the device).
 *
 * The event source is one poll() over: the device fds, an inotify watch on
 * /dev/input (arrivals, permission changes by udev, removals) and a
 * signalfd for SIGTERM/SIGINT/SIGHUP (blocked, so no handler runs at all).
 * Only if the inotify watch cannot be set up does a rescan run, every
 * PLW_RESCAN_S seconds; otherwise nothing wakes the process but input,
 * a signal, or the caller's deadline.
 *
 * Invariants: a device slot is open iff its fd >= 0; events read from a
 * device are queued with the boottime at which they were read; a device in
 * SYN_DROPPED state queues nothing until its next SYN_REPORT.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "bbt_array.h"
#include "bbt_log.h"
#include "bbt_session.h"
#include "bbt_time.h"
#include "platform.h"

#define PLW_INPUT_DIR "/dev/input"
#define PLW_SYSFS_CLASS "/sys/class/input"
#define PLW_BOOT_ID "/proc/sys/kernel/random/boot_id"
#define PLW_RESCAN_S 30
#define PLW_BITS_LONG (8 * sizeof(unsigned long))
#define PLW_MAX_WORDS (1024 / 32)
#define PLW_READ_EVENTS 64

/* ---- Probing ---- */

struct plw_bits {
	unsigned long w[PLW_MAX_WORDS];
	size_t n;
};

static int read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *f;
	size_t got;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "re");
	if (!f)
		return -1;
	got = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[got] = '\0';
	while (got > 0 && isspace((unsigned char)buf[got - 1]))
		buf[--got] = '\0';
	return 0;
}

/* A sysfs bitmap: hex words of one `long` each, most significant first. A
 * missing attribute is an empty bitmap. */
static void read_bits(const char *dir, const char *attr, struct plw_bits *b)
{
	char buf[1024], *p, *tok, *save = NULL;
	unsigned long tmp[PLW_MAX_WORDS];
	size_t n = 0;

	memset(b, 0, sizeof(*b));
	if (read_attr(dir, attr, buf, sizeof(buf)) < 0)
		return;
	for (p = buf; (tok = strtok_r(p, " \t", &save)) != NULL; p = NULL) {
		if (n == PLW_MAX_WORDS)
			break;
		tmp[n++] = strtoul(tok, NULL, 16);
	}
	for (size_t i = 0; i < n; i++)
		b->w[i] = tmp[n - 1 - i];
	b->n = n;
}

static int bit(const struct plw_bits *b, unsigned nr)
{
	size_t word = nr / PLW_BITS_LONG;

	if (word >= b->n)
		return 0;
	return (b->w[word] >> (nr % PLW_BITS_LONG)) & 1;
}

/* 4 lowercase hex digits from a sysfs id file, "" if unreadable. */
static void read_hex_id(const char *dir, const char *attr, char out[5])
{
	char buf[32];
	char *end;
	unsigned long v;

	out[0] = '\0';
	if (read_attr(dir, attr, buf, sizeof(buf)) < 0)
		return;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || *end != '\0' || v > 0xffff)
		return;
	snprintf(out, 5, "%04lx", v);
}

/* Same rules as udev's input_id builtin, reduced to what the agent needs:
 * a touch screen is direct touch, or absolute touch that is no touchpad. */
static unsigned classify(const struct plw_bits *ev, const struct plw_bits *key,
    const struct plw_bits *abs, const struct plw_bits *rel,
    const struct plw_bits *prop)
{
	unsigned kinds = 0;
	int abs_xy = bit(ev, EV_ABS) && bit(abs, ABS_X) && bit(abs, ABS_Y);
	int mt = bit(ev, EV_ABS) && bit(abs, ABS_MT_POSITION_X);
	int has_key = bit(ev, EV_KEY);
	int pen = has_key && (bit(key, BTN_TOOL_PEN) || bit(key, BTN_STYLUS));
	int touch = has_key && bit(key, BTN_TOUCH);
	int finger_no_pen = has_key && bit(key, BTN_TOOL_FINGER) && !pen;
	int direct = bit(prop, INPUT_PROP_DIRECT);

	if (pen && (abs_xy || mt))
		kinds |= PLATFORM_INPUT_PEN;
	else if (mt || (abs_xy && touch)) {
		if (direct)
			kinds |= PLATFORM_INPUT_TOUCHSCREEN;
		else if (finger_no_pen || bit(prop, INPUT_PROP_POINTER))
			kinds |= PLATFORM_INPUT_TOUCHPAD;
		else	/* old single-touch drivers do not set the property */
			kinds |= PLATFORM_INPUT_TOUCHSCREEN;
	}
	if (bit(ev, EV_REL) && bit(rel, REL_X))
		kinds |= PLATFORM_INPUT_MOUSE;
	if (has_key && bit(key, KEY_A) && bit(key, KEY_Z) && bit(key, KEY_SPACE))
		kinds |= PLATFORM_INPUT_KEYBOARD;
	return kinds ? kinds : PLATFORM_INPUT_OTHER;
}

static int valid_event_name(const char *name)
{
	const char *p;

	if (strncmp(name, "event", 5) != 0 || name[5] == '\0')
		return 0;
	for (p = name + 5; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return strlen(name) < 32;
}

int platform_input_probe(const char *event_name, struct platform_input *out,
    struct bbt_error *e)
{
	char cls[PATH_MAX], evdir[PATH_MAX], *slash;
	struct plw_bits ev, key, abs, rel, prop;

	if (!valid_event_name(event_name))
		return bbt_error_set(e, "%s: not an event node name", event_name);
	memset(out, 0, sizeof(*out));
	snprintf(out->event_name, sizeof(out->event_name), "%s", event_name);
	snprintf(out->devnode, sizeof(out->devnode), PLW_INPUT_DIR "/%s", event_name);
	snprintf(cls, sizeof(cls), PLW_SYSFS_CLASS "/%s", event_name);
	/* eventN's parent is the input device holding name, id and
	 * capabilities; its "device" link says the same on a real system but
	 * umockdev does not create it. */
	if (!realpath(cls, evdir))
		return bbt_error_set(e, "%s: %s", cls, strerror(errno));
	slash = strrchr(evdir, '/');
	if (!slash || slash == evdir)
		return bbt_error_set(e, "%s: no parent input device", evdir);
	*slash = '\0';
	snprintf(out->sysfs_path, sizeof(out->sysfs_path), "%s", evdir);
	if (read_attr(evdir, "name", out->id.name, sizeof(out->id.name)) < 0)
		out->id.name[0] = '\0';
	/* A frame's firmware may name it in Latin-1 or with control bytes; the
	 * collector refuses records with those (CONTRACT 5.3), so clean it here. */
	if (bbt_text_scrub(out->id.name) > 0)
		log_debug("%s: device name cleaned of control or non-UTF-8 bytes", event_name);
	read_hex_id(evdir, "id/vendor", out->id.vid);
	read_hex_id(evdir, "id/product", out->id.pid);
	read_bits(evdir, "capabilities/ev", &ev);
	read_bits(evdir, "capabilities/key", &key);
	read_bits(evdir, "capabilities/abs", &abs);
	read_bits(evdir, "capabilities/rel", &rel);
	read_bits(evdir, "properties", &prop);
	out->kinds = classify(&ev, &key, &abs, &rel, &prop);
	out->direct = bit(&prop, INPUT_PROP_DIRECT);
	out->multitouch = bit(&ev, EV_ABS) &&
	    (bit(&abs, ABS_MT_POSITION_X) || bit(&abs, ABS_MT_SLOT));
	return 0;
}

static int event_number(const char *name)
{
	return (int)strtol(name + 5, NULL, 10);
}

static int cmp_input(const void *a, const void *b)
{
	const struct platform_input *x = a, *y = b;

	return event_number(x->event_name) - event_number(y->event_name);
}

int platform_input_list(struct platform_input **out, size_t *n,
    struct bbt_error *e)
{
	struct platform_input *v = NULL;
	size_t len = 0, cap = 0;
	struct bbt_error pe;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(PLW_INPUT_DIR);
	if (!d) {
		if (errno == ENOENT)	/* a machine (or container) without input */
			return 0;
		return bbt_error_set(e, PLW_INPUT_DIR ": %s", strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (!valid_event_name(de->d_name))
			continue;
		if (bbt_grow(&v, &cap, len + 1, sizeof(*v)) < 0) {
			closedir(d);
			free(v);
			return bbt_error_set(e, "out of memory");
		}
		if (platform_input_probe(de->d_name, &v[len], &pe) < 0) {
			log_debug("skipping %s: %s", de->d_name, pe.msg);
			continue;
		}
		len++;
	}
	closedir(d);
	if (len == 0) {
		free(v);
		return 0;
	}
	qsort(v, len, sizeof(*v), cmp_input);
	*out = v;
	*n = len;
	return 0;
}

int platform_boot_id(char out[BBT_BOOT_ID_LEN], struct bbt_error *e)
{
	char buf[64];

	if (read_attr("/proc/sys/kernel/random", "boot_id", buf, sizeof(buf)) < 0)
		return bbt_error_set(e, PLW_BOOT_ID ": %s", strerror(errno));
	if (!bbt_uuid_valid(buf))
		return bbt_error_set(e, PLW_BOOT_ID ": not a UUID");
	for (size_t i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	snprintf(out, BBT_BOOT_ID_LEN, "%s", buf);
	return 0;
}

/* ---- The event source ---- */

struct plw_device {
	int fd;				/* -1: slot free */
	int dropping;			/* SYN_DROPPED seen, waiting for SYN_REPORT */
	/* Only what the loop needs of struct platform_input: its sysfs path
	 * (PATH_MAX) times PLATFORM_MAX_DEVICES was 130 KiB of resident
	 * memory in the capture process, which must stay small (CONTRACT 8). */
	struct {
		char event_name[32];
		struct bbt_input_id id;
	} info;
	size_t have;			/* bytes of a partial input_event */
	unsigned char partial[sizeof(struct input_event)];
};

struct platform_watch {
	int sigfd;
	int wakefd;			/* eventfd written by platform_watch_wake */
	int inofd;			/* -1: no inotify, rescan on a timer */
	int64_t next_rescan_us;
	sigset_t oldmask;
	struct plw_device dev[PLATFORM_MAX_DEVICES];
	struct platform_event *q;	/* queued events, q[head..len) */
	size_t head, len, cap;
	int failed;			/* allocation failure while queueing */
};

static struct platform_event *queue_push(struct platform_watch *w,
    enum platform_event_type type, int dev, int64_t now_us)
{
	struct platform_event *ev;

	if (w->head == w->len)
		w->head = w->len = 0;
	if (bbt_grow(&w->q, &w->cap, w->len + 1, sizeof(*w->q)) < 0) {
		w->failed = 1;
		return NULL;
	}
	ev = &w->q[w->len++];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->dev = dev;
	ev->time_us = now_us;
	if (dev >= 0)
		snprintf(ev->node, sizeof(ev->node), "%s", w->dev[dev].info.event_name);
	return ev;
}

static int find_device(const struct platform_watch *w, const char *event_name)
{
	for (int i = 0; i < PLATFORM_MAX_DEVICES; i++)
		if (w->dev[i].fd >= 0 &&
		    strcmp(w->dev[i].info.event_name, event_name) == 0)
			return i;
	return -1;
}

static void device_close(struct platform_watch *w, int i, const char *why)
{
	struct plw_device *d = &w->dev[i];

	log_info("input %s (%s) gone: %s", d->info.event_name, d->info.id.name, why);
	queue_push(w, PLATFORM_EV_DEVICE_REMOVE, i, bbt_clock_boottime_us());
	close(d->fd);
	d->fd = -1;
}

/* Probe and, if it is a teacher's input, open one node. Failures are only
 * logged: for a new node udev may not have set the permissions yet (an
 * IN_ATTRIB follows), so `hotplug` makes EACCES a debug message. */
static void device_try_open(struct platform_watch *w, const char *event_name,
    int hotplug)
{
	struct platform_input info;
	struct platform_event *ev;
	struct bbt_error pe;
	char kinds[64];
	int slot = -1, fd;

	if (!valid_event_name(event_name) || find_device(w, event_name) >= 0)
		return;
	if (platform_input_probe(event_name, &info, &pe) < 0) {
		log_debug("input %s: %s", event_name, pe.msg);
		return;
	}
	platform_input_kinds_str(info.kinds, kinds, sizeof(kinds));
	if (!(info.kinds & PLATFORM_INPUT_WATCHED)) {
		log_debug("input %s (%s): %s, not watched", event_name, info.id.name, kinds);
		return;
	}
	for (int i = 0; i < PLATFORM_MAX_DEVICES && slot < 0; i++)
		if (w->dev[i].fd < 0)
			slot = i;
	if (slot < 0) {
		log_warn("input %s: more than %d devices, not watched", event_name,
		    PLATFORM_MAX_DEVICES);
		return;
	}
	fd = open(info.devnode, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (hotplug && errno == EACCES)
			log_debug("input %s: no access yet", event_name);
		else
			log_warn_errno("input %s: cannot open %s", event_name, info.devnode);
		return;
	}
	memset(&w->dev[slot], 0, sizeof(w->dev[slot]));
	w->dev[slot].fd = fd;
	snprintf(w->dev[slot].info.event_name, sizeof(w->dev[slot].info.event_name), "%s",
	    info.event_name);
	w->dev[slot].info.id = info.id;
	log_info("input %s: watching \"%s\" [%s:%s] (%s)", event_name, info.id.name,
	    info.id.vid[0] ? info.id.vid : "-", info.id.pid[0] ? info.id.pid : "-", kinds);
	ev = queue_push(w, PLATFORM_EV_DEVICE_ADD, slot, bbt_clock_boottime_us());
	if (!ev)
		return;
	ev->id = info.id;
	ev->kinds = info.kinds;
	ev->multitouch = info.multitouch;
}

static void rescan(struct platform_watch *w)
{
	struct dirent *de;
	DIR *d = opendir(PLW_INPUT_DIR);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL)
		device_try_open(w, de->d_name, 0);
	closedir(d);
}

/* Queue one kernel event, dropping what SYN_DROPPED made meaningless. */
static void device_event(struct platform_watch *w, int i, int64_t now_us,
    const struct input_event *ie)
{
	struct plw_device *d = &w->dev[i];
	struct platform_event *ev;

	if (ie->type == EV_SYN && ie->code == SYN_DROPPED) {
		log_warn("input %s: events dropped by the kernel", d->info.event_name);
		d->dropping = 1;
		return;
	}
	if (d->dropping) {
		if (ie->type == EV_SYN && ie->code == SYN_REPORT) {
			d->dropping = 0;
			queue_push(w, PLATFORM_EV_DEVICE_RESET, i, now_us);
		}
		return;
	}
	ev = queue_push(w, PLATFORM_EV_INPUT, i, now_us);
	if (!ev)
		return;
	ev->ev_type = ie->type;
	ev->ev_code = ie->code;
	ev->ev_value = ie->value;
}

/* Drain one readable device. The time is taken here, when read, rather
 * than from the event: the kernel's stamp may be on a clock that stops in
 * suspend, and replayed events carry the recording's time. */
static void device_read(struct platform_watch *w, int i)
{
	unsigned char buf[PLW_READ_EVENTS * sizeof(struct input_event)];
	struct plw_device *d = &w->dev[i];
	struct input_event ie;
	size_t total, off = 0;
	ssize_t r;

	memcpy(buf, d->partial, d->have);
	r = read(d->fd, buf + d->have, sizeof(buf) - d->have);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		device_close(w, i, errno == ENODEV ? "removed" : strerror(errno));
		return;
	}
	if (r == 0) {
		device_close(w, i, "end of file");
		return;
	}
	int64_t now_us = bbt_clock_boottime_us();

	total = d->have + (size_t)r;
	for (; total - off >= sizeof(ie); off += sizeof(ie)) {
		memcpy(&ie, buf + off, sizeof(ie));
		device_event(w, i, now_us, &ie);
	}
	d->have = total - off;
	memcpy(d->partial, buf + off, d->have);
}

static void inotify_read(struct platform_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	ssize_t r;

	r = read(w->inofd, buf, sizeof(buf));
	if (r <= 0)
		return;
	for (char *p = buf; p < buf + r; p += sizeof(*ie) + ie->len) {
		ie = (const struct inotify_event *)p;
		if (ie->mask & IN_Q_OVERFLOW) {
			rescan(w);
			continue;
		}
		if (!ie->len)
			continue;
		if (ie->mask & IN_DELETE) {
			int i = find_device(w, ie->name);

			if (i >= 0)
				device_close(w, i, "node deleted");
			continue;
		}
		device_try_open(w, ie->name, 1);
	}
}

static void signal_read(struct platform_watch *w)
{
	struct signalfd_siginfo si;
	int64_t now_us = bbt_clock_boottime_us();

	while (read(w->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			queue_push(w, PLATFORM_EV_RELOAD, -1, now_us);
		else
			queue_push(w, PLATFORM_EV_STOP, -1, now_us);
	}
}

int platform_watch_open(struct platform_watch **out, struct bbt_error *e)
{
	struct platform_watch *w;
	sigset_t set;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return bbt_error_set(e, "out of memory");
	w->inofd = -1;
	for (int i = 0; i < PLATFORM_MAX_DEVICES; i++)
		w->dev[i].fd = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, &w->oldmask) != 0) {
		free(w);
		return bbt_error_set(e, "cannot block signals");
	}
	w->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (w->sigfd < 0) {
		bbt_error_set(e, "signalfd: %s", strerror(errno));
		pthread_sigmask(SIG_SETMASK, &w->oldmask, NULL);
		free(w);
		return -1;
	}
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wakefd < 0) {
		bbt_error_set(e, "eventfd: %s", strerror(errno));
		close(w->sigfd);
		pthread_sigmask(SIG_SETMASK, &w->oldmask, NULL);
		free(w);
		return -1;
	}
	w->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->inofd >= 0 && inotify_add_watch(w->inofd, PLW_INPUT_DIR,
	    IN_CREATE | IN_ATTRIB | IN_DELETE | IN_MOVED_TO) < 0) {
		log_warn_errno("cannot watch " PLW_INPUT_DIR ", rescanning every %d s",
		    PLW_RESCAN_S);
		close(w->inofd);
		w->inofd = -1;
	}
	if (w->inofd < 0)
		w->next_rescan_us = bbt_clock_boottime_us() + PLW_RESCAN_S * 1000000LL;
	rescan(w);
	*out = w;
	return 0;
}

/* Move queued events to the caller. */
static size_t queue_take(struct platform_watch *w, struct platform_event *ev,
    size_t max)
{
	size_t n = w->len - w->head;

	if (n > max)
		n = max;
	memcpy(ev, w->q + w->head, n * sizeof(*ev));
	w->head += n;
	return n;
}

void platform_watch_wake(struct platform_watch *w)
{
	uint64_t one = 1;

	/* Fails only when the counter is full, i.e. a wake is pending anyway. */
	if (write(w->wakefd, &one, sizeof(one)) < 0)
		return;
}

static void wake_read(struct platform_watch *w)
{
	uint64_t n;

	if (read(w->wakefd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		queue_push(w, PLATFORM_EV_WAKE, -1, bbt_clock_boottime_us());
}

static int poll_timeout_ms(int64_t deadline_us, int64_t now_us)
{
	int64_t ms;

	if (deadline_us == INT64_MAX)
		return -1;
	if (deadline_us <= now_us)
		return 0;
	ms = (deadline_us - now_us + 999) / 1000;	/* never wake early */
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static int watch_poll(struct platform_watch *w, int64_t deadline_us,
    struct bbt_error *e)
{
	struct pollfd pfd[PLATFORM_MAX_DEVICES + 3];
	int map[PLATFORM_MAX_DEVICES + 3];
	int64_t now_us = bbt_clock_boottime_us();
	nfds_t n = 0;
	int r;

	if (w->inofd < 0 && now_us >= w->next_rescan_us) {
		rescan(w);
		w->next_rescan_us = now_us + PLW_RESCAN_S * 1000000LL;
	}
	if (w->inofd < 0 && w->next_rescan_us < deadline_us)
		deadline_us = w->next_rescan_us;
	pfd[n] = (struct pollfd){ .fd = w->sigfd, .events = POLLIN };
	map[n++] = -1;
	pfd[n] = (struct pollfd){ .fd = w->wakefd, .events = POLLIN };
	map[n++] = -3;
	if (w->inofd >= 0) {
		pfd[n] = (struct pollfd){ .fd = w->inofd, .events = POLLIN };
		map[n++] = -2;
	}
	for (int i = 0; i < PLATFORM_MAX_DEVICES; i++) {
		if (w->dev[i].fd < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = w->dev[i].fd, .events = POLLIN };
		map[n++] = i;
	}
	r = poll(pfd, n, poll_timeout_ms(deadline_us, now_us));
	if (r < 0)
		return errno == EINTR ? 0 : bbt_error_set(e, "poll: %s", strerror(errno));
	for (nfds_t k = 0; k < n && r > 0; k++) {
		if (!pfd[k].revents)
			continue;
		if (map[k] == -1)
			signal_read(w);
		else if (map[k] == -2)
			inotify_read(w);
		else if (map[k] == -3)
			wake_read(w);
		else if (w->dev[map[k]].fd == pfd[k].fd)
			device_read(w, map[k]);
	}
	return 0;
}

int platform_watch_wait(struct platform_watch *w, int64_t deadline_us,
    struct platform_event *ev, size_t max, size_t *n, struct bbt_error *e)
{
	*n = 0;
	for (;;) {
		if (w->failed)
			return bbt_error_set(e, "out of memory queueing input events");
		if (w->len > w->head) {
			*n = queue_take(w, ev, max);
			return 0;
		}
		if (bbt_clock_boottime_us() >= deadline_us)
			return 0;
		if (watch_poll(w, deadline_us, e) < 0)
			return -1;
	}
}

int platform_watch_ndevices(const struct platform_watch *w)
{
	int n = 0;

	for (int i = 0; i < PLATFORM_MAX_DEVICES; i++)
		n += w->dev[i].fd >= 0;
	return n;
}

void platform_watch_close(struct platform_watch *w)
{
	if (!w)
		return;
	for (int i = 0; i < PLATFORM_MAX_DEVICES; i++)
		if (w->dev[i].fd >= 0)
			close(w->dev[i].fd);
	if (w->inofd >= 0)
		close(w->inofd);
	close(w->sigfd);
	close(w->wakefd);
	pthread_sigmask(SIG_SETMASK, &w->oldmask, NULL);
	free(w->q);
	free(w);
}

/* ---- The lock file (platform.h): flock(2), one open file description each. ---- */

struct platform_lock {
	int fd;
	int held;
};

int platform_lock_open(const char *path, const char *like, struct platform_lock **out,
    struct bbt_error *e)
{
	struct platform_lock *l = calloc(1, sizeof(*l));
	struct stat sb, lsb;

	*out = NULL;
	if (l == NULL)
		return bbt_error_set(e, "out of memory");
	/* Read-only is enough for flock. */
	l->fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0) {
		int err = errno;

		free(l);
		return bbt_error_set(e, "cannot open lock file %s: %s", path, strerror(err));
	}
	/*
	 * Run as root (`status` on a buffer from before the lock file), give it
	 * like's owner, as SQLite does for a -wal it creates: else the
	 * unprivileged daemon could not open it.
	 */
	if (geteuid() == 0 && stat(like, &lsb) == 0 && fstat(l->fd, &sb) == 0 &&
	    (sb.st_uid != lsb.st_uid || sb.st_gid != lsb.st_gid) &&
	    fchown(l->fd, lsb.st_uid, lsb.st_gid) < 0)
		log_warn_errno("cannot give %s the owner of %s", path, like);
	*out = l;
	return 0;
}

int platform_lock_take(struct platform_lock *l, int exclusive, struct bbt_error *e)
{
	while (flock(l->fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			return bbt_error_set(e, "lock: %s", strerror(errno));
	l->held = 1;
	return 0;
}

void platform_lock_drop(struct platform_lock *l)
{
	if (l->held && flock(l->fd, LOCK_UN) < 0)
		log_warn_errno("unlock");
	l->held = 0;
}

void platform_lock_close(struct platform_lock *l)
{
	if (l == NULL)
		return;
	close(l->fd);	/* drops the lock with the last descriptor */
	free(l);
}
