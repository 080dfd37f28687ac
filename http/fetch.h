/* fetch.h - one model API request carried out with libcurl: the tries, their timeouts (the
 * deadline, the stall timeout), the retry rules and waits of agents/llm.h, and the reply read
 * as it streams. Only http/ includes it: it is the one module that uses libcurl. */
#ifndef HB_FETCH_H
#define HB_FETCH_H

#include <stddef.h>

#include "agents/llm.h"

struct fetch_settings {
	enum llm_api api;
	const char *url;		/* the POST URL */
	const char *host;		/* host[:port], for messages */
	const char *key;		/* NULL: none */
	const char *ca_file;		/* NULL: the system's CAs */
	const char *body;		/* the JSON request */
	int stream;
	long stall_s;			/* no byte for this long ends a try */
	long long deadline_ms;		/* Unix ms: no try starts, and none lasts, past it */
	int max_tries;
};

/* Makes the request, trying again as the rules say. Returns 0 with the reply in R (the
 * caller frees it with llm_reply_free), or -1 with one line in ERR naming the host, the
 * status or connection error, the API's own message and the number of tries; -2 likewise
 * when the deadline ended a try that had no whole reply yet (the run is out of time).
 * *TRIES the tries made. */
int fetch_run(const struct fetch_settings *fs, struct llm_reply *r, int *tries, char *err,
    size_t errlen);

/* Sets libcurl up once (before any thread, at the start of main). Returns 0 or -1. */
int fetch_global_init(void);
void fetch_global_cleanup(void);

#endif
