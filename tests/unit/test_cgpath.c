// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup ids to paths: which mount holds memory cgroups (recorded /proc/self/mounts
 * of the 6.18 host, v1 memory, and of the VM guests, cgroup2 only), and the id ->
 * path resolver over a directory tree made here (inode numbers cannot be recorded).
 * Also the enum names the tracing commands print.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

void mms_enum_pretty(const char *name, const char *prefix, char *buf, size_t size);

static void test_mounts_host(void **state)
{
	struct mms_cgroup_mounts m;
	struct mms_error err = { 0 };
	size_t len;
	char *text = fixture("host-6.18/mounts", &len);

	assert_int_equal(mms_parse_cgroup_mounts(text, len, &m, &err), 0);
	assert_true(m.memory_idx >= 0);
	assert_string_equal(m.m[m.memory_idx].path, "/sys/fs/cgroup/memory");
	assert_int_equal(m.m[m.memory_idx].version, 1);
	assert_true(m.m[m.memory_idx].memory);
	free(text);
}

static void test_mounts_vm(void **state)
{
	/* What tests/vm/init mounts in the guests. */
	static const char text[] =
		"proc /proc proc rw,relatime 0 0\n"
		"cgroup2 /sys/fs/cgroup cgroup2 rw,relatime 0 0\n"
		"cgroup /mnt/with\\040space cgroup rw,cpu 0 0\n";
	struct mms_cgroup_mounts m;
	struct mms_error err = { 0 };

	assert_int_equal(mms_parse_cgroup_mounts(text, sizeof(text) - 1, &m, &err), 0);
	assert_int_equal(m.nr, 2);
	assert_string_equal(m.m[m.memory_idx].path, "/sys/fs/cgroup");
	assert_int_equal(m.m[m.memory_idx].version, 2);
	assert_string_equal(m.m[1].path, "/mnt/with space");
	assert_false(m.m[1].memory);
	assert_int_equal(mms_parse_cgroup_mounts("bad\n", 4, &m, &err), -EINVAL);
	assert_int_equal(err.line, 1);
}

static uint64_t ino(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static void test_resolver(void **state)
{
	char root[] = "/tmp/mms-cgpath-XXXXXX", path[256];
	struct mms_cgroup_paths *p;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/a", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b", root);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(mms_cgroup_paths_open(root, &p), 0);
	assert_string_equal(mms_cgroup_paths_lookup(p, ino(root)), "/");
	assert_string_equal(mms_cgroup_paths_lookup(p, ino(path)), "/a/b");
	assert_null(mms_cgroup_paths_lookup(p, 0));
	/* Many directories: the table grows. */
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/a/c%d", root, i);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	/* Made right after the walk (the same second): a miss walks again. */
	snprintf(path, sizeof(path), "%s/a/c77", root);
	assert_string_equal(mms_cgroup_paths_lookup(p, ino(path)), "/a/c77");
	snprintf(path, sizeof(path), "%s/a/c3", root);
	assert_string_equal(mms_cgroup_paths_lookup(p, ino(path)), "/a/c3");
	/* A directory gone before it was asked for: not found, remembered as gone,
	 * and one made after it is still found. */
	{
		uint64_t gone;
		int held;

		snprintf(path, sizeof(path), "%s/a/gone", root);
		assert_int_equal(mkdir(path, 0755), 0);
		gone = ino(path);
		/* Held open, its inode number cannot go to "new" (cgroup ids are
		 * never reused; a file system's inode numbers are). */
		held = open(path, O_RDONLY | O_DIRECTORY);
		assert_true(held >= 0);
		assert_int_equal(rmdir(path), 0);
		assert_null(mms_cgroup_paths_lookup(p, gone));
		assert_null(mms_cgroup_paths_lookup(p, gone));
		snprintf(path, sizeof(path), "%s/a/c3/new", root);
		assert_int_equal(mkdir(path, 0755), 0);
		assert_string_equal(mms_cgroup_paths_lookup(p, ino(path)), "/a/c3/new");
		assert_int_equal(rmdir(path), 0);
		assert_null(mms_cgroup_paths_lookup(p, gone));
		close(held);
	}
	mms_cgroup_paths_close(p);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/a/c%d", root, i);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/a/b", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a", root);
	rmdir(path);
	rmdir(root);
	assert_int_equal(mms_cgroup_paths_open("/no/such/dir", &p), -ENOENT);
}

static void test_enum_pretty(void **state)
{
	char buf[32];

	mms_enum_pretty("COMPACT_NOT_SUITABLE_ZONE", "COMPACT_", buf, sizeof(buf));
	assert_string_equal(buf, "not_suitable_zone");
	mms_enum_pretty("MIGRATE_SYNC_LIGHT", "MIGRATE_", buf, sizeof(buf));
	assert_string_equal(buf, "sync_light");
	mms_enum_pretty("OTHER", "MIGRATE_", buf, 4);
	assert_string_equal(buf, "oth");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mounts_host),
		cmocka_unit_test(test_mounts_vm),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_enum_pretty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
