/* hb-run-http.c - the helper that hb-run starts for an HTTP agent, like a template: the prompt
 * on standard input, the settings in HB_HTTP_* variables, one JSON object on standard output
 * ({"result", "usage", "cost_usd", "model", "truncated"}), one line on standard error when it
 * fails. Exit 0: a reply; 1: the request failed; 2: a configuration error; 3: the deadline
 * (the run's timeout, less a margin) ended a request before its reply. The key is read
 * from the variable HB_HTTP_KEY_ENV names, or from HB_HTTP_KEY_FILE, and never printed.
 * With HB_HTTP_MODE=post it delivers a message instead: see post.c. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "agents/anthropic.h"
#include "agents/llm.h"
#include "agents/openai.h"
#include "http/fetch.h"
#include "http/post.h"
#include "state/fileio.h"
#include "state/text.h"
#include "state/transcript.h"

/* Clears N bytes at P in a way the compiler keeps (explicit_bzero is not everywhere). */
static void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

#define PROMPT_MAX	(32L * 1024 * 1024)
#define KEY_MAX		4096
#define MAX_TRIES	10
#define DEFAULT_DEADLINE_MS	(10LL * 60 * 1000)

static char *the_key;		/* redacted from every message */

/* The one message funnel: "hb-run-http: " and one line, control characters made spaces,
 * the key (should a server echo it) replaced. */
static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	char buf[2048], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (the_key != NULL && the_key[0] != '\0') {
		size_t kl = strlen(the_key);

		while ((p = strstr(buf, the_key)) != NULL) {
			memmove(p + 5, p + kl, strlen(p + kl) + 1);
			memcpy(p, "[key]", 5);
		}
	}
	fprintf(stderr, "hb-run-http: %s\n", buf);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? v : "";
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A number in [LO, HI] from variable NAME (DEF when empty). -1 and a message when bad. */
static int
env_number(const char *name, double lo, double hi, double def, double *out)
{
	const char *v = env(name);
	char *end;
	double d;

	if (v[0] == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || !isfinite(d) || d < lo || d > hi) {
		say("%s: '%s' is not a number from %g to %g", name, v, lo, hi);
		return -1;
	}
	*out = d;
	return 0;
}

/* The key: from the variable HB_HTTP_KEY_ENV names, else from HB_HTTP_KEY_FILE (a regular
 * file of ours that nobody else may read). *KEY NULL when neither is set. 0, or -1 after a
 * message that never quotes the key. */
static int
read_key(char **key)
{
	const char *var = env("HB_HTTP_KEY_ENV"), *file = env("HB_HTTP_KEY_FILE");
	char buf[KEY_MAX + 2];
	struct stat sb;
	ssize_t n;
	size_t len;
	int fd;

	*key = NULL;
	if (var[0] != '\0') {
		const char *v = getenv(var);

		if (v == NULL || v[0] == '\0') {
			say("the key variable %s is not set", var);
			return -1;
		}
		if (strlen(v) > KEY_MAX) {
			say("the key in %s is longer than %d bytes", var, KEY_MAX);
			return -1;
		}
		snprintf(buf, sizeof buf, "%s", v);
		len = strlen(buf);
	} else if (file[0] != '\0') {
		fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			say("key file %s: %s", file, errno == ELOOP ? "a symbolic link" :
			    strerror(errno));
			return -1;
		}
		if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			say("key file %s: not a regular file", file);
			close(fd);
			return -1;
		}
		if ((sb.st_mode & 077) != 0) {
			say("key file %s: group or others may read it (mode %03o); chmod 600 it", file,
			    (unsigned)(sb.st_mode & 0777));
			close(fd);
			return -1;
		}
		if (sb.st_uid != geteuid()) {
			say("key file %s: owned by another user", file);
			close(fd);
			return -1;
		}
		n = read(fd, buf, KEY_MAX + 1);
		close(fd);
		if (n < 0) {
			say("key file %s: %s", file, strerror(errno));
			return -1;
		}
		if (n > KEY_MAX) {
			say("key file %s: longer than %d bytes", file, KEY_MAX);
			return -1;
		}
		len = (size_t)n;
		buf[len] = '\0';
		len = strcspn(buf, "\r\n");	/* the first line */
		while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
			len--;
		buf[len] = '\0';
		if (len == 0) {
			say("key file %s: empty", file);
			return -1;
		}
	} else {
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= 0x20 || (unsigned char)buf[i] >= 0x7f) {
			wipe(buf, sizeof buf);
			say("the key holds a character that an HTTP header cannot carry");
			return -1;
		}
	*key = strdup(buf);
	wipe(buf, sizeof buf);
	if (*key == NULL) {
		say("out of memory");
		return -1;
	}
	return 0;
}

/* The prompt: standard input, else the file HB_PROMPT_FILE names. */
static char *
read_prompt(void)
{
	const char *file = env("HB_PROMPT_FILE");
	size_t len = 0;
	char *p = fileio_read_fd(STDIN_FILENO, PROMPT_MAX, &len);
	int fd;

	if (p == NULL) {
		say("reading the prompt: %s", strerror(errno));
		return NULL;
	}
	if (len == 0 && file[0] != '\0') {
		free(p);
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0 ||
		    (p = fileio_read_fd(fd, PROMPT_MAX, &len)) == NULL) {
			say("%s: %s", file, strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		close(fd);
	}
	if (strlen(p) != len) {
		say("the prompt holds a NUL byte");
		free(p);
		return NULL;
	}
	return p;
}

/* The success object as one line of JSON, with at most HEAD_MAX bytes of the reply's head and
 * TAIL_MAX of its tail; *JSONLEN its length. NULL when memory ran out. */
static char *
reply_json(const struct llm_reply *r, const char *model, double price_in, double price_out,
    size_t head_max, size_t tail_max, size_t *jsonlen)
{
	cJSON *o = cJSON_CreateObject(), *u;
	char *raw = NULL, *text = NULL, *json = NULL;
	size_t rawlen = 0, textlen = 0;
	unsigned long long cut = 0;

	/* each copy is let go as soon as the next exists: the reply may be 600 KiB */
	if (o == NULL || (raw = llm_text_result_max(&r->text, head_max, tail_max, &rawlen,
	    &cut)) == NULL || (text = text_printable(raw, rawlen, &textlen)) == NULL)
		goto out;
	free(raw);
	raw = NULL;
	if (cJSON_AddStringToObject(o, "result", text) == NULL)
		goto out;
	free(text);
	text = NULL;
	if (r->have_usage) {
		if ((u = cJSON_AddObjectToObject(o, "usage")) == NULL ||
		    cJSON_AddNumberToObject(u, "input_tokens", (double)r->input_tokens) == NULL ||
		    cJSON_AddNumberToObject(u, "output_tokens", (double)r->output_tokens) == NULL ||
		    cJSON_AddNumberToObject(o, "cost_usd", ((double)r->input_tokens * price_in +
		    (double)r->output_tokens * price_out) / 1e6) == NULL)
			goto out;
	}
	if (cJSON_AddStringToObject(o, "model", r->model[0] ? r->model : model) == NULL ||
	    cJSON_AddNumberToObject(o, "truncated", (double)cut) == NULL)
		goto out;
	if ((json = cJSON_PrintUnformatted(o)) != NULL)
		*jsonlen = strlen(json);
out:
	cJSON_Delete(o);
	free(raw);
	free(text);
	return json;
}

/* Prints the success object, in at most LLM_PRINT_MAX bytes: a reply whose JSON (escapes
 * included) would be longer loses more of its middle, the head first. Returns 0, or -1 when
 * standard output failed or memory ran out. */
static int
print_reply(const struct llm_reply *r, const char *model, double price_in, double price_out)
{
	size_t head = LLM_HEAD_MAX, tail = LLM_TAIL_MAX, len = 0, over;
	char *json;

	for (;;) {
		if ((json = reply_json(r, model, price_in, price_out, head, tail, &len)) == NULL) {
			say("out of memory");
			return -1;
		}
		if (len + 1 <= LLM_PRINT_MAX || (head == 0 && tail == 0))
			break;
		/* each byte left out shortens the JSON by one at least; the note may grow */
		over = len + 1 - LLM_PRINT_MAX + 64;
		free(json);
		if (over <= head) {
			head -= over;
		} else {
			over -= head;
			head = 0;
			tail = over < tail ? tail - over : 0;
		}
	}
	if (printf("%s\n", json) < 0 || fflush(stdout) != 0) {
		say("writing the reply: %s", strerror(errno));
		free(json);
		return -1;
	}
	free(json);
	return 0;
}

/* Cuts PROMPT to what the transcript keeps of it: the task's own part, its first LEN bytes
 * (0: all of it). The context after it goes with every request anyway; kept in each turn it
 * would be sent again once per earlier turn. */
static void
keep_turn(char *prompt, size_t len)
{
	if (len > 0 && len < strlen(prompt))
		prompt[len] = '\0';
}

int
main(void)
{
	struct fetch_settings fs;
	struct llm_request q;
	struct llm_reply r;
	struct transcript_turn *turns = NULL;
	const char *api = env("HB_HTTP_API"), *base = env("HB_HTTP_URL"),
	    *transcript = env("HB_HTTP_TRANSCRIPT");
	char host[256], *url = NULL, *prompt = NULL, *body = NULL, err[2048];
	double max_tokens, temperature, stall, price_in, price_out, deadline, stream, turn_len;
	size_t nturns = 0, blen;
	int tries = 0, status = 2, rc;

	signal(SIGPIPE, SIG_IGN);
	if (strcmp(env("HB_HTTP_MODE"), "post") == 0)
		return post_main();
	if (env("HB_HTTP_MODE")[0] != '\0') {
		say("HB_HTTP_MODE: '%s' is not a mode (post, or unset for a model API)",
		    env("HB_HTTP_MODE"));
		return 2;
	}
	memset(&fs, 0, sizeof fs);
	memset(&q, 0, sizeof q);
	llm_reply_init(&r);
	if (strcmp(api, "openai") == 0) {
		fs.api = LLM_OPENAI;
	} else if (strcmp(api, "anthropic") == 0) {
		fs.api = LLM_ANTHROPIC;
	} else {
		say("HB_HTTP_API: '%s' is neither openai nor anthropic", api);
		return 2;
	}
	if (llm_url_host(base, host, sizeof host) != 0) {
		say("HB_HTTP_URL: '%s' is not an http:// or https:// URL", base);
		return 2;
	}
	if (env_number("HB_HTTP_MAX_TOKENS", 1, 10000000, 1024, &max_tokens) != 0 ||
	    env_number("HB_HTTP_TEMPERATURE", 0, 2, -1, &temperature) != 0 ||
	    env_number("HB_HTTP_STALL_TIMEOUT", 1, 86400, 60, &stall) != 0 ||
	    env_number("HB_HTTP_PRICE_IN", 0, 1e6, 0, &price_in) != 0 ||
	    env_number("HB_HTTP_PRICE_OUT", 0, 1e6, 0, &price_out) != 0 ||
	    env_number("HB_HTTP_DEADLINE", 0, 1e15, (double)(now_ms() + DEFAULT_DEADLINE_MS),
	    &deadline) != 0 ||
	    env_number("HB_HTTP_STREAM", 0, 1, 1, &stream) != 0 ||
	    env_number("HB_HTTP_TURN_LEN", 0, 1e15, 0, &turn_len) != 0)
		return 2;
	if (fs.api == LLM_ANTHROPIC && env("HB_HTTP_MODEL")[0] == '\0') {
		say("HB_HTTP_MODEL: the anthropic API needs a model");
		return 2;
	}
	if (read_key(&the_key) != 0)
		return 2;
	if (the_key == NULL && fs.api == LLM_ANTHROPIC) {
		say("no key: set key_env or key_file (the anthropic API needs one)");
		return 2;
	}
	/* the POST URL: the base, without a trailing slash, and the API's path */
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (asprintf(&url, "%.*s%s", (int)blen, base,
	    fs.api == LLM_OPENAI ? "/chat/completions" : "/v1/messages") < 0) {
		say("out of memory");
		goto out;
	}
	if ((prompt = read_prompt()) == NULL)
		goto out;
	if (prompt[0] == '\0') {
		say("the prompt is empty");
		goto out;
	}
	if (transcript[0] != '\0' && transcript_load(transcript, &turns, &nturns, err,
	    sizeof err) != 0) {
		say("%s", err);
		status = 1;
		goto out;
	}
	q.model = env("HB_HTTP_MODEL");
	q.system = env("HB_HTTP_SYSTEM_PROMPT");
	q.turns = turns;
	q.nturns = nturns;
	q.prompt = prompt;
	q.max_tokens = (long)max_tokens;
	q.completion_tokens = strcasecmp(host, "api.openai.com") == 0 ||
	    strcasecmp(host, "api.openai.com:443") == 0;
	q.has_temperature = temperature >= 0;
	q.temperature = temperature;
	q.stream = stream != 0;
	body = fs.api == LLM_OPENAI ? openai_request(&q) : anthropic_request(&q);
	if (body == NULL) {
		say("out of memory");
		status = 1;
		goto out;
	}
	fs.url = url;
	fs.host = host;
	fs.key = the_key;
	fs.ca_file = env("HB_HTTP_CA_FILE")[0] ? env("HB_HTTP_CA_FILE") : NULL;
	fs.body = body;
	fs.stream = q.stream;
	fs.stall_s = (long)stall;
	fs.deadline_ms = (long long)deadline;
	fs.max_tries = MAX_TRIES;
	status = 1;
	if (fetch_global_init() != 0) {
		say("cannot set up libcurl");
		goto out;
	}
	if ((rc = fetch_run(&fs, &r, &tries, err, sizeof err)) != 0) {
		say("%s", err);
		if (rc == -2)
			status = LLM_EXIT_TIMEOUT;
		goto cleanup;
	}
	if (print_reply(&r, q.model, price_in, price_out) != 0)
		goto cleanup;
	status = 0;
	if (transcript[0] != '\0') {
		char *text = NULL, *clean = NULL;
		size_t len = 0, clen = 0;
		unsigned long long cut;

		if ((text = llm_text_result(&r.text, &len, &cut)) == NULL ||
		    (clean = text_printable(text, len, &clen)) == NULL)
			say("warning: %s: out of memory; the turn was not kept", transcript);
		else {
			keep_turn(prompt, (size_t)turn_len);
			if (transcript_append(transcript, prompt, clean, err, sizeof err) != 0)
				say("warning: %s; the turn was not kept", err);
		}
		free(text);
		free(clean);
	}
cleanup:
	fetch_global_cleanup();
out:
	if (the_key != NULL) {
		wipe(the_key, strlen(the_key));
		free(the_key);
	}
	llm_reply_free(&r);
	transcript_free(turns, nturns);
	free(url);
	free(prompt);
	free(body);
	return status;
}
