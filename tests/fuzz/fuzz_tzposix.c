/* fuzz_tzposix.c - libFuzzer harness for tz_parse_posix (the TZ variable, a TZif footer).
 * The input is the string (up to its first NUL); a zone that parses gets fuzz_tz.c's
 * checks. */
#define FUZZ_TZ_NO_ENTRY
#include "fuzz_tz.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	char *s = malloc(size + 1);
	struct tz *z;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	z = tz_parse_posix(s, &why);
	if (z == NULL) {
		CHECK(why != NULL && *why != '\0', "'%s' refused without a reason", s);
	} else {
		/* The instants for check_zone come from the bytes after the string. */
		size_t n = strlen(s);

		check_zone(z, data + n, size - n);
		tz_free(z);
	}
	free(s);
	return 0;
}
