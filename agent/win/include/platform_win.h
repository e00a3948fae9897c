/*
 * platform_win: the Windows-only side of platform.h (agent/platform_win.c),
 * used by the service, the helper link and the tests.
 */
#ifndef PLATFORM_WIN_H
#define PLATFORM_WIN_H

#include <stddef.h>

#include "bbt_error.h"
#include "platform.h"

/* Queue events into an open watch from any thread and wake its loop. */
void platform_win_push(struct platform_watch *w, const struct platform_event *ev, size_t n);
/* What feeds the watch with input (the service's pipe server): started by
 * platform_watch_open, stopped by platform_watch_close. */
typedef void (*platform_win_source_fn)(struct platform_watch *w);
void platform_win_set_source(platform_win_source_fn start, platform_win_source_fn stop);
/* A stop request (service control handler, console): PLATFORM_EV_STOP. */
void platform_win_request_stop(void);

/* Raw Input type (RIM_TYPE*) and HID top-level usage -> platform_input_kind. */
unsigned platform_win_classify(unsigned long type, unsigned usage_page, unsigned usage);
/* VID/PID (4 lowercase hex digits) from a Raw Input / SetupAPI device
 * path or hardware id: "HID#VID_1FF7&PID_0013&Col02#...", "USB\\VID_..."
 * or Bluetooth's "_VID&0002046d_PID&b342"; fills only an empty vid/pid and
 * leaves it "" when the path has none (I2C HID: "HID#ELAN2514&Col01"). */
void platform_win_ids_from_path(const char *path, struct bbt_input_id *id);

/* The SMBIOS system UUID from a RawSMBIOSData blob, lowercase 8-4-4-4-12
 * as Linux prints product_uuid; -1 if none (absent, all 00 or all FF). */
int platform_win_smbios_uuid(const unsigned char *raw, size_t n, char out[37]);
int platform_win_format_uuid(const unsigned char u[16], int little_endian, char out[37]);
/* This machine's, through GetSystemFirmwareTable('RSMB'). */
int platform_win_system_uuid(char out[37], struct bbt_error *e);

#endif
