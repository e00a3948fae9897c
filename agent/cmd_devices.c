/*
 * cmd_devices: `bbt-agent devices [--json]`, what input hardware the agent
 * sees. The table is for installers ("did it find the whiteboard?"); --json
 * is one array for programs, the same one the heartbeat sends (hwinfo_json).
 * Exit status: 0 when the list could be made (even if empty), 2 on usage
 * errors, 1 when devices cannot be listed at all. Scripts that must know
 * whether a whiteboard is there read "touch" in the JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_log.h"
#include "commands.h"
#include "hwinfo.h"

static void print_table(const struct hwinfo_device *devs, size_t n)
{
	char classes[128];

	printf("%-18s %-9s %-16s %-15s %-7s %s\n", "NODE", "VID:PID", "CLASS", "DRIVER",
	    "WATCHED", "DEVICE");
	for (size_t i = 0; i < n; i++) {
		const struct hwinfo_device *d = &devs[i];
		char ids[16];

		snprintf(ids, sizeof(ids), "%s:%s", d->vid[0] ? d->vid : "-",
		    d->pid[0] ? d->pid : "-");
		if (d->has_input)
			platform_input_kinds_str(d->in.kinds, classes, sizeof(classes));
		else
			snprintf(classes, sizeof(classes), "usb:%s", d->usb_class);
		printf("%-18s %-9s %-16s %-15s %-7s %s\n",
		    d->has_input ? d->in.devnode : "(no input node)", ids, classes,
		    d->driver[0] ? d->driver : "-", d->watched ? "yes" : "no", d->label);
	}
}

static int any_touch(const struct hwinfo_device *devs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (devs[i].touch)
			return 1;
	return 0;
}

int cmd_devices(struct agent_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hwinfo_device *devs = NULL;
	struct bbt_error err;
	size_t n = 0;
	int json = 0, c;

	optind = 0;	/* glibc: restart parsing after main's own getopt */
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': puts("usage: bbt-agent devices [--json]"); return 0;
		default: fputs("usage: bbt-agent devices [--json]\n", stderr); return 2;
		}
	}
	if (optind < argc) {
		fputs("usage: bbt-agent devices [--json]\n", stderr);
		return 2;
	}
	if (hwinfo_collect(&devs, &n, &err) < 0) {
		log_err("devices: %s", err.msg);
		return 1;
	}
	if (json) {
		cJSON *arr = hwinfo_to_json(devs, n);
		char *s = arr ? cJSON_PrintUnformatted(arr) : NULL;

		if (s)
			puts(s);
		free(s);
		cJSON_Delete(arr);
	} else if (n == 0) {
		puts("no input devices found");
	} else {
		print_table(devs, n);
	}
	if (!json && !any_touch(devs, n))
		puts("no touch frame, panel or pen board found");
	free(devs);
	return 0;
}
