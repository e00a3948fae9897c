/*
 * poll.h for the Windows build: struct pollfd as winsock2 defines it (the
 * agent's usb.h names the type; libusb has no pollable fds on Windows, so
 * nothing polls them). libusb.h includes windows.h first, after which
 * winsock2.h warns that the order is wrong: harmless here, since
 * WIN32_LEAN_AND_MEAN keeps the old winsock.h out.
 */
#ifndef BBT_WIN_POLL_H
#define BBT_WIN_POLL_H
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcpp"
#include <winsock2.h>
#pragma GCC diagnostic pop
#endif
