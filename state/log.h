/* log.h - the activity log, .heartbeat-log.jsonl: one JSON object per task run, and one per
 * message the outbox sent or gave up on at a later tick, appended.
 * Rotated to "<log>.1" when it passes LOG_ROTATE_BYTES. Used by runner/. */
#ifndef HB_LOG_H
#define HB_LOG_H

#include <stddef.h>
#include <time.h>

#include <cJSON.h>

#define LOG_ROTATE_BYTES (4L << 20)
#define LOG_TEXT_MAX 8192	/* bytes of a reply or of stderr kept in an entry */

/* What a run cost, as its agent said: -1 (cost: < 0) when it did not. */
struct log_usage {
	long long input_tokens;		/* cached input included */
	long long cached_tokens;
	long long output_tokens;
	double cost_usd;
};

/* What became of a reply at one target (the target redacted). */
struct log_delivery {
	const char *target;
	const char *result;	/* delivered, retry, failed */
	const char *reason;	/* NULL or "": none */
	long long parts;	/* the requests the message took (split), and how many went */
	long long parts_done;
};

struct log_entry {
	long long start;	/* Unix seconds the run started */
	const char *time;	/* the same, as ISO 8601 for people */
	const char *task;
	const char *run_id;
	const char *type;	/* agentTurn, systemEvent */
	const char *reason;	/* interval, manual, catchup, ... */
	const char *status;	/* ok, error, timeout, interrupted, over_budget */
	int has_exit;
	int exit_code;
	int signal;		/* 0: none */
	long long duration_ms;
	const char *verdict;	/* reply verdict, or NULL */
	const char *reply;	/* the reply (as the agent wrote it) */
	size_t reply_len;
	size_t reply_total;	/* bytes the agent printed */
	const char *stderr_text;
	size_t stderr_len;
	const char *note;	/* anything else worth keeping, or NULL */
	long slots;		/* cron: slots since the last run; > 1 when some were missed */
	const char *agent;	/* the agent's name, or NULL */
	const char *batch;	/* the run id of the batch it ran in (its first task's), or
				 * NULL; the batch's usage is on its first task's line only */
	int dangerous;		/* the task ran in the agent's unattended permission mode */
	const struct log_usage *usage;	/* NULL: none known */
	const char *model;	/* the model that answered, when the agent said, or NULL */
	const char *agent_session;	/* the agent CLI's own session id, or NULL */
	const struct log_delivery *deliveries;	/* one per target, in order */
	size_t ndeliveries;
	int has_tries;		/* an outbox event: the message's tries so far */
	long long tries;
	const char *tier;	/* where the run stopped: check, triage, agent; NULL: no check */
	const char *findings;	/* what its check found, or NULL */
	const char *triage;	/* the triage's verdict (yes, no, unclear, failed), or NULL */
	const char *triage_reason;
	const struct log_usage *triage_usage;	/* what the triage cost, or NULL */
};

/* Blanks what looks like a secret in S (LEN bytes, NUL-terminated, with room for 11 * LEN + 1
 * bytes): API keys by their prefixes (sk-, ghp_, xoxb-, AKIA, ...), bearer tokens, the
 * credentials in a URL, and values of parameters such as token= or password=. Returns the
 * new length. Applied to every text the log keeps. */
size_t log_redact(char *s, size_t len);

/* Appends E to PATH (created 0600). Returns 0, or -1 with ERR set. */
int log_append(const char *path, const struct log_entry *e, char *err, size_t errlen);

/* Calls FN for each entry of PATH ("<path>.1" first), oldest first; lines that are not JSON
 * objects are skipped. A missing log has no entries. Returns 0, or -1 with ERR set. */
int log_each(const char *path, void (*fn)(const cJSON *entry, void *arg), void *arg,
    char *err, size_t errlen);

#endif
