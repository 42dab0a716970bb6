// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * /proc/kallsyms symbolization for the tracing backends: the text symbols
 * ("t"/"T"/"w"/"W"), sorted by address, looked up by binary search. The file's
 * buffer is kept and its names NUL-terminated in place: one allocation for the text
 * and one for the index, none per symbol.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc/alloc_trace.h"
#include "lib/util/textscan.h"

struct ksym {
	uint64_t addr;
	const char *name, *module;
};

struct mms_ksyms {
	char *text;
	struct ksym *syms;
	size_t nr;
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool parse_hex(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len || len > 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? c - '0' :
			     c >= 'a' && c <= 'f' ? c - 'a' + 10 : 16;

		if (d > 15)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* "ffffffff81000000 T _text" or "ffffffffc0000000 t fn\t[mod]" */
static void add_line(struct mms_ksyms *ks, char *line, size_t len)
{
	struct mms_tok rest = { line, len }, addr, type, name, mod;
	struct ksym *k = &ks->syms[ks->nr];

	if (!mms_tok_next(&rest, &addr) || !mms_tok_next(&rest, &type) ||
	    !mms_tok_next(&rest, &name) || type.len != 1 || !strchr("tTwW", type.s[0]) ||
	    !parse_hex(addr.s, addr.len, &k->addr))
		return;
	k->module = NULL;
	if (mms_tok_next(&rest, &mod) && mod.len > 2 && mod.s[0] == '[' &&
	    mod.s[mod.len - 1] == ']') {
		((char *)mod.s)[mod.len - 1] = '\0';
		k->module = mod.s + 1;
	}
	((char *)name.s)[name.len] = '\0';
	k->name = name.s;
	ks->nr++;
}

struct mms_ksyms *mms_ksyms_load(const struct mms_host *host)
{
	struct mms_ksyms *ks = calloc(1, sizeof(*ks));
	struct mms_error err;
	size_t len, lines = 0;
	bool nonzero = false;
	int rc;

	if (!ks)
		return NULL;
	rc = mms_host_read(host, "/proc/kallsyms", &ks->text, &len, &err);
	if (rc) {
		free(ks);
		errno = -rc;
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		lines += ks->text[i] == '\n';
	ks->syms = malloc((lines + 1) * sizeof(*ks->syms));
	if (!ks->syms) {
		mms_ksyms_free(ks);
		errno = ENOMEM;
		return NULL;
	}
	for (char *p = ks->text, *end = ks->text + len; p < end;) {
		char *nl = memchr(p, '\n', end - p);

		if (!nl)
			nl = end;
		*nl = '\0';
		add_line(ks, p, nl - p);
		nonzero |= ks->nr && ks->syms[ks->nr - 1].addr;
		p = nl + 1;
	}
	if (!nonzero) {
		mms_ksyms_free(ks);
		errno = EPERM;
		return NULL;
	}
	qsort(ks->syms, ks->nr, sizeof(*ks->syms), ksym_cmp);
	return ks;
}

const char *mms_ksyms_find(const struct mms_ksyms *ks, uint64_t addr, uint64_t *offset,
			   const char **module)
{
	size_t lo = 0, hi = ks->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* kallsyms gives no sizes: an address far past the nearest symbol is in no
	 * listed function (a BPF program's JIT image when bpf_jit_kallsyms is 0 or the
	 * program came after the read, module gaps), not 1 GiB into _einittext. */
	if (!lo || addr - ks->syms[lo - 1].addr >= MMS_KSYM_MAX_SIZE)
		return NULL;
	*offset = addr - ks->syms[lo - 1].addr;
	*module = ks->syms[lo - 1].module;
	return ks->syms[lo - 1].name;
}

void mms_ksyms_free(struct mms_ksyms *ks)
{
	if (!ks)
		return;
	free(ks->text);
	free(ks->syms);
	free(ks);
}
