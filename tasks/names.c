/* names.c - the table of names: linear probing in a power-of-two array kept at most three
 * quarters full, doubled when it would be fuller; a removal shifts the names after it back
 * instead of leaving a tombstone, so that no sequence of adds and removes slows it down. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/names.h"

#define MIN_CAP 16

size_t
names_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;		/* FNV-1a, 64 bits */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));		/* the high bits into the low ones, for the mask */
}

/* The slot of NAME (hash H), or the free slot where it would go. The table is never full. */
static size_t
slot_of(const struct names *m, const char *name, size_t h)
{
	size_t mask = m->cap - 1, i = h & mask;

	while (m->slots[i].name != NULL &&
	    (m->slots[i].hash != h || strcmp(m->slots[i].name, name) != 0))
		i = (i + 1) & mask;
	return i;
}

static int
grow(struct names *m)
{
	size_t cap = m->cap ? m->cap * 2 : MIN_CAP;
	struct names_slot *old = m->slots, *slots;
	size_t oldcap = m->cap;

	if (cap > SIZE_MAX / 2 / sizeof *slots)
		return -1;
	slots = calloc(cap, sizeof *slots);
	if (slots == NULL)
		return -1;
	m->slots = slots;
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].name != NULL)
			m->slots[slot_of(m, old[i].name, old[i].hash)] = old[i];
	free(old);
	return 0;
}

int
names_add(struct names *m, const char *name, void *value, void **found)
{
	size_t h = names_hash(name), i;

	if (m->cap > 0) {
		i = slot_of(m, name, h);
		if (m->slots[i].name != NULL) {
			if (found != NULL)
				*found = m->slots[i].value;
			return 1;
		}
	}
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m) != 0)
		return -1;
	i = slot_of(m, name, h);
	m->slots[i].name = name;
	m->slots[i].value = value;
	m->slots[i].hash = h;
	m->n++;
	return 0;
}

int
names_find(const struct names *m, const char *name, void **value)
{
	size_t i;

	if (m->n == 0)
		return 0;
	i = slot_of(m, name, names_hash(name));
	if (m->slots[i].name == NULL)
		return 0;
	if (value != NULL)
		*value = m->slots[i].value;
	return 1;
}

void *
names_get(const struct names *m, const char *name)
{
	void *v = NULL;

	names_find(m, name, &v);
	return v;
}

int
names_remove(struct names *m, const char *name)
{
	size_t mask, i, j, home;

	if (m->n == 0)
		return 0;
	mask = m->cap - 1;
	i = slot_of(m, name, names_hash(name));
	if (m->slots[i].name == NULL)
		return 0;
	/* Shift back each later name of the run that may not stay beyond the hole at I: one
	 * whose home slot is not cyclically within (I, J]. */
	for (j = (i + 1) & mask; m->slots[j].name != NULL; j = (j + 1) & mask) {
		home = m->slots[j].hash & mask;
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	memset(&m->slots[i], 0, sizeof m->slots[i]);
	m->n--;
	return 1;
}

void
names_free(struct names *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

int
names_distance(const char *a, const char *b)
{
	int d[33][33];
	size_t na = strlen(a), nb = strlen(b);

	if (na > 32 || nb > 32)
		return INT_MAX;

	for (size_t i = 0; i <= na; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= nb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= na; i++)
		for (size_t j = 1; j <= nb; j++) {
			int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			int best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[na][nb];
}
