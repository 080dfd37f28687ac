/* trust.h - the ownership and permission check of the files hb-run takes instructions from.
 * Used by runner/ and cmd/. */
#ifndef HB_TRUST_H
#define HB_TRUST_H

#include <stddef.h>

/* When hb-run runs as root, a file it reads instructions from must be owned by root and
 * writable by nobody else, and so must its directory unless that is sticky (as cron and sshd
 * demand). Returns 0 when PATH passes (always, for other users), else -1 with ERR set. */
int trust_check(const char *path, char *err, size_t errlen);

#endif
