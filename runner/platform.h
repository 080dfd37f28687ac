/* platform.h - every call that only some systems have, behind one portable interface: on
 * Linux /proc (process start times, groups, children, the boot id, the executable), pidfds,
 * the child subreaper and the parent-death signal; elsewhere, and in a build with HB_PORTABLE
 * defined (make portable), a fallback that needs POSIX only. Used by runner/ only. */
#ifndef HB_PLATFORM_H
#define HB_PLATFORM_H

#include <stddef.h>
#include <sys/types.h>

/* "linux", or "portable" for the fallback (what macOS and the BSDs run). */
const char *platform_name(void);

/* Called first by main with its argv[0]: where the fallback looks for the executable. */
void platform_init(const char *argv0);

/* LEN random bytes (len <= 256). Returns 0, or -1 when the system gave none. */
int platform_random(void *buf, size_t len);

/* A pipe whose two ends are closed on exec. Returns 0, or -1 with errno set. */
int platform_pipe(int fds[2]);

/* This boot's id, or "" where there is none: the Linux kernel's boot id, macOS's boot
 * session UUID, the BSDs' boot time. */
void platform_boot_id(char *out, size_t len);

/* The absolute path of the running executable. Returns 0, or -1 when it is not known. */
int platform_exe_path(char *out, size_t len);

/* 1 when process PID exists (zombies included) and started at START (platform_pid_start; 0:
 * at any time). The fallback knows no start times: there any live PID is taken for it. */
int platform_pid_is(pid_t pid, long long start);
/* When process PID started, in clock ticks after boot (/proc/PID/stat); 0 if unknown (always,
 * in the fallback). Told with the boot id, it names a process for good, where a pid can be
 * reused. */
long long platform_pid_start(pid_t pid);
/* 1 when process group PGID, whose leader started at START (platform_pid_start), still has a
 * live member (zombies do not count): the leader itself, or, once it exited, any process of
 * the group. A leader pid that now names a process with another start time means the group
 * ended (the kernel reuses no id a group still holds). hb-run's own group is never taken for
 * it. The fallback asks kill(2), which cannot tell a zombie or a reused group id. */
int platform_group_alive(pid_t pgid, long long start);

/* A file descriptor that polls readable once process PID (our child) has exited, or -1 where
 * there is none (the fallback, kernels before 5.3): then the caller polls with waitpid. */
int platform_pidfd(pid_t pid);

/* Makes this process the child subreaper of its descendants: an orphan among them becomes
 * our child rather than init's. Returns 0, or -1 where there is no such thing. */
int platform_subreaper(void);
/* Fills PIDS with up to MAX of our children; returns how many, or -1 when the system cannot
 * list them (the fallback). */
int platform_children(pid_t *pids, int max);

/* In a freshly forked child of PARENT: SIGTERM when PARENT dies. Returns -1 when PARENT has
 * died already (the signal would never come), else 0; the fallback does nothing. */
int platform_parent_death(pid_t parent);

#endif
