/* platform.c - the Linux-only calls and their portable fallback. The Linux code is used on
 * Linux unless HB_PORTABLE is defined; the fallback needs POSIX only, plus sysctl(3) for a
 * boot id on macOS and the BSDs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__) && !defined(HB_PORTABLE)
#define PLATFORM_LINUX 1
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#include <stdint.h>
#include <sys/random.h>		/* getentropy */
#include <sys/sysctl.h>
#elif defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || \
    defined(__DragonFly__)
#define PLATFORM_BOOTTIME 1
#include <sys/sysctl.h>
#include <sys/time.h>
#endif

#include "runner/platform.h"

#ifdef PLATFORM_LINUX

const char *
platform_name(void)
{
	return "linux";
}

/* argv[0] resolved at start: /proc/self/exe names the dynamic loader when hb-run was started
 * through it (ld.so --preload ... hb-run, as sanitizer test runs do). */
static char linux_argv0[PATH_MAX];

void
platform_init(const char *argv0)
{
	if (argv0 == NULL || strchr(argv0, '/') == NULL || realpath(argv0, linux_argv0) == NULL)
		linux_argv0[0] = '\0';
}

int
platform_random(void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = getrandom((char *)buf + got, len - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int
platform_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

void
platform_boot_id(char *out, size_t len)
{
	ssize_t r = -1;
	int fd;

	if (len == 0)
		return;
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = read(fd, out, len - 1);
		close(fd);
	}
	if (r < 0)
		r = 0;
	out[r] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

int
platform_exe_path(char *out, size_t len)
{
	const char *base;
	ssize_t n;

	if (len == 0)
		return -1;
	n = readlink("/proc/self/exe", out, len - 1);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	base = strrchr(out, '/');
	base = base != NULL ? base + 1 : out;
	if (strncmp(base, "ld-", 3) == 0 && linux_argv0[0] != '\0')
		snprintf(out, len, "%s", linux_argv0);	/* started through the loader */
	return 0;
}

/* From /proc/PID/stat: the state letter, the process group and the start time. Returns 0,
 * or -1 when there is no such process (or no /proc). */
static int
pid_stat(pid_t pid, char *state, long *pgrp, long long *start)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* Field 2 is "(comm)" and may hold spaces: count fields after its last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] == '\0')
		return -1;
	*state = p[2];				/* field 3 */
	p = strchr(p + 2, ' ');			/* before field 4, the parent */
	if (p != NULL)
		p = strchr(p + 1, ' ');		/* before field 5, the group */
	*pgrp = p != NULL ? strtol(p + 1, NULL, 10) : 0;
	for (int field = 5; p != NULL && field < 22; field++)
		p = strchr(p + 1, ' ');
	*start = p != NULL ? strtoll(p + 1, NULL, 10) : 0;
	return 0;
}

static int
pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int
platform_pid_is(pid_t pid, long long start)
{
	return pid_alive(pid) && (start == 0 || start == platform_pid_start(pid));
}

long long
platform_pid_start(pid_t pid)
{
	long long start = 0;
	long pgrp;
	char state;

	if (pid_stat(pid, &state, &pgrp, &start) != 0)
		return 0;
	return start;
}

int
platform_group_alive(pid_t pgid, long long start)
{
	long long s = 0;
	long pgrp = 0;
	struct dirent *d;
	char state;
	DIR *dir;
	int alive = 0;

	if (pgid <= 1 || pgid == getpgrp())
		return 0;
	if (pid_stat(pgid, &state, &pgrp, &s) == 0) {
		if (start != 0 && s != start)
			return 0;	/* the id names another process: the group ended */
		if (pgrp == (long)pgid && state != 'Z' && state != 'X')
			return 1;
	}
	dir = opendir("/proc");
	if (dir == NULL)	/* no /proc: kill(2) tells, zombies included */
		return kill(-pgid, 0) == 0 || errno == EPERM;
	while (!alive && (d = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (pid <= 0 || *end != '\0')
			continue;
		alive = pid_stat((pid_t)pid, &state, &pgrp, &s) == 0 && pgrp == (long)pgid &&
		    state != 'Z' && state != 'X';
	}
	closedir(dir);
	return alive;
}

/* Through syscall(2): <sys/pidfd.h> is glibc 2.36 and later. */
int
platform_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int
platform_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : -1;
}

int
platform_children(pid_t *pids, int max)
{
	char path[64];
	FILE *f;
	int pid, n = 0;

	snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (n < max && fscanf(f, "%d", &pid) == 1)
		pids[n++] = (pid_t)pid;
	fclose(f);
	return n;
}

/* hb-run killed outright (SIGKILL, the OOM killer) takes its child along. Checked after
 * setting it: the parent may have died in between, and the signal would then never come. */
int
platform_parent_death(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	return getppid() != parent ? -1 : 0;
}

#else /* the portable fallback */

static const char *argv0_saved;
static char argv0_real[PATH_MAX];

const char *
platform_name(void)
{
	return "portable";
}

/* A relative path is resolved now, before main changes directory (-C). */
void
platform_init(const char *argv0)
{
	argv0_saved = argv0;
	if (argv0 != NULL && argv0[0] != '/' && strchr(argv0, '/') != NULL &&
	    realpath(argv0, argv0_real) == NULL)
		argv0_real[0] = '\0';
}

int
platform_random(void *buf, size_t len)
{
	return len > 256 ? -1 : getentropy(buf, len);
}

int
platform_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		errno = e;
		return -1;
	}
	return 0;
}

void
platform_boot_id(char *out, size_t len)
{
	if (len == 0)
		return;
	out[0] = '\0';
#if defined(__APPLE__)
	{
		size_t n = len;

		/* A random UUID per boot, as Linux has. */
		if (sysctlbyname("kern.bootsessionuuid", out, &n, NULL, 0) != 0 || n == 0)
			out[0] = '\0';
		else
			out[n < len ? n : len - 1] = '\0';
	}
#elif defined(PLATFORM_BOOTTIME)
	{
		int mib[2] = { CTL_KERN, KERN_BOOTTIME };
		struct timeval tv;
		size_t n = sizeof tv;

		/* The boot time, to the second. */
		if (sysctl(mib, 2, &tv, &n, NULL, 0) == 0 && n == sizeof tv && tv.tv_sec > 0)
			snprintf(out, len, "boot-%lld", (long long)tv.tv_sec);
	}
#endif
}

/* PATH searched for a bare NAME, as the shell found it. */
static int
exe_from_path(const char *name, char *out, size_t len)
{
	const char *p = getenv("PATH"), *end;
	char cand[PATH_MAX], real[PATH_MAX];

	for (; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (end == p)
			snprintf(cand, sizeof cand, "./%s", name);
		else
			snprintf(cand, sizeof cand, "%.*s/%s", (int)(end - p), p, name);
		if (access(cand, X_OK) == 0 && realpath(cand, real) != NULL) {
			snprintf(out, len, "%s", real);
			return 0;
		}
	}
	return -1;
}

int
platform_exe_path(char *out, size_t len)
{
	char real[PATH_MAX];

	if (len == 0)
		return -1;
#if defined(__APPLE__)
	{
		char buf[PATH_MAX];
		uint32_t n = sizeof buf;

		if (_NSGetExecutablePath(buf, &n) == 0 && realpath(buf, real) != NULL) {
			snprintf(out, len, "%s", real);
			return 0;
		}
	}
#endif
	if (argv0_saved == NULL || argv0_saved[0] == '\0')
		return -1;
	if (argv0_saved[0] == '/') {
		if (realpath(argv0_saved, real) == NULL)
			return -1;
		snprintf(out, len, "%s", real);
		return 0;
	}
	if (strchr(argv0_saved, '/') != NULL) {
		if (argv0_real[0] == '\0')
			return -1;
		snprintf(out, len, "%s", argv0_real);
		return 0;
	}
	return exe_from_path(argv0_saved, out, len);
}

int
platform_pid_is(pid_t pid, long long start)
{
	(void)start;
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

long long
platform_pid_start(pid_t pid)
{
	(void)pid;
	return 0;
}

int
platform_group_alive(pid_t pgid, long long start)
{
	(void)start;
	if (pgid <= 1 || pgid == getpgrp())
		return 0;
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

int
platform_pidfd(pid_t pid)
{
	(void)pid;
	errno = ENOSYS;
	return -1;
}

int
platform_subreaper(void)
{
	errno = ENOSYS;
	return -1;
}

int
platform_children(pid_t *pids, int max)
{
	(void)pids;
	(void)max;
	return -1;
}

int
platform_parent_death(pid_t parent)
{
	(void)parent;
	return 0;
}

#endif
