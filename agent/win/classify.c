/*
 * classify: a Raw Input device's platform_input_kind from its type and HID
 * top-level collection (platform_win.h); linked by the service and by the
 * helper, which must not pull in the rest of the agent.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "platform.h"
#include "platform_win.h"

#define HID_PAGE_DIGITIZER 0x0D

unsigned platform_win_classify(unsigned long type, unsigned usage_page, unsigned usage)
{
	if (type == RIM_TYPEMOUSE)
		return PLATFORM_INPUT_MOUSE;
	if (type == RIM_TYPEKEYBOARD)
		return PLATFORM_INPUT_KEYBOARD;
	if (usage_page == HID_PAGE_DIGITIZER) {
		switch (usage) {
		case 0x02: return PLATFORM_INPUT_PEN;		/* Pen */
		case 0x04: return PLATFORM_INPUT_TOUCHSCREEN;	/* Touch Screen */
		case 0x05: return PLATFORM_INPUT_TOUCHPAD;	/* Touch Pad */
		case 0x01: return PLATFORM_INPUT_PEN;		/* Digitizer (tablet) */
		default: return PLATFORM_INPUT_OTHER;
		}
	}
	return PLATFORM_INPUT_OTHER;
}
