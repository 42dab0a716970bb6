/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A syscall's arguments and result as text, the way --slow and --record print
 * them: "fd=3, buf=0x7ffc..., count=4096" with flags decoded (PROT_*, MAP_*,
 * MADV_*, O_*, FUTEX_*, CLOCK_*), for the --mm syscalls and the I/O, wait and
 * sleep calls slow calls are usually about; other syscalls print their six raw
 * values in hex. Pure functions of numbers (unit-tested).
 */
#ifndef MMS_SYSARGS_H
#define MMS_SYSARGS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

/* Arguments of the syscall named base (no "i386:" prefix) into buf. */
const char *mms_sys_args_format(const char *base, const __u64 args[6], char *buf,
				size_t size);
/* "3", "0x7f..." for the mmap family, or "-1 ENOENT" for an error. */
const char *mms_sys_ret_format(const char *base, int64_t ret, char *buf, size_t size);

#endif
