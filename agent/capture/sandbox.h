/*
 * sandbox: the capture process confines itself before it reads any input
 * (CONTRACT 4.1: the process with input access never touches the network).
 *
 * sandbox_confine() sets no_new_privs and installs a seccomp filter under
 * which socket() and socketpair() fail with EACCES for every address family
 * but AF_UNIX and AF_NETLINK (udev's device events are netlink; logging to
 * journald is AF_UNIX). The filter is a dozen hand-written BPF instructions
 * rather than libseccomp: one library fewer resident in the process that
 * stays up all day (docs/agent-run.md). A syscall from another ABI than the
 * one we were built for (x32, i386 on x86_64) kills the process, so the
 * family check cannot be bypassed through socketcall(2). The packaged unit
 * adds RestrictAddressFamilies= on top: two independent fences.
 *
 * Test hook: BBT_CAPTURE_SOCKET_PROBE=1 makes sandbox_probe() (called by
 * main after confining) try one TCP socket and log the outcome, so a test
 * can see the filter at work in the real process.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include "bbt_error.h"

int sandbox_confine(struct bbt_error *e);
/* See the test hook above; does nothing unless it is set. */
void sandbox_probe(void);

#endif
