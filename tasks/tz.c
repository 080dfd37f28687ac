/* tz.c - time zones from TZif bytes and POSIX TZ strings, evaluated without touching the
 * process-wide TZ: a table of offset changes (binary-searched) followed by a yearly rule
 * computed directly. Wall-clock times map back to 0, 1 or 2 instants. */
#include <stdlib.h>
#include <string.h>

#include "tasks/tz.h"

/* Offsets beyond this are refused; POSIX allows 24:59:59 and DST one hour more. */
#define MAX_OFFSET	93599
/* Caps for TZif counts: real files have a few hundred transitions and a dozen types. */
#define MAX_TIMES	(1 << 16)
#define MAX_TYPES	256
/* Rules are evaluated within +-2^50 s (35 million years); beyond, the edge offset holds. */
#define RULE_LIMIT	((int64_t)1 << 50)

/* A day of the year in a POSIX rule: Jn (1-365, no Feb 29), n (0-365), Mm.w.d. */
struct rule_date {
	char kind;		/* 'J', 'D' or 'M' */
	int n;			/* J and D: the day; M: the month */
	int week, wday;		/* M only: week 1-5 (5 = last), weekday 0-6 */
	long time;		/* local seconds after midnight, -167 h to 167 h */
};

struct rule {
	int32_t std, dst;	/* seconds east of Greenwich */
	int has_dst;
	struct rule_date start, end;	/* DST starts (in standard time), ends (in DST) */
};

struct change {
	int64_t at;
	int32_t off;
};

struct tz {
	int32_t first_off;	/* before the first change */
	int has_rule;		/* RULE governs from RULE_FROM on */
	int64_t rule_from;
	struct rule rule;
	size_t n;
	struct change ch[];	/* only real offset changes, ascending */
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t
tz_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tz_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
tz_weekday(int64_t days)
{
	return (int)((days % 7 + 11) % 7);	/* 1970-01-01 was a Thursday */
}

static int
is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Days since the epoch of the rule's date in year Y. */
static int64_t
rule_day(const struct rule_date *r, int64_t y)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t first, day;
	int len;

	switch (r->kind) {
	case 'J':
		return tz_days_from_civil(y, 1, 1) + r->n - 1 + (is_leap(y) && r->n >= 60);
	case 'D':
		return tz_days_from_civil(y, 1, 1) + r->n;
	default:
		first = tz_days_from_civil(y, r->n, 1);
		len = mdays[r->n - 1] + (r->n == 2 && is_leap(y));
		day = first + (r->wday - tz_weekday(first) + 7) % 7 + 7 * (r->week - 1);
		while (day >= first + len)
			day -= 7;
		return day;
	}
}

struct event {
	int64_t at;
	int32_t off;		/* in effect from AT on */
};

/* The offset of rule R at T; *NEXT (if not NULL) gets the next change after T. The DST
 * changes of the years around T are listed in time order (rule times reach a week into the
 * next year, so two years each side); equal instants keep year order, so a year that ends
 * DST when the next one starts it ("0/0,J365/25") stays in DST. */
static int32_t
rule_at(const struct rule *r, int64_t t, int64_t *next)
{
	struct event ev[10], e;
	int64_t y;
	int32_t off;
	int n = 0, i, j;
	int m, d;

	if (next != NULL)
		*next = INT64_MAX;
	if (!r->has_dst)
		return r->std;
	if (t > RULE_LIMIT) {
		t = RULE_LIMIT;
		next = NULL;
	} else if (t < -RULE_LIMIT) {
		t = -RULE_LIMIT;
	}
	tz_civil_from_days(floor_div(t, 86400), &y, &m, &d);
	for (int64_t k = y - 2; k <= y + 2; k++) {
		ev[n].at = rule_day(&r->start, k) * 86400 + r->start.time - r->std;
		ev[n++].off = r->dst;
		ev[n].at = rule_day(&r->end, k) * 86400 + r->end.time - r->dst;
		ev[n++].off = r->std;
	}
	for (i = 1; i < n; i++) {	/* insertion sort: stable */
		e = ev[i];
		for (j = i; j > 0 && ev[j - 1].at > e.at; j--)
			ev[j] = ev[j - 1];
		ev[j] = e;
	}
	off = r->std;
	for (i = 0; i < n && ev[i].at <= t; i++)
		off = ev[i].off;
	if (next == NULL)
		return off;
	/* Offsets change only at these instants, but near the window's end the order can miss
	 * a later year's event: each candidate is judged by a window of its own. */
	for (; i < n; i++)
		if ((i + 1 == n || ev[i + 1].at != ev[i].at) && rule_at(r, ev[i].at, NULL) != off) {
			*next = ev[i].at;
			break;
		}
	return off;
}

/* The offset at T and (if NEXT is not NULL) the first change strictly after T. */
static int32_t
zone_at(const struct tz *z, int64_t t, int64_t *next)
{
	size_t lo = 0, hi = z->n;
	int32_t off, roff;
	int64_t rnext;

	if (z->has_rule && t >= z->rule_from)
		return rule_at(&z->rule, t, next);
	while (lo < hi) {		/* lo = number of changes at or before t */
		size_t mid = lo + (hi - lo) / 2;

		if (z->ch[mid].at <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	off = lo == 0 ? z->first_off : z->ch[lo - 1].off;
	if (next == NULL)
		return off;
	if (lo < z->n) {
		*next = z->ch[lo].at;
	} else if (z->has_rule) {
		roff = rule_at(&z->rule, z->rule_from, &rnext);
		*next = roff != off ? z->rule_from : rnext;
	} else {
		*next = INT64_MAX;
	}
	return off;
}

long
tz_offset(const struct tz *z, int64_t t)
{
	return zone_at(z, t, NULL);
}

int64_t
tz_next_transition(const struct tz *z, int64_t t)
{
	int64_t next;

	zone_at(z, t, &next);
	return next;
}

int
tz_local_to_utc(const struct tz *z, int64_t local, int64_t out[2], int64_t *gap_end)
{
	int64_t s, next, next2, cand, gap = INT64_MIN;
	int32_t off, off2;
	int n = 0;

	if (local > RULE_LIMIT || local < -RULE_LIMIT) {	/* no real zone changes there */
		off = zone_at(z, local, NULL);
		out[0] = off < 0 && local > INT64_MAX + off ? INT64_MAX :
		    off > 0 && local < INT64_MIN + off ? INT64_MIN : local - off;
		return 1;
	}
	/* Every instant showing LOCAL lies within MAX_OFFSET of it: walk the offset pieces. */
	s = local - MAX_OFFSET - 1;
	off = zone_at(z, s, &next);
	for (;;) {
		cand = local - off;
		if (cand >= s && cand < next) {
			if (n < 2)
				out[n] = cand;
			n++;
		}
		if (next > local + MAX_OFFSET || next <= s)	/* (the second never happens) */
			break;
		off2 = zone_at(z, next, &next2);
		/* Wall clocks jump from NEXT + OFF to NEXT + OFF2 here, skipping all between. */
		if (gap == INT64_MIN && next + off <= local && local < next + off2)
			gap = next;
		s = next;
		off = off2;
		next = next2;
	}
	if (n == 0 && gap_end != NULL)
		*gap_end = gap != INT64_MIN ? gap : local - off;
	return n < 2 ? n : 2;
}

/* --- POSIX TZ strings --- */

struct cursor {
	const char *p, *end;
};

static int
peek(const struct cursor *c)
{
	return c->p < c->end ? (unsigned char)*c->p : '\0';
}

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Reads an unsigned number of at most MAX; -1 when there is none or it is too big. */
static long
read_num(struct cursor *c, long max)
{
	long v = 0;

	if (!is_digit(peek(c)))
		return -1;
	while (is_digit(peek(c))) {
		v = v * 10 + (*c->p++ - '0');
		if (v > max)
			return -1;
	}
	return v;
}

static int
read_name(struct cursor *c)
{
	const char *start;

	if (peek(c) == '<') {
		c->p++;
		start = c->p;
		while (is_alpha(peek(c)) || is_digit(peek(c)) || peek(c) == '+' || peek(c) == '-')
			c->p++;
		if (peek(c) != '>' || c->p - start < 3)
			return -1;
		c->p++;
		return 0;
	}
	start = c->p;
	while (is_alpha(peek(c)))
		c->p++;
	return c->p - start < 3 ? -1 : 0;
}

/* [+-]hh[:mm[:ss]] with hours up to MAXH, into *SECS. */
static int
read_hms(struct cursor *c, long maxh, long *secs)
{
	long sign = 1, h, m = 0, s = 0;

	if (peek(c) == '+' || peek(c) == '-')
		sign = *c->p++ == '-' ? -1 : 1;
	if ((h = read_num(c, maxh)) < 0)
		return -1;
	if (peek(c) == ':') {
		c->p++;
		if ((m = read_num(c, 59)) < 0)
			return -1;
		if (peek(c) == ':') {
			c->p++;
			if ((s = read_num(c, 59)) < 0)
				return -1;
		}
	}
	*secs = sign * (h * 3600 + m * 60 + s);
	return 0;
}

static int
read_date(struct cursor *c, struct rule_date *r)
{
	long v;

	r->time = 2 * 3600;
	if (peek(c) == 'J') {
		c->p++;
		r->kind = 'J';
		if ((v = read_num(c, 365)) < 1)
			return -1;
		r->n = (int)v;
	} else if (peek(c) == 'M') {
		c->p++;
		r->kind = 'M';
		if ((v = read_num(c, 12)) < 1)
			return -1;
		r->n = (int)v;
		if (peek(c) != '.')
			return -1;
		c->p++;
		if ((v = read_num(c, 5)) < 1)
			return -1;
		r->week = (int)v;
		if (peek(c) != '.')
			return -1;
		c->p++;
		if ((v = read_num(c, 6)) < 0)
			return -1;
		r->wday = (int)v;
	} else {
		r->kind = 'D';
		if ((v = read_num(c, 365)) < 0)
			return -1;
		r->n = (int)v;
	}
	if (peek(c) == '/') {
		c->p++;
		return read_hms(c, 167, &r->time);
	}
	return 0;
}

static int
rule_parse(const char *s, size_t len, struct rule *r, const char **why)
{
	struct cursor c = { s, s + len };
	long secs;

	memset(r, 0, sizeof *r);
	if (read_name(&c) < 0) {
		*why = "bad TZ string: expected a zone name of 3 or more letters, or <...>";
		return -1;
	}
	if (read_hms(&c, 24, &secs) < 0) {
		*why = "bad TZ string: expected a UTC offset after the zone name";
		return -1;
	}
	r->std = r->dst = (int32_t)-secs;	/* POSIX counts west of Greenwich */
	if (c.p == c.end)
		return 0;
	r->has_dst = 1;
	if (read_name(&c) < 0) {
		*why = "bad TZ string: expected a DST zone name of 3 or more letters, or <...>";
		return -1;
	}
	r->dst = r->std + 3600;
	if (peek(&c) == '+' || peek(&c) == '-' || is_digit(peek(&c))) {
		if (read_hms(&c, 24, &secs) < 0) {
			*why = "bad TZ string: bad DST offset";
			return -1;
		}
		r->dst = (int32_t)-secs;
	}
	if (c.p == c.end) {
		static const char us[] = ",M3.2.0,M11.1.0";

		c.p = us;
		c.end = us + sizeof us - 1;
	}
	if (peek(&c) != ',') {
		*why = "bad TZ string: expected ',' before the DST rules";
		return -1;
	}
	c.p++;
	if (read_date(&c, &r->start) < 0) {
		*why = "bad TZ string: bad DST start (Jn, n or Mm.w.d, then an optional /time)";
		return -1;
	}
	if (peek(&c) != ',') {
		*why = "bad TZ string: expected ',' before the DST end";
		return -1;
	}
	c.p++;
	if (read_date(&c, &r->end) < 0) {
		*why = "bad TZ string: bad DST end (Jn, n or Mm.w.d, then an optional /time)";
		return -1;
	}
	if (c.p != c.end) {
		*why = "bad TZ string: unexpected text after the DST rules";
		return -1;
	}
	return 0;
}

static struct tz *
tz_alloc(size_t n, const char **why)
{
	struct tz *z = calloc(1, sizeof *z + n * sizeof z->ch[0]);

	if (z == NULL)
		*why = "out of memory";
	return z;
}

struct tz *
tz_parse_posix(const char *s, const char **why)
{
	struct tz *z = NULL;
	struct rule r;

	if (s == NULL) {
		*why = "bad TZ string: empty";
		return NULL;
	}
	if (rule_parse(s, strlen(s), &r, why) < 0)
		return NULL;
	if ((z = tz_alloc(0, why)) == NULL)
		return NULL;
	z->first_off = r.std;
	z->has_rule = 1;
	z->rule_from = INT64_MIN;
	z->rule = r;
	return z;
}

struct tz *
tz_utc(void)
{
	const char *why;

	return tz_parse_posix("UTC0", &why);
}

void
tz_free(struct tz *z)
{
	free(z);
}

/* --- TZif --- */

#define HEADER_LEN 44

struct header {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
get64(const unsigned char *p)
{
	uint64_t u = (uint64_t)get32(p) << 32 | get32(p + 4);

	return u > INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
}

static int32_t
get32s(const unsigned char *p)
{
	uint32_t u = get32(p);

	return u > INT32_MAX ? -(int32_t)(~u) - 1 : (int32_t)u;
}

/* Transition time I of a table of TIMESIZE-byte times. */
static int64_t
time_at(const unsigned char *times, int timesize, size_t i)
{
	return timesize == 8 ? get64(times + 8 * i) : get32s(times + 4 * i);
}

/* Reads the header at DATA + POS; *SIZE gets its data block's length for TIMESIZE-byte
 * times, checked against what remains, so that a lying header reads nothing. */
static int
header_read(const unsigned char *data, size_t len, size_t pos, int timesize,
    struct header *h, uint64_t *size, const char **why)
{
	const unsigned char *p;

	if (len - pos < HEADER_LEN || memcmp(data + pos, "TZif", 4) != 0) {
		*why = "not TZif data (bad magic or too short)";
		return -1;
	}
	p = data + pos;
	h->version = (char)p[4];
	if (h->version != '\0' && (h->version < '2' || h->version > '9')) {
		*why = "unknown TZif version";
		return -1;
	}
	h->isutcnt = get32(p + 20);
	h->isstdcnt = get32(p + 24);
	h->leapcnt = get32(p + 28);
	h->timecnt = get32(p + 32);
	h->typecnt = get32(p + 36);
	h->charcnt = get32(p + 40);
	*size = (uint64_t)h->timecnt * (timesize + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
	    (uint64_t)h->leapcnt * (timesize + 4) + h->isstdcnt + h->isutcnt;
	if (*size > len - pos - HEADER_LEN) {
		*why = "truncated TZif data";
		return -1;
	}
	return 0;
}

struct tz *
tz_parse(const unsigned char *data, size_t len, const char **why)
{
	struct header h;
	uint64_t size;
	size_t pos = 0, i, nl;
	const unsigned char *times, *idx, *types;
	int timesize = 4, has_rule = 0;
	int32_t offs[MAX_TYPES], cur;
	int first = -1;
	struct rule r;
	struct tz *z;

	if (data == NULL) {
		*why = "no TZif data";
		return NULL;
	}
	if (header_read(data, len, 0, 4, &h, &size, why) < 0)
		return NULL;
	if (h.version != '\0') {
		pos = HEADER_LEN + (size_t)size;
		timesize = 8;
		if (header_read(data, len, pos, 8, &h, &size, why) < 0)
			return NULL;
	}
	/* Only the block used is checked: a v2+ reader just skips the v1 block. */
	if (h.typecnt == 0 || h.typecnt > MAX_TYPES || h.timecnt > MAX_TIMES ||
	    (h.isutcnt != 0 && h.isutcnt != h.typecnt) ||
	    (h.isstdcnt != 0 && h.isstdcnt != h.typecnt)) {
		*why = "bad TZif header counts";
		return NULL;
	}
	if (h.leapcnt != 0) {
		*why = "TZif data with leap seconds (a right/ zone) is not supported";
		return NULL;
	}
	times = data + pos + HEADER_LEN;
	idx = times + (size_t)h.timecnt * timesize;
	types = idx + h.timecnt;
	for (i = 0; i < h.typecnt; i++) {
		const unsigned char *t = types + 6 * i;

		offs[i] = get32s(t);
		if (offs[i] < -MAX_OFFSET || offs[i] > MAX_OFFSET || t[4] > 1 ||
		    t[5] >= h.charcnt) {
			*why = "bad TZif local time type";
			return NULL;
		}
		if (first < 0 && t[4] == 0)
			first = (int)i;
	}
	for (i = 0; i < h.timecnt; i++) {
		if (idx[i] >= h.typecnt) {
			*why = "bad TZif transition type";
			return NULL;
		}
		/* RFC 8536: strictly ascending. Two changes at one instant would name a
		 * transition that changes nothing. */
		if (i > 0 && time_at(times, timesize, i) <= time_at(times, timesize, i - 1)) {
			*why = "TZif transitions out of order";
			return NULL;
		}
	}
	pos += HEADER_LEN + (size_t)size;
	if (timesize == 8 && pos < len) {	/* footer: "\n" TZ string "\n" */
		if (data[pos] != '\n') {
			*why = "bad TZif footer";
			return NULL;
		}
		for (nl = pos + 1; nl < len && data[nl] != '\n'; nl++)
			;
		if (nl == len) {
			*why = "unterminated TZif footer";
			return NULL;
		}
		if (nl > pos + 1) {
			if (rule_parse((const char *)data + pos + 1, nl - pos - 1, &r, why) < 0)
				return NULL;
			has_rule = 1;
		}
	}
	if ((z = tz_alloc(h.timecnt, why)) == NULL)
		return NULL;
	if (has_rule) {
		z->has_rule = 1;
		z->rule = r;
		z->rule_from = h.timecnt == 0 ? INT64_MIN : time_at(times, timesize, h.timecnt - 1);
	}
	/* Keep real changes only, and none the footer overrides (it rules from RULE_FROM on,
	 * even where a lying file disagrees with its own last transition). */
	z->first_off = cur = offs[first < 0 ? 0 : first];
	for (i = 0; i < h.timecnt; i++) {
		int64_t at = time_at(times, timesize, i);

		if (has_rule && at >= z->rule_from)
			break;
		if (offs[idx[i]] == cur)
			continue;
		z->ch[z->n].at = at;
		z->ch[z->n++].off = cur = offs[idx[i]];
	}
	return z;
}
