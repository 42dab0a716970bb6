// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms symbolization (bpf-trace's call sites): lines recorded on this
 * machine's 6.18 while mmscope alloc's programs were loaded (host-6.18's
 * proc/kallsyms: the kernel text's first symbols, the functions the pipe burst
 * allocates from, the end of the text and init text, the ftrace trampoline and our
 * BPF programs, which the kernel lists last and unsorted). An address is named by
 * the symbol that holds it, a BPF program by its "[bpf]" line, and an address far
 * past its nearest symbol (the gap between the kernel's text and the module area,
 * where a JIT image lies when it is not listed) by none: page sites used to be
 * shown as _einittext+0x3c82e887.
 */
#include "unit.h"
#include "lib/alloc/alloc_trace.h"

static struct mms_ksyms *load(void)
{
	struct mms_host h;
	struct mms_ksyms *ks;

	assert_int_equal(mms_host_init(&h, FIXTURES "/host-6.18/root"), 0);
	ks = mms_ksyms_load(&h);
	assert_non_null(ks);
	return ks;
}

/* The address of name in the fixture (as the kernel printed it). */
static uint64_t addr_of(const char *name)
{
	size_t len;
	char *text = fixture("host-6.18/root/proc/kallsyms", &len), *p = text;
	uint64_t addr = 0;

	while (p && *p) {
		char sym[128] = "";
		unsigned long long a;

		if (sscanf(p, "%llx %*s %127s", &a, sym) == 2 && !strcmp(sym, name)) {
			addr = a;
			break;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	free(text);
	if (!addr)
		fail_msg("%s: not in the fixture", name);
	return addr;
}

static void test_inside_a_function(void **state)
{
	struct mms_ksyms *ks = load();
	uint64_t off = 99;
	const char *module = "x";
	const char *name = mms_ksyms_find(ks, addr_of("alloc_pipe_info") + 0x3c, &off, &module);

	assert_non_null(name);
	assert_string_equal(name, "alloc_pipe_info");
	assert_int_equal(off, 0x3c);
	assert_null(module);
	name = mms_ksyms_find(ks, addr_of("do_anonymous_page"), &off, &module);
	assert_string_equal(name, "do_anonymous_page");
	assert_int_equal(off, 0);
	mms_ksyms_free(ks);
}

static void test_bpf_program(void **state)
{
	struct mms_ksyms *ks = load();
	uint64_t off;
	const char *module = NULL;
	/* The frame page sites were attributed to before the fix (_einittext+0x3c82e887
	 * when kallsyms was read before our programs were loaded). */
	const char *name = mms_ksyms_find(ks, 0xffffffffc0027197ull, &off, &module);

	assert_non_null(name);
	assert_string_equal(name, "bpf_prog_f73ac360fbe1dbe1_on_page_alloc");
	assert_int_equal(off, 0x363);
	assert_non_null(module);
	assert_string_equal(module, "bpf");
	mms_ksyms_free(ks);
}

static void test_past_the_last_symbol(void **state)
{
	struct mms_ksyms *ks = load();
	uint64_t off = 7;
	const char *module = NULL;

	/* In the gap between the init text and the module area: no function. */
	assert_null(mms_ksyms_find(ks, addr_of("_einittext") + 0x10000000, &off, &module));
	/* Just past the last symbol before the gap: still that symbol. */
	assert_non_null(mms_ksyms_find(ks, addr_of("_einittext") + 0x100, &off, &module));
	/* Below the first symbol: none. */
	assert_null(mms_ksyms_find(ks, addr_of("_text") - 1, &off, &module));
	mms_ksyms_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inside_a_function),
		cmocka_unit_test(test_bpf_program),
		cmocka_unit_test(test_past_the_last_symbol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
