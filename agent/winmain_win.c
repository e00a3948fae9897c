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
 *  - The service has no console and Windows no journal: its log lines go
 *    to %ProgramData%\bbt-agent\bbt-agent.log, rotated at 1 MiB to
 *    bbt-agent.log.1 (one old copy; common/bbt_log.h).
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
#include <errno.h>
#include <string.h>

#include "bbt_log.h"
#include "config.h"
#include "enroll.h"
#include "inputpipe_win.h"
#include "platform_win.h"
#include "win_util.h"

int bbt_agent_main(int argc, char **argv);

#define SERVICE_NAME L"bbt-agent"
#define SERVICE_LOG_NAME "bbt-agent.log"
#define SERVICE_LOG_MAX (1024L * 1024)

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

/*
 * `bbt-agent.exe --msi-config KEY=VALUE...`: the MSI's custom action (see
 * packaging/windows/bbt-agent.wxs). Writes %ProgramData%\bbt-agent\agent.conf
 * from SERVERURL, TOKEN, SCHOOL, ROOM, STATEDIR only when there is none:
 * installer values are first-install settings, an upgrade or repair keeps
 * the machine's config. Values arrive as UTF-16 (wmain) and are written
 * UTF-8, so a Chinese room name survives; the dir gets the state ACL (the
 * file holds the enrollment token). Empty values are left out (defaults).
 */
static const char *msi_value(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);

	for (int i = 2; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return "";
}

static int msi_config(int argc, char **argv)
{
	static const struct { const char *section, *key, *prop; } map[] = {
		{ "server", "url", "SERVERURL" }, { "server", "enroll_token", "TOKEN" },
		{ "server", "school", "SCHOOL" }, { "server", "room", "ROOM" },
		{ "agent", "state_dir", "STATEDIR" },
	};
	char path[PATH_MAX];
	const char *section = "";
	FILE *f;

	state_dir_create(win_program_data_dir());
	snprintf(path, sizeof(path), "%s\\agent.conf", win_program_data_dir());
	if (access(path, 0) == 0) {
		printf("%s exists: kept (installer values apply to a first install)\n", path);
		return 0;
	}
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "bbt-agent: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	fputs("; written by the bbt-agent installer; the keys of the Linux agent.conf\n", f);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *v = msi_value(argc, argv, map[i].prop);

		if (*v == '\0')
			continue;
		if (strcmp(section, map[i].section) != 0)
			fprintf(f, "[%s]\n", section = map[i].section);
		fprintf(f, "%s = %s\n", map[i].key, v);
	}
	if (fclose(f) != 0)
		return 1;
	printf("%s written\n", path);
	return 0;
}

/* The service's log file, beside agent.conf (the dir gets the state ACL).
 * If it cannot be opened the lines go to stderr, which is nowhere: the
 * service still runs. */
static void service_log(void)
{
	char path[PATH_MAX];

	state_dir_create(win_program_data_dir());
	snprintf(path, sizeof(path), "%s\\%s", win_program_data_dir(), SERVICE_LOG_NAME);
	bbt_log_to_file(path, SERVICE_LOG_MAX);
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

/* Restart after 10 s, 60 s, then every 5 min; the count resets after a
 * day without failure. FAILURE_ACTIONS_FLAG: an error exit (not only a
 * crash) restarts too, e.g. a state disk that was not mounted yet. */
static void svc_failure_actions(void)
{
	SC_ACTION act[3] = { { SC_ACTION_RESTART, 10000 }, { SC_ACTION_RESTART, 60000 },
	    { SC_ACTION_RESTART, 300000 } };
	SERVICE_FAILURE_ACTIONSW fa = { .dwResetPeriod = 86400, .cActions = 3,
	    .lpsaActions = act };
	SERVICE_FAILURE_ACTIONS_FLAG flag = { .fFailureActionsOnNonCrashFailures = TRUE };
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT), svc = NULL;

	if (scm)
		svc = OpenServiceW(scm, SERVICE_NAME, SERVICE_CHANGE_CONFIG | SERVICE_START);
	if (svc) {
		if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &fa) ||
		    !ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag))
			log_warn("service failure actions not set (error %lu)", GetLastError());
		CloseServiceHandle(svc);
	}
	if (scm)
		CloseServiceHandle(scm);
}

static void WINAPI svc_main(DWORD argc, LPWSTR *argv)
{
	int rc;

	svc_handle = RegisterServiceCtrlHandlerExW(SERVICE_NAME, svc_control, NULL);
	if (svc_handle == NULL)
		return;
	svc_report(SERVICE_RUNNING, 0);
	svc_failure_actions();
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
	if (argc > 1 && strcmp(argv[1], "--msi-config") == 0)
		return msi_config(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--service") == 0) {
		argv[1] = argv[0];
		svc_argc = argc - 1;
		svc_argv = argv + 1;
		service_log();
		prepare_state_dir(svc_argc, svc_argv, 1);
		return run_service();
	}
	prepare_state_dir(argc, argv, 0);
	return bbt_agent_main(argc, argv);
}
