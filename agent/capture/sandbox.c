/*
 * sandbox: no_new_privs and the socket filter of sandbox.h, as classic BPF
 * over struct seccomp_data.
 *
 * Program: check the ABI (else kill); if the syscall is socket or
 * socketpair, allow AF_UNIX and AF_NETLINK in args[0] (its low 32 bits: the
 * kernel reads an int) and return EACCES for anything else; allow every
 * other syscall. Only the address family is filtered: the capture process
 * opens devices, SQLite files and inotify, and a wider allow-list would
 * break on the next glibc that picks another syscall for the same call.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bbt_log.h"
#include "sandbox.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define SANDBOX_ARCH AUDIT_ARCH_RISCV64
#endif

#ifdef SANDBOX_ARCH
/* x32 syscalls share the x86_64 arch value with this bit set. */
#define SANDBOX_X32_BIT 0x40000000u
#define LD_W(f) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

int sandbox_confine(struct bbt_error *e)
{
	struct sock_filter prog[] = {
		LD_W(arch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		LD_W(nr),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, SANDBOX_X32_BIT, 0, 1),
		RET(SECCOMP_RET_KILL_PROCESS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socketpair, 0, 4),
		LD_W(args[0]),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 1, 0),
		RET(SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA)),
		RET(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fp = { sizeof(prog) / sizeof(prog[0]), prog };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return bbt_error_set(e, "no_new_privs: %s", strerror(errno));
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
		return bbt_error_set(e, "seccomp filter: %s", strerror(errno));
	return 0;
}
#else
int sandbox_confine(struct bbt_error *e)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return bbt_error_set(e, "no_new_privs: %s", strerror(errno));
	log_warn("no seccomp socket filter for this architecture; the unit's "
	    "RestrictAddressFamilies= is the only fence");
	return 0;
}
#endif

void sandbox_probe(void)
{
	const char *v = getenv("BBT_CAPTURE_SOCKET_PROBE");
	int fd;

	if (!v || strcmp(v, "1") != 0)
		return;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		log_err("socket probe: a TCP socket was opened: the sandbox is not working");
		close(fd);
		return;
	}
	log_warn_errno("socket probe: TCP socket refused");
}
