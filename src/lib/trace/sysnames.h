/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * Syscall and errno names from tables generated at build time from the kernel's
 * UAPI headers (scripts/gen-sysnames.sh): x86_64, i386 and arm64 syscalls, and
 * errno. The native table is the build's SYSCALL_ARCH (Makefile); on x86_64 the
 * compat slots (32-bit calls, bpf/syscalls.h) are named from the i386 table with
 * an "i386:" prefix. Nothing is asked of another program at run time.
 */
#ifndef MMS_SYSNAMES_H
#define MMS_SYSNAMES_H

#include <stddef.h>

struct mms_sysname {
	unsigned nr;
	const char *name;
};

/* The table of arch ("x86_64", "i386", "arm64"); NULL when there is none. */
const struct mms_sysname *mms_sysname_table(const char *arch, size_t *n);
/* The name of nr in tab, NULL when unknown (aliases: the first name in order). */
const char *mms_sysname_of(const struct mms_sysname *tab, size_t n, unsigned nr);
/* The number of name in tab; -1 when unknown. */
int mms_sysname_nr(const struct mms_sysname *tab, size_t n, const char *name);
/* The architecture of the native table ("x86_64" or "arm64"). */
const char *mms_sysnames_arch(void);
/* The compat table's arch ("i386"), NULL when the native arch has none named. */
const char *mms_sysnames_compat_arch(void);

/* A counting slot's name: "getppid", "i386:getppid", "syscall_999", "other". */
const char *mms_sys_slot_name(unsigned slot, char *buf, size_t size);
/* The slot of a name as mms_sys_slot_name() prints it; -1 when unknown. */
int mms_sys_slot_by_name(const char *name);
/* "ENOENT" for 2; NULL when unknown. */
const char *mms_errno_name(unsigned err);

#endif
