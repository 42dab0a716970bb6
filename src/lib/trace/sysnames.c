// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Lookups in the generated syscall and errno tables (see sysnames.h). The tables
 * are sorted by name (the generator sorts), so aliases resolve to the first name
 * in that order (EAGAIN before EWOULDBLOCK, EDEADLK before EDEADLOCK); they are a
 * few hundred entries, looked up once per printed row: a linear scan is enough.
 */
#include <stdio.h>
#include <string.h>

#include "bpf/syscalls.h"
#include "lib/trace/sysnames.h"

#include "sysnames_gen.h"

#define N(t) (sizeof(t) / sizeof((t)[0]))

/* Which table names native calls: the Makefile's SYSCALL_ARCH. */
#if defined(MMS_SYSCALL_ARCH_arm64)
#define NATIVE mms_sysnames_arm64
#define NATIVE_ARCH "arm64"
/* AArch32 tasks' calls (arm EABI numbers), where the build had armhf's table. */
#ifdef MMS_HAVE_SYSNAMES_ARM
#define COMPAT mms_sysnames_arm
#define COMPAT_ARCH "arm"
#endif
#else
#define NATIVE mms_sysnames_x86_64
#define NATIVE_ARCH "x86_64"
#define COMPAT mms_sysnames_i386
#define COMPAT_ARCH "i386"
#endif

const struct mms_sysname *mms_sysname_table(const char *arch, size_t *n)
{
	static const struct {
		const char *arch;
		const struct mms_sysname *tab;
		size_t n;
	} tables[] = {
		{ "x86_64", mms_sysnames_x86_64, N(mms_sysnames_x86_64) },
		{ "i386", mms_sysnames_i386, N(mms_sysnames_i386) },
		{ "arm64", mms_sysnames_arm64, N(mms_sysnames_arm64) },
#ifdef MMS_HAVE_SYSNAMES_ARM
		{ "arm", mms_sysnames_arm, N(mms_sysnames_arm) },
#endif
		{ "errno", mms_errnames, N(mms_errnames) },
	};

	for (size_t i = 0; i < N(tables); i++) {
		if (!strcmp(tables[i].arch, arch)) {
			*n = tables[i].n;
			return tables[i].tab;
		}
	}
	*n = 0;
	return NULL;
}

const char *mms_sysname_of(const struct mms_sysname *tab, size_t n, unsigned nr)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].nr == nr)
			return tab[i].name;
	return NULL;
}

int mms_sysname_nr(const struct mms_sysname *tab, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tab[i].name, name))
			return (int)tab[i].nr;
	return -1;
}

const char *mms_sysnames_arch(void)
{
	return NATIVE_ARCH;
}

const char *mms_sysnames_compat_arch(void)
{
#ifdef COMPAT
	return COMPAT_ARCH;
#else
	return NULL;
#endif
}

const char *mms_sys_slot_name(unsigned slot, char *buf, size_t size)
{
	const char *name;

	if (slot == MMS_SYS_SLOT_OTHER) {
		snprintf(buf, size, "other");
	} else if (slot < MMS_SYS_COMPAT_BASE) {
		name = mms_sysname_of(NATIVE, N(NATIVE), slot);
		if (name)
			snprintf(buf, size, "%s", name);
		else
			snprintf(buf, size, "syscall_%u", slot);
	} else {
		const char *arch = mms_sysnames_compat_arch();
		unsigned nr = slot - MMS_SYS_COMPAT_BASE;
#ifdef COMPAT
		name = mms_sysname_of(COMPAT, N(COMPAT), nr);
#else
		name = NULL;
#endif
		if (name)
			snprintf(buf, size, "%s:%s", arch, name);
		else
			snprintf(buf, size, "%s:syscall_%u", arch ? arch : "compat", nr);
	}
	return buf;
}

static int number_suffix(const char *s)
{
	unsigned v;
	char end;

	if (strncmp(s, "syscall_", 8) || sscanf(s + 8, "%u%c", &v, &end) != 1)
		return -1;
	return (int)v;
}

int mms_sys_slot_by_name(const char *name)
{
	int nr;

	if (!strcmp(name, "other"))
		return MMS_SYS_SLOT_OTHER;
#ifdef COMPAT
	if (!strncmp(name, COMPAT_ARCH ":", strlen(COMPAT_ARCH ":"))) {
		const char *n = name + strlen(COMPAT_ARCH ":");

		nr = mms_sysname_nr(COMPAT, N(COMPAT), n);
		if (nr < 0)
			nr = number_suffix(n);
		return nr >= 0 && nr < MMS_SYS_SLOT_OTHER - MMS_SYS_COMPAT_BASE
			       ? MMS_SYS_COMPAT_BASE + nr : -1;
	}
#endif
	nr = mms_sysname_nr(NATIVE, N(NATIVE), name);
	if (nr < 0)
		nr = number_suffix(name);
	return nr >= 0 && nr < MMS_SYS_NATIVE_MAX ? nr : -1;
}

const char *mms_errno_name(unsigned err)
{
	return mms_sysname_of(mms_errnames, N(mms_errnames), err);
}
