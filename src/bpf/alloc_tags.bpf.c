// SPDX-License-Identifier: GPL-2.0
/*
 * alloc bpf-tags backend: kernel-side filtering over the allocation tags, seed
 * 002's design without its (unmerged) ioctl. A BPF_PROG_TYPE_SYSCALL program, run
 * by BPF_PROG_TEST_RUN: it is never attached, it runs once per call in the caller's
 * context, and it may both resolve kernel symbols (bpf_kallsyms_lookup_name(), so
 * nobody has to read the 100,000 lines of /proc/kallsyms) and read kernel memory
 * (bpf_probe_read_kernel(), a base helper for CAP_PERFMON).
 *
 * Each struct alloc_tag (a struct codetag - flags, lineno, modname, function,
 * filename - and a per-CPU pointer to struct alloc_tag_counters) lies in the
 * alloc_tags section, built-in code only (module tags live in a separate area).
 * bpf_loop() walks the section; the cheap tests come first (line, module NULL or
 * not, accuracy), then each name filter reads only its own string and tests for
 * a literal; only a tag that passes all of them pays for the per-CPU sum (one read
 * per possible CPU at counters + __per_cpu_offset[cpu]), then the size filter, then
 * the strings not read yet. Layouts come from BTF by CO-RE.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "alloc_tags.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 nr_cpus = 1; /* possible CPUs: 0 .. nr_cpus - 1, set before load */

/* Resolved by the first run. */
__u64 tags_start;          /* __start_alloc_tags */
__u64 tags_stop;           /* __stop_alloc_tags */

/* In: set by user space before each run. */
struct alloc_tags_filter filter;
__u32 first_tag;

/* Out. */
__u32 nr_tags;     /* tags in the section */
__u32 next_tag;    /* where the next run starts; nr_tags when the walk ended */
__u32 nr_recs;     /* records written to recs this run */
__u32 nr_passed;   /* tags that passed the name/line prefilter (the per-CPU sums paid) */
__u64 read_errors; /* tags or counters that could not be read (skipped) */

__u64 pcpu_off[ALLOC_TAGS_MAX_CPUS];
struct alloc_tags_rec recs[ALLOC_TAGS_BATCH];

/*
 * Tags are read CHUNK_TAGS at a time (one helper call instead of 64); the last
 * chunk may reach past the section's end into whatever follows it, which is never
 * looked at.
 */
#define CHUNK_TAGS 64
__u8 chunk[CHUNK_TAGS * ALLOC_TAGS_TAG_MAX];
__u32 chunk_first; /* index of the chunk's first tag; chunk_valid says if loaded */
__u32 chunk_valid;

/*
 * The last name pointer seen per field and whether it passed: tags lie in link
 * order, so a file's tags are neighbours and share its __FILE__ string (and a
 * function's tags its __func__): most tags cost a pointer comparison, not a string
 * read and a search.
 */
__u64 cache_ptr[3];
__u32 cache_pass[3];

/* sum_counters()'s result. */
__s64 sum_bytes;
__u64 sum_calls;
__u64 sum_base;

enum { F_FILE, F_FUNC, F_MOD };

#define FILE_MASK (ALLOC_TAGS_FILE_LEN - 1)
#define FUNC_MASK (ALLOC_TAGS_FUNC_LEN - 1)
#define MOD_MASK (ALLOC_TAGS_MOD_LEN - 1)
#define PAT_MASK (ALLOC_TAGS_PAT_LEN - 1)

static __always_inline char name_at(int field, __u32 slot, __u32 k)
{
	slot &= ALLOC_TAGS_BATCH - 1;
	if (field == F_FILE)
		return recs[slot].filename[k & FILE_MASK];
	if (field == F_FUNC)
		return recs[slot].function[k & FUNC_MASK];
	return recs[slot].modname[k & MOD_MASK];
}

static __always_inline const struct alloc_tags_str_filter *field_filter(int field)
{
	return field == F_FILE ? &filter.file : field == F_FUNC ? &filter.func : &filter.module;
}

struct contains_ctx {
	int field;
	__u32 slot;
	__u32 lit_len, name_len;
	__u32 i, j; /* trying the literal at i; j characters of it matched */
	bool found;
};

/*
 * One step of a naive substring search: compare one character, then advance j,
 * or move to the next start. Constant work per step, so the verifier checks the
 * step once instead of unrolling a loop over the literal.
 */
static long contains_step(__u64 unused, struct contains_ctx *c)
{
	const struct alloc_tags_str_filter *f = field_filter(c->field);

	if (c->i + c->lit_len > c->name_len)
		return 1;
	if (name_at(c->field, c->slot, c->i + c->j) == f->lit[c->j & PAT_MASK]) {
		if (++c->j >= c->lit_len) {
			c->found = true;
			return 1;
		}
		return 0;
	}
	c->i++;
	c->j = 0;
	return 0;
}

/* Reads the name at ptr into the slot's field; its length without the NUL. */
static __always_inline int read_name(int field, __u32 slot, __u64 ptr)
{
	struct alloc_tags_rec *r = &recs[slot & (ALLOC_TAGS_BATCH - 1)];
	long n;

	if (field == F_FILE)
		n = bpf_probe_read_kernel_str(r->filename, sizeof(r->filename), (void *)ptr);
	else if (field == F_FUNC)
		n = bpf_probe_read_kernel_str(r->function, sizeof(r->function), (void *)ptr);
	else
		n = bpf_probe_read_kernel_str(r->modname, sizeof(r->modname), (void *)ptr);
	return n > 0 ? (int)n - 1 : -1;
}

/*
 * Does the name at ptr pass field's filter? 0 no, 1 yes, 3 yes and the name is in
 * the slot already. A global function: verified once, not once per field.
 */
__noinline int name_test(int field, __u32 slot, __u64 ptr)
{
	const struct alloc_tags_str_filter *f;
	struct contains_ctx c = {};
	int len, idx = field & 3;

	if (field < F_FILE || field > F_MOD || idx > 2)
		return 0;
	f = field_filter(field);
	switch (f->op) {
	case ALLOC_TAGS_STR_NULL:
		return !ptr;
	case ALLOC_TAGS_STR_NONNULL:
		return ptr != 0;
	case ALLOC_TAGS_STR_CONTAINS:
		break;
	default:
		return 1;
	}
	if (!ptr)
		return 0;
	if (ptr == cache_ptr[idx])
		return cache_pass[idx];
	cache_ptr[idx] = ptr;
	cache_pass[idx] = 0;
	len = read_name(field, slot, ptr);
	c.field = field;
	c.slot = slot;
	c.lit_len = f->len;
	c.name_len = (__u32)len;
	if (len < 0 || c.lit_len >= ALLOC_TAGS_PAT_LEN || (__u32)len < c.lit_len)
		return 0;
	/* At most (len - lit_len + 1) starts of lit_len + 1 steps each. */
	bpf_loop(((__u32)len - c.lit_len + 1) * (c.lit_len + 1), contains_step, &c, 0);
	if (!c.found)
		return 0;
	cache_pass[idx] = 1; /* a later tag's slot does not hold the name: read it again */
	return 3;
}

static long add_cpu(__u64 cpu, void *unused)
{
	struct alloc_tag_counters c;

	if (bpf_probe_read_kernel(&c, sizeof(c),
				  (void *)(sum_base + pcpu_off[cpu & (ALLOC_TAGS_MAX_CPUS - 1)]))) {
		sum_base = 0;
		return 1;
	}
	sum_bytes += c.bytes;
	sum_calls += c.calls;
	return 0;
}

/* The tag's counters summed over the possible CPUs into sum_*; 0 or -1. */
__noinline int sum_counters(__u64 counters)
{
	sum_bytes = 0;
	sum_calls = 0;
	sum_base = counters;
	bpf_loop(nr_cpus, add_cpu, NULL, 0);
	return sum_base ? 0 : -1;
}

struct walk_ctx {
	__u64 stride;
};

/* The address of tag k's copy in chunk (loading the chunk), or NULL. */
static __always_inline __u8 *tag_bytes(__u32 k, __u64 stride)
{
	void *addr = (void *)(tags_start + (__u64)k * stride);
	__u32 rel = k - chunk_first;

	if (!chunk_valid || rel >= CHUNK_TAGS) {
		chunk_first = k;
		rel = 0;
		chunk_valid = 1;
		if (bpf_probe_read_kernel(chunk, CHUNK_TAGS * stride, addr)) {
			/* The section ends near a hole: this one tag, and the next again. */
			chunk_valid = 0;
			if (bpf_probe_read_kernel(chunk, stride, addr))
				return NULL;
		}
	}
	barrier_var(rel); /* keep the mask: the verifier needs it, the compiler would drop it */
	return chunk + (rel & (CHUNK_TAGS - 1)) * stride;
}

/* Tag i of the section: filter, and on a match sum and record it. 1 stops the walk. */
static long walk_one(__u64 i, struct walk_ctx *w)
{
	__u32 k = first_tag + (__u32)i, slot = nr_recs, flags, lineno;
	__u64 modname, function, filename, counters, stride = bpf_core_type_size(struct alloc_tag);
	int m_pass, f_pass, fn_pass;
	struct alloc_tags_rec *r;
	__u8 *t;

	if (slot >= ALLOC_TAGS_BATCH) {
		next_tag = k;
		return 1;
	}
	if (stride > ALLOC_TAGS_TAG_MAX || stride < 8)
		return 1;
	t = tag_bytes(k, stride);
	if (!t) {
		read_errors++;
		return 0;
	}
	flags = *(__u32 *)(t + bpf_core_field_offset(struct alloc_tag, ct.flags));
	lineno = *(__u32 *)(t + bpf_core_field_offset(struct alloc_tag, ct.lineno));
	modname = *(__u64 *)(t + bpf_core_field_offset(struct alloc_tag, ct.modname));
	function = *(__u64 *)(t + bpf_core_field_offset(struct alloc_tag, ct.function));
	filename = *(__u64 *)(t + bpf_core_field_offset(struct alloc_tag, ct.filename));
	counters = *(__u64 *)(t + bpf_core_field_offset(struct alloc_tag, counters));

	if (filter.has_line && lineno != filter.line)
		return 0;
	if (filter.accuracy == 1 && (flags & ALLOC_TAGS_FLAG_INACCURATE))
		return 0;
	if (filter.accuracy == 2 && !(flags & ALLOC_TAGS_FLAG_INACCURATE))
		return 0;
	m_pass = name_test(F_MOD, slot, modname);
	if (!m_pass)
		return 0;
	f_pass = name_test(F_FILE, slot, filename);
	if (!f_pass)
		return 0;
	fn_pass = name_test(F_FUNC, slot, function);
	if (!fn_pass)
		return 0;
	nr_passed++;

	if (sum_counters(counters)) {
		read_errors++;
		return 0;
	}
	if (filter.has_min && sum_bytes < filter.min_size)
		return 0;
	if (filter.has_max && sum_bytes > filter.max_size)
		return 0;

	r = &recs[slot & (ALLOC_TAGS_BATCH - 1)];
	if (f_pass != 3 && read_name(F_FILE, slot, filename) < 0)
		r->filename[0] = '\0';
	if (fn_pass != 3 && read_name(F_FUNC, slot, function) < 0)
		r->function[0] = '\0';
	if (m_pass != 3 && (!modname || read_name(F_MOD, slot, modname) < 0))
		r->modname[0] = '\0';
	r->bytes = sum_bytes;
	r->calls = sum_calls;
	r->tag = tags_start + (__u64)k * stride;
	r->lineno = lineno;
	r->flags = flags;
	nr_recs = slot + 1;
	return 0;
}

static const char sym_start[] = "__start_alloc_tags";
static const char sym_stop[] = "__stop_alloc_tags";
static const char sym_pcpu[] = "__per_cpu_offset";

/*
 * The first run resolves the section bounds and reads __per_cpu_offset[] (fixed
 * after boot); every run walks from first_tag until recs is full or the section
 * ends. Returns 0, or an ALLOC_TAGS_ERR_* code.
 */
SEC("syscall")
int alloc_tags_walk(void *ctx)
{
	struct walk_ctx w = { .stride = bpf_core_type_size(struct alloc_tag) };
	__u64 pcpu_addr = 0;
	__u32 n;

	nr_recs = 0;
	nr_passed = 0;
	chunk_valid = 0;
	for (int f = 0; f < 3; f++)
		cache_ptr[f] = 0;
	if (!tags_start) {
		if (bpf_kallsyms_lookup_name(sym_start, sizeof(sym_start), 0, &tags_start) ||
		    bpf_kallsyms_lookup_name(sym_stop, sizeof(sym_stop), 0, &tags_stop)) {
			tags_start = 0;
			return ALLOC_TAGS_ERR_NO_SECTION;
		}
		if (bpf_kallsyms_lookup_name(sym_pcpu, sizeof(sym_pcpu), 0, &pcpu_addr)) {
			tags_start = 0;
			return ALLOC_TAGS_ERR_NO_PER_CPU_OFFSET;
		}
		if (nr_cpus > ALLOC_TAGS_MAX_CPUS ||
		    bpf_probe_read_kernel(pcpu_off, nr_cpus * 8, (void *)pcpu_addr)) {
			tags_start = 0;
			return ALLOC_TAGS_ERR_READ;
		}
	}
	if (!w.stride || tags_stop < tags_start)
		return ALLOC_TAGS_ERR_LAYOUT;
	n = (tags_stop - tags_start) / w.stride;
	nr_tags = n;
	next_tag = n;
	if (first_tag >= n)
		return 0;
	bpf_loop(n - first_tag, walk_one, &w, 0);
	return 0;
}
