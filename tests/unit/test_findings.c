// SPDX-License-Identifier: GPL-2.0
/*
 * The health report's rules: each finding fires on the condition it names, with the
 * figure behind it, and stays quiet on a healthy machine (the recorded 6.18 files).
 */
#include "unit.h"

static struct mms_kvset meminfo, vm0, vm1;

static void load(struct mms_kvset *set, const char *name, bool vmstat)
{
	struct mms_error err = { 0 };
	size_t len;
	char *text = fixture(name, &len);

	assert_int_equal(vmstat ? mms_parse_vmstat(text, len, set, &err) :
				  mms_parse_meminfo(text, len, set, &err), 0);
	free(text);
}

static void set_kv(struct mms_kvset *set, const char *name, uint64_t value)
{
	for (int i = 0; i < set->nr; i++)
		if (!strcmp(set->items[i].name, name)) {
			set->items[i].value = value;
			return;
		}
	fail_msg("no %s", name);
}

static int setup(void **state)
{
	load(&meminfo, "host-6.18/meminfo", false);
	load(&vm0, "host-6.18/vmstat", true);
	vm1 = vm0;
	return 0;
}

static const struct mms_finding *find(const struct mms_finding *f, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(f[i].id, id))
			return &f[i];
	return NULL;
}

static int judge(struct mms_finding *out, const struct mms_psi *psi,
		 const struct mms_thp_settings *thp)
{
	struct mms_report_input in = { .meminfo = &meminfo, .vmstat_start = &vm0,
				       .vmstat_end = &vm1, .window_s = 2.0, .psi = psi,
				       .thp = thp };

	return mms_report_findings(&in, out, MMS_FINDINGS_MAX);
}

static void test_healthy_window_is_quiet(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	int n = judge(f, NULL, NULL);

	/* The recorded machine is healthy: only since-boot history may show. */
	for (int i = 0; i < n; i++)
		assert_int_equal(f[i].severity, MMS_INFO);
	assert_null(find(f, n, "direct_reclaim"));
	assert_null(find(f, n, "memory_low"));
}

static void test_direct_reclaim_rate(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	uint64_t v;

	assert_true(mms_kv_get(&vm0, "allocstall_normal", &v));
	set_kv(&vm1, "allocstall_normal", v + 10);
	assert_true(mms_kv_get(&vm0, "allocstall_movable", &v));
	set_kv(&vm1, "allocstall_movable", v + 4);
	int n = judge(f, NULL, NULL);
	const struct mms_finding *x = find(f, n, "direct_reclaim");

	assert_non_null(x);
	assert_float_equal(x->figure, 7.0, 1e-9); /* 14 stalls over 2 s */
	assert_int_equal(x->severity, MMS_WARNING);
	assert_non_null(strstr(x->text, "7.0 times/s"));
}

static void test_compaction_and_oom(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	uint64_t v;

	assert_true(mms_kv_get(&vm0, "compact_stall", &v));
	set_kv(&vm1, "compact_stall", v + 6);
	assert_true(mms_kv_get(&vm0, "oom_kill", &v));
	set_kv(&vm1, "oom_kill", v + 1);
	int n = judge(f, NULL, NULL);

	assert_float_equal(find(f, n, "direct_compaction")->figure, 3.0, 1e-9);
	assert_float_equal(find(f, n, "oom_kill")->figure, 1.0, 1e-9);
	assert_int_equal(f[0].severity, MMS_CRITICAL); /* worst first */
	assert_string_equal(f[0].id, "oom_kill");
}

static void test_counter_reset_is_not_negative(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];

	set_kv(&vm0, "compact_stall", 100);
	set_kv(&vm1, "compact_stall", 50);
	int n = judge(f, NULL, NULL);

	assert_null(find(f, n, "direct_compaction"));
}

static void test_low_memory(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	uint64_t total;

	assert_true(mms_kv_get(&meminfo, "MemTotal", &total));
	set_kv(&meminfo, "MemAvailable", total / 25); /* 4% */
	int n = judge(f, NULL, NULL);
	const struct mms_finding *x = find(f, n, "memory_low");

	assert_non_null(x);
	assert_int_equal(x->severity, MMS_CRITICAL);
	assert_float_equal(x->figure, 4.0, 0.01);
}

static void test_psi(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_psi psi = { .has_full = true, .some = { .avg10 = 12.5 } };
	int n = judge(f, &psi, NULL);

	assert_float_equal(find(f, n, "psi_some")->figure, 12.5, 1e-9);
	psi.full.avg10 = 3.0;
	n = judge(f, &psi, NULL);
	assert_null(find(f, n, "psi_some"));
	assert_int_equal(find(f, n, "psi_full")->severity, MMS_CRITICAL);
}

/* With a reading at the window's start, the totals' growth over the window is
 * judged, not avg10: pressure that ended before the window (avg10 still high,
 * totals unmoved) is no finding; 30 ms of full stall in the 2 s window is 1.5%. */
static void test_psi_window(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_psi start = { .has_full = true, .some = { .avg10 = 40, .total_us = 5000000 },
				 .full = { .avg10 = 20, .total_us = 4000000 } };
	struct mms_psi end = start;
	struct mms_report_input in = { .meminfo = &meminfo, .vmstat_start = &vm0,
				       .vmstat_end = &vm1, .window_s = 2.0, .psi = &end,
				       .psi_start = &start };
	int n = mms_report_findings(&in, f, MMS_FINDINGS_MAX);

	assert_null(find(f, n, "psi_full"));
	assert_null(find(f, n, "psi_some"));
	end.some.total_us += 30000;
	end.full.total_us += 30000;
	n = mms_report_findings(&in, f, MMS_FINDINGS_MAX);
	assert_float_equal(find(f, n, "psi_full")->figure, 1.5, 1e-9);
	end.full.total_us = start.full.total_us;
	end.some.total_us = start.some.total_us + 120000; /* 6% of 2 s */
	n = mms_report_findings(&in, f, MMS_FINDINGS_MAX);
	assert_null(find(f, n, "psi_full"));
	assert_float_equal(find(f, n, "psi_some")->figure, 6.0, 1e-9);
}

static void test_thp_settings(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_thp_settings thp = { .present = true, .enabled = "always", .defrag = "always" };
	int n = judge(f, NULL, &thp);

	assert_non_null(find(f, n, "thp_enabled_always"));
	assert_non_null(find(f, n, "thp_defrag_always"));
	strcpy(thp.enabled, "madvise");
	strcpy(thp.defrag, "madvise");
	n = judge(f, NULL, &thp);
	assert_null(find(f, n, "thp_enabled_always"));
	assert_null(find(f, n, "thp_defrag_always"));
}

static void test_no_window_no_rates(void **state)
{
	struct mms_finding f[MMS_FINDINGS_MAX];
	struct mms_report_input in = { .meminfo = &meminfo, .vmstat_end = &vm1 };
	uint64_t v;
	double r;

	assert_true(mms_kv_get(&vm0, "allocstall_normal", &v));
	set_kv(&vm1, "allocstall_normal", v + 10);
	int n = mms_report_findings(&in, f, MMS_FINDINGS_MAX);

	assert_false(mms_vmstat_rate(&in, "allocstall_normal", &r));
	assert_null(find(f, n, "direct_reclaim"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_healthy_window_is_quiet, setup),
		cmocka_unit_test_setup(test_direct_reclaim_rate, setup),
		cmocka_unit_test_setup(test_compaction_and_oom, setup),
		cmocka_unit_test_setup(test_counter_reset_is_not_negative, setup),
		cmocka_unit_test_setup(test_low_memory, setup),
		cmocka_unit_test_setup(test_psi, setup),
		cmocka_unit_test_setup(test_psi_window, setup),
		cmocka_unit_test_setup(test_thp_settings, setup),
		cmocka_unit_test_setup(test_no_window_no_rates, setup),
	};

	return cmocka_run_group_tests_name("findings", tests, NULL, NULL);
}
