// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope syscalls' pure parts: the name tables generated from the UAPI headers
 * (numbers as the kernels define them: x86_64, i386, arm64, errno), slot names
 * (compat calls as "i386:NAME"), the --mm length arguments, percentiles from the
 * kernel's log2 histograms, and argument decoding.
 */
#include "unit.h"

#include "lib/trace/sysargs.h"
#include "lib/trace/syscalls.h"
#include "lib/trace/sysnames.h"

static int nr(const char *arch, const char *name)
{
	size_t n;
	const struct mms_sysname *t = mms_sysname_table(arch, &n);

	assert_non_null(t);
	return mms_sysname_nr(t, n, name);
}

static const char *name_of(const char *arch, unsigned v)
{
	size_t n;
	const struct mms_sysname *t = mms_sysname_table(arch, &n);

	return mms_sysname_of(t, n, v);
}

static void test_tables(void **state)
{
	/* arch/x86/entry/syscalls/syscall_64.tbl, syscall_32.tbl; include/uapi/asm-generic/unistd.h */
	assert_int_equal(nr("x86_64", "getppid"), 110);
	assert_int_equal(nr("x86_64", "mmap"), 9);
	assert_int_equal(nr("x86_64", "process_madvise"), 440);
	assert_int_equal(nr("i386", "getppid"), 64);
	assert_int_equal(nr("i386", "mmap2"), 192);
	assert_int_equal(nr("arm64", "getppid"), 173);
	assert_int_equal(nr("arm64", "mmap"), 222);
	assert_int_equal(nr("arm64", "fcntl"), 25);   /* __NR3264_fcntl, computed */
	assert_int_equal(nr("arm64", "newfstatat"), 79);
	assert_int_equal(nr("arm64", "open"), -1);    /* the generic table has openat only */
	assert_string_equal(name_of("x86_64", 0), "read");
	assert_string_equal(name_of("i386", 1), "exit");
	assert_null(mms_sysname_table("sparc", &(size_t){ 0 }));
	assert_string_equal(mms_errno_name(2), "ENOENT");
	assert_string_equal(mms_errno_name(11), "EAGAIN");   /* not EWOULDBLOCK */
	assert_string_equal(mms_errno_name(35), "EDEADLK");  /* not EDEADLOCK */
	assert_string_equal(mms_errno_name(110), "ETIMEDOUT");
	assert_null(mms_errno_name(4000));
}

static void test_slots(void **state)
{
	char buf[64];

	assert_string_equal(mms_sysnames_arch(), "x86_64");
	assert_string_equal(mms_sys_slot_name(110, buf, sizeof(buf)), "getppid");
	assert_string_equal(mms_sys_slot_name(MMS_SYS_COMPAT_BASE + 64, buf, sizeof(buf)),
			    "i386:getppid");
	assert_string_equal(mms_sys_slot_name(MMS_SYS_SLOT_OTHER, buf, sizeof(buf)), "other");
	assert_string_equal(mms_sys_slot_name(500, buf, sizeof(buf)), "syscall_500");
	assert_int_equal(mms_sys_slot_by_name("getppid"), 110);
	assert_int_equal(mms_sys_slot_by_name("i386:getppid"), MMS_SYS_COMPAT_BASE + 64);
	assert_int_equal(mms_sys_slot_by_name("syscall_500"), 500);
	assert_int_equal(mms_sys_slot_by_name("i386:syscall_7"), MMS_SYS_COMPAT_BASE + 7);
	assert_int_equal(mms_sys_slot_by_name("other"), MMS_SYS_SLOT_OTHER);
	assert_int_equal(mms_sys_slot_by_name("nosuch"), -1);
	assert_int_equal(mms_sys_slot_by_name("syscall_512"), -1);
	assert_int_equal(mms_sys_slot_by_name("syscall_5x"), -1);
	assert_int_equal(mms_sys_slot_by_name(""), -1);
	/* Every --mm name is a syscall of the native or the compat table. */
	for (int i = 0; mms_sys_mm_names[i]; i++) {
		snprintf(buf, sizeof(buf), "i386:%s", mms_sys_mm_names[i]);
		assert_true(mms_sys_slot_by_name(mms_sys_mm_names[i]) >= 0 ||
			    mms_sys_slot_by_name(buf) >= 0);
	}
	assert_int_equal(mms_sys_len_arg("munmap"), 1);
	assert_int_equal(mms_sys_len_arg("mremap"), 2);
	assert_int_equal(mms_sys_len_arg("process_madvise"), -2);
	assert_int_equal(mms_sys_len_arg("brk"), -1);
}

static void test_percentiles(void **state)
{
	__u64 h[MMS_SYS_BUCKETS] = { 0 };

	assert_int_equal(mms_sys_percentile(h, 0, 50), 0);
	/* 100 calls in [512, 1023]: the rank's share of the bucket. */
	h[10] = 100;
	assert_int_equal(mms_sys_percentile(h, 1023, 50), 512 + 511 / 2);
	assert_int_equal(mms_sys_percentile(h, 1023, 99), 512 + (uint64_t)(511 * 0.99));
	assert_int_equal(mms_sys_percentile(h, 800, 99), 800); /* never above the max */
	/* One call: every percentile is that call (the max). */
	memset(h, 0, sizeof(h));
	h[12] = 1;
	assert_int_equal(mms_sys_percentile(h, 3000, 50), 3000);
	/* 99 fast calls and one slow: p50 fast, p99 still fast, p100 the slow one. */
	memset(h, 0, sizeof(h));
	h[8] = 99;
	h[20] = 1;
	assert_true(mms_sys_percentile(h, 600000, 50) < 256);
	assert_true(mms_sys_percentile(h, 600000, 99) < 256);
	assert_int_equal(mms_sys_percentile(h, 600000, 100), 600000);
}

static void test_args(void **state)
{
	__u64 mmap_args[6] = { 0, 4096, 3, 0x22, (__u64)-1, 0 };
	__u64 openat_args[6] = { (__u64)-100, 0x1000, 02000000, 0, 0, 0 };
	__u64 madv_args[6] = { 0x7f0000000000, 8192, 4, 0, 0, 0 };
	__u64 futex_args[6] = { 0x1000, 128 | 9, 0, 0, 0, 0xffffffff };
	__u64 raw[6] = { 1, 2, 3, 4, 5, 6 };
	char buf[512];

	assert_string_equal(mms_sys_args_format("mmap", mmap_args, buf, sizeof(buf)),
			    "addr=0, len=4096, prot=PROT_READ|PROT_WRITE, "
			    "flags=MAP_PRIVATE|MAP_ANONYMOUS, fd=-1, off=0");
	assert_string_equal(mms_sys_args_format("openat", openat_args, buf, sizeof(buf)),
			    "dirfd=AT_FDCWD, path=0x1000, flags=O_RDONLY|O_CLOEXEC, mode=0");
	assert_string_equal(mms_sys_args_format("madvise", madv_args, buf, sizeof(buf)),
			    "addr=0x7f0000000000, len=8192, advice=MADV_DONTNEED");
	assert_string_equal(mms_sys_args_format("futex", futex_args, buf, sizeof(buf)),
			    "uaddr=0x1000, op=FUTEX_WAIT_BITSET|FUTEX_PRIVATE_FLAG, val=0, "
			    "timeout=0, uaddr2=0, val3=4294967295");
	assert_string_equal(mms_sys_args_format("getppid_like", raw, buf, sizeof(buf)),
			    "0x1, 0x2, 0x3, 0x4, 0x5, 0x6");
	assert_string_equal(mms_sys_args_format("munlockall", raw, buf, sizeof(buf)), "");
	/* A short buffer is cut, never overrun. */
	assert_int_equal(strlen(mms_sys_args_format("mmap", mmap_args, buf, 10)), 9);
	assert_string_equal(mms_sys_ret_format("openat", -2, buf, sizeof(buf)), "-1 ENOENT");
	assert_string_equal(mms_sys_ret_format("read", 4096, buf, sizeof(buf)), "4096");
	assert_string_equal(mms_sys_ret_format("mmap", 0x7f0000001000, buf, sizeof(buf)),
			    "0x7f0000001000");
	assert_string_equal(mms_sys_ret_format("read", -4000, buf, sizeof(buf)),
			    "-1 errno 4000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
