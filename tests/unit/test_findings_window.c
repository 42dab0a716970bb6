// SPDX-License-Identifier: GPL-2.0
/*
 * The report's window rules (findings_window.c): who stalled and where, OOM
 * victims, cgroups at their limit, slab growth, watermark boosts, NUMA
 * imbalance; each fires on its condition with its figures and next command,
 * and a quiet window says nothing above info. Also the kernel log's OOM lines
 * (oom_message.c), as 6.18 printed them on this host.
 */
#include "unit.h"

static struct mms_kvset meminfo, vm;

static void load(struct mms_kvset *set, const char *name, bool vmstat)
{
	struct mms_error err = { 0 };
	size_t len;
	char *text = fixture(name, &len);

	assert_int_equal(vmstat ? mms_parse_vmstat(text, len, set, &err) :
				  mms_parse_meminfo(text, len, set, &err), 0);
	free(text);
}

static int setup(void **state)
{
	load(&meminfo, "host-6.18/meminfo", false);
	load(&vm, "host-6.18/vmstat", true);
	return 0;
}

static const struct mms_finding *find(const struct mms_finding *f, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(f[i].id, id))
			return &f[i];
	return NULL;
}

/* Whether the finding id exists and its text holds needle. */
static bool says(const struct mms_finding *f, int n, const char *id, const char *needle)
{
	const struct mms_finding *x = find(f, n, id);

	return x && strstr(x->text, needle);
}

/* Judges w over a 1 s window of the recorded (quiet) counters. */
static int judge_w(struct mms_finding *out, const struct mms_report_window *w,
		   const struct mms_thp_settings *thp, const struct mms_frag_snapshot *frag)
{
	struct mms_report_input in = { .meminfo = &meminfo, .vmstat_start = &vm,
				       .vmstat_end = &vm, .window_s = 1.0, .thp = thp,
				       .frag = frag, .window = w };

	return mms_report_findings(&in, out, MMS_FINDINGS_MAX);
}

static struct mms_report_stall row(enum mms_stall_kind kind, uint32_t pid, const char *comm,
				   const char *cg, uint64_t count, uint64_t total_ms)
{
	struct mms_report_stall s = { .kind = kind, .pid = pid, .count = count,
				      .total_ns = total_ms * 1000000, .p50_ns = 1000000,
				      .p99_ns = 20000000, .max_ns = 30000000, .node = -1,
				      .order = -1 };

	snprintf(s.comm, sizeof(s.comm), "%s", comm);
	snprintf(s.cgroup, sizeof(s.cgroup), "%s", cg);
	return s;
}

static void test_quiet_window(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_report_window w = { .traced = true };
	int n = judge_w(f, &w, NULL, NULL);

	for (int i = 0; i < n; i++)
		assert_int_equal(f[i].severity, MMS_INFO);
	assert_null(find(f, n, "memcg_reclaim_stalls"));
	assert_null(find(f, n, "oom_kill"));
}

static void test_memcg_reclaim_names_cgroup_and_process(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_report_stall s[3] = {
		row(MMS_STALL_MEMCG_RECLAIM, 41, "mysqld", "/db", 41, 120),
		row(MMS_STALL_MEMCG_RECLAIM, 7, "backup", "/db", 2, 3),
		row(MMS_STALL_MEMCG_RECLAIM, 0, "", "/db", 43, 123),
	};
	struct mms_report_cgroup cg = { .path = "/db", .usage = 31 << 20, .limit = 32 << 20 };
	struct mms_report_window w = { .traced = true, .nr_stalls = 3, .stalls = s,
				       .nr_cgroups = 1, .cgroups = &cg };
	int n = judge_w(f, &w, NULL, NULL);
	const struct mms_finding *x = find(f, n, "memcg_reclaim_stalls");

	assert_non_null(x);
	/* 123 ms stalled of a 1 s window: over 10%, critical. */
	assert_int_equal(x->severity, MMS_CRITICAL);
	assert_true(x->figure == 43);
	assert_non_null(strstr(x->text, "cgroup /db 43 times"));
	assert_non_null(strstr(x->text, "`mysqld` (pid 41), 41 times"));
	assert_string_equal(x->next, "mmscope reclaim -c /db --min-ms 1");
	/* 97% of its limit, and the tracer saw it reclaim (v1 has no pgscan). */
	x = find(f, n, "memcg_at_limit");
	assert_non_null(x);
	assert_int_equal(x->severity, MMS_WARNING);
	assert_non_null(strstr(x->text, "43 memcg reclaim stalls"));
	/* The same cgroup, full but not reclaiming: page cache fills limits; no finding. */
	w.nr_stalls = 0;
	n = judge_w(f, &w, NULL, NULL);
	assert_null(find(f, n, "memcg_at_limit"));
	cg.refaults_d = 5;
	n = judge_w(f, &w, NULL, NULL);
	assert_non_null(find(f, n, "memcg_at_limit"));
	cg.limit = MMS_MEMCG_UNLIMITED;
	n = judge_w(f, &w, NULL, NULL);
	assert_null(find(f, n, "memcg_at_limit"));
}

static void test_direct_reclaim_severity(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_report_stall s[2] = {
		row(MMS_STALL_DIRECT_RECLAIM, 100, "cc1", "/", 2, 1),
		row(MMS_STALL_DIRECT_RECLAIM, 200, "java", "/app", 9, 4),
	};
	struct mms_report_window w = { .traced = true, .nr_stalls = 2, .stalls = s };
	int n = judge_w(f, &w, NULL, NULL);
	const struct mms_finding *x = find(f, n, "direct_reclaim_stalls");

	assert_non_null(x);
	/* 5 ms of 1 s: under 1%, a note; the worst process is the one stalled longest. */
	assert_int_equal(x->severity, MMS_INFO);
	assert_non_null(strstr(x->text, "`java` (pid 200, cgroup /app) 9 times"));
	assert_non_null(strstr(x->text, "11 stalls"));
	assert_string_equal(x->next, "mmscope reclaim -p 200 --min-ms 1");
	s[1].total_ns = 50000000;
	n = judge_w(f, &w, NULL, NULL);
	assert_int_equal(find(f, n, "direct_reclaim_stalls")->severity, MMS_WARNING);
}

static void test_compaction_and_thp_defrag(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_report_stall s = row(MMS_STALL_COMPACTION, 300, "thp", "/t", 12, 40);
	struct mms_report_window w = { .traced = true, .nr_stalls = 1, .stalls = &s };
	struct mms_thp_settings thp = { .present = true };
	int n;

	s.order = 9;
	s.node = 0;
	s.failed = 3;
	strcpy(s.zone, "Normal");
	strcpy(thp.enabled, "always");
	strcpy(thp.defrag, "always");
	n = judge_w(f, &w, &thp, NULL);
	assert_true(says(f, n, "direct_compaction_stalls",
			 "12 times for order 9 in node 0 zone Normal"));
	assert_non_null(find(f, n, "thp_defrag_stalls"));
	strcpy(thp.defrag, "madvise");
	n = judge_w(f, &w, &thp, NULL);
	assert_null(find(f, n, "thp_defrag_stalls"));
}

static void test_oom(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_report_oom o = { .pid = 8429, .comm = "oom", .cgroup = "/t",
				    .constraint = "CONSTRAINT_MEMCG" };
	struct mms_report_window w = { .oom_kills = 3, .nr_ooms = 1, .ooms = &o };
	int n = judge_w(f, &w, NULL, NULL);
	const struct mms_finding *x = find(f, n, "oom_kill");

	assert_non_null(x);
	assert_int_equal(x->severity, MMS_CRITICAL);
	assert_string_equal(x->text, "the OOM killer killed `oom` (pid 8429) in cgroup /t, "
				     "constraint CONSTRAINT_MEMCG");
	assert_string_equal(x->next, "mmscope memcg /t");
	/* Two more counted by /proc/vmstat but not in the log: said, not dropped. */
	assert_non_null(strstr(f[1].text, "2 process(es)"));
}

static void test_cgroup_events_and_psi(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_report_cgroup cg = { .path = "/web", .usage = 1 << 30,
					.limit = MMS_MEMCG_UNLIMITED, .has_psi = true,
					.psi_some10 = 7.5, .high_d = 4 };
	struct mms_report_window w = { .nr_cgroups = 1, .cgroups = &cg };
	int n = judge_w(f, &w, NULL, NULL);

	assert_non_null(find(f, n, "memcg_high"));
	assert_int_equal(find(f, n, "memcg_pressure")->severity, MMS_WARNING);
	cg.psi_full10 = 2;
	n = judge_w(f, &w, NULL, NULL);
	assert_int_equal(find(f, n, "memcg_pressure")->severity, MMS_CRITICAL);
}

/*
 * memory.pressure judged over the window from total= at both ends: a cgroup
 * whose avg10 is still high from before the window, but that stalled 1 ms in
 * it, is no finding; 8% of the window (some) warns, 2% full is critical.
 */
static void test_cgroup_psi_window(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_report_cgroup cg = { .path = "/db", .usage = 1 << 30,
					.limit = MMS_MEMCG_UNLIMITED, .has_psi = true,
					.psi_some10 = 40, .psi_full10 = 12, .has_psi_window = true,
					.has_full_window = true, .psi_some_us = 1000,
					.psi_full_us = 1000 };
	struct mms_report_window w = { .nr_cgroups = 1, .cgroups = &cg };
	const struct mms_finding *x;
	int n = judge_w(f, &w, NULL, NULL);

	assert_null(find(f, n, "memcg_pressure"));
	cg.psi_some_us = 80000; /* 80 ms of the 1 s window */
	n = judge_w(f, &w, NULL, NULL);
	x = find(f, n, "memcg_pressure");
	assert_non_null(x);
	assert_int_equal(x->severity, MMS_WARNING);
	assert_true(x->figure == 8.0);
	assert_string_equal(x->text, "cgroup /db: some tasks stalled on memory 8.00% of the "
				     "1.0 s window (memory.pressure some total)");
	cg.psi_full_us = 20000;
	n = judge_w(f, &w, NULL, NULL);
	x = find(f, n, "memcg_pressure");
	assert_int_equal(x->severity, MMS_CRITICAL);
	assert_true(x->figure == 2.0);
	/* Without full= (a kernel that prints only some): some alone is judged. */
	cg.has_full_window = false;
	n = judge_w(f, &w, NULL, NULL);
	assert_int_equal(find(f, n, "memcg_pressure")->severity, MMS_WARNING);
}

static void test_slab_growth(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_kvset start = meminfo;
	struct mms_report_window w = { .meminfo_start = &start };
	uint64_t v;

	assert_true(mms_kv_get(&meminfo, "SUnreclaim", &v));
	for (int i = 0; i < start.nr; i++)
		if (!strcmp(start.items[i].name, "SUnreclaim"))
			start.items[i].value = v - (10ull << 20);
	int n = judge_w(f, &w, NULL, NULL);

	assert_non_null(find(f, n, "slab_growth"));
	assert_true(find(f, n, "slab_growth")->figure == (double)(10ull << 20));
	start = meminfo;
	n = judge_w(f, &w, NULL, NULL);
	assert_null(find(f, n, "slab_growth"));
}

static void test_boost_and_numa(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_frag_snapshot *s = calloc(1, sizeof(*s));
	struct mms_report_window w = { 0 };
	int n;

	s->page_size = 4096;
	s->thp_order = 9;
	s->zoneinfo.nr_zones = 2;
	s->zoneinfo.zones[0] = (struct mms_zoneinfo_zone){ .node = 0, .zone = "Normal",
							   .free = 1000, .managed = 100000 };
	s->zoneinfo.zones[1] = (struct mms_zoneinfo_zone){ .node = 1, .zone = "Normal",
							   .free = 80000, .managed = 100000,
							   .boost = 512 };
	n = judge_w(f, &w, NULL, s);
	assert_true(says(f, n, "numa_imbalance", "node 0 has 1%"));
	assert_non_null(find(f, n, "watermark_boost"));
	assert_true(find(f, n, "watermark_boost")->figure == 512 * 4096);
	s->zoneinfo.zones[0].free = 60000;
	n = judge_w(f, &w, NULL, s);
	assert_null(find(f, n, "numa_imbalance"));
	free(s);
}

static void test_oom_messages(void **state)
{
	/* Recorded from this host's kernel log (6.18, a v1 memcg OOM). */
	static const char summary[] =
		"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
		"oom_memcg=/mmscope-test-oom-8421,task_memcg=/mmscope-test-oom-8421,task=oom,"
		"pid=8429,uid=0";
	static const char killed[] =
		"Memory cgroup out of memory: Killed process 8429 (oom) total-vm:33776kB, "
		"anon-rss:32640kB, file-rss:472kB, shmem-rss:0kB, UID:0 pgtables:100kB "
		"oom_score_adj:0";
	static const char odd[] = "Out of memory: Killed process 77 (a) b) c) total-vm:1kB";
	struct mms_report_oom o = { 0 };

	assert_int_equal(mms_parse_oom_message(summary, strlen(summary), &o), 2);
	assert_string_equal(o.constraint, "CONSTRAINT_MEMCG");
	assert_string_equal(o.cgroup, "/mmscope-test-oom-8421");
	assert_string_equal(o.comm, "oom");
	assert_int_equal(o.pid, 8429);
	memset(&o, 0, sizeof(o));
	assert_int_equal(mms_parse_oom_message(killed, strlen(killed), &o), 1);
	assert_int_equal(o.pid, 8429);
	assert_string_equal(o.comm, "oom");
	memset(&o, 0, sizeof(o));
	assert_int_equal(mms_parse_oom_message(odd, strlen(odd), &o), 1);
	assert_string_equal(o.comm, "a) b) c");
	assert_int_equal(mms_parse_oom_message("Killed process x", 16, &o), 0);
	assert_int_equal(mms_parse_oom_message("usb 1-1: new device", 19, &o), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_quiet_window, setup),
		cmocka_unit_test_setup(test_memcg_reclaim_names_cgroup_and_process, setup),
		cmocka_unit_test_setup(test_direct_reclaim_severity, setup),
		cmocka_unit_test_setup(test_compaction_and_thp_defrag, setup),
		cmocka_unit_test_setup(test_oom, setup),
		cmocka_unit_test_setup(test_cgroup_events_and_psi, setup),
		cmocka_unit_test_setup(test_cgroup_psi_window, setup),
		cmocka_unit_test_setup(test_slab_growth, setup),
		cmocka_unit_test_setup(test_boost_and_numa, setup),
		cmocka_unit_test(test_oom_messages),
	};

	return cmocka_run_group_tests_name("findings_window", tests, NULL, NULL);
}
