/*
 * sendinput.exe SECONDS STEPS: what a teacher's hands do, injected with
 * SendInput: STEPS mouse moves and key presses spread over SECONDS, so
 * the helper's Raw Input sees real input events (wine delivers SendInput
 * to Raw Input sinks). Test tool of tests/windows/it_service_input.sh.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	int steps = argc > 2 ? atoi(argv[2]) : 10;
	DWORD pause = steps > 1 ? (DWORD)(seconds * 1000 / (steps - 1)) : 0;
	UINT sent = 0;

	for (int i = 0; i < steps; i++) {
		INPUT in[3] = { 0 };

		in[0].type = INPUT_MOUSE;
		in[0].mi.dx = (i % 2) ? 5 : -5;
		in[0].mi.dy = 3;
		in[0].mi.dwFlags = MOUSEEVENTF_MOVE;
		in[1].type = INPUT_KEYBOARD;
		in[1].ki.wVk = 'A';
		in[1].ki.wScan = 0x1e;
		in[2] = in[1];
		in[2].ki.dwFlags = KEYEVENTF_KEYUP;
		sent += SendInput(3, in, sizeof(INPUT));
		if (i + 1 < steps)
			Sleep(pause);
	}
	printf("sent %u inputs\n", sent);
	return sent == (UINT)steps * 3 ? 0 : 1;
}
