/*
 * bbt-agent-helper.exe: runs in each signed-in user's session (started at
 * logon by the Run key the MSI writes), reads that session's input through
 * Raw Input and hands it to the bbt-agent service over the named pipe of
 * win_input.h. Session 0 (the service's) has no desktop and sees no input,
 * hence the split; the split also keeps the keyboard reader away from the
 * network: this program links no socket, TLS or HTTP code and imports no
 * winsock DLL (tests/windows checks its imports), and it writes nothing to
 * disk. It never sends which key was pressed (see Keyboard below).
 *
 *   bbt-agent-helper.exe [--pipe NAME]
 *
 * Mouse: motion as EV_REL, buttons as EV_KEY BTN_*. Keyboard: one EV_KEY
 * press (1) per key going down, a held key's repeats as 2, releases as 0,
 * all with code KEY_A (30) whatever the key: the service needs "a key was
 * pressed", not which one. Digitizers (HID usage page 0x0D: touch screen,
 * pen, touch pad) are registered and announced as devices; a touch screen's
 * or touch pad's reports are cut into contacts by Windows' HID parser on
 * the device's preparsed data (hidp_touch.c) and become the protocol B
 * events evdev gives on Linux (hidtouch_track): contact begun, motion,
 * lift, so the detector's touches and stuck_contact rule apply unchanged.
 * A pen's reports become an evdev pen's events (hidp_pen_track): the tip
 * coming near is BTN_TOOL_PEN (one activity, as on Linux), the tip
 * touching a BTN_TOUCH press, a hovering pen's motion no activity;
 * see firmware-notes/windows.md.
 *
 * Invariants: a message-only window (no UI); RIDEV_INPUTSINK so input is
 * seen whichever window has focus; if the pipe breaks (service restarted)
 * the helper reconnects every 2 s and announces its devices again.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "hidp_touch.h"
#include "hidtouch.h"
#include "platform.h"
#include "platform_win.h"
#include "win_input.h"
#include "win_util.h"

#define MAX_DEV 32
#define KEY_A_CODE 30
#define RECONNECT_MS 2000
#define MAX_PREPARSED (64 * 1024)

struct hdev {
	HANDLE h;
	int announced;
	unsigned kinds;
	int pen;			/* pp is a pen's, not a touch screen's */
	void *pp;			/* preparsed data of a touch or pen collection */
	struct hidtouch_tracker track;
	struct hidp_pen_tracker pen_track;
};

static const wchar_t *pipe_name = WIN_INPUT_PIPE;
static HANDLE pipe_h = INVALID_HANDLE_VALUE;
static struct hdev devs[MAX_DEV];
static unsigned char keys_down[512 / 8];

static int64_t now_us(void)
{
	return (int64_t)GetTickCount64() * 1000;
}

static void pipe_close(void)
{
	if (pipe_h != INVALID_HANDLE_VALUE)
		CloseHandle(pipe_h);
	pipe_h = INVALID_HANDLE_VALUE;
	for (int i = 0; i < MAX_DEV; i++)
		devs[i].announced = 0;
}

static int pipe_open(void)
{
	DWORD mode = PIPE_READMODE_MESSAGE;

	if (pipe_h != INVALID_HANDLE_VALUE)
		return 0;
	pipe_h = CreateFileW(pipe_name, GENERIC_WRITE | FILE_READ_ATTRIBUTES, 0, NULL,
	    OPEN_EXISTING, 0, NULL);
	if (pipe_h == INVALID_HANDLE_VALUE)
		return -1;
	SetNamedPipeHandleState(pipe_h, &mode, NULL, NULL);
	return 0;
}

static void send_msg(struct win_input_msg *m)
{
	DWORD n;

	m->magic = WIN_INPUT_MAGIC;
	if (pipe_open() < 0)
		return;
	if (!WriteFile(pipe_h, m, sizeof(*m), &n, NULL) || n != sizeof(*m))
		pipe_close();
}

static void dev_forget(int i)
{
	free(devs[i].pp);
	memset(&devs[i], 0, sizeof(devs[i]));
}

/* A HID device's preparsed data if it is a touch screen, touch pad or pen
 * the decoder can read (*pen: which), else NULL. */
static void *touch_preparsed(HANDLE h, DWORD rim_type, int *pen)
{
	UINT sz = 0;
	void *pp;

	if (rim_type != RIM_TYPEHID ||
	    GetRawInputDeviceInfoW(h, RIDI_PREPARSEDDATA, NULL, &sz) != 0 ||
	    sz == 0 || sz > MAX_PREPARSED || (pp = malloc(sz)) == NULL)
		return NULL;
	if (GetRawInputDeviceInfoW(h, RIDI_PREPARSEDDATA, pp, &sz) == (UINT)-1 ||
	    (!(*pen = hidp_pen_is_pen(pp)) && !hidp_touch_is_touch(pp))) {
		free(pp);
		return NULL;
	}
	return pp;
}

/* The helper's number for a Raw Input device, announcing it first. */
static int dev_index(HANDLE h, DWORD rim_type)
{
	int free_slot = -1;

	for (int i = 0; i < MAX_DEV; i++) {
		if (devs[i].h == h)
			free_slot = i;
		else if (devs[i].h == NULL && free_slot < 0)
			free_slot = i;
		if (devs[i].h == h)
			break;
	}
	if (free_slot < 0)
		return -1;
	if (devs[free_slot].h != h) {
		dev_forget(free_slot);
		devs[free_slot].h = h;
		devs[free_slot].pp = touch_preparsed(h, rim_type, &devs[free_slot].pen);
	}
	if (!devs[free_slot].announced) {
		struct win_input_msg m = { .kind = WIN_INPUT_DEVICE_ADD,
		    .dev = (uint32_t)free_slot, .time_us = now_us() };
		RID_DEVICE_INFO info = { .cbSize = sizeof(info) };
		UINT sz = sizeof(info);

		if (GetRawInputDeviceInfoW(h, RIDI_DEVICEINFO, &info, &sz) != (UINT)-1 &&
		    info.dwType == RIM_TYPEHID) {
			m.kinds = platform_win_classify(info.dwType, info.hid.usUsagePage,
			    info.hid.usUsage);
			snprintf(m.vid, sizeof(m.vid), "%04lx", info.hid.dwVendorId & 0xffff);
			snprintf(m.pid, sizeof(m.pid), "%04lx", info.hid.dwProductId & 0xffff);
		} else {
			m.kinds = platform_win_classify(rim_type, 0, 0);
		}
		m.multitouch = (m.kinds & PLATFORM_INPUT_TOUCHSCREEN) != 0;
		snprintf(m.name, sizeof(m.name), "%s",
		    rim_type == RIM_TYPEMOUSE ? "Raw Input mouse" :
		    rim_type == RIM_TYPEKEYBOARD ? "Raw Input keyboard" : "HID digitizer");
		devs[free_slot].kinds = m.kinds;
		send_msg(&m);
		devs[free_slot].announced = pipe_h != INVALID_HANDLE_VALUE;
	}
	return free_slot;
}

static void send_ev(int dev, int64_t t, uint16_t type, uint16_t code, int32_t value)
{
	struct win_input_msg m = { .kind = WIN_INPUT_EVENT, .dev = (uint32_t)dev,
	    .time_us = t, .type = type, .code = code, .value = value };

	send_msg(&m);
}

static void on_mouse(int dev, const RAWMOUSE *m, int64_t t)
{
	static const struct { USHORT down, up; uint16_t code; } btn[] = {
		{ RI_MOUSE_LEFT_BUTTON_DOWN, RI_MOUSE_LEFT_BUTTON_UP, WIN_BTN_LEFT },
		{ RI_MOUSE_RIGHT_BUTTON_DOWN, RI_MOUSE_RIGHT_BUTTON_UP, WIN_BTN_RIGHT },
		{ RI_MOUSE_MIDDLE_BUTTON_DOWN, RI_MOUSE_MIDDLE_BUTTON_UP, WIN_BTN_MIDDLE },
	};
	int any = 0;

	if (m->lLastX || m->lLastY) {
		send_ev(dev, t, WIN_EV_REL, WIN_REL_X, m->lLastX);
		send_ev(dev, t, WIN_EV_REL, WIN_REL_Y, m->lLastY);
		any = 1;
	}
	for (size_t i = 0; i < sizeof(btn) / sizeof(btn[0]); i++) {
		if (m->usButtonFlags & btn[i].down)
			send_ev(dev, t, WIN_EV_KEY, btn[i].code, 1), any = 1;
		if (m->usButtonFlags & btn[i].up)
			send_ev(dev, t, WIN_EV_KEY, btn[i].code, 0), any = 1;
	}
	if (m->usButtonFlags & RI_MOUSE_WHEEL)
		send_ev(dev, t, WIN_EV_REL, WIN_REL_WHEEL, (SHORT)m->usButtonData), any = 1;
	if (any)
		send_ev(dev, t, WIN_EV_SYN, WIN_SYN_REPORT, 0);
}

static void on_keyboard(int dev, const RAWKEYBOARD *k, int64_t t)
{
	unsigned sc = (k->MakeCode & 0xff) | ((k->Flags & RI_KEY_E0) ? 0x100 : 0);
	int down = !(k->Flags & RI_KEY_BREAK), was = keys_down[sc / 8] >> (sc % 8) & 1;

	if (down)
		keys_down[sc / 8] |= (unsigned char)(1u << (sc % 8));
	else
		keys_down[sc / 8] &= (unsigned char)~(1u << (sc % 8));
	send_ev(dev, t, WIN_EV_KEY, KEY_A_CODE, down ? (was ? 2 : 1) : 0);
	send_ev(dev, t, WIN_EV_SYN, WIN_SYN_REPORT, 0);
}

/* Each report of a touch device: contacts, then begin/move/lift events. */
static void on_touch(int dev, const RAWHID *hid, int64_t t)
{
	struct hidtouch_contact c[HIDTOUCH_SLOTS];
	struct hidtouch_event ev[HIDTOUCH_SLOTS * 4 + 1];

	for (DWORD i = 0; i < hid->dwCount; i++) {
		const uint8_t *r = hid->bRawData + (size_t)i * hid->dwSizeHid;
		size_t nc, ne;

		if (hidp_touch_decode(devs[dev].pp, r, hid->dwSizeHid, c, HIDTOUCH_SLOTS, &nc) < 0)
			continue;
		ne = hidtouch_track(&devs[dev].track, c, nc, ev, sizeof(ev) / sizeof(ev[0]));
		for (size_t k = 0; k < ne; k++)
			send_ev(dev, t, ev[k].type, ev[k].code, ev[k].value);
	}
}

/* Each report of a pen: hover moves, tip down and up, the barrel button. */
static void on_pen(int dev, const RAWHID *hid, int64_t t)
{
	struct hidtouch_event ev[8];
	struct hidp_pen p;

	for (DWORD i = 0; i < hid->dwCount; i++) {
		const uint8_t *r = hid->bRawData + (size_t)i * hid->dwSizeHid;
		size_t ne;

		if (hidp_pen_decode(devs[dev].pp, r, hid->dwSizeHid, &p) < 0)
			continue;
		ne = hidp_pen_track(&devs[dev].pen_track, &p, ev, sizeof(ev) / sizeof(ev[0]));
		for (size_t k = 0; k < ne; k++)
			send_ev(dev, t, ev[k].type, ev[k].code, ev[k].value);
	}
}

static void on_input(HRAWINPUT hri)
{
	union { RAWINPUT ri; unsigned char b[4096]; } buf;
	UINT sz = sizeof(buf);
	int64_t t = now_us();
	int dev;

	if (GetRawInputData(hri, RID_INPUT, &buf, &sz, sizeof(RAWINPUTHEADER)) == (UINT)-1)
		return;
	dev = dev_index(buf.ri.header.hDevice, buf.ri.header.dwType);
	if (dev < 0)
		return;
	if (buf.ri.header.dwType == RIM_TYPEMOUSE)
		on_mouse(dev, &buf.ri.data.mouse, t);
	else if (buf.ri.header.dwType == RIM_TYPEKEYBOARD)
		on_keyboard(dev, &buf.ri.data.keyboard, t);
	else if (buf.ri.header.dwType == RIM_TYPEHID && devs[dev].pp != NULL &&
	    (size_t)buf.ri.data.hid.dwSizeHid * buf.ri.data.hid.dwCount <=
	    sz - offsetof(RAWINPUT, data.hid.bRawData)) {
		if (devs[dev].pen)
			on_pen(dev, &buf.ri.data.hid, t);
		else
			on_touch(dev, &buf.ri.data.hid, t);
	}
}

static void on_device_change(WPARAM what, HANDLE h)
{
	if (what != GIDC_REMOVAL)
		return;
	for (int i = 0; i < MAX_DEV; i++) {
		if (devs[i].h != h)
			continue;
		if (devs[i].announced) {
			struct win_input_msg m = { .kind = WIN_INPUT_DEVICE_REMOVE,
			    .dev = (uint32_t)i, .time_us = now_us() };

			send_msg(&m);
		}
		dev_forget(i);
	}
}

static LRESULT CALLBACK wndproc(HWND w, UINT msg, WPARAM wp, LPARAM lp)
{
	switch (msg) {
	case WM_INPUT:
		on_input((HRAWINPUT)lp);
		break;
	case WM_INPUT_DEVICE_CHANGE:
		on_device_change(wp, (HANDLE)lp);
		return 0;
	case WM_TIMER:
		pipe_open();	/* reconnect after a service restart */
		return 0;
	}
	return DefWindowProcW(w, msg, wp, lp);
}

static int register_input(HWND w)
{
	RAWINPUTDEVICE rid[] = {
		{ 0x01, 0x02, RIDEV_INPUTSINK | RIDEV_DEVNOTIFY, w },	/* mouse */
		{ 0x01, 0x06, RIDEV_INPUTSINK | RIDEV_DEVNOTIFY, w },	/* keyboard */
		{ 0x0D, 0x04, RIDEV_INPUTSINK | RIDEV_DEVNOTIFY, w },	/* touch screen */
		{ 0x0D, 0x02, RIDEV_INPUTSINK | RIDEV_DEVNOTIFY, w },	/* pen */
		{ 0x0D, 0x05, RIDEV_INPUTSINK | RIDEV_DEVNOTIFY, w },	/* touch pad */
	};

	if (RegisterRawInputDevices(rid, 5, sizeof(rid[0])))
		return 0;
	/* Older stacks refuse a digitizer page they lack: mouse and keyboard. */
	return RegisterRawInputDevices(rid, 2, sizeof(rid[0])) ? 0 : -1;
}

int wmain(int argc, wchar_t **argv)
{
	WNDCLASSW wc = { .lpfnWndProc = wndproc, .lpszClassName = L"bbt-agent-helper" };
	HWND w;
	MSG msg;

	for (int i = 1; i + 1 < argc; i++)
		if (wcscmp(argv[i], L"--pipe") == 0)
			pipe_name = argv[++i];
	wc.hInstance = GetModuleHandleW(NULL);
	if (!RegisterClassW(&wc))
		return 1;
	w = CreateWindowExW(0, wc.lpszClassName, L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
	    wc.hInstance, NULL);
	if (w == NULL || register_input(w) < 0) {
		fprintf(stderr, "bbt-agent-helper: cannot register for Raw Input (error %lu)\n",
		    GetLastError());
		return 1;
	}
	SetTimer(w, 1, RECONNECT_MS, NULL);
	pipe_open();
	while (GetMessageW(&msg, NULL, 0, 0) > 0) {
		TranslateMessage(&msg);
		DispatchMessageW(&msg);
	}
	return 0;
}
