/* test_fileio.c - fileio_read at its edges: a file of exactly the limit and one byte over,
 * files that report a size of 0 (/proc), files that grow, and what is not a regular file
 * (a FIFO must be refused at once, never waited on). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/fileio.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/hb-unit-fileio-XXXXXX";

/* Writes N bytes of 'x' to DIR/NAME; returns the path (static). */
static const char *
make_file(const char *name, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	for (size_t i = 0; f != NULL && i < n; i++)
		fputc('x', f);
	if (f != NULL)
		fclose(f);
	return path;
}

static void
on_alarm(int sig)
{
	(void)sig;
	fputs("test_fileio: fileio_read blocked on a FIFO\n", stderr);
	_exit(1);
}

void
test_fileio(void)
{
	static const struct {
		size_t size;
		long max;
		int ok;
	} rows[] = {
		{ 0, 10, 1 },
		{ 1, 10, 1 },
		{ 9, 10, 1 },
		{ 10, 10, 1 },		/* exactly the limit */
		{ 11, 10, 0 },
		{ 4096, 4096, 1 },
		{ 4097, 4096, 0 },
		{ 100000, 1L << 20, 1 },
		{ 0, 0, 1 },
		{ 1, 0, 0 },
	};
	char err[512], *buf = NULL, path[256];
	size_t len;
	int r;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp failed");
		return;
	}
	for (size_t i = 0; i < NELEM(rows); i++) {
		const char *p = make_file("f", rows[i].size);

		ROW("%zu bytes, limit %ld", rows[i].size, rows[i].max);
		err[0] = '\0';
		r = fileio_read(p, rows[i].max, &buf, &len, err, sizeof err);
		CHECK_INT(r, rows[i].ok ? 0 : -1);
		if (rows[i].ok) {
			CHECK_INT(len, rows[i].size);
			CHECK(buf != NULL && buf[len] == '\0', "not NUL-terminated");
		} else {
			CHECK_HAS(err, "larger than");
		}
		free(buf);
		buf = NULL;
	}
	ROW_END();

	ROW("missing file");
	snprintf(path, sizeof path, "%s/none", dir);
	CHECK_INT(fileio_read(path, 100, &buf, &len, err, sizeof err), FILEIO_MISSING);
	ROW_END();

	/* /proc files say they are empty; they are not. */
	ROW("/proc/self/status reads whole");
	r = fileio_read("/proc/self/status", 1 << 20, &buf, &len, err, sizeof err);
	CHECK_INT(r, 0);
	CHECK(len > 0, "read as empty");
	CHECK_HAS(buf, "Pid:");
	free(buf);
	buf = NULL;
	ROW_END();
	ROW("/proc/self/status past a small limit");
	CHECK_INT(fileio_read("/proc/self/status", 8, &buf, &len, err, sizeof err), -1);
	CHECK_HAS(err, "larger than 8 bytes");
	ROW_END();

	ROW("a FIFO is refused at once");
	snprintf(path, sizeof path, "%s/fifo", dir);
	if (mkfifo(path, 0600) == 0) {
		signal(SIGALRM, on_alarm);
		alarm(5);
		r = fileio_read(path, 100, &buf, &len, err, sizeof err);
		alarm(0);
		signal(SIGALRM, SIG_DFL);
		CHECK_INT(r, -1);
		CHECK_HAS(err, "not a regular file");
		unlink(path);
	} else {
		CHECK(0, "mkfifo failed");
	}
	ROW_END();

	ROW("a directory is refused");
	CHECK_INT(fileio_read(dir, 100, &buf, &len, err, sizeof err), -1);
	CHECK_HAS(err, "not a regular file");
	ROW_END();

	ROW("a device is refused");
	CHECK_INT(fileio_read("/dev/zero", 100, &buf, &len, err, sizeof err), -1);
	CHECK_HAS(err, "not a regular file");
	ROW_END();

	unlink(make_file("f", 0));
	rmdir(dir);
}
