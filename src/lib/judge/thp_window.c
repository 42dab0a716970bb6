// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The window between two THP samples (procfs/thp.c reads them): the thp_* and
 * compact_* counters with their rates, the per-size fault rates, and the huge pages
 * in use now.
 */
#include <string.h>

#include <mmscope/mmscope.h>

static bool is_thp_counter(const char *name)
{
	return !strncmp(name, "thp_", 4) || !strncmp(name, "compact_", 8);
}

static void window_counters(const struct mms_thp_sample *start, const struct mms_thp_sample *end,
			    struct mms_thp_window *out)
{
	for (int i = 0; i < end->vmstat.nr; i++) {
		const struct mms_kv *kv = &end->vmstat.items[i];
		struct mms_thp_counter *c;
		uint64_t before;

		if (!is_thp_counter(kv->name))
			continue;
		c = &out->counters[out->nr_counters++];
		memcpy(c->name, kv->name, sizeof(c->name));
		c->total = kv->value;
		if (start && mms_kv_get(&start->vmstat, kv->name, &before))
			c->has_rate = mms_counter_rate(before, c->total, out->window_s, &c->rate);
	}
}

static const struct mms_thp_size *size_find(const struct mms_thp_settings *s, uint64_t kb)
{
	for (int i = 0; i < s->nr_sizes; i++)
		if (s->sizes[i].size_kb == kb)
			return &s->sizes[i];
	return NULL;
}

static void window_sizes(const struct mms_thp_sample *start, const struct mms_thp_sample *end,
			 struct mms_thp_window *out)
{
	for (int i = 0; start && i < end->settings.nr_sizes; i++) {
		const struct mms_thp_size *b = &end->settings.sizes[i];
		const struct mms_thp_size *a = size_find(&start->settings, b->size_kb);
		struct mms_thp_size_rate *r = &out->sizes[i];

		if (!a || !a->has_stats || !b->has_stats)
			continue;
		r->has_rate = mms_counter_rate(a->anon_fault_alloc, b->anon_fault_alloc,
					       out->window_s, &r->anon_fault_alloc) &&
			      mms_counter_rate(a->anon_fault_fallback, b->anon_fault_fallback,
					       out->window_s, &r->anon_fault_fallback);
	}
}

/* A gauge in PMD huge pages, as bytes; false when absent or not representable. */
static bool huge_bytes(const struct mms_thp_sample *end, const char *name, uint64_t *bytes)
{
	uint64_t n;

	return end->settings.hpage_pmd_size && mms_kv_get(&end->vmstat, name, &n) &&
	       !__builtin_mul_overflow(n, end->settings.hpage_pmd_size, bytes);
}

void mms_thp_window_compute(const struct mms_thp_sample *start, const struct mms_thp_sample *end,
			    double window_s, struct mms_thp_window *out)
{
	memset(out, 0, sizeof(*out));
	out->window_s = start && window_s > 0 ? window_s : 0;
	if (!out->window_s)
		start = NULL;
	window_counters(start, end, out);
	window_sizes(start, end, out);
	out->has_anon_huge = huge_bytes(end, "nr_anon_transparent_hugepages", &out->anon_huge_bytes);
	out->has_shmem_huge = huge_bytes(end, "nr_shmem_hugepages", &out->shmem_huge_bytes);
	out->has_file_huge = huge_bytes(end, "nr_file_hugepages", &out->file_huge_bytes);
}

const struct mms_thp_counter *mms_thp_counter_find(const struct mms_thp_window *w,
						   const char *name)
{
	for (int i = 0; i < w->nr_counters; i++)
		if (!strcmp(w->counters[i].name, name))
			return &w->counters[i];
	return NULL;
}
