/*
 * inputpipe_win: the service's end of the helper's pipe (win_input.h). It
 * is the input source of platform_win's watch: started by
 * platform_watch_open, it accepts helpers (one per user session) and turns
 * their messages into platform events, so `run` (daemon.c, the detector,
 * the store) is the same code as on Linux.
 *
 * Invariants: the pipe is created by this process with an explicit ACL
 * (WIN_INPUT_PIPE_SDDL) and PIPE_REJECT_REMOTE_CLIENTS, and first-instance
 * flag set, so no other process can squat the name and no remote machine
 * can feed input; nothing is ever written back to a helper. Each
 * connection's devices get watch slots of their own, all released (as
 * PLATFORM_EV_DEVICE_REMOVE) when it disconnects, which ends a session
 * exactly as unplugging a device does on Linux. A helper's time stamp
 * later than now is clamped to now (never a session in the future).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <sddl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "bbt_log.h"
#include "bbt_time.h"
#include "inputpipe_win.h"
#include "platform_win.h"
#include "win_input.h"

#define HELPER_DEVS 32

struct conn {
	HANDLE pipe;
	HANDLE thread;
	int id;
	int slot[HELPER_DEVS];		/* helper dev -> watch slot, -1 none */
};

static struct {
	struct platform_watch *w;
	HANDLE accept_thread;
	atomic_int stopping;
	CRITICAL_SECTION mu;		/* slots_used, conns */
	int slots_used[PLATFORM_MAX_DEVICES];
	struct conn *conns[64];
	int next_id;
	const wchar_t *name;
} ip = { .name = WIN_INPUT_PIPE };

static int slot_take(void)
{
	int s = -1;

	EnterCriticalSection(&ip.mu);
	for (int i = 0; i < PLATFORM_MAX_DEVICES && s < 0; i++)
		if (!ip.slots_used[i]) {
			ip.slots_used[i] = 1;
			s = i;
		}
	LeaveCriticalSection(&ip.mu);
	return s;
}

static void slot_release(struct conn *c, int dev, int64_t t)
{
	struct platform_event ev = { .type = PLATFORM_EV_DEVICE_REMOVE, .time_us = t };

	if (c->slot[dev] < 0)
		return;
	ev.dev = c->slot[dev];
	snprintf(ev.node, sizeof(ev.node), "helper%d-dev%d", c->id, dev);
	platform_win_push(ip.w, &ev, 1);
	EnterCriticalSection(&ip.mu);
	ip.slots_used[c->slot[dev]] = 0;
	LeaveCriticalSection(&ip.mu);
	c->slot[dev] = -1;
}

static void on_msg(struct conn *c, const struct win_input_msg *m)
{
	struct platform_event ev = { 0 };
	int64_t now = bbt_clock_boottime_us();

	if (m->magic != WIN_INPUT_MAGIC || m->dev >= HELPER_DEVS)
		return;
	ev.time_us = m->time_us > now || m->time_us <= 0 ? now : m->time_us;
	snprintf(ev.node, sizeof(ev.node), "helper%d-dev%u", c->id, m->dev);
	switch (m->kind) {
	case WIN_INPUT_DEVICE_ADD:
		slot_release(c, (int)m->dev, ev.time_us);
		if ((c->slot[m->dev] = slot_take()) < 0) {
			log_warn("input pipe: more than %d devices, %s ignored",
			    PLATFORM_MAX_DEVICES, ev.node);
			return;
		}
		ev.type = PLATFORM_EV_DEVICE_ADD;
		ev.dev = c->slot[m->dev];
		ev.kinds = m->kinds;
		ev.multitouch = m->multitouch != 0;
		snprintf(ev.id.name, sizeof(ev.id.name), "%.*s", (int)sizeof(m->name), m->name);
		snprintf(ev.id.vid, sizeof(ev.id.vid), "%.4s", m->vid);
		snprintf(ev.id.pid, sizeof(ev.id.pid), "%.4s", m->pid);
		break;
	case WIN_INPUT_DEVICE_REMOVE:
		slot_release(c, (int)m->dev, ev.time_us);
		return;
	case WIN_INPUT_EVENT:
		if (c->slot[m->dev] < 0)
			return;
		ev.type = PLATFORM_EV_INPUT;
		ev.dev = c->slot[m->dev];
		ev.ev_type = m->type;
		ev.ev_code = m->code;
		ev.ev_value = m->value;
		break;
	default:
		return;
	}
	platform_win_push(ip.w, &ev, 1);
}

static DWORD WINAPI conn_main(LPVOID arg)
{
	struct conn *c = arg;
	struct win_input_msg m;
	DWORD n;

	log_info("input helper %d connected", c->id);
	while (!atomic_load(&ip.stopping)) {
		BOOL ok = ReadFile(c->pipe, &m, sizeof(m), &n, NULL);

		if (!ok && GetLastError() == ERROR_MORE_DATA)
			continue;	/* oversized message: the rest is dropped too */
		if (!ok)
			break;
		if (n == sizeof(m))
			on_msg(c, &m);
	}
	for (int i = 0; i < HELPER_DEVS; i++)
		slot_release(c, i, bbt_clock_boottime_us());
	log_info("input helper %d disconnected", c->id);
	return 0;
}

static HANDLE pipe_create(int first)
{
	SECURITY_ATTRIBUTES sa = { .nLength = sizeof(sa) };
	PSECURITY_DESCRIPTOR sd = NULL;
	HANDLE h;

	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(WIN_INPUT_PIPE_SDDL,
	    SDDL_REVISION_1, &sd, NULL))
		return INVALID_HANDLE_VALUE;
	sa.lpSecurityDescriptor = sd;
	h = CreateNamedPipeW(ip.name, PIPE_ACCESS_INBOUND |
	    (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
	    PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
	    PIPE_UNLIMITED_INSTANCES, 0, 64 * 1024, 0, &sa);
	LocalFree(sd);
	return h;
}

static DWORD WINAPI accept_main(LPVOID arg)
{
	for (int first = 1; !atomic_load(&ip.stopping); first = 0) {
		HANDLE h = pipe_create(first);
		struct conn *c;

		if (h == INVALID_HANDLE_VALUE) {
			log_err("input pipe: cannot create (error %lu)", GetLastError());
			return 1;
		}
		if (!ConnectNamedPipe(h, NULL) && GetLastError() != ERROR_PIPE_CONNECTED) {
			CloseHandle(h);
			continue;
		}
		if (atomic_load(&ip.stopping) || (c = calloc(1, sizeof(*c))) == NULL) {
			CloseHandle(h);
			continue;
		}
		c->pipe = h;
		for (int i = 0; i < HELPER_DEVS; i++)
			c->slot[i] = -1;
		EnterCriticalSection(&ip.mu);
		c->id = ++ip.next_id;
		for (size_t i = 0; i < sizeof(ip.conns) / sizeof(ip.conns[0]); i++)
			if (ip.conns[i] == NULL) {
				ip.conns[i] = c;
				break;
			}
		LeaveCriticalSection(&ip.mu);
		c->thread = CreateThread(NULL, 0, conn_main, c, 0, NULL);
	}
	return 0;
}

static void source_start(struct platform_watch *w)
{
	ip.w = w;
	atomic_store(&ip.stopping, 0);
	ip.accept_thread = CreateThread(NULL, 0, accept_main, NULL, 0, NULL);
}

/* Unblock the accept (a connection of our own) and every reader, join. */
static void source_stop(struct platform_watch *w)
{
	HANDLE self;

	atomic_store(&ip.stopping, 1);
	self = CreateFileW(ip.name, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
	if (ip.accept_thread) {
		WaitForSingleObject(ip.accept_thread, 2000);
		CloseHandle(ip.accept_thread);
		ip.accept_thread = NULL;
	}
	if (self != INVALID_HANDLE_VALUE)
		CloseHandle(self);
	for (size_t i = 0; i < sizeof(ip.conns) / sizeof(ip.conns[0]); i++) {
		struct conn *c = ip.conns[i];

		if (c == NULL)
			continue;
		CancelSynchronousIo(c->thread);
		DisconnectNamedPipe(c->pipe);
		WaitForSingleObject(c->thread, 2000);
		CloseHandle(c->thread);
		CloseHandle(c->pipe);
		free(c);
		ip.conns[i] = NULL;
	}
	ip.w = NULL;
}

void inputpipe_win_install(const wchar_t *name)
{
	static int init;

	if (!init) {
		InitializeCriticalSection(&ip.mu);
		init = 1;
	}
	if (name)
		ip.name = name;
	platform_win_set_source(source_start, source_stop);
}
