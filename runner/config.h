/* config.h - hb-run.ini and its overrides: defaults < file < HB_SECTION_KEY environment
 * < command line (-o section.key=value). One owner: config_init / config_free.
 * Used by runner/ only. */
#ifndef HB_CONFIG_H
#define HB_CONFIG_H

#include <stddef.h>

#define CONFIG_FILE "hb-run.ini"

struct config {
	/* [runner] */
	char *tasks;
	char *state;
	char *log;
	long long default_interval;	/* seconds */
	long long timeout;		/* seconds */
	long long ack_max_chars;
	long long catchup_max;
	long long catchup_stagger;	/* seconds, may be 0 */
	long long max_concurrent;
	char *timezone;
	/* [agent] */
	char *agent_turn;
	char *system_event;
	char *model;

	char *file;			/* the file that was read, or NULL */
	char **errors;			/* "where: what", one per problem */
	size_t nerrors;
	size_t nlost;			/* problems whose text memory could not hold */
};

/* Sets the defaults. Returns -1 when memory ran out. */
int config_init(struct config *c);
void config_free(struct config *c);

/* Reads FILE; a missing file is fine unless REQUIRED. Problems go to c->errors. */
void config_read_file(struct config *c, const char *file, int required);
/* Applies every HB_SECTION_KEY variable of the environment. */
void config_read_env(struct config *c);
/* Applies "section.key=value" (from -o); problems go to c->errors. */
void config_set_option(struct config *c, const char *opt);

#endif
