/* fileio.h - whole-file reads with a size limit, and atomic replacement of a file
 * (temp file in the same directory, fsync, rename, fsync of the directory).
 * Used by state/ and runner/. */
#ifndef HB_FILEIO_H
#define HB_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#define FILEIO_MISSING 1

/* Opens PATH with FLAGS (and MODE, for O_CREAT) without ever blocking in open(2), and
 * refuses what is not a regular file (a FIFO, a device). Returns the descriptor (close-on-exec,
 * blocking), -2 when PATH does not exist, or -1 with "PATH: why" in ERR. */
int fileio_open_regular(const char *path, int flags, mode_t mode, char *err, size_t errlen);

/* Reads PATH (at most MAX bytes; a file of exactly MAX is fine) into a malloc'd,
 * NUL-terminated buffer. A file whose size reads as 0 (/proc) is read to its end all the
 * same. Returns 0, FILEIO_MISSING when the file does not exist, or -1 with "PATH: why" in
 * ERR; a FIFO or a device is refused at once. */
int fileio_read(const char *path, long max, char **out, size_t *len, char *err, size_t errlen);

/* As fileio_read, but a file longer than MAX is not an error: its last MAX bytes are read,
 * and *CUT is set to 1 (the first line is then likely partial). */
/* Writes all N bytes of P to FD, or returns -1 with errno set (a short write on a full disk
 * is followed by the write that says why; a write of nothing is ENOSPC). */
int fileio_write_all(int fd, const char *p, size_t n);
/* All of FD, to its end, into a malloc'd NUL-terminated string of *LEN bytes; NULL when
 * memory ran out, a read failed, or there was more than MAX (errno EFBIG). */
char *fileio_read_fd(int fd, long max, size_t *len);
int fileio_read_tail(const char *path, long max, char **out, size_t *len, int *cut, char *err,
    size_t errlen);

/* Replaces PATH with DATA atomically, mode 0600. SYNC: FILEIO_SYNC_FILE fsyncs the file
 * before the rename (after a crash PATH holds the old data or the new, never a torn file);
 * FILEIO_SYNC_ALL (any other non-zero value) also fsyncs the directory, so that the rename
 * itself survives a crash. On error returns -1 with ERR set, and PATH is as it was. */
#define FILEIO_SYNC_FILE 2
int fileio_write_atomic(const char *path, const char *data, size_t len, int sync, char *err,
    size_t errlen);

/* Removes the temporary files that fileio_write_atomic() left for PATH when its writer was
 * killed. Call it only under the lock that all writers of PATH hold. */
void fileio_clean_temp(const char *path);

#endif
