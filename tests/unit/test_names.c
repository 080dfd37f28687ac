/* test_names.c - the table of names: adding, finding and removing, names that share a slot
 * (also across the end of the table), growth, and many names against a plain array. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/names.h"
#include "tests/unit/unit.h"

#define V(i) ((void *)(uintptr_t)(i))

static void
test_basic(void)
{
	struct names m = { 0 };
	void *v = V(99);

	ROW("an empty table");
	CHECK_INT(names_find(&m, "a", &v), 0);
	CHECK(names_get(&m, "a") == NULL, "get in an empty table");
	CHECK_INT(names_remove(&m, "a"), 0);
	ROW_END();

	ROW("add, find, add again, remove");
	CHECK_INT(names_add(&m, "a", V(1), NULL), 0);
	CHECK_INT(names_add(&m, "b", NULL, NULL), 0);
	CHECK_INT(names_add(&m, "", V(3), NULL), 0);	/* the empty name is a name */
	CHECK_INT(m.n, 3);
	CHECK(names_get(&m, "a") == V(1), "a's value");
	CHECK_INT(names_find(&m, "b", &v), 1);		/* a NULL value is found */
	CHECK(v == NULL, "b's value");
	CHECK(names_get(&m, "") == V(3), "the empty name's value");
	CHECK_INT(names_find(&m, "c", NULL), 0);
	CHECK_INT(names_add(&m, "a", V(7), &v), 1);	/* the first one stays */
	CHECK(v == V(1), "the value of the name already there");
	CHECK(names_get(&m, "a") == V(1), "a's value after a second add");
	CHECK_INT(names_remove(&m, "a"), 1);
	CHECK_INT(names_remove(&m, "a"), 0);
	CHECK_INT(names_find(&m, "a", NULL), 0);
	CHECK_INT(m.n, 2);
	CHECK_INT(names_add(&m, "a", V(8), NULL), 0);
	CHECK(names_get(&m, "a") == V(8), "a added again");
	ROW_END();
	names_free(&m);

	ROW("names are compared whole, not by their pointers");
	{
		char a[] = "task", b[] = "task";

		CHECK_INT(names_add(&m, a, V(1), NULL), 0);
		CHECK_INT(names_add(&m, b, V(2), &v), 1);
		CHECK(v == V(1), "the value of the equal name");
		CHECK_INT(names_find(&m, "tas", NULL), 0);
		CHECK_INT(names_find(&m, "task-", NULL), 0);
	}
	ROW_END();
	names_free(&m);
	CHECK(m.slots == NULL && m.cap == 0 && m.n == 0, "names_free leaves an empty table");
}

/* Names task-K whose first slot in a table of CAP slots is SLOT: N of them into OUT (each
 * 16 bytes), the search starting at K = *FROM. */
static void
names_at(size_t slot, size_t cap, size_t n, char (*out)[16], size_t *from)
{
	for (size_t k = *from; n > 0; k++) {
		char s[16];

		snprintf(s, sizeof s, "task-%zu", k);
		if ((names_hash(s) & (cap - 1)) == slot) {
			memcpy(out++, s, sizeof s);
			n--;
			*from = k + 1;
		}
	}
}

/* Runs of names that share their first slot, one of them across the end of the table, with
 * removals at their start, middle and end: every other name must still be found. The 16
 * slots of a new table hold 12 names before it grows. */
static void
test_collisions(void)
{
	static const struct {
		const char *what;
		size_t remove[4];	/* indexes into the names, in order; ends at 99 */
	} rows[] = {
		{ "the first of a run", { 0, 99 } },
		{ "the middle of a run", { 2, 99 } },
		{ "the last of the run across the end", { 6, 99 } },
		{ "one whose first slot is 0, moved back across the end", { 5, 7, 99 } },
		{ "the whole run across the end, first to last", { 4, 5, 6, 99 } },
		{ "all but one, last to first", { 9, 8, 7, 6 } },
	};
	char names[10][16];
	size_t from = 0;

	/* 0-3: slot 3; 4-6: slot 15; 7-8: slot 0 (pushed along by 4-6); 9: slot 1 */
	names_at(3, 16, 4, names, &from);
	from = 0;
	names_at(15, 16, 3, names + 4, &from);
	from = 0;
	names_at(0, 16, 2, names + 7, &from);
	from = 0;
	names_at(1, 16, 1, names + 9, &from);
	for (size_t r = 0; r < NELEM(rows); r++) {
		struct names m = { 0 };
		int gone[10] = { 0 };

		ROW("collisions: remove %s", rows[r].what);
		for (size_t i = 0; i < 10; i++)
			CHECK_INT(names_add(&m, names[i], V(i), NULL), 0);
		CHECK_INT(m.cap, 16);
		for (size_t k = 0; k < 4 && rows[r].remove[k] != 99; k++) {
			CHECK_INT(names_remove(&m, names[rows[r].remove[k]]), 1);
			gone[rows[r].remove[k]] = 1;
			for (size_t i = 0; i < 10; i++) {
				void *v = NULL;

				CHECK_INT(names_find(&m, names[i], &v), !gone[i]);
				if (!gone[i])
					CHECK(v == V(i), "the value of %s", names[i]);
			}
		}
		/* and back in: each found where the probe for it ends */
		for (size_t i = 0; i < 10; i++)
			if (gone[i])
				CHECK_INT(names_add(&m, names[i], V(i), NULL), 0);
		for (size_t i = 0; i < 10; i++)
			CHECK(names_get(&m, names[i]) == V(i), "the value of %s", names[i]);
		CHECK_INT(m.n, 10);
		names_free(&m);
		ROW_END();
	}
}

static void
test_growth(void)
{
	struct names m = { 0 };
	char (*s)[16] = malloc(1000 * sizeof *s);
	int ok = 1;

	if (s == NULL)
		abort();
	ROW("growth: 1,000 names");
	for (size_t i = 0; i < 1000; i++) {
		snprintf(s[i], sizeof s[i], "n%zu", i);
		ok &= names_add(&m, s[i], V(i), NULL) == 0;
		ok &= m.n * 4 <= m.cap * 3;	/* never more than three quarters full */
	}
	CHECK(ok, "every add, at most three quarters full");
	CHECK_INT(m.n, 1000);
	CHECK_INT(m.cap, 2048);
	for (size_t i = 0; i < 1000; i++)
		ok &= names_get(&m, s[i]) == V(i);
	CHECK(ok, "every name found after the table grew");
	ROW_END();
	names_free(&m);
	free(s);
}

/* 100,000 names against a plain array, with removals, and adds and removes in a random
 * order over a few names (the same slots again and again). */
static void
test_many(void)
{
	enum { N = 100000, FEW = 300 };
	struct names m = { 0 };
	char (*s)[16] = malloc(N * sizeof *s);
	unsigned char in[N] = { 0 };
	unsigned long x = 12345;
	size_t n = 0;
	int ok = 1;

	if (s == NULL)
		abort();
	ROW("many: 100,000 names, every third removed");
	for (size_t i = 0; i < N; i++) {
		snprintf(s[i], sizeof s[i], "task-%zu", i);
		ok &= names_add(&m, s[i], V(i), NULL) == 0;
	}
	for (size_t i = 0; i < N; i += 3)
		ok &= names_remove(&m, s[i]) == 1;
	for (size_t i = 0; i < N; i++) {
		void *v = NULL;

		ok &= names_find(&m, s[i], &v) == (i % 3 != 0);
		ok &= i % 3 == 0 || v == V(i);
	}
	CHECK(ok, "each name found or not as it should be");
	CHECK_INT(m.n, N - (N + 2) / 3);
	ROW_END();
	names_free(&m);

	ROW("many: 200,000 random adds and removes over %d names", FEW);
	for (size_t k = 0; k < 200000; k++) {
		size_t i;

		x = x * 6364136223846793005UL + 1442695040888963407UL;
		i = (x >> 33) % FEW;
		if ((x >> 20) & 1) {
			ok &= names_add(&m, s[i], V(i), NULL) == (in[i] ? 1 : 0);
			n += !in[i];
			in[i] = 1;
		} else {
			ok &= names_remove(&m, s[i]) == in[i];
			n -= in[i];
			in[i] = 0;
		}
		if (k % 1000 == 0)
			for (size_t j = 0; j < FEW; j++)
				ok &= names_find(&m, s[j], NULL) == in[j];
		ok &= m.n == n;
	}
	CHECK(ok, "the table agrees with the array after every step");
	ROW_END();
	names_free(&m);
	free(s);
}

void
test_names_table(void)
{
	test_basic();
	test_collisions();
	test_growth();
	test_many();
}
