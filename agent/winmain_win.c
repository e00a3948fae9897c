/*
 * winmain_win: the entry point of bbt-agent.exe. agent/main.c is the same
 * code as on Linux, compiled with -Dmain=bbt_agent_main; this file gives
 * it UTF-8 arguments (wmain, so a Chinese room name on the command line
 * survives any ANSI code page), UTF-8 console output, and two Windows jobs
 * that Linux does elsewhere:
 *
 *  - `bbt-agent.exe --service COMMAND...`: run COMMAND (normally `run`) as
 *    the Windows service bbt-agent under the service control manager; a
 *    stop or shutdown control becomes PLATFORM_EV_STOP, so the open session
 *    is closed and written as on SIGTERM.
 *  - The service creates the state dir with an ACL of SYSTEM and
 *    Administrators only. Before any command: the SMBIOS system UUID is written to the state
 *    dir's hw_id file when it is missing (what the Debian postinst does as
 *    root), so enroll derives the same hw_id as Linux on a dual-boot PC.
 *    Only a process that may write there (the service, an administrator)
 *    succeeds; others read the file the service left.
 *
 * Invariant: the service reports SERVICE_RUNNING before COMMAND starts and
 * SERVICE_STOPPED with COMMAND's exit code, so failure actions (restart)
 * apply to a crash or an error exit alike.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_log.h"
#include "config.h"
#include "enroll.h"
#include "inputpipe_win.h"
#include "platform_win.h"
#include "win_util.h"

int bbt_agent_main(int argc, char **argv);

#define SERVICE_NAME L"bbt-agent"

static int svc_argc;
static char **svc_argv;
static SERVICE_STATUS_HANDLE svc_handle;
static SERVICE_STATUS svc_status = { .dwServiceType = SERVICE_WIN32_OWN_PROCESS };

/* --config/--state-dir as main.c will see them, for the hw_id file. */
static void cli_paths(int argc, char **argv, const char **cfg, const char **state)
{
	for (int i = 1; i < argc; i++) {
		const char **dst = strcmp(argv[i], "--config") == 0 ? cfg :
		    strcmp(argv[i], "--state-dir") == 0 ? state : NULL;

		if (dst && i + 1 < argc)
			*dst = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			*cfg = argv[i] + 9;
		else if (strncmp(argv[i], "--state-dir=", 12) == 0)
			*state = argv[i] + 12;
		else if (argv[i][0] != '-')
			break;		/* the command: its own options follow */
	}
}

/* SYSTEM and Administrators only, inherited by everything inside: the
 * device token and key must not be readable by a pupil's account (the
 * default ProgramData ACL lets Users read). */
#define STATE_DIR_SDDL L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"

static void state_dir_create(const char *dir)
{
	SECURITY_ATTRIBUTES sa = { .nLength = sizeof(sa) };
	wchar_t *w = win_utf8_to_wide(dir);

	if (w != NULL && ConvertStringSecurityDescriptorToSecurityDescriptorW(STATE_DIR_SDDL,
	    SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL)) {
		CreateDirectoryW(w, &sa);
		LocalFree(sa.lpSecurityDescriptor);
	}
	free(w);
}

static void prepare_state_dir(int argc, char **argv, int service)
{
	const char *cfg_path = NULL, *state = NULL;
	struct agent_config cfg;
	struct bbt_error e = { 0 };
	char uuid[37], path[PATH_MAX];
	FILE *f;

	cli_paths(argc, argv, &cfg_path, &state);
	if (config_load(&cfg, cfg_path, state, &e) < 0)
		return;		/* the command itself reports it */
	if (service)
		state_dir_create(cfg.state_dir);
	snprintf(path, sizeof(path), "%s\\%s", cfg.state_dir, ENROLL_HW_ID_FILE);
	if (access(path, 0) == 0 || platform_win_system_uuid(uuid, &e) < 0)
		return;
	if ((f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%s\n", uuid);
	fclose(f);
}

static void svc_report(DWORD state, DWORD code)
{
	svc_status.dwCurrentState = state;
	svc_status.dwControlsAccepted = state == SERVICE_RUNNING ?
	    SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
	svc_status.dwWin32ExitCode = code ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
	svc_status.dwServiceSpecificExitCode = code;
	SetServiceStatus(svc_handle, &svc_status);
}

static DWORD WINAPI svc_control(DWORD control, DWORD type, LPVOID data, LPVOID ctx)
{
	if (control == SERVICE_CONTROL_STOP || control == SERVICE_CONTROL_SHUTDOWN) {
		svc_report(SERVICE_STOP_PENDING, 0);
		platform_win_request_stop();
		return NO_ERROR;
	}
	return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

static void WINAPI svc_main(DWORD argc, LPWSTR *argv)
{
	int rc;

	svc_handle = RegisterServiceCtrlHandlerExW(SERVICE_NAME, svc_control, NULL);
	if (svc_handle == NULL)
		return;
	svc_report(SERVICE_RUNNING, 0);
	rc = bbt_agent_main(svc_argc, svc_argv);
	svc_report(SERVICE_STOPPED, (DWORD)rc);
}

static int run_service(void)
{
	SERVICE_TABLE_ENTRYW table[] = { { SERVICE_NAME, svc_main }, { NULL, NULL } };

	if (!StartServiceCtrlDispatcherW(table)) {
		fprintf(stderr, "bbt-agent: --service: not started by the service manager "
		    "(error %lu)\n", GetLastError());
		return 1;
	}
	return 0;
}

int wmain(int argc, wchar_t **wargv)
{
	char **argv = calloc((size_t)argc + 1, sizeof(char *));

	if (argv == NULL)
		return 1;
	for (int i = 0; i < argc; i++)
		if ((argv[i] = win_wide_to_utf8(wargv[i])) == NULL)
			argv[i] = "";
	SetConsoleOutputCP(CP_UTF8);
	inputpipe_win_install(NULL);	/* `run` takes its input from the helpers */
	if (argc > 1 && strcmp(argv[1], "--service") == 0) {
		argv[1] = argv[0];
		svc_argc = argc - 1;
		svc_argv = argv + 1;
		prepare_state_dir(svc_argc, svc_argv, 1);
		return run_service();
	}
	prepare_state_dir(argc, argv, 0);
	return bbt_agent_main(argc, argv);
}
