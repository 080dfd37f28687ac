/* names.h - a table of names, each with a value: open addressing on an FNV-1a hash, so that
 * adding, finding and removing a name take constant time whatever the number of names.
 * Pure. The table keeps pointers to the names, not copies: a name must stay as it is while
 * it is in the table. Used by tasks/heartbeat.c, checks/, state/state.c and runner/. */
#ifndef HB_NAMES_H
#define HB_NAMES_H

#include <stddef.h>

struct names_slot {
	const char *name;	/* NULL: a free slot */
	void *value;
	size_t hash;
};

/* All zero is an empty table. */
struct names {
	struct names_slot *slots;
	size_t cap;		/* 0 or a power of two */
	size_t n;		/* names in it */
};

/* Adds NAME with VALUE. Returns 0 when it was added; 1 when NAME was there already (the
 * table is left as it was, and *FOUND, unless FOUND is NULL, gets its value); -1 when
 * memory ran out. */
int names_add(struct names *m, const char *name, void *value, void **found);
/* Finds NAME: returns 1 and sets *VALUE (unless VALUE is NULL), or 0 when it is not there. */
int names_find(const struct names *m, const char *name, void **value);
/* The value of NAME, or NULL when it is not there (for tables whose values are not NULL). */
void *names_get(const struct names *m, const char *name);
/* Removes NAME; returns 1 when it was there, else 0. */
int names_remove(struct names *m, const char *name);
void names_free(struct names *m);
/* The hash of NAME; a name's first slot is the hash modulo the table's capacity. */
size_t names_hash(const char *name);
/* The edits (insert, delete, change, swap two neighbours; case ignored) from name A to
 * name B, for "did you mean"; INT_MAX when either is longer than 32 bytes. */
int names_distance(const char *a, const char *b);

#endif
