/*
 * platform_kind: the names of enum platform_input_kind, shared by every
 * platform (platform_linux.c, platform_win.c), so `devices` prints the
 * same words on Linux and Windows.
 */
#include <stdio.h>

#include "platform.h"

const char *platform_input_kind_name(unsigned kind)
{
	switch (kind) {
	case PLATFORM_INPUT_TOUCHSCREEN: return "touchscreen";
	case PLATFORM_INPUT_PEN: return "pen";
	case PLATFORM_INPUT_MOUSE: return "mouse";
	case PLATFORM_INPUT_KEYBOARD: return "keyboard";
	case PLATFORM_INPUT_TOUCHPAD: return "touchpad";
	case PLATFORM_INPUT_OTHER: return "other";
	default: return NULL;
	}
}

void platform_input_kinds_str(unsigned kinds, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < PLATFORM_INPUT_KIND_COUNT; i++) {
		const char *name = platform_input_kind_name(1u << i);
		int w;

		if (!(kinds & (1u << i)))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? " " : "", name);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}
