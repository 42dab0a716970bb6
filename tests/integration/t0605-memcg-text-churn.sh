#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The text backend keeps each directory's listing and reads it again only when told
# (inotify, or without it the directory's stat): cgroups created, removed, removed
# and re-created under the same name (a new id), removed with a sibling created in
# the same interval (the link count back where it was), and renamed between two reads
# of one reader must show in the very next snapshot. memcg_reads runs each change as a
# step between two reads, so nothing depends on timing. On this machine's v1 memory
# hierarchy, and on --root trees (plain directories on the scratch file system), each
# with inotify and with the stat fallback.
. "$(dirname "$0")/lib.sh"

R=$TOP/build/workloads/memcg_reads
[ -x "$R" ] || make -C "$TOP" "$R" >/dev/null 2>&1
V1=/sys/fs/cgroup/memory
cg=$V1/mmscope-t0605-$$
cleanup() {
	for d in "$cg"/*/*/ "$cg"/*/ "$cg"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# rows K: "ID PATH" of snapshot K, sorted by path.
rows() { awk -v k="$1" '$1 == k && $2 != "end" { print $2, $3 }' "$SCRATCH/out" | sort -k2; }
paths() { rows "$1" | awk '{ print $2 }' | tr '\n' ' '; }
id_of() { rows "$1" | awk -v p="$2" '$2 == p { print $1 }'; }

# churn NAME DIR MKDIR ROOT [memcg_reads options]: the steps in DIR (a cgroup, or a
# --root tree's cg/, which the reader opens as ROOT), MKDIR making a cgroup there.
churn() {
	name=$1 dir=$2 mk=$3 root=$4
	shift 4
	if ! "$R" "$@" "$root" \
		"$mk $dir/new1" \
		"rmdir $dir/new1" \
		"rmdir $dir/a && $mk $dir/b" \
		"$mk $dir/b/c" \
		"rmdir $dir/b/c && rmdir $dir/b && $mk $dir/b" \
		"mv $dir/b $dir/d" \
		"true" >"$SCRATCH/out" 2>"$SCRATCH/err"; then
		not_ok "$name" "$(cat "$SCRATCH/err")"
		return
	fi
	want0='/ /a ' want1='/ /a /new1 ' want2='/ /a ' want3='/ /b ' want4='/ /b /b/c '
	want5='/ /b ' want6='/ /d ' want7='/ /d '
	bad=
	for k in 0 1 2 3 4 5 6 7; do
		eval want=\$want$k
		got=$(paths $k)
		[ "$got" = "$want" ] || bad="$bad snapshot $k: [$got] not [$want];"
	done
	# /b re-created under its name is another cgroup (a cgroup id is never reused; a
	# tree's inode number may be); /d is the renamed /b.
	[ "$dir" != "$cg" ] || [ "$(id_of 4 /b)" != "$(id_of 5 /b)" ] ||
		bad="$bad re-created /b kept its id;"
	[ "$(id_of 5 /b)" = "$(id_of 6 /d)" ] || bad="$bad /d is not the renamed /b;"
	[ -z "$bad" ] && ok "$name" || not_ok "$name" "$bad"
}

if is_root && [ -f $V1/memory.stat ]; then
	mkdir -p "$cg/a"
	churn memcg-text-churn-v1 "$cg" mkdir "$cg"
	rmdir "$cg"/*/ 2>/dev/null; mkdir -p "$cg/a"
	# Without inotify: a kernfs directory's link count says a child came; a removed
	# child's files fail. A rename there changes neither (the row keeps its old path,
	# as before the listing was kept), so that step is left out.
	if "$R" -n "$cg" "mkdir $cg/new1" "rmdir $cg/new1" "rmdir $cg/a && mkdir $cg/b" \
		"mkdir $cg/b/c" "rmdir $cg/b/c && rmdir $cg/b && mkdir $cg/b" \
		>"$SCRATCH/out" 2>"$SCRATCH/err"; then
		got="$(paths 0)|$(paths 1)|$(paths 2)|$(paths 3)|$(paths 4)|$(paths 5)"
		want='/ /a |/ /a /new1 |/ /a |/ /b |/ /b /b/c |/ /b '
		if [ "$got" = "$want" ] && [ "$(id_of 4 /b)" != "$(id_of 5 /b)" ]; then
			ok memcg-text-churn-v1-stat
		else
			not_ok memcg-text-churn-v1-stat "[$got] not [$want], /b ids $(id_of 4 /b) $(id_of 5 /b)"
		fi
	else
		not_ok memcg-text-churn-v1-stat "$(cat "$SCRATCH/err")"
	fi
else
	skip memcg-text-churn-v1 "needs root and the v1 memory controller at $V1"
fi

# --root trees: a v1 hierarchy of plain directories, each cgroup a directory holding
# memory.stat; with inotify and with the stat fallback (mtime, ctime, link count, and
# directories changed within the timestamps' granularity listed again).
for mode in inotify stat; do
	tree=$SCRATCH/tree-$mode
	mkdir -p "$tree/cg/a"
	for d in "$tree/cg" "$tree/cg/a"; do
		printf 'total_cache 4096\ntotal_rss 8192\n' >"$d/memory.stat"
		echo 4096 >"$d/memory.usage_in_bytes"
	done
	cat >"$tree/mkcg" <<EOF
#!/bin/sh
mkdir "\$1" && cp "$tree/cg/memory.stat" "$tree/cg/memory.usage_in_bytes" "\$1/"
EOF
	chmod +x "$tree/mkcg"
	# rmdir of a tree's cgroup: its files first, as the kernel's rmdir takes them.
	cat >"$tree/rmcg" <<'EOF'
#!/bin/sh
for d; do rm -f "$d"/memory.*; /bin/rmdir "$d" || exit 1; done
EOF
	chmod +x "$tree/rmcg"
	opt=
	[ $mode = stat ] && opt=-n
	(
		cd "$tree" || exit 1
		# "rmdir" in the steps is the tree's own: the files go first.
		PATH=$tree/bin:$PATH
		mkdir -p bin && ln -sf ../rmcg bin/rmdir
		churn "memcg-text-churn-tree-$mode" "$tree/cg" "$tree/mkcg" /cg $opt -H "$tree"
	)
done
