/* unit_shim: see unit_shim.h. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#include "win_util.h"

int bbt_wine_system(const char *cmd)
{
	STARTUPINFOW si = { .cb = sizeof(si) };
	PROCESS_INFORMATION pi;
	char *line;
	wchar_t *w;
	DWORD code = 1;
	size_t n;

	if (cmd == NULL)
		return 1;
	n = strlen(cmd) + 64;
	if ((line = malloc(n)) == NULL)
		return -1;
	snprintf(line, n, "start.exe /wait /unix /bin/sh -c \"%s\"", cmd);
	w = win_utf8_to_wide(line);
	free(line);
	if (w == NULL || !CreateProcessW(NULL, w, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
		free(w);
		return -1;
	}
	free(w);
	WaitForSingleObject(pi.hProcess, INFINITE);
	GetExitCodeProcess(pi.hProcess, &code);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	return (int)code << 8;	/* as a wait status: WEXITSTATUS is >> 8 */
}
