/* hours.c - daily windows of wall time: "22:00-07:00" parsed, and instants placed against
 * it in a zone. The wall clock decides: minutes of the local day, from the zone's offset at
 * the instant, so that a day with a DST jump has a window as long as its clock shows. */
#include <stdio.h>
#include <string.h>

#include "tasks/hours.h"
#include "tasks/tz.h"

/* "H:MM" or "HH:MM" at *P (MAX_H: 23, or 24 for an end, then only 24:00). */
static int
clock_parse(const char **p, int max_h, int *out)
{
	const char *s = *p;
	int h = 0, m = 0, nd = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s >= '0' && *s <= '9' && nd < 2) {
		h = h * 10 + (*s++ - '0');
		nd++;
	}
	if (nd == 0 || *s++ != ':')
		return -1;
	if (!(s[0] >= '0' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (h > max_h || (h == 24 && m != 0))
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	*p = s;
	*out = h * 60 + m;
	return 0;
}

int
hours_parse(const char *s, struct hours *h, char *err, size_t errlen)
{
	const char *p = s;

	if (clock_parse(&p, 23, &h->start) != 0 || *p++ != '-' ||
	    clock_parse(&p, 24, &h->end) != 0 || *p != '\0') {
		snprintf(err, errlen, "'%s' is not HH:MM-HH:MM (e.g. 22:00-07:00)", s);
		return -1;
	}
	if (h->start == h->end) {
		snprintf(err, errlen, "'%s' is an empty window (it starts where it ends)", s);
		return -1;
	}
	return 0;
}

char *
hours_format(const struct hours *h, char *buf, size_t len)
{
	snprintf(buf, len, "%02d:%02d-%02d:%02d", h->start / 60, h->start % 60, h->end / 60,
	    h->end % 60);
	return buf;
}

char *
hours_start_text(const struct hours *h, char *buf, size_t len)
{
	snprintf(buf, len, "%02d:%02d", h->start / 60, h->start % 60);
	return buf;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Seconds of the local day at T (0 to 86399), and the local day's number into *DAY. */
static int64_t
local_second(const struct tz *z, int64_t t, int64_t *day)
{
	int64_t local = t + tz_offset(z, t);

	*day = floor_div(local, 86400);
	return local - *day * 86400;
}

static int
inside_second(const struct hours *h, int64_t sec)
{
	int64_t s = (int64_t)h->start * 60, e = (int64_t)h->end * 60;

	if (s < e)
		return sec >= s && sec < e;
	return sec >= s || sec < e;
}

int
hours_inside(const struct hours *h, const struct tz *z, int64_t t)
{
	int64_t day;

	return inside_second(h, local_second(z, t, &day));
}

int64_t
hours_end_after(const struct hours *h, const struct tz *z, int64_t t)
{
	int64_t day, sec = local_second(z, t, &day), e = (int64_t)h->end * 60, out[2], gap = 0;
	int n;

	if (!inside_second(h, sec))
		return t;
	/* the end is later this local day, or (past midnight of a crossing window, or at
	 * its start) the next one */
	if (!(sec < e))
		day++;
	n = tz_local_to_utc(z, day * 86400 + e, out, &gap);
	if (n == 0)
		return gap > t ? gap : t + 1;
	if (out[0] > t)
		return out[0];
	if (n == 2 && out[1] > t)
		return out[1];
	return t + 1;
}
