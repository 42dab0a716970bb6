// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * THP advice, in the spirit of "Why We Disable Linux's THP Feature for Databases":
 * enabled=always bloats memory and, with defrag=always, makes page faults stall in
 * direct reclaim and compaction; a high share of THP faults falling back to small
 * pages means physical memory is fragmented.
 *
 * The rules are a table of data: an id, a severity, the unit of the figure, the
 * threshold the figure must pass, a measure function that says whether the rule
 * applies and computes its figure, and a text whose {figure}, {aux}, {word} and
 * {window} placeholders are filled from the measure. Everything here is a pure
 * function of the settings and the counter window, so unit tests drive each rule.
 */
#include <stdio.h>
#include <string.h>

#include <mmscope/mmscope.h>

/* One THP fault in ten falling back to small pages: huge blocks are regularly missing. */
#define FALLBACK_SHARE_PCT 10.0
/* Fewer faults than these say nothing about a share (1 of 2 is not "50%"). */
#define MIN_WINDOW_FAULTS 10.0
#define MIN_BOOT_FAULTS 100.0

/* What a rule measured: the figure, a second number and a word for its text. */
struct measure {
	double figure, aux;
	char word[32];
};

typedef bool (*measure_fn)(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			   struct measure *m);

struct rule {
	const char *id;
	enum mms_severity severity;
	const char *unit; /* of the figure */
	double above;     /* fires when the figure is above this; -1: whenever it applies */
	measure_fn measure;
	const char *text;
};

static bool total(const struct mms_thp_window *w, const char *name, double *v)
{
	const struct mms_thp_counter *c = mms_thp_counter_find(w, name);

	if (c)
		*v = (double)c->total;
	return c != NULL;
}

static bool rate(const struct mms_thp_window *w, const char *name, double *v)
{
	const struct mms_thp_counter *c = mms_thp_counter_find(w, name);

	if (c && c->has_rate)
		*v = c->rate;
	return c && c->has_rate;
}

static void human_bytes(double bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int u = 0;

	while (bytes >= 1024 && u < 6) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, size, u && bytes < 10 ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void pmd_word(const struct mms_thp_settings *s, struct measure *m)
{
	human_bytes(s->hpage_pmd_size ? (double)s->hpage_pmd_size : 2097152.0, m->word,
		    sizeof(m->word));
}

static bool enabled_always(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			   struct measure *m)
{
	m->figure = (double)w->anon_huge_bytes;
	return !strcmp(s->enabled, "always");
}

static bool defrag_always(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			  struct measure *m)
{
	if (!total(w, "compact_stall", &m->figure))
		m->figure = 0;
	return !strcmp(s->defrag, "always") && strcmp(s->enabled, "never");
}

/* fallback / (alloc + fallback), in percent, when there were at least min faults. */
static bool share(double alloc, double fallback, double faults, double min, struct measure *m)
{
	if (faults < min || alloc + fallback <= 0)
		return false;
	m->figure = 100.0 * fallback / (alloc + fallback);
	return true;
}

static bool fallback_window(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			    struct measure *m)
{
	double alloc, fallback;

	if (!rate(w, "thp_fault_alloc", &alloc) || !rate(w, "thp_fault_fallback", &fallback))
		return false;
	m->aux = fallback;
	pmd_word(s, m);
	return share(alloc, fallback, (alloc + fallback) * w->window_s, MIN_WINDOW_FAULTS, m);
}

static bool fallback_boot(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			  struct measure *m)
{
	double alloc, fallback;

	if (!total(w, "thp_fault_alloc", &alloc) || !total(w, "thp_fault_fallback", &fallback))
		return false;
	m->aux = fallback;
	pmd_word(s, m);
	return share(alloc, fallback, alloc + fallback, MIN_BOOT_FAULTS, m);
}

static bool compact_stall_rate(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			       struct measure *m)
{
	if (!rate(w, "compact_stall", &m->figure))
		return false;
	if (!rate(w, "compact_fail", &m->aux))
		m->aux = 0;
	snprintf(m->word, sizeof(m->word), "%s", s->defrag);
	return true;
}

static bool ptes_none_bloat(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			    struct measure *m)
{
	uint64_t pmd_nr = mms_thp_pmd_nr(s);
	uint64_t v;

	if (strcmp(s->enabled, "always"))
		return false;
	for (int i = 0; i < mms_thp_knob_count(); i++)
		if (!strcmp(mms_thp_knob_path(i), "khugepaged/max_ptes_none") &&
		    mms_thp_knob_get(s, i, &v) && v >= pmd_nr - 1) {
			m->figure = (double)v;
			m->aux = (double)pmd_nr;
			pmd_word(s, m);
			return true;
		}
	return false;
}

static bool collapse_failed(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			    struct measure *m)
{
	return total(w, "thp_collapse_alloc_failed", &m->figure);
}

static bool shmem_always(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			 struct measure *m)
{
	m->figure = (double)w->shmem_huge_bytes;
	snprintf(m->word, sizeof(m->word), "%s", s->shmem_enabled);
	return !strcmp(s->shmem_enabled, "always") || !strcmp(s->shmem_enabled, "force");
}

/* The mTHP size (other than the PMD size, which thp_fault_* covers) falling back most. */
static bool mthp_fallback(const struct mms_thp_settings *s, const struct mms_thp_window *w,
			  struct measure *m)
{
	bool any = false;

	for (int i = 0; i < s->nr_sizes; i++) {
		const struct mms_thp_size *z = &s->sizes[i];
		double a = (double)z->anon_fault_alloc, f = (double)z->anon_fault_fallback;
		struct measure x = { 0 };

		if (!z->has_stats || z->size_kb * 1024 == s->hpage_pmd_size ||
		    !share(a, f, a + f, MIN_BOOT_FAULTS, &x) || (any && x.figure <= m->figure))
			continue;
		any = true;
		m->figure = x.figure;
		m->aux = f;
		human_bytes((double)z->size_kb * 1024, m->word, sizeof(m->word));
	}
	return any;
}

static const struct rule rules[] = {
	{ "thp_enabled_always", MMS_WARNING, "bytes", -1, enabled_always,
	  "THP enabled=always: every anonymous mapping large enough gets huge pages ({figure} "
	  "of anonymous memory is in huge pages now). Databases and other workloads with sparse memory access get latency "
	  "spikes from compaction and memory bloat: set madvise, or never "
	  "(echo madvise > /sys/kernel/mm/transparent_hugepage/enabled)" },
	{ "thp_defrag_always", MMS_WARNING, "count", -1, defrag_always,
	  "THP defrag=always: a page fault that finds no free huge page stalls in direct "
	  "reclaim and compaction ({figure} direct compaction stalls since boot). Set "
	  "defer+madvise or madvise "
	  "(echo defer+madvise > /sys/kernel/mm/transparent_hugepage/defrag)" },
	{ "thp_fallback_window", MMS_WARNING, "percent", FALLBACK_SHARE_PCT, fallback_window,
	  "{figure} of THP page faults in the last {window} fell back to small pages ({aux} "
	  "per second): there was no free {word} block at fault time, so physical memory is "
	  "fragmented; `mmscope frag` shows where" },
	{ "compact_stall_rate", MMS_WARNING, "per_s", 0, compact_stall_rate,
	  "tasks stalled in direct compaction {figure} times per second ({aux} per second "
	  "failed): huge page faults and other large allocations waited while the kernel moved "
	  "pages (defrag={word}; defer+madvise or madvise limit this to MADV_HUGEPAGE regions)" },
	{ "thp_fallback_since_boot", MMS_INFO, "percent", FALLBACK_SHARE_PCT, fallback_boot,
	  "{figure} of THP page faults since boot fell back to small pages ({aux} times): "
	  "physical memory has often been too fragmented for {word} blocks" },
	{ "max_ptes_none_bloat", MMS_INFO, "count", -1, ptes_none_bloat,
	  "khugepaged/max_ptes_none={figure} with enabled=always: khugepaged turns a {word} "
	  "range into a huge page even when only one of its {aux} small pages is in use, so "
	  "memory use can grow far beyond what processes touch (memory bloat). Lower "
	  "max_ptes_none (e.g. 64) or set enabled=madvise" },
	{ "thp_collapse_alloc_failed", MMS_INFO, "count", 0, collapse_failed,
	  "khugepaged failed to allocate a huge page {figure} times since boot: fragmented "
	  "memory keeps it from collapsing small pages into huge ones (it then sleeps "
	  "khugepaged/alloc_sleep_millisecs)" },
	{ "shmem_enabled_always", MMS_INFO, "bytes", -1, shmem_always,
	  "shmem_enabled={word}: tmpfs and shared memory get huge pages for every large enough "
	  "file ({figure} now), which wastes memory on small files; advise limits them to "
	  "mappings that ask with madvise" },
	{ "mthp_fallback", MMS_INFO, "percent", FALLBACK_SHARE_PCT, mthp_fallback,
	  "mTHP {word}: {figure} of its page faults since boot fell back to smaller pages "
	  "({aux} times): memory is too fragmented for this size" },
};

static void format_figure(const char *unit, double v, char *buf, size_t size)
{
	if (!strcmp(unit, "bytes"))
		human_bytes(v, buf, size);
	else if (!strcmp(unit, "percent"))
		snprintf(buf, size, "%.1f%%", v);
	else if (!strcmp(unit, "per_s"))
		snprintf(buf, size, "%.1f", v);
	else
		snprintf(buf, size, "%.0f", v);
}

/* The value of placeholder name (without braces), or false when it is not one. */
static bool placeholder(const char *name, size_t len, const struct rule *r,
			const struct measure *m, double window_s, char *buf, size_t size)
{
#define IS(s) (len == sizeof(s) - 1 && !memcmp(name, s, len))
	if (IS("figure"))
		format_figure(r->unit, m->figure, buf, size);
	else if (IS("aux"))
		snprintf(buf, size, m->aux < 1e15 && m->aux == (double)(long long)m->aux ? "%.0f" : "%.1f",
			 m->aux);
	else if (IS("word"))
		snprintf(buf, size, "%s", m->word);
	else if (IS("window"))
		snprintf(buf, size, "%.1f s", window_s);
	else
		return false;
	return true;
#undef IS
}

static void expand(const struct rule *r, const struct measure *m, double window_s, char *out,
		   size_t size)
{
	size_t n = 0;

	for (const char *p = r->text; *p && n + 1 < size;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		char val[64];

		if (close && placeholder(p + 1, close - p - 1, r, m, window_s, val, sizeof(val))) {
			n += snprintf(out + n, size - n, "%s", val);
			p = close + 1;
		} else {
			out[n++] = *p++;
		}
	}
	out[n < size ? n : size - 1] = '\0';
}

int mms_thp_advise(const struct mms_thp_settings *s, const struct mms_thp_window *w,
		   struct mms_thp_advice *out, int max)
{
	int n = 0;

	if (!s->present)
		return 0;
	/* Two passes keep warnings first and each severity in table order. */
	for (int pass = 0; pass < 2; pass++) {
		enum mms_severity want = pass ? MMS_INFO : MMS_WARNING;

		for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && n < max; i++) {
			const struct rule *r = &rules[i];
			struct measure m = { 0 };

			if (r->severity != want || !r->measure(s, w, &m) || !(m.figure > r->above))
				continue;
			out[n] = (struct mms_thp_advice){ .id = r->id, .severity = r->severity,
							  .figure = m.figure, .unit = r->unit };
			expand(r, &m, w->window_s, out[n].text, sizeof(out[n].text));
			n++;
		}
	}
	return n;
}
