/*
 * winutil_win: see agent/win/include/win_util.h.
 *
 * Invariant: the ProgramData path comes from environment lookups
 * (%ProgramData%, else %ALLUSERSPROFILE%, else C:\ProgramData), so the exe
 * imports nothing from shell32.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#include "win_util.h"

wchar_t *win_utf8_to_wide(const char *s)
{
	int n;
	wchar_t *w;

	if (s == NULL)
		return NULL;
	n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0 || (w = malloc((size_t)n * sizeof(wchar_t))) == NULL)
		return NULL;
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

char *win_wide_to_utf8(const wchar_t *w)
{
	int n;
	char *s;

	if (w == NULL)
		return NULL;
	n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	if (n <= 0 || (s = malloc((size_t)n)) == NULL)
		return NULL;
	WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	return s;
}

int win_wide_to_utf8_buf(const wchar_t *w, char *out, size_t len)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)len, NULL, NULL);

	if (n <= 0) {
		if (len > 0)
			out[0] = '\0';
		return -1;
	}
	return n - 1;
}

static char program_data[MAX_PATH * 3 + 16];
static INIT_ONCE paths_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK paths_init(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
	static const wchar_t *vars[] = { L"ProgramData", L"ALLUSERSPROFILE" };
	wchar_t w[MAX_PATH];
	char base[MAX_PATH * 3];
	DWORD n = 0;

	for (size_t i = 0; i < 2 && (n == 0 || n >= MAX_PATH); i++)
		n = GetEnvironmentVariableW(vars[i], w, MAX_PATH);
	if (n == 0 || n >= MAX_PATH)
		wcscpy(w, L"C:\\ProgramData");
	if (win_wide_to_utf8_buf(w, base, sizeof(base)) < 0)
		snprintf(base, sizeof(base), "C:\\ProgramData");
	snprintf(program_data, sizeof(program_data), "%s\\bbt-agent", base);
	return TRUE;
}

const char *win_program_data_dir(void)
{
	InitOnceExecuteOnce(&paths_once, paths_init, NULL, NULL);
	return program_data;
}
