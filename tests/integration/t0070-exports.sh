#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What libmmscope.a exports: exactly the functions include/mmscope/*.h declares
# (scripts/public-symbols.sh lists them; nothing else global, no function of the
# headers missing); a program that includes only <mmscope/mmscope.h> links statically
# against it with the binary's libraries and runs, BPF skeletons included (a memcg
# reader with a BPF backend when the kernel has a cgroup iterator and we are root);
# and no view code (src/output/, src/cmd/) is in either archive.
. "$(dirname "$0")/lib.sh"

LIB=$TOP/build/libmmscope.a
INTERNAL=$TOP/build/libmmscope-internal.a
if [ ! -e "$LIB" ] || [ ! -e "$INTERNAL" ] || [ ! -e "$MMSCOPE" ]; then
	make -C "$TOP" build/libmmscope.a build/libmmscope-internal.a "$MMSCOPE" \
		>"$SCRATCH/make.out" 2>&1 ||
		{ not_ok exports-build "$(tail -c 300 "$SCRATCH/make.out" | tr '\n' ' ')"; exit 1; }
fi

# ---- exactly the public functions are global ------------------------------------
"$TOP/scripts/public-symbols.sh" >"$SCRATCH/want" 2>"$SCRATCH/want.err" ||
	{ not_ok exports-list "$(head -c 300 "$SCRATCH/want.err")"; exit 1; }
nm -g --defined-only "$LIB" | awk 'NF == 3 { print $3 }' | sort -u >"$SCRATCH/got"
missing=$(comm -23 "$SCRATCH/want" "$SCRATCH/got" | tr '\n' ' ')
extra=$(comm -13 "$SCRATCH/want" "$SCRATCH/got" | tr '\n' ' ')
if [ -z "$missing$extra" ] && [ -s "$SCRATCH/got" ]; then
	ok "exports-exactly-public ($(wc -l <"$SCRATCH/got") symbols)"
else
	not_ok exports-exactly-public "declared but not exported: ${missing:-none}; exported but not declared: ${extra:-none}"
fi

# The list itself, checked by other means than the compiler's: every mms_NAME( the
# headers spell is listed, or is a static inline function (no symbol).
grep -ohE '\bmms_[a-z0-9_]+\(' "$TOP"/include/mmscope/*.h | tr -d '(' | sort -u >"$SCRATCH/spelled"
unlisted=
for f in $(comm -23 "$SCRATCH/spelled" "$SCRATCH/want"); do
	grep -qE "^static inline .*\b$f\(" "$TOP"/include/mmscope/*.h || unlisted="$unlisted $f"
done
if [ -z "$unlisted" ]; then
	ok exports-list-complete
else
	not_ok exports-list-complete "in the headers, not in scripts/public-symbols.sh's list:$unlisted"
fi

# ---- a program of the public header alone links and runs -------------------------
cat >"$SCRATCH/user.c" <<'EOF'
#include <mmscope/mmscope.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static struct mms_buddyinfo bi;
	static struct mms_features fs;
	struct mms_host host;
	struct mms_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (mms_host_init(&host, "/") || (ret = mms_host_read(&host, "/proc/buddyinfo", &text, &len, &err))) {
		fprintf(stderr, "buddyinfo: %s: %s\n", err.file, err.msg);
		return 1;
	}
	ret = mms_parse_buddyinfo(text, len, &bi, &err);
	free(text);
	if (ret || bi.nr_zones < 1 || bi.nr_orders < 1) {
		fprintf(stderr, "buddyinfo: %d: %s:%d: %s\n", ret, err.file, err.line, err.msg);
		return 1;
	}
	printf("buddyinfo zones %d orders %d\n", bi.nr_zones, bi.nr_orders);

	fs.host = host;
	printf("cgroup_iter %s\n", mms_feature_has(&fs, MMS_FEAT_BPF_CGROUP_ITER) ? "yes" : "no");

	MMS_MEMCG_OPTS(opts);
	struct mms_memcg_reader *r;
	ret = mms_memcg_reader_open(NULL, &opts, &r, &err);
	if (ret) {
		printf("memcg none (%s: %s)\n", strerror(-ret), err.msg);
		return 0;
	}
	struct mms_memcg_snapshot snap;
	ret = mms_memcg_snapshot_alloc(&snap, 4096, mms_memcg_reader_nr_stats(r));
	if (!ret)
		ret = mms_memcg_reader_read(r, &snap);
	if (ret) {
		fprintf(stderr, "memcg read: %s\n", strerror(-ret));
		return 1;
	}
	printf("memcg %s cgroups %d root %s\n", mms_memcg_reader_backend(r), snap.nr_cgroups,
	       snap.nr_cgroups ? mms_memcg_snapshot_path(&snap, 0) : "-");
	mms_memcg_snapshot_free(&snap);
	mms_memcg_reader_close(r);
	return 0;
}
EOF
# Word-split on purpose: one argument per library.
libs=$(make -s --no-print-directory -C "$TOP" print-static-libs)
if ${CC:-cc} -std=gnu11 -Wall -Werror -I"$TOP/include" -static -o "$SCRATCH/user" \
	"$SCRATCH/user.c" "$LIB" $libs >"$SCRATCH/cc.out" 2>&1; then
	ok exports-static-link
	if "$SCRATCH/user" >"$SCRATCH/user.out" 2>&1; then
		ok exports-program-runs
	else
		not_ok exports-program-runs "$(head -c 300 "$SCRATCH/user.out" | tr '\n' ' ')"
	fi
	# The skeletons inside the archive: with a cgroup iterator, root gets a BPF backend.
	if ! is_root || ! grep -q '^cgroup_iter yes' "$SCRATCH/user.out"; then
		skip exports-bpf-skeleton "needs root and a kernel with the BPF cgroup iterator"
	elif grep -qE '^memcg (core|kfunc) ' "$SCRATCH/user.out"; then
		ok exports-bpf-skeleton
	else
		not_ok exports-bpf-skeleton "no BPF memcg backend: $(head -c 300 "$SCRATCH/user.out" | tr '\n' ' ')"
	fi
else
	not_ok exports-static-link "$(head -c 600 "$SCRATCH/cc.out" | tr '\n' ' ')"
fi

# ---- no view code in the library -------------------------------------------------
# The views' own global symbols (objects of src/output/*.c and src/cmd/**), looked
# for among every symbol either archive defines, local ones too (the public archive
# turned the library's into local symbols).
find "$TOP/build/obj/output" "$TOP/build/obj/cmd" -name '*.o' -exec nm -g --defined-only {} + |
	awk 'NF == 3 { print $3 }' | sort -u >"$SCRATCH/views"
if [ ! -s "$SCRATCH/views" ]; then
	not_ok exports-no-views "no objects under build/obj/output and build/obj/cmd to compare with"
else
	for a in "$LIB" "$INTERNAL"; do
		name=exports-no-views-$(basename "$a" .a)
		nm --defined-only "$a" | awk 'NF == 3 && $2 !~ /^[aNn]$/ { print $3 }' | sort -u >"$SCRATCH/in"
		views=$(comm -12 "$SCRATCH/views" "$SCRATCH/in" | tr '\n' ' ')
		# And by name, should the objects be stale or missing.
		named=$(grep -E '^(table_|json_emit|hm_(picture|png|svg|tui|text|live|view))' "$SCRATCH/in" | tr '\n' ' ')
		if [ -z "$views$named" ]; then
			ok "$name"
		else
			not_ok "$name" "view code defined in $(basename "$a"): $views$named"
		fi
	done
fi
