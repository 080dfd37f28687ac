/* deliver.h - one message to one target, with the I/O that takes: standard output, or the
 * requests of delivery/target.h carried out by a supervised child (hb-run-http in its post
 * mode for HTTP, sendmail, notify-send or osascript, an exec: program, apprise). hb-run
 * itself never speaks HTTP. Each try is one result: delivered, worth retrying later, or
 * failed for good. Used by runner/ (record.c; the outbox) and cmd/check.c. */
#ifndef HB_DELIVER_H
#define HB_DELIVER_H

#include <stddef.h>

#include "delivery/target.h"

struct config;

enum deliver_result {
	DELIVER_OK,		/* the service took it (2xx, exit 0) */
	DELIVER_RETRY,		/* the service is down, busy or unreachable: 5xx, 408, 425,
				 * 429, a timeout, DNS, a refused or cut connection, a program's
				 * exit 75 (EX_TEMPFAIL): the same message may go through later */
	DELIVER_FAILED,		/* retrying cannot help: a bad target, another 4xx, TLS
				 * verification, a missing program */
};

struct deliver_report {
	enum deliver_result result;
	char target[300];	/* the target, redacted (target_redact) */
	char reason[512];	/* one line, no secrets; "" when delivered */
	size_t parts;		/* the requests the message takes at this target (split) */
	size_t parts_done;	/* of them, the ones that went through, counting from 0: a
				 * retry passes parts_done as FIRST_PART, and no part is sent
				 * twice */
	long long duration_ms;
};

struct deliver_ctx {
	const struct config *cfg;	/* [delivery] timeout, telegram_api; the helper's path */
	int *shown;			/* blocks written on standard output so far (a blank
					 * line goes between two); may be NULL */
	long long timeout_ms;		/* deliver_http: the request's timeout; 0: [delivery]
					 * timeout */
	const char *method;		/* deliver_http: "GET"; NULL: POST */
};

/* Sends M to TARGET (as written in notify:), from part FIRST_PART on (0: the whole
 * message). Blocks until it is done or [delivery] timeout passed. Fills REP and returns
 * its result. */
enum deliver_result deliver_send(const struct deliver_ctx *ctx, const char *target,
    const struct target_msg *m, size_t first_part, struct deliver_report *rep);

/* One HTTP request to URL through hb-run-http, a GET or (BODY, LEN bytes) a POST as
 * ctx->method says: for pings. The reason of a failure names the host only. */
enum deliver_result deliver_http(const struct deliver_ctx *ctx, const char *url,
    const char *body, size_t len, char *reason, size_t rlen);

/* "delivered", "retry", "failed": as the log writes them. */
const char *deliver_result_name(enum deliver_result r);

/* Writes one block on standard output: "=== TITLE ===", the lines of NOTE (may be NULL),
 * then TEXT (LEN bytes, may be NULL), in one write(2), with a blank line before it when
 * *SHOWN > 0. Returns 0 (and counts the block), or -1 with the reason in ERR. */
int deliver_stdout(int *shown, const char *title, const char *note, const char *text,
    size_t len, char *err, size_t errlen);

/* hb-run's environment without its HB_ variables, plus EXTRA (NULL-terminated, may be
 * NULL), for a helper child (a delivery, a check). The strings stay the caller's; free the
 * array alone. */
char **deliver_env(char *const *extra);

/* Finds program NAME as execvp would (on PATH; "sendmail" also in /usr/sbin and /usr/lib,
 * where mail systems put it and cron's PATH does not look). Returns 0 with its path in
 * OUT, or -1. */
int deliver_find_program(const char *name, char *out, size_t len);

#endif
