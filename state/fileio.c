/* fileio.c - reading files whole and replacing them atomically. A reader never sees a
 * half-written file: it sees the old one or the new one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/fileio.h"

/* Opens PATH for reading without blocking on a FIFO or a device, and refuses anything but
 * a regular file: a FIFO in a workspace would otherwise hang the tick with the lock held. */
int
fileio_open_regular(const char *path, int flags, mode_t mode, char *err, size_t errlen)
{
	struct stat sb;
	int fd, fl;

	fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == ENOENT)
			return -2;
		if (errno == ENXIO)	/* a FIFO with no reader, opened to write */
			snprintf(err, errlen, "%s: not a regular file", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
fileio_read(const char *path, long max, char **out, size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	size_t cap, n = 0, limit;
	char *buf = NULL;
	int fd;

	*out = NULL;
	*len = 0;
	if (max < 0)
		max = 0;
	limit = (size_t)max;
	fd = fileio_open_regular(path, O_RDONLY, 0, err, errlen);
	if (fd == -2)
		return FILEIO_MISSING;
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (sb.st_size > max) {
		snprintf(err, errlen, "%s: larger than %ld bytes", path, max);
		goto fail;
	}
	/* Room for the file, one byte more to see that it ended (or grew past MAX), and the
	 * NUL. A size of 0 may be a lie (/proc, some FUSE file systems): start small. */
	cap = sb.st_size > 0 ? (size_t)sb.st_size + 2 : (limit < 4094 ? limit + 2 : 4096);
	buf = malloc(cap);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	for (;;) {
		ssize_t r;

		if (n == cap - 1) {	/* full: the file is longer than it said */
			size_t ncap = cap > (limit + 2) / 2 ? limit + 2 : cap * 2;
			char *nb;

			if (n > limit) {
				snprintf(err, errlen, "%s: larger than %ld bytes", path, max);
				goto fail;
			}
			nb = realloc(buf, ncap);
			if (nb == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > limit) {
		snprintf(err, errlen, "%s: larger than %ld bytes", path, max);
		goto fail;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

int
fileio_read_tail(const char *path, long max, char **out, size_t *len, int *cut, char *err,
    size_t errlen)
{
	struct stat sb;
	size_t cap, n = 0;
	char *buf = NULL;
	int fd;

	*out = NULL;
	*len = 0;
	*cut = 0;
	fd = fileio_open_regular(path, O_RDONLY, 0, err, errlen);
	if (fd == -2)
		return FILEIO_MISSING;
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (sb.st_size <= max) {
		close(fd);
		return fileio_read(path, max, out, len, err, errlen);
	}
	if (lseek(fd, sb.st_size - max, SEEK_SET) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	*cut = 1;
	cap = (size_t)max + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

int
fileio_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
fileio_write_atomic(const char *path, const char *data, size_t len, int sync, char *err,
    size_t errlen)
{
	char tmp[4096], dir[4096];
	const char *slash;
	int fd, dfd, saved;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);	/* O_EXCL, 0600: never through a planted symlink */
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fileio_write_all(fd, data, len) != 0 || (sync && fsync(fd) != 0)) {
		saved = errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(saved));
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
		return -1;
	}
	if (!sync || sync == FILEIO_SYNC_FILE)
		return 0;
	/* Make the rename itself durable. */
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void
fileio_clean_temp(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char dir[4096], prefix[512], victim[4608];
	struct dirent *de;
	size_t n;
	DIR *d;

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
	    slash ? path : ".");
	n = (size_t)snprintf(prefix, sizeof prefix, "%s.tmp.", base);
	d = opendir(dir);
	if (d == NULL || n >= sizeof prefix) {
		if (d != NULL)
			closedir(d);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, n) == 0 && strlen(de->d_name) == n + 6) {
			snprintf(victim, sizeof victim, "%s/%s", dir, de->d_name);
			unlink(victim);
		}
	closedir(d);
}

char *
fileio_read_fd(int fd, long max, size_t *len)
{
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap), *p;
	ssize_t k;

	if (buf == NULL)
		return NULL;
	for (;;) {
		if (n + 1 >= cap) {
			if ((long)cap > max) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			if ((p = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		k = read(fd, buf + n, cap - n - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			free(buf);
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
