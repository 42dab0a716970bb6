/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer targets (fuzz/fuzz_*.c): the error contract every
 * mms_parse_*() keeps, checked on each input, so that a broken promise (an errno
 * outside the documented set, a line number that is not in the text, an empty or
 * unprintable message) is a finding just like a crash. Each target adds the
 * invariants of its own parser's output.
 */
#ifndef MMS_FUZZ_H
#define MMS_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmscope/mmscope.h>

/* Aborts (libFuzzer saves the input) when cond does not hold. */
#define FUZZ_ASSERT(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, \
				__LINE__);                                                 \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* Lines in the input: one per '\n', plus a last one without it. */
static inline int fuzz_nr_lines(const uint8_t *data, size_t size)
{
	int lines = 0;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	return lines + (size && data[size - 1] != '\n');
}

/* A NUL-terminated string of printable ASCII shorter than cap (names, messages). */
static inline void fuzz_check_printable(const char *s, size_t cap, bool may_be_empty)
{
	size_t n = strnlen(s, cap);

	FUZZ_ASSERT(n < cap);
	FUZZ_ASSERT(may_be_empty || n > 0);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(s[i] >= ' ' && s[i] <= '~');
}

/*
 * The parsers' contract: 0, or -EINVAL (bad text), -ERANGE (a number too large) or
 * -EOVERFLOW (sums no zone can have), with a message and the line at fault: 0 only
 * for an empty input, else a line of the input.
 */
static inline void fuzz_check_result(int rc, const struct mms_error *err, const uint8_t *data,
				     size_t size)
{
	if (rc == 0)
		return;
	FUZZ_ASSERT(rc == -EINVAL || rc == -ERANGE || rc == -EOVERFLOW);
	FUZZ_ASSERT(size == 0 ? err->line == 0 : err->line >= 1);
	FUZZ_ASSERT(err->line <= fuzz_nr_lines(data, size));
	fuzz_check_printable(err->msg, sizeof(err->msg), false);
}

/* A fresh error struct, so that a field the parser forgot to set shows. */
static inline void fuzz_error_init(struct mms_error *err)
{
	memset(err, 0, sizeof(*err));
	err->line = -1;
}

/*
 * The "name value" parsers (vmstat, meminfo): an accepted file has printable,
 * non-empty names, and looking any of them up finds a value (the first entry of
 * that name).
 */
static inline int fuzz_kvset(int (*parse)(const char *, size_t, struct mms_kvset *,
					  struct mms_error *),
			     const uint8_t *data, size_t size)
{
	static struct mms_kvset kv;
	struct mms_error err;
	int rc;

	fuzz_error_init(&err);
	rc = parse((const char *)data, size, &kv, &err);
	fuzz_check_result(rc, &err, data, size);
	if (rc)
		return 0;
	FUZZ_ASSERT(kv.nr >= 1 && kv.nr <= MMS_KV_MAX);
	for (int i = 0; i < kv.nr; i++) {
		uint64_t v;

		fuzz_check_printable(kv.items[i].name, sizeof(kv.items[i].name), false);
		FUZZ_ASSERT(mms_kv_get(&kv, kv.items[i].name, &v));
	}
	return 0;
}

#endif
