/* state.c - the state file. The JSON tree is kept whole so that unknown keys (a user's, or a
 * later version's) survive; hb-run changes only the fields it owns. A write goes to a temp
 * file in the same directory, is fsync'd and renamed over the old one. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "state/fileio.h"
#include "state/state.h"
#include "tasks/names.h"

#define STATE_MAX_BYTES (64L << 20)

/* Objects of at most this many names are deduplicated pairwise, larger ones with a table. */
#define DEDUPE_PAIRWISE 8

struct state {
	cJSON *root;
	/* root's names -> their items, for lookups in constant time. Every change to root's
	 * own names goes through root_add and root_del, which keep it right. Behind a pointer
	 * as root is: a const state's tree (and so its index) can still change (state_save). */
	struct names *index;
};

static void
copy_str(char *dst, size_t len, const cJSON *item)
{
	const char *s = cJSON_GetStringValue(item);
	size_t n = s != NULL ? strnlen(s, len - 1) : 0;

	/* not snprintf: this runs for every task of every tick, and snprintf costs more than
	 * the rest of reading a task's state */
	if (n > 0)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Keeps the first of each name in every object, as cJSON's lookups read it: a later
 * duplicate would survive the writes that replace or delete the first. Linear time: small
 * objects pairwise, larger ones with a table of the names seen. Returns -1 when memory ran
 * out. */
static int
dedupe(cJSON *obj)
{
	struct names seen = { 0 };
	cJSON *a, *b, *next, *bnext;
	int table, r = 0;

	if (!cJSON_IsObject(obj) && !cJSON_IsArray(obj))
		return 0;
	table = 0;
	if (cJSON_IsObject(obj)) {
		size_t n = 0;

		for (a = obj->child; a != NULL && n <= DEDUPE_PAIRWISE; a = a->next)
			n++;
		table = n > DEDUPE_PAIRWISE;
	}
	for (a = obj->child; a != NULL; a = next) {
		if (cJSON_IsObject(obj) && a->string != NULL && table) {
			r = names_add(&seen, a->string, a, NULL);
			if (r < 0)
				goto out;
			if (r == 1) {
				next = a->next;
				cJSON_Delete(cJSON_DetachItemViaPointer(obj, a));
				continue;
			}
		} else if (cJSON_IsObject(obj) && a->string != NULL) {
			for (b = a->next; b != NULL; b = bnext) {
				bnext = b->next;
				if (b->string != NULL && strcmp(a->string, b->string) == 0)
					cJSON_Delete(cJSON_DetachItemViaPointer(obj, b));
			}
		}
		next = a->next;
		if ((cJSON_IsObject(a) || cJSON_IsArray(a)) && (r = dedupe(a)) != 0)
			goto out;
	}
out:
	names_free(&seen);
	return r < 0 ? -1 : 0;
}

/* ---- the index of root's names ------------------------------------------------------ */

/* Indexes root's names (deduplicated already). Returns -1 when memory ran out. */
static int
index_build(struct state *st)
{
	cJSON *it;

	st->index = calloc(1, sizeof *st->index);
	if (st->index == NULL)
		return -1;
	cJSON_ArrayForEach(it, st->root)
		if (it->string != NULL && names_add(st->index, it->string, it, NULL) < 0)
			return -1;
	return 0;
}

static void
index_free(struct state *st)
{
	if (st->index != NULL)
		names_free(st->index);
	free(st->index);
	st->index = NULL;
}

/* Root's item NAME, or NULL. */
static cJSON *
root_get(const struct state *st, const char *name)
{
	return names_get(st->index, name);
}

/* Adds ITEM (a new node, or NULL when its creation failed) to root as NAME, which is not
 * there. Returns ITEM, or NULL (ITEM freed) when memory ran out. */
static cJSON *
root_add(const struct state *st, const char *name, cJSON *item)
{
	if (item == NULL)
		return NULL;
	if (!cJSON_AddItemToObject(st->root, name, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	if (names_add(st->index, item->string, item, NULL) != 0) {
		cJSON_Delete(cJSON_DetachItemViaPointer(st->root, item));
		return NULL;
	}
	return item;
}

/* Sets root's item NAME to ITEM (a new node, or NULL when its creation failed), in place
 * when NAME is there. Returns 0, or -1 (ITEM freed) when memory ran out. */
static int
root_set(const struct state *st, const char *name, cJSON *item)
{
	cJSON *old = root_get(st, name);

	if (item == NULL)
		return -1;
	if (old == NULL)
		return root_add(st, name, item) != NULL ? 0 : -1;
	names_remove(st->index, old->string);	/* the name goes with the old node */
	if (!cJSON_ReplaceItemInObjectCaseSensitive(st->root, name, item)) {
		cJSON_Delete(item);
		(void)names_add(st->index, old->string, old, NULL);	/* room: one was removed */
		return -1;
	}
	return names_add(st->index, item->string, item, NULL) == 0 ? 0 : -1;
}

/* Removes root's item NAME, if there is one. */
static void
root_del(const struct state *st, const char *name)
{
	cJSON *it = root_get(st, name);

	if (it == NULL)
		return;
	names_remove(st->index, it->string);
	cJSON_Delete(cJSON_DetachItemViaPointer(st->root, it));
}

/* The file must be an object; everything in it is kept. Fields of the wrong type read as
 * absent (state_task_get), so that a hand edit costs no task its history. */
static int
validate(const cJSON *root, const char *path, char *err, size_t errlen)
{
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		return -1;
	}
	return 0;
}

int
state_seconds(double v, long long *out)
{
	if (!(v >= -9007199254740992.0 && v <= 9007199254740992.0))
		return -1;
	if (v >= 1e11 || v <= -1e11)
		v /= 1000.0;
	*out = (long long)v;
	return 0;
}

int
state_is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return s[36] == '\0';
}

struct state *
state_new(void)
{
	struct state *st = calloc(1, sizeof *st);

	if (st != NULL && ((st->root = cJSON_CreateObject()) == NULL || index_build(st) != 0)) {
		state_free(st);
		st = NULL;
	}
	return st;
}

int
state_parse(const char *text, size_t len, const char *name, struct state **out, char *err,
    size_t errlen)
{
	const char *end = NULL;
	struct state *st;

	*out = NULL;
	st = calloc(1, sizeof *st);
	if (st == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	st->root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (st->root == NULL) {
		size_t line = 1, col = 1;

		for (const char *p = text; end != NULL && p < end && p < text + len; p++) {
			if (*p == '\n')
				line++, col = 1;
			else
				col++;
		}
		snprintf(err, errlen, "%s:%zu:%zu: not valid JSON", name, line, col);
		state_free(st);
		return STATE_CORRUPT;
	}
	if (dedupe(st->root) != 0 || index_build(st) != 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		state_free(st);
		return -1;
	}
	while (end < text + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	if (end < text + len) {
		snprintf(err, errlen, "%s: text after the JSON object", name);
		state_free(st);
		return STATE_CORRUPT;
	}
	if (validate(st->root, name, err, errlen) != 0) {
		state_free(st);
		return STATE_CORRUPT;
	}
	*out = st;
	return 0;
}

int
state_load(const char *path, struct state **out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	r = fileio_read(path, STATE_MAX_BYTES, &text, &len, err, errlen);
	if (r == FILEIO_MISSING) {
		*out = state_new();
		if (*out == NULL) {
			snprintf(err, errlen, "%s: out of memory", path);
			return -1;
		}
		return 0;
	}
	if (r != 0)
		return -1;
	r = state_parse(text, len, path, out, err, errlen);
	free(text);
	return r;
}

int
state_quarantine(const char *path, long long t, char *moved, size_t movedlen, char *err,
    size_t errlen)
{
	struct stat sb;

	for (int n = 0; n < 100; n++) {
		if (n == 0)
			snprintf(moved, movedlen, "%s.corrupt-%lld", path, t);
		else
			snprintf(moved, movedlen, "%s.corrupt-%lld-%d", path, t, n);
		if (lstat(moved, &sb) != 0 && errno == ENOENT) {
			if (rename(path, moved) == 0)
				return 0;
			break;
		}
	}
	snprintf(err, errlen, "%s: cannot move it aside: %s", path, strerror(errno));
	return -1;
}

void
state_free(struct state *st)
{
	if (st == NULL)
		return;
	index_free(st);
	cJSON_Delete(st->root);
	free(st);
}

static int
save(const struct state *st, const char *path, int sync, char *err, size_t errlen)
{
	cJSON *version;
	char *text;
	int r;

	/* _version says which hb-run wrote the file; set on a copy-free path. */
	version = root_get(st, "_version");
	if (version == NULL)
		root_add(st, "_version", cJSON_CreateNumber(STATE_VERSION));
	text = cJSON_Print(st->root);
	if (text == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	r = fileio_write_atomic(path, text, strlen(text), sync, err, errlen);
	cJSON_free(text);
	return r;
}

int
state_save(const struct state *st, const char *path, char *err, size_t errlen)
{
	return save(st, path, 1, err, errlen);
}

int
state_save_claims(const struct state *st, const char *path, char *err, size_t errlen)
{
	return save(st, path, FILEIO_SYNC_FILE, err, errlen);
}

/* Removes every KEY of OBJ: a hand-edited file may hold one twice. */
static void
del_all(cJSON *obj, const char *key)
{
	while (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
}

/* The object of task NAME. CREATE: make one, also in place of a value that is not an object
 * (a hand edit; state_task_get has named it), which is kept inside it as "_value". */
static cJSON *
task_obj(const struct state *st, const char *name, int create)
{
	cJSON *t = root_get(st, name), *o, *old;

	if (t != NULL && !cJSON_IsObject(t)) {
		if (!create)
			return NULL;
		o = cJSON_CreateObject();
		old = cJSON_Duplicate(t, 1);
		if (o == NULL || old == NULL || !cJSON_AddItemToObject(o, "_value", old)) {
			cJSON_Delete(o);
			cJSON_Delete(old);	/* NULL, or not added */
			return NULL;
		}
		if (root_set(st, name, o) != 0)
			return NULL;
		t = o;
	}
	if (t == NULL && create)
		t = root_add(st, name, cJSON_CreateObject());
	return t;
}

static long long
num(const cJSON *obj, const char *key, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	/* NaN and numbers beyond 2^53 (a hand-edited claim, say) read as absent */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -9007199254740992.0 &&
	    v->valuedouble <= 9007199254740992.0))
		return dflt;
	return (long long)v->valuedouble;
}

/* OBJ.KEY as a real number from 0 up, else DFLT. */
static double
real(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 1e15))
		return dflt;
	return v->valuedouble;
}

/* Sets OBJ.KEY to ITEM (a new node, or NULL when its creation failed), replacing whatever
 * was there, in place, so that the file keeps its order. */
static int
set_item(cJSON *obj, const char *key, cJSON *item)
{
	if (item == NULL)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		return cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item) ? 0 : -1;
	return cJSON_AddItemToObject(obj, key, item) ? 0 : -1;
}

static int
set_num(cJSON *obj, const char *key, double v)
{
	return set_item(obj, key, cJSON_CreateNumber(v));
}

static int
set_str(cJSON *obj, const char *key, const char *v)
{
	return set_item(obj, key, cJSON_CreateString(v));
}

/* Adds WHAT to the list of unreadable fields in OUT. */
static void
unreadable(struct task_state *out, const char *what)
{
	size_t n = strlen(out->unreadable);

	snprintf(out->unreadable + n, sizeof out->unreadable - n, "%s%s", n ? ", " : "", what);
}

/* Reads the time OBJ.KEY: a number (seconds or milliseconds), or a string holding one.
 * Returns 1 when there is one; a value that is none is named in OUT. */
static int
read_time(const cJSON *obj, const char *key, long long *t, struct task_state *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *end = NULL;
	double d;

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v) && state_seconds(v->valuedouble, t) == 0)
		return 1;
	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		d = strtod(v->valuestring, &end);
		while (end != NULL && (*end == ' ' || *end == '\t'))
			end++;
		if (end != NULL && *end == '\0' && state_seconds(d, t) == 0)
			return 1;
	}
	if (out != NULL)
		unreadable(out, key);
	return 0;
}

/* Reads the count OBJ.KEY (default 0); a value that is not a number is named in OUT. */
static long long
read_num(const cJSON *obj, const char *key, struct task_state *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v != NULL && !cJSON_IsNull(v) && (!cJSON_IsNumber(v) ||
	    !(v->valuedouble >= -9007199254740992.0 && v->valuedouble <= 9007199254740992.0)))
		unreadable(out, key);
	return num(obj, key, 0);
}

/* Copies the id OBJ.KEY when it is a UUID, else leaves DST empty. */
static void
copy_uuid(char *dst, size_t len, const cJSON *obj, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));

	snprintf(dst, len, "%s", s != NULL && state_is_uuid(s) ? s : "");
}

/* Reads the claim RUN (an object, else no claim) into the running_* fields of OUT. */
static void
claim_read(const cJSON *run, struct task_state *out)
{
	if (!cJSON_IsObject(run))
		return;
	out->running = 1;
	out->running_pid = (long)num(run, "pid", 0);
	out->running_pid_start = num(run, "pid_start", 0);
	if (!read_time(run, "started", &out->running_since, NULL))
		out->running_since = 0;
	copy_uuid(out->running_id, sizeof out->running_id, run, "run_id");
	copy_str(out->running_boot, sizeof out->running_boot,
	    cJSON_GetObjectItemCaseSensitive(run, "boot_id"));
	out->running_pgid = (long)num(run, "pgid", 0);
	out->running_pgid_start = num(run, "pgid_start", 0);
}

/* Sets OBJ.running to claim C. */
static int
claim_write(cJSON *obj, const struct claim *c)
{
	cJSON *run;

	del_all(obj, "running");
	run = cJSON_AddObjectToObject(obj, "running");
	if (run == NULL || set_num(run, "pid", (double)c->pid) != 0 ||
	    (c->pid_start != 0 && set_num(run, "pid_start", (double)c->pid_start) != 0) ||
	    set_num(run, "started", (double)c->started) != 0 ||
	    set_str(run, "run_id", c->run_id) != 0 ||
	    (c->boot_id != NULL && set_str(run, "boot_id", c->boot_id) != 0) ||
	    (c->pgid != 0 && (set_num(run, "pgid", (double)c->pgid) != 0 ||
	    set_num(run, "pgid_start", (double)c->pgid_start) != 0)))
		return -1;
	return 0;
}

void
state_task_get(const struct state *st, const char *name, struct task_state *out)
{
	const cJSON *t = root_get(st, name), *v;

	memset(out, 0, sizeof *out);
	out->last_input_tokens = out->last_output_tokens = -1;
	out->last_cost_usd = -1;
	if (t == NULL)
		return;
	if (!cJSON_IsObject(t)) {
		unreadable(out, "the task's entry (not an object)");
		return;
	}
	out->has_run = read_time(t, "last_run", &out->last_run, out);
	copy_str(out->last_status, sizeof out->last_status,
	    cJSON_GetObjectItemCaseSensitive(t, "last_status"));
	copy_str(out->last_reply, sizeof out->last_reply,
	    cJSON_GetObjectItemCaseSensitive(t, "last_reply"));
	copy_str(out->last_tier, sizeof out->last_tier,
	    cJSON_GetObjectItemCaseSensitive(t, "last_tier"));
	v = cJSON_GetObjectItemCaseSensitive(t, "last_exit");
	if (cJSON_IsNumber(v) && v->valuedouble >= -2147483648.0 && v->valuedouble <= 2147483647.0) {
		out->has_exit = 1;
		out->last_exit = (int)v->valuedouble;
	}
	out->last_duration_ms = read_num(t, "last_duration_ms", out);
	out->runs = read_num(t, "runs", out);
	out->consecutive_errors = read_num(t, "consecutive_errors", out);
	out->has_baseline = read_time(t, "baseline", &out->baseline, out);
	out->done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "done"));
	out->has_done_at = read_time(t, "done_at", &out->done_at, NULL);
	copy_str(out->last_boot, sizeof out->last_boot,
	    cJSON_GetObjectItemCaseSensitive(t, "last_boot"));
	claim_read(cJSON_GetObjectItemCaseSensitive(t, "running"), out);
	out->last_input_tokens = num(t, "last_input_tokens", -1);
	out->last_output_tokens = num(t, "last_output_tokens", -1);
	out->last_cost_usd = real(t, "last_cost_usd", -1);
	out->tokens_in = read_num(t, "tokens_in", out);
	out->tokens_out = read_num(t, "tokens_out", out);
	out->cost_usd = real(t, "cost_usd", 0);
}

int
state_task_claim(struct state *st, const char *name, const struct claim *c)
{
	cJSON *t = task_obj(st, name, 1);

	return t == NULL ? -1 : claim_write(t, c);
}

int
state_task_claim_group(struct state *st, const char *name, const char *run_id, long pgid,
    long long start)
{
	cJSON *run = cJSON_GetObjectItemCaseSensitive(task_obj(st, name, 0), "running");
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(run, "run_id"));

	if (!cJSON_IsObject(run) || id == NULL || strcmp(id, run_id) != 0)
		return 0;	/* not ours any more: another tick found it dead */
	if (set_num(run, "pgid", (double)pgid) != 0 ||
	    set_num(run, "pgid_start", (double)start) != 0)
		return -1;
	return 0;
}

int
state_task_unclaim(struct state *st, const char *name)
{
	cJSON *t = task_obj(st, name, 0);

	if (t != NULL)
		del_all(t, "running");
	return 0;
}

const char *
run_status_name(enum run_status s)
{
	switch (s) {
	case RUN_OK:
		return "ok";
	case RUN_ERROR:
		return "error";
	case RUN_TIMEOUT:
		return "timeout";
	case RUN_INTERRUPTED:
		return "interrupted";
	case RUN_OVER_BUDGET:
		return "over_budget";
	case RUN_CLEAR:
		return "clear";
	case RUN_TRIAGED_OUT:
		return "triaged_out";
	case RUN_DEFERRED:
		return "deferred";
	}
	return "?";
}

int
run_status_ok(enum run_status s)
{
	return s == RUN_OK || s == RUN_CLEAR || s == RUN_TRIAGED_OUT;
}

const cJSON *
state_task_check(const struct state *st, const char *name)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(task_obj(st, name, 0), "check");

	return cJSON_IsObject(c) ? c : NULL;
}

/* The usage of run R: the last run's figures (absent when its agent did not say) and the
 * totals. */
static int
record_usage(cJSON *t, const struct run_record *r)
{
	del_all(t, "last_input_tokens");
	del_all(t, "last_output_tokens");
	del_all(t, "last_cost_usd");
	if (r->input_tokens >= 0 && (set_num(t, "last_input_tokens", (double)r->input_tokens) != 0 ||
	    set_num(t, "tokens_in", (double)(num(t, "tokens_in", 0) + r->input_tokens)) != 0))
		return -1;
	if (r->output_tokens >= 0 && (set_num(t, "last_output_tokens", (double)r->output_tokens) !=
	    0 || set_num(t, "tokens_out", (double)(num(t, "tokens_out", 0) + r->output_tokens)) != 0))
		return -1;
	if (r->cost_usd >= 0 && (set_num(t, "last_cost_usd", r->cost_usd) != 0 ||
	    set_num(t, "cost_usd", real(t, "cost_usd", 0) + r->cost_usd) != 0))
		return -1;
	return 0;
}

int
state_task_record(struct state *st, const char *name, const struct run_record *r)
{
	cJSON *t = task_obj(st, name, 1);
	int ok;

	if (t == NULL)
		return -1;
	del_all(t, "running");
	ok = run_status_ok(r->status);
	if (set_num(t, "last_run", (double)r->tick_start) != 0 ||
	    set_str(t, "last_status", run_status_name(r->status)) != 0 ||
	    set_num(t, "last_duration_ms", (double)r->duration_ms) != 0 ||
	    set_str(t, "last_reply", r->reply ? r->reply : "") != 0 ||
	    set_num(t, "runs", (double)(num(t, "runs", 0) + 1)) != 0 ||
	    set_num(t, "consecutive_errors",
	        ok ? 0.0 : (double)(num(t, "consecutive_errors", 0) + 1)) != 0)
		return -1;
	if (r->done && (set_item(t, "done", cJSON_CreateTrue()) != 0 ||
	    set_num(t, "done_at", (double)r->done_at) != 0))
		return -1;
	if (r->boot_id != NULL && r->boot_id[0] != '\0' && set_str(t, "last_boot", r->boot_id) != 0)
		return -1;
	if (record_usage(t, r) != 0)
		return -1;
	del_all(t, "last_tier");
	if (r->tier != NULL && set_str(t, "last_tier", r->tier) != 0)
		return -1;
	if (r->keep_check && r->check != NULL) {
		cJSON *c = cJSON_Duplicate(r->check, 1);

		if (c == NULL || set_item(t, "check", c) != 0)
			return -1;
	}
	if (r->has_exit)
		return set_num(t, "last_exit", r->exit_code);
	cJSON_DeleteItemFromObjectCaseSensitive(t, "last_exit");
	return cJSON_AddNullToObject(t, "last_exit") ? 0 : -1;
}

int
state_task_baseline(struct state *st, const char *name, long long t)
{
	cJSON *o = task_obj(st, name, 1);

	return o == NULL ? -1 : set_num(o, "baseline", (double)t);
}

const char *
state_session(struct state *st, const char *key, const char *new_id, int *is_new)
{
	cJSON *all = root_get(st, "_sessions"), *s, *id;

	if (!cJSON_IsObject(all)) {
		root_del(st, "_sessions");
		all = root_add(st, "_sessions", cJSON_CreateObject());
		if (all == NULL)
			return NULL;
	}
	s = cJSON_GetObjectItemCaseSensitive(all, key);
	id = cJSON_GetObjectItemCaseSensitive(s, "id");
	if (!cJSON_IsObject(s) || !cJSON_IsString(id) || !state_is_uuid(id->valuestring)) {
		cJSON_DeleteItemFromObjectCaseSensitive(all, key);
		s = cJSON_AddObjectToObject(all, key);
		if (s == NULL || set_str(s, "id", new_id) != 0 || set_num(s, "created",
		    (double)time(NULL)) != 0 || cJSON_AddFalseToObject(s, "used") == NULL)
			return NULL;
		id = cJSON_GetObjectItemCaseSensitive(s, "id");
	}
	*is_new = !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "used"));
	return id->valuestring;
}

int
state_session_mark_used(struct state *st, const char *key, const char *id)
{
	cJSON *all = root_get(st, "_sessions");
	cJSON *s = cJSON_GetObjectItemCaseSensitive(all, key);
	int is_new;

	if (!cJSON_IsObject(s) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "id"))) {
		/* gone while the agent ran: the session it used is the workspace's now */
		if (state_session(st, key, id, &is_new) == NULL)
			return -1;
		all = root_get(st, "_sessions");
		s = cJSON_GetObjectItemCaseSensitive(all, key);
	}
	return set_item(s, "used", cJSON_CreateTrue());
}

const char *
state_session_agent(const struct state *st, const char *key, const char *agent)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root_get(st, "_sessions"), key);
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(s, "agent_sessions"), agent));

	/* It goes on a template's command line: only what an id is made of. */
	if (id == NULL || *id == '\0' || strlen(id) > 127 || strspn(id,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") != strlen(id))
		return NULL;
	return id;
}

int
state_session_agent_set(struct state *st, const char *key, const char *agent, const char *id)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(root_get(st, "_sessions"), key), *all;

	if (!cJSON_IsObject(s))
		return -1;
	all = cJSON_GetObjectItemCaseSensitive(s, "agent_sessions");
	if (!cJSON_IsObject(all)) {
		del_all(s, "agent_sessions");
		all = cJSON_AddObjectToObject(s, "agent_sessions");
		if (all == NULL)
			return -1;
	}
	return set_str(all, agent, id);
}

static const char *const total_names[3] = { "input", "cached", "output" };

int
state_session_agent_totals(const struct state *st, const char *key, const char *agent,
    const char *id, long long totals[3])
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root_get(st, "_sessions"), key);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(s, "agent_totals"), agent);
	const char *of = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "session"));

	for (int i = 0; i < 3; i++)
		totals[i] = 0;
	if (of == NULL || id == NULL || strcmp(of, id) != 0)
		return -1;
	for (int i = 0; i < 3; i++)
		totals[i] = num(a, total_names[i], 0);
	return 0;
}

int
state_session_agent_totals_set(struct state *st, const char *key, const char *agent,
    const char *id, const long long totals[3])
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(root_get(st, "_sessions"), key), *all, *a;

	if (!cJSON_IsObject(s))
		return -1;
	all = cJSON_GetObjectItemCaseSensitive(s, "agent_totals");
	if (!cJSON_IsObject(all)) {
		del_all(s, "agent_totals");
		if ((all = cJSON_AddObjectToObject(s, "agent_totals")) == NULL)
			return -1;
	}
	if ((a = cJSON_CreateObject()) == NULL || set_item(all, agent, a) != 0 ||
	    set_str(a, "session", id) != 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (set_num(a, total_names[i], (double)totals[i]) != 0)
			return -1;
	return 0;
}

static const volatile sig_atomic_t *lock_stop;

void
state_lock_stop_on(const volatile sig_atomic_t *flag)
{
	lock_stop = flag;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The pid the holder wrote into the lock file, or 0. */
static long
lock_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

long long
state_clock_warned(const struct state *st)
{
	const cJSON *c = root_get(st, "_clock");

	return num(c, "seen", 0);
}

int
state_clock_warn(struct state *st, long long now, long long seen)
{
	cJSON *c = cJSON_CreateObject();

	if (c == NULL || set_num(c, "went_back", (double)now) != 0 ||
	    set_num(c, "seen", (double)seen) != 0) {
		cJSON_Delete(c);
		return -1;
	}
	return root_set(st, "_clock", c);
}

int
state_lock_path(const char *state, char *out, size_t len)
{
	char *d = strdup(state), *b = strdup(state), *real = NULL;
	const char *base;
	int n = -1;

	if (d == NULL || b == NULL)
		goto out;
	base = basename(b);
	real = realpath(dirname(d), NULL);
	if (real == NULL)	/* no such directory: the state cannot be written either */
		goto out;
	if (strcmp(base, ".heartbeat-state.json") == 0)
		n = snprintf(out, len, "%s/.heartbeat.lock", real);
	else
		n = snprintf(out, len, "%s/%s.lock", real, base);
out:
	free(d);
	free(b);
	free(real);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
state_lock(const char *path, char *err, size_t errlen)
{
	long long deadline = mono_ms() + STATE_LOCK_WAIT * 1000LL;
	struct timespec delay = { 0, 1000000 };
	char pid[32];
	long holder;
	int fd, n;

	fd = fileio_open_regular(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600, err, errlen);
	if (fd == -2)
		snprintf(err, errlen, "%s: %s", path, strerror(ENOENT));
	if (fd < 0)
		return -1;
	/* The holders are brief (a load, a save): poll, so that the wait has a bound and a
	 * signal ends it. A lock that is free is taken even when a signal came, so that the
	 * runs a signal interrupted are still recorded. */
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(err, errlen, "%s: lock: %s", path, strerror(errno));
			goto fail;
		}
		if (lock_stop != NULL && *lock_stop != 0) {
			snprintf(err, errlen, "%s: interrupted by signal %d while waiting for the "
			    "lock", path, (int)*lock_stop);
			goto fail;
		}
		if (mono_ms() >= deadline) {
			holder = lock_holder(fd);
			if (holder > 0)
				snprintf(err, errlen, "%s: held by pid %ld for more than %d s; gave up "
				    "waiting", path, holder, STATE_LOCK_WAIT);
			else
				snprintf(err, errlen, "%s: held by another process for more than %d s; "
				    "gave up waiting", path, STATE_LOCK_WAIT);
			goto fail;
		}
		nanosleep(&delay, NULL);	/* EINTR: look at the stop flag again */
		if (delay.tv_nsec < 64000000)
			delay.tv_nsec *= 2;
	}
	/* Name ourselves, for a tick that waits on us in vain. */
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* only a courtesy to the next waiter */
	}
	return fd;
fail:
	close(fd);
	return -1;
}

void
state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing releases the flock */
}

const char *
state_mark_get(const struct state *st, const char *key)
{
	return cJSON_GetStringValue(root_get(st, key));
}

const struct cJSON *
state_item(const struct state *st, const char *key)
{
	return root_get(st, key);
}

int
state_mark_set(struct state *st, const char *key, const char *value)
{
	root_del(st, key);
	if (value == NULL)
		return 0;
	return root_add(st, key, cJSON_CreateString(value)) != NULL ? 0 : -1;
}

static cJSON *
session_obj(const struct state *st, const char *key)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(root_get(st, "_sessions"), key);

	return cJSON_IsObject(s) ? s : NULL;
}

void
state_session_claim_get(const struct state *st, const char *key, struct task_state *out)
{
	memset(out, 0, sizeof *out);
	claim_read(cJSON_GetObjectItemCaseSensitive(session_obj(st, key), "running"), out);
}

int
state_session_claim(struct state *st, const char *key, const struct claim *c)
{
	cJSON *s = session_obj(st, key);

	return s == NULL ? -1 : claim_write(s, c);
}

int
state_session_unclaim(struct state *st, const char *key, long pid)
{
	cJSON *s = session_obj(st, key);
	struct task_state ts;

	state_session_claim_get(st, key, &ts);
	if (s != NULL && ts.running && ts.running_pid == pid)
		del_all(s, "running");
	return 0;
}

/* The pause object: the workspace's is root's "_paused", a task's its "paused". */
static const cJSON *
pause_obj(const struct state *st, const char *name)
{
	if (name == NULL)
		return root_get(st, "_paused");
	return cJSON_GetObjectItemCaseSensitive(task_obj(st, name, 0), "paused");
}

void
state_pause_get(const struct state *st, const char *name, long long now,
    struct state_pause *out)
{
	const cJSON *p = pause_obj(st, name);

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(p) && !cJSON_IsTrue(p))
		return;		/* false, null or absent: not paused */
	if (cJSON_IsObject(p)) {
		if (!read_time(p, "since", &out->since, NULL))
			out->since = 0;
		if (!read_time(p, "until", &out->until, NULL))
			out->until = 0;
	}
	out->paused = now == 0 || out->until == 0 || now < out->until;
	if (!out->paused)
		out->since = out->until = 0;
}

int
state_pause_set(struct state *st, const char *name, long long since, long long until)
{
	cJSON *p = cJSON_CreateObject(), *t;

	if (p == NULL || set_num(p, "since", (double)since) != 0 ||
	    set_item(p, "until", until > 0 ? cJSON_CreateNumber((double)until) :
	    cJSON_CreateNull()) != 0) {
		cJSON_Delete(p);
		return -1;
	}
	if (name == NULL)
		return root_set(st, "_paused", p);
	if ((t = task_obj(st, name, 1)) == NULL) {
		cJSON_Delete(p);
		return -1;
	}
	del_all(t, "paused");
	if (!cJSON_AddItemToObject(t, "paused", p)) {
		cJSON_Delete(p);
		return -1;
	}
	return 0;
}

int
state_pause_clear(struct state *st, const char *name)
{
	cJSON *t;

	if (pause_obj(st, name) == NULL)
		return 0;
	if (name == NULL) {
		root_del(st, "_paused");
		return 1;
	}
	t = task_obj(st, name, 0);
	del_all(t, "paused");
	return 1;
}

/* ---- alerts: the outbox and the quiet-hours hold ------------------------------------ */

static char *
str_dup_or_null(const cJSON *obj, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));

	return v != NULL ? strdup(v) : NULL;
}

void
state_alerts_free(struct state_alert *a, size_t n)
{
	for (size_t i = 0; a != NULL && i < n; i++) {
		free(a[i].task);
		free(a[i].target);
		free(a[i].title);
		free(a[i].text);
		free(a[i].last_reason);
	}
	free(a);
}

size_t
state_alerts_count(const struct state *st, const char *key)
{
	const cJSON *arr = root_get(st, key);

	return cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
}

int
state_alerts_get(const struct state *st, const char *key, struct state_alert **out, size_t *n)
{
	const cJSON *arr = root_get(st, key), *it, *snd;
	struct state_alert *a = NULL;
	size_t k = 0, cap = state_alerts_count(st, key);

	*out = NULL;
	*n = 0;
	if (cap == 0)
		return 0;
	if ((a = calloc(cap, sizeof *a)) == NULL)
		return -1;
	cJSON_ArrayForEach(it, arr) {
		struct state_alert *x = &a[k];

		if (!cJSON_IsObject(it) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "target")) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "text")))
			continue;
		copy_str(x->id, sizeof x->id, cJSON_GetObjectItemCaseSensitive(it, "id"));
		x->task = str_dup_or_null(it, "task");
		x->target = str_dup_or_null(it, "target");
		x->title = str_dup_or_null(it, "title");
		x->text = str_dup_or_null(it, "text");
		x->last_reason = str_dup_or_null(it, "last_reason");
		if (x->task == NULL)
			x->task = strdup("");
		if (x->task == NULL || x->target == NULL || x->text == NULL) {
			state_alerts_free(a, k + 1);
			return -1;
		}
		x->priority = (int)num(it, "priority", 0);
		x->at = num(it, "at", 0);
		x->first_try = num(it, "first_try", 0);
		x->tries = num(it, "tries", 0);
		x->next_try = num(it, "next_try", 0);
		x->parts_done = num(it, "parts_done", 0);
		snd = cJSON_GetObjectItemCaseSensitive(it, "sending");
		x->sending_pid = (long)num(snd, "pid", 0);
		x->sending_start = num(snd, "pid_start", 0);
		k++;
	}
	*out = a;
	*n = k;
	if (k == 0) {
		free(a);
		*out = NULL;
	}
	return 0;
}

int
state_alerts_set(struct state *st, const char *key, const struct state_alert *a, size_t n)
{
	cJSON *arr, *o, *snd;

	if (n == 0) {
		root_del(st, key);
		return 0;
	}
	if ((arr = cJSON_CreateArray()) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct state_alert *x = &a[i];

		if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(arr, o))
			goto oom;
		if (set_str(o, "id", x->id) != 0 || set_str(o, "task", x->task ? x->task : "") != 0 ||
		    set_str(o, "target", x->target) != 0 ||
		    (x->title != NULL && set_str(o, "title", x->title) != 0) ||
		    (x->priority != 0 && set_num(o, "priority", x->priority) != 0) ||
		    set_str(o, "text", x->text) != 0 || set_num(o, "at", (double)x->at) != 0 ||
		    set_num(o, "first_try", (double)x->first_try) != 0 ||
		    set_num(o, "tries", (double)x->tries) != 0 ||
		    set_num(o, "next_try", (double)x->next_try) != 0 ||
		    (x->parts_done > 0 && set_num(o, "parts_done", (double)x->parts_done) != 0) ||
		    (x->last_reason != NULL && set_str(o, "last_reason", x->last_reason) != 0))
			goto oom;
		if (x->sending_pid != 0) {
			if ((snd = cJSON_CreateObject()) == NULL || set_item(o, "sending", snd) != 0 ||
			    set_num(snd, "pid", (double)x->sending_pid) != 0 ||
			    set_num(snd, "pid_start", (double)x->sending_start) != 0)
				goto oom;
		}
	}
	return root_set(st, key, arr);
oom:
	cJSON_Delete(arr);
	return -1;
}

int
state_task_last_alert(const struct state *st, const char *name, char *hash, size_t len,
    long long *at)
{
	const cJSON *t = root_get(st, name);

	if (!cJSON_IsObject(t) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "last_alert_hash")))
		return 0;
	copy_str(hash, len, cJSON_GetObjectItemCaseSensitive(t, "last_alert_hash"));
	*at = num(t, "last_alert_at", 0);
	return 1;
}

int
state_task_set_last_alert(struct state *st, const char *name, const char *hash, long long at)
{
	cJSON *t = task_obj(st, name, 1);

	if (t == NULL || set_str(t, "last_alert_hash", hash) != 0 ||
	    set_num(t, "last_alert_at", (double)at) != 0)
		return -1;
	return 0;
}

long long
state_ping_failing(const struct state *st, const char *key)
{
	const cJSON *p = root_get(st, "_pings");

	return cJSON_IsObject(p) ? num(cJSON_GetObjectItemCaseSensitive(p, key), "failing_since",
	    0) : 0;
}

int
state_ping_set(struct state *st, const char *key, long long since)
{
	cJSON *p = root_get(st, "_pings"), *o;

	if (!cJSON_IsObject(p)) {
		if (since == 0)
			return 0;
		root_del(st, "_pings");
		if ((p = root_add(st, "_pings", cJSON_CreateObject())) == NULL)
			return -1;
	}
	del_all(p, key);
	if (since == 0) {
		if (p->child == NULL)
			root_del(st, "_pings");
		return 0;
	}
	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddItemToObject(p, key, o)) {
		cJSON_Delete(o);
		return -1;
	}
	return set_num(o, "failing_since", (double)since);
}

/* The object of what DAY spent: of the workspace (NAME NULL) or of task NAME. CREATE:
 * make it, dropping the figures of another day; else NULL when there is none. */
static cJSON *
spent_obj(struct state *st, const char *day, const char *name, int create)
{
	cJSON *b = root_get(st, "_budget"), *d, *tasks, *o;

	d = cJSON_IsObject(b) ? cJSON_GetObjectItemCaseSensitive(b, "day") : NULL;
	if (!cJSON_IsString(d) || strcmp(d->valuestring, day) != 0) {
		if (!create)
			return NULL;
		if ((b = cJSON_CreateObject()) == NULL || set_str(b, "day", day) != 0 ||
		    set_num(b, "tokens", 0) != 0 || set_num(b, "cost", 0) != 0) {
			cJSON_Delete(b);
			return NULL;
		}
		if (root_set(st, "_budget", b) != 0)
			return NULL;	/* it freed B */
	}
	if (name == NULL)
		return b;
	tasks = cJSON_GetObjectItemCaseSensitive(b, "tasks");
	if (!cJSON_IsObject(tasks)) {
		if (!create)
			return NULL;
		if (set_item(b, "tasks", cJSON_CreateObject()) != 0)
			return NULL;
		tasks = cJSON_GetObjectItemCaseSensitive(b, "tasks");
	}
	o = cJSON_GetObjectItemCaseSensitive(tasks, name);
	if (!cJSON_IsObject(o)) {
		if (!create)
			return NULL;
		if ((o = cJSON_CreateObject()) == NULL || set_num(o, "tokens", 0) != 0 ||
		    set_num(o, "cost", 0) != 0 || set_item(tasks, name, o) != 0) {
			cJSON_Delete(o);	/* set_item adds nothing when it fails */
			return NULL;
		}
	}
	return o;
}

void
state_spent_get(const struct state *st, const char *day, const char *name,
    struct state_spent *out)
{
	const cJSON *o = spent_obj((struct state *)st, day, name, 0);

	memset(out, 0, sizeof *out);
	if (o == NULL)
		return;
	out->tokens = num(o, "tokens", 0);
	out->cost = real(o, "cost", 0);
	out->alerted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "alerted"));
	out->skipped = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "skipped"));
}

/* Adds TOKENS and COST to the figures of O. */
static int
spent_add(cJSON *o, long long tokens, double cost)
{
	if (tokens > 0 && set_num(o, "tokens", (double)(num(o, "tokens", 0) + tokens)) != 0)
		return -1;
	if (cost > 0 && set_num(o, "cost", real(o, "cost", 0) + cost) != 0)
		return -1;
	return 0;
}

int
state_spent_add(struct state *st, const char *day, const char *name, long long tokens,
    double cost)
{
	cJSON *o;

	if ((o = spent_obj(st, day, NULL, 1)) == NULL || spent_add(o, tokens, cost) != 0)
		return -1;
	if (name != NULL && ((o = spent_obj(st, day, name, 1)) == NULL ||
	    spent_add(o, tokens, cost) != 0))
		return -1;
	return 0;
}

int
state_spent_mark(struct state *st, const char *day, const char *name, const char *flag)
{
	cJSON *o = spent_obj(st, day, name, 1);

	if (o == NULL)
		return -1;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, flag)))
		return 1;
	return set_item(o, flag, cJSON_CreateTrue());
}

/* ---- one-shot tasks ("_oneshots") ------------------------------------------------- */

void
state_oneshots_free(struct state_oneshot *a, size_t n)
{
	for (size_t i = 0; a != NULL && i < n; i++) {
		free(a[i].name);
		free(a[i].prompt);
		free(a[i].agent);
		free(a[i].notify);
		free(a[i].parent_run);
		free(a[i].parent_task);
	}
	free(a);
}

int
state_oneshots_get(const struct state *st, struct state_oneshot **out, size_t *n)
{
	const cJSON *arr = root_get(st, STATE_ONESHOTS), *it;
	struct state_oneshot *a = NULL;
	size_t k = 0, cap = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;

	*out = NULL;
	*n = 0;
	if (cap == 0)
		return 0;
	if ((a = calloc(cap, sizeof *a)) == NULL)
		return -1;
	cJSON_ArrayForEach(it, arr) {
		struct state_oneshot *x = &a[k];

		/* a hand-edited entry without an id, a prompt or a time is not one */
		if (!cJSON_IsObject(it) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "id")) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "prompt")) ||
		    num(it, "at", 0) <= 0)
			continue;
		copy_str(x->id, sizeof x->id, cJSON_GetObjectItemCaseSensitive(it, "id"));
		x->name = str_dup_or_null(it, "name");
		x->prompt = str_dup_or_null(it, "prompt");
		x->agent = str_dup_or_null(it, "agent");
		x->notify = str_dup_or_null(it, "notify");
		x->parent_run = str_dup_or_null(it, "parent_run");
		x->parent_task = str_dup_or_null(it, "parent_task");
		if (x->name == NULL)
			x->name = strdup("once");
		if (x->name == NULL || x->prompt == NULL) {
			state_oneshots_free(a, k + 1);
			return -1;
		}
		x->at = num(it, "at", 0);
		x->created = num(it, "created", 0);
		x->dangerous = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "dangerous"));
		k++;
	}
	*out = a;
	*n = k;
	if (k == 0) {
		free(a);
		*out = NULL;
	}
	return 0;
}

/* The entry of one-shot ID in the array, or NULL. */
static cJSON *
oneshot_obj(const struct state *st, const char *id)
{
	cJSON *arr = root_get(st, STATE_ONESHOTS), *it;
	const char *v;

	if (!cJSON_IsArray(arr))
		return NULL;
	cJSON_ArrayForEach(it, arr) {
		v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "id"));
		if (cJSON_IsObject(it) && v != NULL && strcmp(v, id) == 0)
			return it;
	}
	return NULL;
}

size_t
state_oneshot_count(const struct state *st)
{
	const cJSON *arr = root_get(st, STATE_ONESHOTS);

	return cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
}

int
state_oneshot_has(const struct state *st, const char *id)
{
	return oneshot_obj(st, id) != NULL;
}

int
state_oneshot_add(struct state *st, const struct state_oneshot *x)
{
	cJSON *arr = root_get(st, STATE_ONESHOTS), *o;

	if (!cJSON_IsArray(arr)) {
		root_del(st, STATE_ONESHOTS);
		if ((arr = root_add(st, STATE_ONESHOTS, cJSON_CreateArray())) == NULL)
			return -1;
	}
	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return -1;
	}
	if (set_str(o, "id", x->id) != 0 || set_str(o, "name", x->name) != 0 ||
	    set_str(o, "prompt", x->prompt) != 0 || set_num(o, "at", (double)x->at) != 0 ||
	    (x->agent != NULL && set_str(o, "agent", x->agent) != 0) ||
	    (x->notify != NULL && set_str(o, "notify", x->notify) != 0) ||
	    set_num(o, "created", (double)x->created) != 0 ||
	    (x->parent_run != NULL && set_str(o, "parent_run", x->parent_run) != 0) ||
	    (x->parent_task != NULL && set_str(o, "parent_task", x->parent_task) != 0) ||
	    set_item(o, "dangerous", cJSON_CreateBool(x->dangerous)) != 0)
		return -1;
	return 0;
}

int
state_oneshot_del(struct state *st, const char *id)
{
	cJSON *arr = root_get(st, STATE_ONESHOTS), *o = oneshot_obj(st, id);

	if (o == NULL)
		return 0;
	cJSON_Delete(cJSON_DetachItemViaPointer(arr, o));
	if (cJSON_GetArraySize(arr) == 0)
		root_del(st, STATE_ONESHOTS);
	return 1;
}

void
state_task_forget(struct state *st, const char *name)
{
	root_del(st, name);
}

long long
state_followups_refused(struct state *st, const char *run_id, long long add)
{
	cJSON *o = root_get(st, STATE_REFUSED);
	long long n;

	if (!cJSON_IsObject(o)) {
		if (add <= 0)
			return 0;
		root_del(st, STATE_REFUSED);
		if ((o = root_add(st, STATE_REFUSED, cJSON_CreateObject())) == NULL)
			return -1;
	}
	n = num(o, run_id, 0) + add;
	del_all(o, run_id);
	if (add > 0 && set_num(o, run_id, (double)n) != 0)
		return -1;
	if (o->child == NULL)
		root_del(st, STATE_REFUSED);
	return n;
}
