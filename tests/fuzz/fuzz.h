/* fuzz.h - what the libFuzzer harnesses share: CHECK aborts (so that libFuzzer keeps the
 * input) with file:line and a message when an invariant fails. Included by tests/fuzz/ only. */
#ifndef HB_FUZZ_H
#define HB_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__,	\
		    #cond);							\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
		abort();							\
	}									\
} while (0)

#endif
