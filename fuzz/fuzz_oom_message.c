// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mms_parse_oom_message(), the kernel log's OOM kill lines
 * the report reads from /dev/kmsg. Whatever the input, the result is 0, 1 or 2
 * and every string it fills is NUL-terminated inside its field.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mms_report_oom o;
	int rc;

	memset(&o, 0x5a, sizeof(o)); /* no terminator to rely on */
	o.comm[0] = o.cgroup[0] = o.constraint[0] = '\0';
	rc = mms_parse_oom_message((const char *)data, size, &o);
	FUZZ_ASSERT(rc >= 0 && rc <= 2);
	FUZZ_ASSERT(memchr(o.comm, '\0', sizeof(o.comm)));
	FUZZ_ASSERT(memchr(o.cgroup, '\0', sizeof(o.cgroup)));
	FUZZ_ASSERT(memchr(o.constraint, '\0', sizeof(o.constraint)));
	return 0;
}
