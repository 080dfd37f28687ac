/* fuzz_target.c - libFuzzer harness for delivery/target.c (a notify: value as the user
 * writes it). The input is a notify list; each target that parses is redacted and built.
 * Invariants: redaction never shows a password or a token of four bytes or more, nor more
 * than the scheme of an apprise URL; the built pieces keep each service's limit; a cut
 * message stays within ntfy's 4096 bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/target.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The occurrences of NEEDLE in HAY. */
static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* A secret as written (not percent-encoded) must lose at least one occurrence: the one
 * in its place. (It may also be a topic's or a host's name elsewhere.) */
static void
hidden(const char *target, const char *shown, const char *secret, const char *what)
{
	size_t in;

	if (secret == NULL || strlen(secret) < 4 || (in = count(target, secret)) == 0)
		return;
	CHECK(count(shown, secret) < in, "%s shown in '%s'", what, shown);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), **list = NULL, err[256], shown[300];
	static const char msg[] = "line one\nline two \xc3\xa9\n";
	struct target_msg m = { "t", "title", msg, sizeof msg - 1, 4, 0, "r", "h" };
	size_t n = 0;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (target_list_split(s, &list, &n, err, sizeof err) != 0) {
		free(s);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct target t;
		struct target_request *r = NULL;
		size_t nr = 0;

		target_redact(list[i], shown, sizeof shown);
		CHECK(strlen(shown) < sizeof shown, "redaction overran");
		if (target_parse(list[i], &t, err, sizeof err) != 0)
			continue;
		hidden(list[i], shown, t.password, "a password");
		if (t.kind != TARGET_TELEGRAM)	/* its bot id stays, the secret after ':' not */
			hidden(list[i], shown, t.token, "a token");
		if (t.kind == TARGET_APPRISE)
			CHECK(strstr(shown, "://***") != NULL && strlen(strstr(shown, "://***")) == 6,
			    "an apprise URL shown: '%s'", shown);
		if (target_build(&t, &m, NULL, &r, &nr, err, sizeof err) == 0) {
			for (size_t k = 0; k < nr; k++)
				CHECK(r[k].body != NULL && strlen(r[k].body) == r[k].body_len,
				    "request %zu: body length", k);
			target_requests_free(r, nr);
		}
		target_free(&t);
	}
	target_list_free(list, n);
	free(s);
	return 0;
}
