// SPDX-License-Identifier: GPL-2.0
/*
 * gfp masks named as the kernel's trace output names them, for the 6.18 layout
 * (bits from the BTF enum, values from kernel-interfaces.md section 3.2) and the
 * 6.1 layout (__GFP_ATOMIC at bit 9, no BTF enum).
 */
#include "unit.h"

static const char *const bits_618[] = {
	"DMA", "HIGHMEM", "DMA32", "MOVABLE", "RECLAIMABLE", "HIGH", "IO", "FS", "ZERO", "UNUSED",
	"DIRECT_RECLAIM", "KSWAPD_RECLAIM", "WRITE", "NOWARN", "RETRY_MAYFAIL", "NOFAIL",
	"NORETRY", "MEMALLOC", "COMP", "NOMEMALLOC", "HARDWALL", "THISNODE", "ACCOUNT",
	"ZEROTAGS", "NO_OBJ_EXT",
};

static void layout_618(struct mms_gfp_layout *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < MMS_GFP_NR; i++)
		l->bit[i] = -1;
	for (size_t b = 0; b < sizeof(bits_618) / sizeof(bits_618[0]); b++)
		mms_gfp_layout_set(l, bits_618[b], (int)b); /* "UNUSED" is not a flag: -ENOENT */
	l->nowait_nowarn = true;
}

static const char *fmt(const struct mms_gfp_layout *l, uint64_t gfp)
{
	static char buf[512];

	mms_gfp_format(l, gfp, buf, sizeof(buf));
	return buf;
}

static void test_618_composites(void **state)
{
	struct mms_gfp_layout l;

	layout_618(&l);
	assert_int_equal(mms_gfp_layout_set(&l, "UNUSED", 9), -ENOENT);
	assert_string_equal(fmt(&l, 0), "none");
	assert_string_equal(fmt(&l, 0xcc0), "GFP_KERNEL");
	assert_string_equal(fmt(&l, 0x400cc0), "GFP_KERNEL_ACCOUNT");
	assert_string_equal(fmt(&l, 0xc40), "GFP_NOFS");
	assert_string_equal(fmt(&l, 0xc00), "GFP_NOIO");
	assert_string_equal(fmt(&l, 0x820), "GFP_ATOMIC");
	assert_string_equal(fmt(&l, 0x2800), "GFP_NOWAIT");
	assert_string_equal(fmt(&l, 0x100cca), "GFP_HIGHUSER_MOVABLE");
	assert_string_equal(fmt(&l, 0x1c20ca), "GFP_TRANSHUGE_LIGHT");
	assert_string_equal(fmt(&l, 0x1c24ca), "GFP_TRANSHUGE");
	/* Seen on this machine in memcg reclaim of page cache reads. */
	assert_string_equal(fmt(&l, 1125450),
			    "GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_HARDWALL");
	assert_string_equal(fmt(&l, 0xcc0 | 0x100), "GFP_KERNEL|__GFP_ZERO");
	/* Unknown bits in hex, after the names. */
	assert_string_equal(fmt(&l, 0xcc0 | (1ull << 40)), "GFP_KERNEL|0x10000000000");
	assert_string_equal(fmt(&l, 0x200), "0x200");
}

static void test_legacy(void **state)
{
	struct mms_gfp_layout l;

	mms_gfp_layout_legacy(&l);
	assert_int_equal(l.bit[MMS_GFP_ATOMIC], 9);
	assert_int_equal(l.bit[MMS_GFP_NO_OBJ_EXT], -1);
	/* 6.1: GFP_ATOMIC = __GFP_HIGH|__GFP_ATOMIC|__GFP_KSWAPD_RECLAIM. */
	assert_string_equal(fmt(&l, 0xa20), "GFP_ATOMIC");
	assert_string_equal(fmt(&l, 0x800), "GFP_NOWAIT");
	assert_string_equal(fmt(&l, 0x2800), "GFP_NOWAIT|__GFP_NOWARN");
	assert_string_equal(fmt(&l, 0xcc0), "GFP_KERNEL");
}

static void test_truncation(void **state)
{
	struct mms_gfp_layout l;
	char small[8];
	int n;

	layout_618(&l);
	n = mms_gfp_format(&l, 0x400cc0, small, sizeof(small));
	assert_int_equal(n, (int)strlen("GFP_KERNEL_ACCOUNT"));
	assert_string_equal(small, "GFP_KER");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_618_composites),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
