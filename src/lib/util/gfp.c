// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * gfp masks in words. The kernel's trace output names them with a table of
 * composites (GFP_KERNEL, ...) then single flags (__GFP_IO, ...), printing every
 * entry whose bits are all still set and clearing them. The table here is the same
 * (include/trace/events/mmflags.h order) but built from flag names, because flag
 * bits differ between kernels: __GFP_ATOMIC (bit 9) was removed in 6.4, and some
 * bits exist only with a config option. Newer kernels describe the bits in BTF
 * (enum ___GFP_*_BIT: 6.18 and 7.2 have it, 6.1 does not); older ones get the
 * 6.1 layout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include <mmscope/mmscope.h>

static const char *const flag_names[MMS_GFP_NR] = {
	[MMS_GFP_DMA] = "DMA", [MMS_GFP_HIGHMEM] = "HIGHMEM", [MMS_GFP_DMA32] = "DMA32",
	[MMS_GFP_MOVABLE] = "MOVABLE", [MMS_GFP_RECLAIMABLE] = "RECLAIMABLE",
	[MMS_GFP_HIGH] = "HIGH", [MMS_GFP_IO] = "IO", [MMS_GFP_FS] = "FS",
	[MMS_GFP_ZERO] = "ZERO", [MMS_GFP_ATOMIC] = "ATOMIC",
	[MMS_GFP_DIRECT_RECLAIM] = "DIRECT_RECLAIM", [MMS_GFP_KSWAPD_RECLAIM] = "KSWAPD_RECLAIM",
	[MMS_GFP_WRITE] = "WRITE", [MMS_GFP_NOWARN] = "NOWARN",
	[MMS_GFP_RETRY_MAYFAIL] = "RETRY_MAYFAIL", [MMS_GFP_NOFAIL] = "NOFAIL",
	[MMS_GFP_NORETRY] = "NORETRY", [MMS_GFP_MEMALLOC] = "MEMALLOC", [MMS_GFP_COMP] = "COMP",
	[MMS_GFP_NOMEMALLOC] = "NOMEMALLOC", [MMS_GFP_HARDWALL] = "HARDWALL",
	[MMS_GFP_THISNODE] = "THISNODE", [MMS_GFP_ACCOUNT] = "ACCOUNT",
	[MMS_GFP_ZEROTAGS] = "ZEROTAGS", [MMS_GFP_NO_OBJ_EXT] = "NO_OBJ_EXT",
	[MMS_GFP_SKIP_ZERO] = "SKIP_ZERO", [MMS_GFP_SKIP_KASAN] = "SKIP_KASAN",
	[MMS_GFP_NOLOCKDEP] = "NOLOCKDEP",
};

void mms_gfp_layout_legacy(struct mms_gfp_layout *l)
{
	/* include/linux/gfp_types.h of 6.1 without KASAN_HW_TAGS and LOCKDEP: bits 0..23. */
	static const int legacy[] = {
		MMS_GFP_DMA, MMS_GFP_HIGHMEM, MMS_GFP_DMA32, MMS_GFP_MOVABLE, MMS_GFP_RECLAIMABLE,
		MMS_GFP_HIGH, MMS_GFP_IO, MMS_GFP_FS, MMS_GFP_ZERO, MMS_GFP_ATOMIC,
		MMS_GFP_DIRECT_RECLAIM, MMS_GFP_KSWAPD_RECLAIM, MMS_GFP_WRITE, MMS_GFP_NOWARN,
		MMS_GFP_RETRY_MAYFAIL, MMS_GFP_NOFAIL, MMS_GFP_NORETRY, MMS_GFP_MEMALLOC,
		MMS_GFP_COMP, MMS_GFP_NOMEMALLOC, MMS_GFP_HARDWALL, MMS_GFP_THISNODE,
		MMS_GFP_ACCOUNT, MMS_GFP_ZEROTAGS,
	};

	memset(l, 0, sizeof(*l));
	for (int i = 0; i < MMS_GFP_NR; i++)
		l->bit[i] = -1;
	for (size_t b = 0; b < sizeof(legacy) / sizeof(legacy[0]); b++)
		l->bit[legacy[b]] = (int)b;
}

int mms_gfp_layout_set(struct mms_gfp_layout *l, const char *name, int bit)
{
	for (int i = 0; i < MMS_GFP_NR; i++) {
		if (!strcmp(flag_names[i], name)) {
			l->bit[i] = bit;
			return 0;
		}
	}
	return -ENOENT;
}

void mms_gfp_layout_read(struct mms_gfp_layout *l)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	bool found = false;

	mms_gfp_layout_legacy(l);
	if (!btf)
		return;
	/* The enum is anonymous: find it by a member every version has. */
	for (unsigned int id = 1; id < btf__type_cnt(btf) && !found; id++) {
		t = btf__type_by_id(btf, id);
		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, e[i].name_off), "___GFP_DMA_BIT"))
				found = true;
		if (!found)
			continue;
		for (int i = 0; i < MMS_GFP_NR; i++)
			l->bit[i] = -1;
		for (int i = 0; i < btf_vlen(t); i++) {
			const char *n = btf__name_by_offset(btf, e[i].name_off);
			char flag[32];
			size_t len = strlen(n);

			/* "___GFP_" NAME "_BIT" */
			if (len <= 11 || strncmp(n, "___GFP_", 7) || strcmp(n + len - 4, "_BIT") ||
			    len - 11 >= sizeof(flag))
				continue;
			memcpy(flag, n + 7, len - 11);
			flag[len - 11] = '\0';
			mms_gfp_layout_set(l, flag, (int)e[i].val);
		}
		l->from_btf = true;
		l->nowait_nowarn = true;
	}
	btf__free(btf);
}

static uint64_t mask_of(const struct mms_gfp_layout *l, int flag)
{
	return l->bit[flag] >= 0 && l->bit[flag] < 64 ? 1ull << l->bit[flag] : 0;
}

#define F(x) mask_of(l, MMS_GFP_##x)

static int append(char *buf, size_t size, int used, const char *s)
{
	int n = snprintf(used < (int)size ? buf + used : NULL, used < (int)size ? size - used : 0,
			 "%s%s", used ? "|" : "", s);

	return used + n;
}

int mms_gfp_format(const struct mms_gfp_layout *l, uint64_t gfp, char *buf, size_t size)
{
	uint64_t reclaim = F(DIRECT_RECLAIM) | F(KSWAPD_RECLAIM);
	uint64_t kernel = reclaim | F(IO) | F(FS);
	uint64_t user = kernel | F(HARDWALL);
	uint64_t highuser = user | F(HIGHMEM);
	uint64_t movable = highuser | F(MOVABLE);
	uint64_t light = (movable | F(COMP) | F(NOMEMALLOC) | F(NOWARN)) & ~reclaim;
	const struct {
		const char *name;
		uint64_t mask;
	} composites[] = {
		{ "GFP_TRANSHUGE", light | F(DIRECT_RECLAIM) },
		{ "GFP_TRANSHUGE_LIGHT", light },
		{ "GFP_HIGHUSER_MOVABLE", movable },
		{ "GFP_HIGHUSER", highuser },
		{ "GFP_USER", user },
		{ "GFP_KERNEL_ACCOUNT", kernel | F(ACCOUNT) },
		{ "GFP_KERNEL", kernel },
		{ "GFP_NOFS", reclaim | F(IO) },
		{ "GFP_ATOMIC", F(HIGH) | F(ATOMIC) | F(KSWAPD_RECLAIM) },
		{ "GFP_NOIO", reclaim },
		{ "GFP_NOWAIT", F(KSWAPD_RECLAIM) | (l->nowait_nowarn ? F(NOWARN) : 0) },
		{ "GFP_DMA", F(DMA) },
		{ "GFP_DMA32", F(DMA32) },
		{ "__GFP_RECLAIM", reclaim },
	};
	int used = 0;

	if (size)
		buf[0] = '\0';
	if (!gfp)
		return snprintf(buf, size, "none");
	for (size_t i = 0; i < sizeof(composites) / sizeof(composites[0]); i++) {
		uint64_t m = composites[i].mask;

		if (m && (gfp & m) == m) {
			used = append(buf, size, used, composites[i].name);
			gfp &= ~m;
		}
	}
	for (int i = 0; i < MMS_GFP_NR && gfp; i++) {
		uint64_t m = mask_of(l, i);
		char name[40];

		if (m && (gfp & m)) {
			snprintf(name, sizeof(name), "__GFP_%s", flag_names[i]);
			used = append(buf, size, used, name);
			gfp &= ~m;
		}
	}
	if (gfp) {
		char hex[24];

		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)gfp);
		used = append(buf, size, used, hex);
	}
	return used;
}
