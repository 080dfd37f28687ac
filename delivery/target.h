/* target.h - delivery targets in the Apprise URL convention, pure: a target URL parsed into
 * its parts, the request each service documents built for one message (split or cut to the
 * service's limits), and the URL redacted for logs and messages. No I/O: runner/deliver.c
 * sends what this builds. Included by runner/, cmd/, tasks/heartbeat.c and the unit tests. */
#ifndef HB_TARGET_H
#define HB_TARGET_H

#include <stddef.h>

enum target_kind {
	TARGET_STDOUT,		/* "stdout": the header and the text on standard output */
	TARGET_NTFY,		/* ntfy://topic, ntfy[s]://[user:pass@|token@]host[:port]/topic */
	TARGET_SLACK,		/* a Slack incoming webhook (by host or path shape), slack://A/B/C */
	TARGET_DISCORD,		/* a Discord webhook (by host or path shape), discord://ID/TOKEN */
	TARGET_TELEGRAM,	/* tgram://BOT_TOKEN/CHAT_ID[/CHAT_ID...] */
	TARGET_JSON,		/* json[s]://[user:pass@]host[:port]/path[?+Header=value] */
	TARGET_MAILTO,		/* mailto:user@example.com[,other@example.com] (local sendmail) */
	TARGET_DESKTOP,		/* desktop:// (notify-send; osascript on macOS) */
	TARGET_EXEC,		/* exec:PROGRAM (message on standard input) */
	TARGET_APPRISE,		/* any other scheme: the apprise CLI */
};

/* The limits of the services (characters are Unicode code points). */
#define TARGET_DISCORD_MAX	2000	/* characters per message: split */
#define TARGET_TELEGRAM_MAX	4096	/* characters per message: split */
#define TARGET_SLACK_MAX	40000	/* characters per message: split */
#define TARGET_NTFY_MAX		4096	/* bytes of a message: cut, the cut said */
#define TARGET_DESKTOP_MAX	4096	/* bytes of a notification's body: cut */
#define TARGET_TITLE_MAX	250	/* bytes of a title */

#define TARGET_TELEGRAM_API	"https://api.telegram.org"
#define TARGET_NTFY_HOST	"ntfy.sh"

struct target {
	enum target_kind kind;
	char scheme[16];	/* lower case; "" for stdout */
	int tls;		/* the HTTP request goes over https */
	char *host;		/* NULL: none */
	int port;		/* 0: the scheme's */
	char *path;		/* from the '/' after the host, query cut off; NULL: none */
	char *user;		/* percent-decoded; NULL: none */
	char *password;		/* percent-decoded; NULL: none */
	char *token;		/* ntfy's access token, Telegram's bot token; NULL: none */
	char *topic;		/* ntfy */
	char **ids;		/* Telegram's chat ids, mailto's addresses */
	size_t nids;
	char *url;		/* the URL that requests go to (Slack, Discord, json, ntfy), or
				 * the whole target for apprise */
	char *headers;		/* json: the "+Name=value" parameters as "Name: value\n" lines */
	char *program;		/* exec: the program as written */
};

/* One message for a target. */
struct target_msg {
	const char *task;
	const char *title;	/* NULL or "": the task's name */
	const char *text;	/* UTF-8, made printable by the caller */
	size_t len;
	int priority;		/* 1 (min) to 5 (urgent); 0: 3 (default) */
	long long time;		/* Unix seconds */
	const char *run_id;
	const char *host;	/* this machine's name */
};

/* Choices the caller makes from the world (the environment, the platform). */
struct target_opts {
	const char *telegram_api;	/* NULL or "": TARGET_TELEGRAM_API */
	int osascript;			/* desktop:// through osascript (macOS) */
};

/* One request: an HTTP POST (url set), or a program (argv set) that reads BODY on its
 * standard input. */
struct target_request {
	char *url;		/* HTTP: the POST URL (it may hold the target's secrets) */
	char *headers;		/* HTTP: "Name: value\n" lines */
	char **argv;		/* a program: argv[0] is looked up on PATH unless it has a '/' */
	char **env;		/* a program: "NAME=value" strings added to its environment */
	char *body;		/* the POST body or the program's standard input (NUL-ended) */
	size_t body_len;
};

/* Parses target S. Returns 0, or -1 with ERR saying what is wrong (secrets not quoted). */
int target_parse(const char *s, struct target *t, char *err, size_t errlen);
void target_free(struct target *t);
/* The short name of a kind: "stdout", "ntfy", "slack", ... */
const char *target_kind_name(enum target_kind k);

/* Builds the requests that deliver M to T, in order (a message too long for the service
 * is split into parts, or cut with a note saying how much). Returns 0 with *OUT (free with
 * target_requests_free) and *N (0 for stdout: the caller writes it), or -1 with ERR set. */
int target_build(const struct target *t, const struct target_msg *m, const struct target_opts *o,
    struct target_request **out, size_t *n, char *err, size_t errlen);
void target_requests_free(struct target_request *r, size_t n);

/* S with its secrets replaced by "***" (passwords, tokens, webhook secrets; the whole of a
 * URL handed to apprise but its scheme), into OUT. Whatever S is, OUT holds no more of it
 * than a parsed target shows. Returns OUT. */
char *target_redact(const char *s, char *out, size_t len);

/* Splits a notify value into targets: "a, b", or a YAML flow list "[a, 'b']"; an item in
 * quotes may hold commas. Returns 0 with *OUT (free with target_list_free) and *N, or -1
 * with ERR set. An empty value is an error. */
int target_list_split(const char *s, char ***out, size_t *n, char *err, size_t errlen);
void target_list_free(char **list, size_t n);

/* A priority by name (min, low, default, high, urgent, max) or number (1-5): 1-5, or -1. */
int target_priority_parse(const char *s);
const char *target_priority_name(int p);	/* 0 reads as 3: "default" */

/* The pieces of TEXT (LEN bytes of UTF-8) of at most MAX characters each, cut after a
 * newline where one lies in the piece's second half, else between characters. Returns the
 * number of pieces; their offsets and lengths go to OFF and PLEN when not NULL (room for
 * the count: call once with NULL to learn it). A piece's final newline is dropped. */
size_t target_split(const char *text, size_t len, size_t max, size_t *off, size_t *plen);

/* Cuts TEXT to at most MAX bytes, on a character (preferably a line) boundary, adding
 * "\n[... N more bytes not sent; the reply is in the hb-run log]". Returns a malloc'd string
 * (its length in *OUTLEN), or NULL when memory ran out. */
char *target_cut(const char *text, size_t len, size_t max, size_t *outlen);

#endif
