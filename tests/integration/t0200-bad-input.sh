#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Malformed procfs files under --root: every case must end in a one-line message
# naming the file and the line, exit 2, and nothing on stdout (never a partial table
# presented as complete); a missing required file is exit 3 naming it.
. "$(dirname "$0")/lib.sh"

base=$SCRATCH/base
mkdir -p "$base"
cp -rL "$FIXTURES/host-6.18/root/." "$base/"

# bad_at NAME PATH CMD STATUS LINE: write stdin into PATH of a fresh tree, run CMD
# (under timeout 10: a hang is a failure, exit 124), and expect STATUS with
# "PATH:LINE:" in the message (LINE "-" for no line number).
bad_at() {
	name=$1 file=$2 cmd=$3 want=$4 line=$5
	tree=$SCRATCH/$name
	rm -rf "$tree"
	cp -r "$base" "$tree"
	cat >"$tree/$file"
	check_at "$name" "$file" "$cmd" "$want" "$line"
}

# check_at NAME PATH CMD STATUS LINE: runs CMD on the tree $SCRATCH/NAME: one line
# naming PATH (and LINE), nothing on stdout.
check_at() {
	name=$1 file=$2 cmd=$3 want=$4 line=$5
	timeout 10 "$MMSCOPE" --root "$SCRATCH/$name" $cmd >"$SCRATCH/out" 2>"$SCRATCH/err"
	got=$?
	msg=$(cat "$SCRATCH/err")
	if [ "$got" != "$want" ]; then
		not_ok "$name" "exit $got, expected $want: $msg"
	elif [ -s "$SCRATCH/out" ]; then
		not_ok "$name" "printed a partial result: $(head -c 100 "$SCRATCH/out")"
	elif [ "$(wc -l <"$SCRATCH/err")" != 1 ]; then
		not_ok "$name" "message is not one line: $msg"
	elif [ "$line" != - ] && ! echo "$msg" | grep -q "$file:$line: "; then
		not_ok "$name" "message does not name $file:$line: $msg"
	elif ! echo "$msg" | grep -q "$file"; then
		not_ok "$name" "message does not name $file: $msg"
	else
		ok "$name ($msg)"
	fi
}

# bad NAME FILE CMD STATUS LINE: bad_at for proc/FILE.
bad() {
	name=$1 file=$2
	shift 2
	bad_at "$name" "proc/$file" "$@"
}

good=$(head -n 1 "$base/proc/buddyinfo")
printf '' | bad buddyinfo-empty buddyinfo frag 2 -
printf '%s\nNode 0, zone   Normal   7641   5346   29' "$good" | bad buddyinfo-truncated-line buddyinfo frag 2 2
printf '%s\nNode 0, zone' "$good" | bad buddyinfo-truncated-prefix buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal  1 2 3\0 4\n' "$good" | bad buddyinfo-binary buddyinfo frag 2 2
head -c 200 /dev/urandom | tr -d '\n' | bad buddyinfo-random buddyinfo frag 2 1
printf '%s\nNode 0, zone   Normal 1 2 3 4 5 6 7 8 9 10 11 12\n' "$good" | bad buddyinfo-too-many-columns buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal 1 2 3 4 5 6 7 8 9 10\n' "$good" | bad buddyinfo-too-few-columns buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal 1 2 3 -4 5 6 7 8 9 10 11\n' "$good" | bad buddyinfo-negative buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal 1 2 3 18446744073709551616 5 6 7 8 9 10 11\n' "$good" | bad buddyinfo-2pow64 buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal 1 2 3 4 5 6 7 8 9 10 18446744073709551615\n' "$good" | bad buddyinfo-free-pages-overflow buddyinfo frag 2 2
printf 'Node x, zone DMA 1 2\n' | bad buddyinfo-bad-node buddyinfo frag 2 1

head -n 60 "$base/proc/zoneinfo" | sed '/^ *min /,$d' | bad zoneinfo-truncated zoneinfo frag 2 -
sed 's/^\( *high *\)[0-9]*/\1-12/' "$base/proc/zoneinfo" | bad zoneinfo-negative zoneinfo frag 2 -
printf '' | bad zoneinfo-empty zoneinfo frag 2 -
sed '5s/^.*$/Node 0, zone      DMA, type    Unmovable 1 2 3/' "$base/proc/pagetypeinfo" | bad pagetypeinfo-short-row pagetypeinfo frag 2 5
head -n 10 "$base/proc/pagetypeinfo" | bad pagetypeinfo-truncated pagetypeinfo frag 2 -
sed '3s/^.*$/pgfault 12 13/' "$base/proc/vmstat" | bad vmstat-three-columns vmstat report 2 3
sed '4s/[0-9][0-9]*$/99999999999999999999/' "$base/proc/vmstat" | bad vmstat-overflow vmstat report 2 4
sed '2s/ kB$/ MB/' "$base/proc/meminfo" | bad meminfo-unknown-unit meminfo report 2 2
sed '1s/^some avg10=[0-9.]*/some avg10=abc/' "$base/proc/pressure/memory" | bad psi-bad pressure/memory report 2 1

# Issue 12, class 1: readers that hung or guessed.

# odd NAME PATH KIND CMD: PATH replaced by a FIFO or a directory: exit 2 naming it, at
# once (a FIFO used to block the open forever).
odd() {
	name=$1 file=$2 kind=$3 cmd=$4
	tree=$SCRATCH/$name
	rm -rf "$tree"
	cp -r "$base" "$tree"
	rm -f "$tree/$file"
	if [ "$kind" = fifo ]; then mkfifo "$tree/$file"; else mkdir "$tree/$file"; fi
	check_at "$name" "$file" "$cmd" 2 -
}

thp=sys/kernel/mm/transparent_hugepage
odd fifo-buddyinfo proc/buddyinfo fifo frag
odd fifo-zoneinfo proc/zoneinfo fifo frag
odd fifo-extfrag_threshold proc/sys/vm/extfrag_threshold fifo frag
odd fifo-meminfo proc/meminfo fifo report
odd fifo-thp-enabled $thp/enabled fifo thp
odd fifo-hpage_pmd_size $thp/hpage_pmd_size fifo thp
odd fifo-smaps_rollup proc/22308/smaps_rollup fifo thp
odd dir-buddyinfo proc/buddyinfo dir frag
odd dir-meminfo proc/meminfo dir report
odd dir-thp-defrag $thp/defrag dir thp

# vm.extfrag_threshold is read: "900\n" is honoured (it was silently 500), and a
# malformed one is bad input, not a silent default.
tree=$SCRATCH/threshold-900
rm -rf "$tree"
cp -r "$base" "$tree"
echo 900 >"$tree/proc/sys/vm/extfrag_threshold"
got=$("$MMSCOPE" -j --root "$tree" frag | python3 -c 'import json,sys; print(json.load(sys.stdin)["extfrag_threshold"])')
if [ "$got" = 0.9 ]; then
	ok "extfrag_threshold-900 (extfrag_threshold $got)"
else
	not_ok extfrag_threshold-900 "extfrag_threshold $got, expected 0.9"
fi
echo lots | bad_at threshold-garbage proc/sys/vm/extfrag_threshold frag 2 1
echo 1001 | bad_at threshold-out-of-range proc/sys/vm/extfrag_threshold frag 2 1
printf '90' | bad_at threshold-cut proc/sys/vm/extfrag_threshold frag 2 1

# A size without its kB was read as bytes (a false "only 0.1% of memory is
# available"): bad input naming the line. HugePages_* are counts: no unit.
sed 's/^\(MemAvailable: *[0-9]*\) kB$/\1/' "$base/proc/meminfo" | bad meminfo-no-kB meminfo report 2 3
sed 's/^\(Rss: *[0-9]*\) kB$/\1/' "$base/proc/22308/smaps_rollup" | bad smaps_rollup-no-kB 22308/smaps_rollup thp 2 2

# A cut single-value sysfs file is not a value: hpage_pmd_size "209" (of 2097152).
echo 209 | bad_at hpage_pmd_size-cut-thp $thp/hpage_pmd_size thp 2 1
echo 209 | bad_at hpage_pmd_size-cut-frag $thp/hpage_pmd_size frag 2 1
printf '209' | bad_at hpage_pmd_size-no-newline $thp/hpage_pmd_size thp 2 1
echo 2 | bad_at use_zero_page-range $thp/use_zero_page thp 2 1
echo 600 | bad_at max_ptes_none-range $thp/khugepaged/max_ptes_none thp 2 1

# memcg --backend text on a --root tree (plain directories, a v1 hierarchy): an empty
# memory.stat is bad input (it was a row of "-" and exit 0); -v names the file.
memcg_tree() {
	tree=$SCRATCH/$1
	rm -rf "$tree"
	mkdir -p "$tree/cg"
	echo 4096 >"$tree/cg/memory.usage_in_bytes"
}
memcg_check() {
	name=$1 want=$2
	timeout 10 "$MMSCOPE" -v --root "$SCRATCH/$name" memcg /cg --backend text -s anon,file \
		>"$SCRATCH/out" 2>"$SCRATCH/err"
	got=$?
	if [ "$got" = 2 ] && [ ! -s "$SCRATCH/out" ] && grep -q "$want" "$SCRATCH/err"; then
		ok "$name ($(tr '\n' ' ' <"$SCRATCH/err"))"
	else
		not_ok "$name" "exit $got, expected 2 and '$want': $(cat "$SCRATCH/err" "$SCRATCH/out")"
	fi
}
memcg_tree memcg-good
printf 'total_cache 4096\ntotal_rss 8192\n' >"$tree/cg/memory.stat"
if "$MMSCOPE" --root "$tree" memcg /cg --backend text -s anon,file | grep -q '8.0K'; then
	ok memcg-text-tree
else
	not_ok memcg-text-tree "$("$MMSCOPE" --root "$tree" memcg /cg --backend text -s anon,file 2>&1)"
fi
memcg_tree memcg-empty-stat
: >"$tree/cg/memory.stat"
memcg_check memcg-empty-stat "cg/memory.stat: empty file"
memcg_tree memcg-bad-line
printf 'total_cache 4096\ntotal_rss\n' >"$tree/cg/memory.stat"
memcg_check memcg-bad-line "cg/memory.stat:2: "
memcg_tree memcg-fifo-stat
mkfifo "$tree/cg/memory.stat"
memcg_check memcg-fifo-stat "cg/memory.stat: not a regular file"

# Missing required files: exit 3, naming the file.
for f in buddyinfo zoneinfo; do
	tree=$SCRATCH/missing-$f
	cp -r "$base" "$tree"
	rm "$tree/proc/$f"
	"$MMSCOPE" --root "$tree" frag >/dev/null 2>"$SCRATCH/err"
	rc=$?
	if [ "$rc" = 3 ] && grep -q "missing: .*proc/$f" "$SCRATCH/err"; then
		ok "missing-$f ($(cat "$SCRATCH/err"))"
	else
		not_ok "missing-$f" "exit $rc: $(cat "$SCRATCH/err")"
	fi
done

# pagetypeinfo is optional: frag works without it and says what it left out.
tree=$SCRATCH/no-pagetypeinfo
cp -r "$base" "$tree"
rm "$tree/proc/pagetypeinfo"
if "$MMSCOPE" --root "$tree" frag | grep -q 'migrate types left out' &&
	[ "$("$MMSCOPE" -j --root "$tree" frag | python3 -c 'import json,sys; print(json.load(sys.stdin)["zones"][0]["migratetypes"])')" = None ]; then
	ok frag-without-pagetypeinfo
else
	not_ok frag-without-pagetypeinfo "did not say what it left out"
fi

# Without root, pagetypeinfo (0400) is unreadable: frag still works from the rest.
if is_root && command -v setpriv >/dev/null; then
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$MMSCOPE" frag >"$SCRATCH/nobody" 2>&1 &&
		grep -q 'migrate types left out: /proc/pagetypeinfo: Permission denied' "$SCRATCH/nobody"; then
		ok frag-as-nobody
	else
		not_ok frag-as-nobody "$(tail -n 3 "$SCRATCH/nobody")"
	fi
fi
