// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * "name value" files: /proc/vmstat ("pgfault 123") and /proc/meminfo
 * ("MemTotal:       24563048 kB", converted to bytes; the lines the kernel prints
 * without a unit, HugePages_Total and its siblings, are counts). Names are kept in file order; lookups are linear,
 * which is cheaper than hashing for the ~200 names and handful of lookups we do.
 * Names must be printable ASCII; a last line without its newline is a cut file. A
 * file cut between lines cannot be told from one with fewer counters (which counters
 * exist depends on the kernel's configuration), so callers look names up and treat
 * an absent one as absent.
 */
#include <errno.h>
#include <string.h>

#include "lib/procfs/kvfile.h"
#include "lib/util/textscan.h"

static int kv_add(struct mms_kvset *out, struct mms_tok name, uint64_t value, int lineno,
		  struct mms_error *err)
{
	if (out->nr == MMS_KV_MAX)
		return mms_err_at(err, lineno, "more than %d entries", MMS_KV_MAX);
	if (!mms_tok_is_name(name))
		return mms_err_at(err, lineno, "bad name '%.*s'",
				  (int)(name.len > 40 ? 40 : name.len), name.s);
	if (mms_tok_copy(name, out->items[out->nr].name, MMS_KV_NAME_MAX))
		return mms_err_at(err, lineno, "name '%.*s...' too long", MMS_KV_NAME_MAX - 1,
				  name.s);
	out->items[out->nr++].value = value;
	return 0;
}

int mms_parse_vmstat(const char *text, size_t len, struct mms_kvset *out, struct mms_error *err)
{
	struct mms_lines ls;
	struct mms_tok line;
	int rc = mms_check_file(text, len, err);

	if (rc)
		return rc;
	out->nr = 0;
	if (len == 0)
		return mms_err_at(err, 0, "empty file");
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, name, value, extra;
		uint64_t v;

		if (!mms_tok_next(&rest, &name))
			continue;
		if (!mms_tok_next(&rest, &value))
			return mms_err_at(err, ls.lineno, "'%.*s' without a value",
					  (int)(name.len > 40 ? 40 : name.len), name.s);
		if (mms_tok_next(&rest, &extra))
			return mms_err_at(err, ls.lineno, "more than two columns");
		rc = mms_parse_u64(value, &v);
		if (rc)
			return mms_err_number(err, ls.lineno, value, rc);
		rc = kv_add(out, name, v, ls.lineno, err);
		if (rc)
			return rc;
	}
	if (!out->nr)
		return mms_err_at(err, ls.lineno, "no counters (blank file)");
	return 0;
}

/*
 * fs/proc/meminfo.c prints every line with show_val_kb() ("%8lu kB") except the four
 * hugetlb page counts (HugePages_Total, _Free, _Rsvd, _Surp: "%5lu"); smaps_rollup
 * prints every line in kB. A size without its unit would be read as bytes, 1024
 * times too small, so it is bad input, and so is a unit on a count.
 */
static bool meminfo_count(struct mms_tok name)
{
	static const char prefix[] = "HugePages_";

	return name.len > sizeof(prefix) - 1 && !memcmp(name.s, prefix, sizeof(prefix) - 1);
}

int mms_parse_kb_lines(const char *text, size_t len, bool counts, struct mms_kvset *out,
		       struct mms_error *err)
{
	struct mms_lines ls;
	struct mms_tok line;
	int rc = mms_check_file(text, len, err);

	if (rc)
		return rc;
	out->nr = 0;
	if (len == 0)
		return mms_err_at(err, 0, "empty file");
	mms_lines_init(&ls, text, len);
	while (mms_lines_next(&ls, &line)) {
		struct mms_tok rest = line, name, value, unit, extra;
		int shown;
		bool count;
		uint64_t v;

		if (!mms_tok_next(&rest, &name))
			continue;
		if (!mms_tok_strip(&name, ':'))
			return mms_err_at(err, ls.lineno, "expected 'Name: value'");
		shown = (int)(name.len > 40 ? 40 : name.len);
		if (!mms_tok_next(&rest, &value))
			return mms_err_at(err, ls.lineno, "'%.*s' without a value", shown, name.s);
		rc = mms_parse_u64(value, &v);
		if (rc)
			return mms_err_number(err, ls.lineno, value, rc);
		count = counts && meminfo_count(name);
		if (mms_tok_next(&rest, &unit)) {
			if (!mms_tok_eq(unit, "kB"))
				return mms_err_at(err, ls.lineno, "unknown unit '%.*s'",
						  (int)(unit.len > 16 ? 16 : unit.len), unit.s);
			if (count)
				return mms_err_at(err, ls.lineno,
						  "'%.*s' is a count: the kernel prints no unit",
						  shown, name.s);
			if (__builtin_mul_overflow(v, 1024, &v)) {
				mms_err_at(err, ls.lineno, "value in bytes does not fit 64 bits");
				return -ERANGE;
			}
			if (mms_tok_next(&rest, &extra))
				return mms_err_at(err, ls.lineno, "more than three columns");
		} else if (!count) {
			return mms_err_at(err, ls.lineno,
					  "'%.*s' has no unit: the kernel prints it in kB", shown,
					  name.s);
		}
		rc = kv_add(out, name, v, ls.lineno, err);
		if (rc)
			return rc;
	}
	if (!out->nr)
		return mms_err_at(err, ls.lineno, "no entries (blank file)");
	return 0;
}

int mms_parse_meminfo(const char *text, size_t len, struct mms_kvset *out,
		      struct mms_error *err)
{
	return mms_parse_kb_lines(text, len, true, out, err);
}

bool mms_kv_get(const struct mms_kvset *set, const char *name, uint64_t *value)
{
	for (int i = 0; i < set->nr; i++) {
		if (!strcmp(set->items[i].name, name)) {
			*value = set->items[i].value;
			return true;
		}
	}
	return false;
}
