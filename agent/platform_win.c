/*
 * platform_win: platform.h on Windows 7 SP1 and later.
 *
 * - Devices: the Raw Input device list (GetRawInputDeviceList), classified
 *   from what each device is (RIM_TYPEMOUSE, RIM_TYPEKEYBOARD, HID top-level
 *   collections on the digitizer page 0x0D: touch screen 0x04, pen 0x02,
 *   touch pad 0x05), never from a vendor list; vid/pid from the device's
 *   RID_DEVICE_INFO, the name from its interface path.
 * - Boot id: a random UUID kept in a REG_OPTION_VOLATILE registry key, which Windows
 *   drops at every boot (there is no /proc/sys/kernel/random/boot_id).
 * - hw_id: the SMBIOS system UUID (GetSystemFirmwareTable 'RSMB'), printed
 *   as Linux prints /sys/class/dmi/id/product_uuid (SMBIOS >= 2.6: the
 *   first three fields little-endian), so a dual-boot PC is one device.
 * - The event source: a queue that other threads fill (the service's pipe
 *   reader pushes the helper's input events with platform_win_push), a stop
 *   request (console Ctrl+C/close, or the service control handler calling
 *   platform_win_request_stop) and platform_watch_wake, all waking one
 *   event object the run loop sleeps on until its deadline.
 *
 * Invariants: as platform.h says, platform_watch_wait never returns early
 * without an event; times are bbt_clock_boottime_us() (GetTickCount64,
 * which counts sleep). Only Windows 7 APIs.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <ctype.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_array.h"
#include "bbt_log.h"
#include "bbt_time.h"
#include "platform.h"
#include "platform_win.h"
#include "win_util.h"

/* ---- Devices ---- */

/* The 4 hex digits after the first of the tags in path, lowercased into
 * out; out stays "" unless all 4 are there. A Bluetooth tag ("VID&" then a
 * 4-digit source, 0001 or 0002, and the id) skips the source; its "PID&"
 * has none. */
static void hex4_after(const char *path, const char *const *tags, char out[5])
{
	for (; *tags != NULL; tags++) {
		const char *t = strstr(path, *tags);
		size_t skip = strlen(*tags);
		int i;

		if (t == NULL)
			continue;
		if ((*tags)[3] == '&' && ((*tags)[0] == 'V' || (*tags)[0] == 'v'))
			skip += 4;
		if (strnlen(t, skip + 4) < skip + 4)
			continue;	/* the path ends first: never read past it */
		for (i = 0; i < 4 && isxdigit((unsigned char)t[skip + (size_t)i]); i++)
			;
		if (i < 4)
			continue;
		for (i = 0; i < 4; i++)
			out[i] = (char)tolower((unsigned char)t[skip + (size_t)i]);
		out[4] = '\0';
		return;
	}
}

void platform_win_ids_from_path(const char *path, struct bbt_input_id *id)
{
	static const char *const vid[] = { "VID_", "vid_", "VID&", "vid&", NULL };
	static const char *const pid[] = { "PID_", "pid_", "PID&", "pid&", NULL };

	if (id->vid[0] == '\0')
		hex4_after(path, vid, id->vid);
	if (id->pid[0] == '\0')
		hex4_after(path, pid, id->pid);
}

static int probe_handle(HANDLE h, DWORD type, int index, struct platform_input *out)
{
	RID_DEVICE_INFO info = { .cbSize = sizeof(info) };
	UINT sz = sizeof(info);
	wchar_t wname[512];
	UINT wn = 512;

	memset(out, 0, sizeof(*out));
	snprintf(out->event_name, sizeof(out->event_name), "raw%d", index);
	if (GetRawInputDeviceInfoW(h, RIDI_DEVICENAME, wname, &wn) == (UINT)-1)
		wname[0] = 0;
	win_wide_to_utf8_buf(wname, out->sysfs_path, sizeof(out->sysfs_path));
	snprintf(out->devnode, sizeof(out->devnode), "%.63s", out->sysfs_path);
	if (GetRawInputDeviceInfoW(h, RIDI_DEVICEINFO, &info, &sz) == (UINT)-1)
		return -1;
	if (info.dwType == RIM_TYPEHID) {
		snprintf(out->id.vid, sizeof(out->id.vid), "%04lx",
		    (unsigned long)info.hid.dwVendorId & 0xffff);
		snprintf(out->id.pid, sizeof(out->id.pid), "%04lx",
		    (unsigned long)info.hid.dwProductId & 0xffff);
		out->kinds = platform_win_classify(type, info.hid.usUsagePage, info.hid.usUsage);
	} else {
		out->kinds = platform_win_classify(type, 0, 0);
	}
	platform_win_ids_from_path(out->sysfs_path, &out->id);
	out->direct = (out->kinds & (PLATFORM_INPUT_TOUCHSCREEN | PLATFORM_INPUT_PEN)) != 0;
	out->multitouch = (out->kinds & PLATFORM_INPUT_TOUCHSCREEN) != 0;
	snprintf(out->id.name, sizeof(out->id.name), "%s",
	    type == RIM_TYPEMOUSE ? "Raw Input mouse" :
	    type == RIM_TYPEKEYBOARD ? "Raw Input keyboard" : "HID device");
	return 0;
}

int platform_input_list(struct platform_input **out, size_t *n, struct bbt_error *e)
{
	RAWINPUTDEVICELIST *rl = NULL;
	UINT count = 0;
	struct platform_input *v;
	size_t len = 0;

	*out = NULL;
	*n = 0;
	if (GetRawInputDeviceList(NULL, &count, sizeof(*rl)) == (UINT)-1)
		return bbt_error_set(e, "GetRawInputDeviceList: error %lu", GetLastError());
	if (count == 0)
		return 0;
	rl = calloc(count, sizeof(*rl));
	v = calloc(count, sizeof(*v));
	if (rl == NULL || v == NULL) {
		free(rl);
		free(v);
		return bbt_error_set(e, "out of memory");
	}
	count = GetRawInputDeviceList(rl, &count, sizeof(*rl));
	for (UINT i = 0; i != (UINT)-1 && i < count; i++)
		if (probe_handle(rl[i].hDevice, rl[i].dwType, (int)i, &v[len]) == 0)
			len++;
	free(rl);
	if (len == 0) {
		free(v);
		return 0;
	}
	*out = v;
	*n = len;
	return 0;
}

int platform_input_probe(const char *event_name, struct platform_input *out,
    struct bbt_error *e)
{
	struct platform_input *v;
	size_t n;
	int rc = -1;

	if (platform_input_list(&v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].event_name, event_name) == 0) {
			*out = v[i];
			rc = 0;
		}
	free(v);
	return rc == 0 ? 0 : bbt_error_set(e, "%s: no such input device", event_name);
}

/* ---- Boot id ---- */

#define BOOT_KEY_PARENT L"SOFTWARE\\bbt-agent"
#define BOOT_KEY L"SOFTWARE\\bbt-agent\\Boot"

static int read_boot_value(HKEY k, char out[BBT_BOOT_ID_LEN])
{
	wchar_t w[64];
	DWORD type, sz = sizeof(w) - sizeof(wchar_t);

	if (RegQueryValueExW(k, L"boot_id", NULL, &type, (BYTE *)w, &sz) != ERROR_SUCCESS ||
	    type != REG_SZ)
		return -1;
	w[sz / sizeof(wchar_t)] = 0;
	if (win_wide_to_utf8_buf(w, out, BBT_BOOT_ID_LEN) < 0 || !bbt_uuid_valid(out))
		return -1;
	return 0;
}

/* HKLM for the service; a user's own process falls back to HKCU (its runs
 * are tests or `status`, whose boot id only has to be stable per boot). */
static int boot_key_in(HKEY root, char out[BBT_BOOT_ID_LEN])
{
	HKEY parent, k;
	DWORD disp;
	wchar_t w[BBT_BOOT_ID_LEN];
	int rc = -1;

	if (RegCreateKeyExW(root, BOOT_KEY_PARENT, 0, NULL, 0, KEY_ALL_ACCESS, NULL,
	    &parent, NULL) != ERROR_SUCCESS)
		return -1;
	RegCloseKey(parent);
	if (RegCreateKeyExW(root, BOOT_KEY, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS,
	    NULL, &k, &disp) != ERROR_SUCCESS)
		return -1;
	for (int tries = 0; tries < 50 && rc < 0; tries++) {
		rc = read_boot_value(k, out);
		if (rc == 0 || disp != REG_CREATED_NEW_KEY) {
			if (rc < 0)
				Sleep(10);	/* its creator is writing the value */
			continue;
		}
		if (bbt_uuid_v4(out) < 0)
			break;
		MultiByteToWideChar(CP_UTF8, 0, out, -1, w, BBT_BOOT_ID_LEN);
		if (RegSetValueExW(k, L"boot_id", 0, REG_SZ, (const BYTE *)w,
		    (DWORD)((wcslen(w) + 1) * sizeof(wchar_t))) == ERROR_SUCCESS)
			rc = 0;
		break;
	}
	RegCloseKey(k);
	return rc;
}

int platform_boot_id(char out[BBT_BOOT_ID_LEN], struct bbt_error *e)
{
	if (boot_key_in(HKEY_LOCAL_MACHINE, out) == 0 ||
	    boot_key_in(HKEY_CURRENT_USER, out) == 0)
		return 0;
	return bbt_error_set(e, "boot id: cannot create the boot key in HKLM or HKCU\\"
	    "SOFTWARE\\bbt-agent\\Boot");
}

/* ---- SMBIOS system UUID ---- */

#define FIRMWARE_RSMB 0x52534D42u	/* 'RSMB' */

int platform_win_smbios_uuid(const unsigned char *raw, size_t n, char out[37])
{
	/* RawSMBIOSData: 1 byte method, major, minor, DMI revision, DWORD length. */
	const unsigned char *t, *end;
	unsigned major, minor;
	uint32_t len;

	if (n < 8)
		return -1;
	major = raw[1];
	minor = raw[2];
	memcpy(&len, raw + 4, 4);
	if (len > n - 8)
		return -1;
	t = raw + 8;
	end = t + len;
	while (t + 4 <= end) {
		const unsigned char *s = t + t[1];

		if (t[1] < 4 || s > end)
			return -1;
		if (t[0] == 1 && t[1] >= 0x19)
			return platform_win_format_uuid(t + 8, major > 2 || (major == 2 && minor >= 6),
			    out);
		if (t[0] == 127)
			break;
		while (s + 1 < end && (s[0] || s[1]))	/* strings end with two NULs */
			s++;
		t = s + 2;
	}
	return -1;
}

int platform_win_format_uuid(const unsigned char u[16], int little_endian, char out[37])
{
	static const int le[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	int all00 = 1, allff = 1;
	size_t at = 0;

	for (int i = 0; i < 16; i++) {
		all00 &= u[i] == 0x00;
		allff &= u[i] == 0xff;
	}
	if (all00 || allff)
		return -1;	/* "not present" / "not settable": no id */
	for (int i = 0; i < 16; i++) {
		at += (size_t)snprintf(out + at, 37 - at, "%02x", u[little_endian ? le[i] : i]);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			out[at++] = '-';
	}
	out[at] = '\0';
	return 0;
}

int platform_win_system_uuid(char out[37], struct bbt_error *e)
{
	UINT size = GetSystemFirmwareTable(FIRMWARE_RSMB, 0, NULL, 0);
	unsigned char *buf;
	int rc;

	if (size == 0)
		return bbt_error_set(e, "GetSystemFirmwareTable(RSMB): error %lu", GetLastError());
	if ((buf = malloc(size)) == NULL)
		return bbt_error_set(e, "out of memory");
	size = GetSystemFirmwareTable(FIRMWARE_RSMB, 0, buf, size);
	rc = platform_win_smbios_uuid(buf, size, out);
	free(buf);
	return rc == 0 ? 0 : bbt_error_set(e, "SMBIOS: no system UUID");
}

/* ---- The event source ---- */

struct platform_watch {
	HANDLE ev;			/* auto-reset: something was queued */
	CRITICAL_SECTION mu;		/* guards everything below */
	struct platform_event *q;
	size_t head, len, cap;
	int failed;
	int devices;			/* added minus removed */
};

/* One open watch per process: the console handler and the service control
 * handler reach it here. */
static _Atomic(struct platform_watch *) current;
static platform_win_source_fn source_start, source_stop;
static atomic_int stop_pending;

static void push_locked(struct platform_watch *w, const struct platform_event *ev)
{
	if (w->head > 0 && w->head == w->len)
		w->head = w->len = 0;
	if (bbt_grow(&w->q, &w->cap, w->len + 1, sizeof(*w->q)) < 0) {
		w->failed = 1;
		return;
	}
	w->q[w->len++] = *ev;
	if (ev->type == PLATFORM_EV_DEVICE_ADD)
		w->devices++;
	else if (ev->type == PLATFORM_EV_DEVICE_REMOVE)
		w->devices--;
}

void platform_win_push(struct platform_watch *w, const struct platform_event *ev, size_t n)
{
	EnterCriticalSection(&w->mu);
	for (size_t i = 0; i < n; i++)
		push_locked(w, &ev[i]);
	LeaveCriticalSection(&w->mu);
	SetEvent(w->ev);
}

static void push_simple(struct platform_watch *w, enum platform_event_type type)
{
	struct platform_event ev = { .type = type, .dev = -1,
	    .time_us = bbt_clock_boottime_us() };

	platform_win_push(w, &ev, 1);
}

void platform_win_set_source(platform_win_source_fn start, platform_win_source_fn stop)
{
	source_start = start;
	source_stop = stop;
}

void platform_win_request_stop(void)
{
	struct platform_watch *w = current;

	atomic_store(&stop_pending, 1);
	if (w)
		push_simple(w, PLATFORM_EV_STOP);
}

static BOOL WINAPI console_handler(DWORD type)
{
	platform_win_request_stop();
	return TRUE;	/* the run loop stops and closes the session itself */
}

int platform_watch_open(struct platform_watch **out, struct bbt_error *e)
{
	struct platform_watch *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return bbt_error_set(e, "out of memory");
	w->ev = CreateEventW(NULL, FALSE, FALSE, NULL);
	if (w->ev == NULL) {
		free(w);
		return bbt_error_set(e, "CreateEvent: error %lu", GetLastError());
	}
	InitializeCriticalSection(&w->mu);
	current = w;
	SetConsoleCtrlHandler(console_handler, TRUE);
	if (atomic_load(&stop_pending))
		push_simple(w, PLATFORM_EV_STOP);
	if (source_start)
		source_start(w);
	*out = w;
	return 0;
}

void platform_watch_wake(struct platform_watch *w)
{
	push_simple(w, PLATFORM_EV_WAKE);
}

static size_t queue_take(struct platform_watch *w, struct platform_event *ev, size_t max)
{
	size_t n;

	EnterCriticalSection(&w->mu);
	n = w->len - w->head;
	if (n > max)
		n = max;
	memcpy(ev, w->q + w->head, n * sizeof(*ev));
	w->head += n;
	LeaveCriticalSection(&w->mu);
	return n;
}

int platform_watch_wait(struct platform_watch *w, int64_t deadline_us,
    struct platform_event *ev, size_t max, size_t *n, struct bbt_error *e)
{
	*n = 0;
	for (;;) {
		int64_t now_us, ms;

		if (w->failed)
			return bbt_error_set(e, "out of memory queueing input events");
		if ((*n = queue_take(w, ev, max)) > 0)
			return 0;
		now_us = bbt_clock_boottime_us();
		if (now_us >= deadline_us)
			return 0;
		ms = deadline_us == INT64_MAX ? INFINITE : (deadline_us - now_us + 999) / 1000;
		if (ms >= INFINITE)
			ms = INFINITE - 1;
		/* GetTickCount64 steps every ~16 ms: wait one more step rather
		 * than return before the deadline. */
		WaitForSingleObject(w->ev, deadline_us == INT64_MAX ? INFINITE : (DWORD)ms + 1);
	}
}

int platform_watch_ndevices(const struct platform_watch *w)
{
	return w->devices;
}

void platform_watch_close(struct platform_watch *w)
{
	if (!w)
		return;
	if (source_stop)
		source_stop(w);
	current = NULL;
	SetConsoleCtrlHandler(console_handler, FALSE);
	DeleteCriticalSection(&w->mu);
	CloseHandle(w->ev);
	free(w->q);
	free(w);
}

/* ---- The lock file (platform.h): LockFileEx on the first byte. ---- */

struct platform_lock {
	int fd;			/* open() of bbt_wincompat.h: UTF-8 path, %VAR% expanded */
	HANDLE h;		/* its handle, for LockFileEx */
	int held;
};

int platform_lock_open(const char *path, const char *like, struct platform_lock **out,
    struct bbt_error *e)
{
	struct platform_lock *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (l == NULL)
		return bbt_error_set(e, "out of memory");
	l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		int err = errno;

		free(l);
		return bbt_error_set(e, "cannot open lock file %s: %s", path, strerror(err));
	}
	l->h = (HANDLE)_get_osfhandle(l->fd);	/* like: the state dir's ACL rules here */
	*out = l;
	return 0;
}

int platform_lock_take(struct platform_lock *l, int exclusive, struct bbt_error *e)
{
	OVERLAPPED ov;

	memset(&ov, 0, sizeof(ov));
	/* No LOCKFILE_FAIL_IMMEDIATELY: wait, as flock does. */
	if (!LockFileEx(l->h, exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0, 0, 1, 0, &ov))
		return bbt_error_set(e, "lock: LockFileEx error %lu",
		    (unsigned long)GetLastError());
	l->held = 1;
	return 0;
}

void platform_lock_drop(struct platform_lock *l)
{
	OVERLAPPED ov;

	memset(&ov, 0, sizeof(ov));
	if (l->held && !UnlockFileEx(l->h, 0, 1, 0, &ov))
		log_warn("unlock: UnlockFileEx error %lu", (unsigned long)GetLastError());
	l->held = 0;
}

void platform_lock_close(struct platform_lock *l)
{
	if (l == NULL)
		return;
	platform_lock_drop(l);
	close(l->fd);
	free(l);
}
