/* fuzz_check.c - libFuzzer harness for the parsers of checks/builtin.c: a check: line's words
 * and its validation, the todo items of a Markdown text, and hb-monitor's problem keys. The
 * input is the text, not NUL-terminated. Invariants: words are bounded in number and length,
 * none holds a blank that was not quoted; a valid built-in call has as many arguments as
 * its rule allows; todo items are distinct, at most one a line; problem keys are at most one
 * a line and hold no digit, no ';' and no '('. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "checks/builtin.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
lines_of(const char *s, size_t n)
{
	size_t k = 1;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* A check: line is one line: the text up to its first newline or NUL. */
static void
words(const char *text)
{
	const struct check_builtin *b = NULL;
	char **argv = NULL, err[256] = "";
	int n = check_words(text, &argv, err, sizeof err);

	if (n < 0) {
		CHECK(argv == NULL && err[0] != '\0', "a failure without its reason");
	} else {
		CHECK(n <= CHECK_WORDS_MAX && argv != NULL && argv[n] == NULL, "%d words", n);
		for (int i = 0; i < n; i++)
			CHECK(strlen(argv[i]) <= strlen(text), "word %d longer than the line", i);
		if (strchr(text, '"') == NULL && strchr(text, '\'') == NULL)
			for (int i = 0; i < n; i++)
				CHECK(argv[i][0] != '\0' && strpbrk(argv[i], " \t") == NULL,
				    "word %d '%s' of an unquoted line", i, argv[i]);
	}
	err[0] = '\0';
	if (check_validate(text, err, sizeof err) == 0) {
		if (check_is_builtin(text, &b) && n > 0)
			CHECK(n - 1 >= b->min_args && (b->max_args < 0 || n - 1 <= b->max_args),
			    "%s with %d arguments is valid", b->name, n - 1);
	} else {
		CHECK(err[0] != '\0', "an invalid line without its reason");
	}
	check_words_free(argv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	cJSON *items, *keys, *item;
	size_t nl;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	nl = lines_of(text, strlen(text));
	words(text);

	if ((items = check_todo_items(text, size)) != NULL) {
		CHECK((size_t)cJSON_GetArraySize(items) <= lines_of(text, size), "%d items",
		    cJSON_GetArraySize(items));
		cJSON_ArrayForEach(item, items) {
			cJSON *other;

			CHECK(cJSON_IsString(item), "an item that is not a string");
			for (other = item->next; other != NULL; other = other->next)
				CHECK(strcmp(item->valuestring, other->valuestring) != 0,
				    "item '%s' twice", item->valuestring);
		}
		cJSON_Delete(items);
	}
	if ((keys = check_problem_keys(text)) != NULL) {
		CHECK((size_t)cJSON_GetArraySize(keys) <= nl, "%d keys of %zu lines",
		    cJSON_GetArraySize(keys), nl);
		cJSON_ArrayForEach(item, keys) {
			CHECK(cJSON_IsString(item) && item->valuestring[0] != '\0', "an empty key");
			CHECK(strpbrk(item->valuestring, "0123456789;(\n") == NULL, "key '%s'",
			    item->valuestring);
		}
		cJSON_Delete(keys);
	}
	free(text);
	return 0;
}
