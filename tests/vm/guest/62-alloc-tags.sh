# SPDX-License-Identifier: GPL-2.0
# alloc-tags: on a kernel with allocation profiling, the bpf-tags backend (BPF
# walks the allocation tags, filters in the kernel) against the allocinfo backend
# (the text): for every filter, allocinfo, bpf-tags, allocinfo again; the three
# must select the same sites (name, line and accuracy filters: exactly; size
# filters: every site whose values did not change between the two allocinfo reads),
# and bpf-tags must show the same bytes and calls at every site quiescent between
# the two allocinfo reads, but for a few sites moved by the readers themselves
# (each allocinfo read holds /proc/allocinfo open: a file, a seq_file and its
# buffer; each run is a process of its own: fork, page tables, BPF): at most 2% + 8,
# counted and shown.
# Then --diff with bpf-tags sees a burst of pipes at alloc_pipe_info; automatic
# choice is bpf-tags (features says so); --backend ioctl exits 3 with ENOTTY.
set -eu
. "$(dirname "$0")/lib.sh"

# Set operations on line files (busybox has no comm). both A B: lines of B in A;
# minus A B: lines of B not in A.
both() { awk 'NR == FNR { a[$0] = 1; next } ($0 in a)' "$1" "$2"; }
minus() { awk 'NR == FNR { a[$0] = 1; next } !($0 in a)' "$1" "$2"; }

[ -e /proc/allocinfo ] || skip "no /proc/allocinfo (no allocation profiling)"
[ "$(id -u)" = 0 ] || skip "/proc/allocinfo and BPF need root"
command -v pipes > /dev/null || skip "no pipes helper"

failed=

# sites JSON: "bytes calls file:line func module accurate" per site.
sites() {
	tr '{' '\n' < "$1" |
		sed -n 's/^"bytes":\(-*[0-9]*\),"calls":\([0-9]*\),"file":"\([^"]*\)","line":\([0-9]*\),"func":"\([^"]*\)","module":\([^,]*\),"accurate":\([a-z]*\).*/\1 \2 \3:\4 \5 \6 \7/p' |
		sort -k3
}

# ioctl: no kernel answers it; forced, it exits 3 naming ENOTTY.
rc=0
mmscope alloc --backend ioctl > /tmp/ioctl.out 2>&1 || rc=$?
if [ $rc = 3 ] && grep -q 'does not answer the allocinfo ioctl (ENOTTY)' /tmp/ioctl.out; then
	echo "ok ioctl: exit 3: $(cat /tmp/ioctl.out)"
else
	echo "not ok ioctl: exit $rc: $(cat /tmp/ioctl.out)"
	failed="$failed ioctl"
fi

# Automatic choice: bpf-tags, and features says so.
mmscope -j features > /tmp/features.json
if tr '}' '\n' < /tmp/features.json | grep -q '"alloc":{"backend":"bpf-tags"'; then
	echo "ok features: alloc backend bpf-tags"
else
	echo "not ok features: $(tr '}' '\n' < /tmp/features.json | grep '"alloc":')"
	failed="$failed features"
fi
mmscope -j alloc -n 1 > /tmp/auto.json
if grep -q '"backend":"bpf-tags"' /tmp/auto.json; then
	echo "ok auto: bpf-tags"
else
	echo "not ok auto: $(head -c 200 /tmp/auto.json)"
	failed="$failed auto"
fi

ai=/tmp/ai.txt
cat /proc/allocinfo > $ai
top_line=$(tail -n +3 $ai | sort -rn | head -n 1 | awk '{ split($3, p, ":"); print p[2] }')
total_q=0 total_eq=0 total_sites=0 checked=0

# agree NAME KIND OPTIONS...: KIND "names" (same sites exactly) or "sizes" (same
# quiescent sites).
agree() {
	name=$1 kind=$2
	shift 2
	if ! mmscope -j alloc --backend allocinfo -n 0 "$@" > /tmp/a1.json 2> /tmp/err ||
		! mmscope -j alloc --backend bpf-tags -n 0 "$@" > /tmp/t.json 2>> /tmp/err ||
		! mmscope -j alloc --backend allocinfo -n 0 "$@" > /tmp/a2.json 2>> /tmp/err; then
		echo "not ok $name: exit: $(cat /tmp/err)"
		failed="$failed $name(exit)"
		return
	fi
	sites /tmp/a1.json > /tmp/a1
	sites /tmp/t.json > /tmp/t
	sites /tmp/a2.json > /tmp/a2
	# Quiescent: the same line (values included) in both allocinfo reads.
	both /tmp/a1 /tmp/a2 > /tmp/q
	# Every quiescent site must be in bpf-tags' answer with the same values;
	# those that are not (moved by the bpf-tags process itself) are listed.
	minus /tmp/t /tmp/q > /tmp/qmiss
	q=$(wc -l < /tmp/q)
	miss=$(wc -l < /tmp/qmiss)
	if [ "$kind" = names ]; then
		# The same set of sites, whatever their values.
		awk '{ print $3, $4, $5 }' /tmp/a1 | sort > /tmp/k1
		awk '{ print $3, $4, $5 }' /tmp/t | sort > /tmp/kt
		if ! cmp -s /tmp/k1 /tmp/kt; then
			echo "not ok $name: sites differ: allocinfo $(wc -l < /tmp/k1), bpf-tags $(wc -l < /tmp/kt)"
			diff /tmp/k1 /tmp/kt | head -5
			failed="$failed $name(sites)"
			return
		fi
	else
		# Sizes: a bpf-tags site must be in one of the allocinfo reads, but for
		# the sites of the allocinfo readers' own open /proc/allocinfo (its file,
		# its seq_file and buffer: one more allocation there while they read).
		awk '{ print $3, $4, $5 }' /tmp/a1 /tmp/a2 | sort -u > /tmp/k12
		awk '{ print $3, $4, $5 }' /tmp/t |
			grep -v -E '^(fs/seq_file.c|fs/proc/inode.c|fs/file_table.c):' | sort > /tmp/kt
		extra=$(minus /tmp/k12 /tmp/kt | wc -l)
		if [ "$extra" -gt 2 ]; then
			echo "not ok $name: $extra bpf-tags sites in neither allocinfo read"
			minus /tmp/k12 /tmp/kt | head -5
			failed="$failed $name(extra)"
			return
		fi
	fi
	# At most 1% + 5 of the quiescent sites may differ (the readers' own).
	if [ "$miss" -gt $((q / 50 + 8)) ]; then
		echo "not ok $name: $miss of $q quiescent sites differ: $(head -3 /tmp/qmiss | tr '\n' ';')"
		failed="$failed $name(values)"
		return
	fi
	echo "ok $name: $(wc -l < /tmp/t) sites; $((q - miss)) of $q quiescent equal" \
		"$([ "$miss" = 0 ] || echo "(differ: $(awk '{ print $3, $4 }' /tmp/qmiss | head -4 | tr '\n' ';'))")"
	total_q=$((total_q + q))
	total_eq=$((total_eq + q - miss))
	total_sites=$((total_sites + $(wc -l < /tmp/t)))
	checked=$((checked + 1))
}

agree none names
agree file-substring names --file mm/
agree file-glob names --file 'fs/*'
agree file-slub names --file mm/slub.c
agree func-substring names --func kmalloc
agree func-glob names --func 'alloc_*'
agree func-glob-mid names --func '*_[ps]ipe*'
agree builtin names --module ''
agree module-none names --module nosuchmodule
agree line names --line "$top_line"
agree inaccurate names --inaccurate
agree accurate names --accurate
agree compound-func-line names --func alloc --line "$top_line"
agree min-1M sizes --min-size 1M
agree range sizes --min-size 64K --max-size 1M
agree zero sizes --max-size 0
agree compound sizes --file mm/ --min-size 100000

# --diff with bpf-tags around a burst of pipes: alloc_pipe_info's growth is known.
n=4000
mmscope -j alloc --backend bpf-tags --diff 6 --func alloc_pipe_info -n 0 > /tmp/diff-pipe.json \
	2> /tmp/diff.err &
d1=$!
sleep 2
pipes_start $n
wait $d1 || failed="$failed diff-exit($(cat /tmp/diff.err))"
pipes_stop
calls=$(sites_sum calls_delta /tmp/diff-pipe.json)
bytes=$(sites_sum bytes_delta /tmp/diff-pipe.json)
if grep -q '"backend":"bpf-tags"' /tmp/diff-pipe.json &&
	[ "$calls" -ge $((2 * n * 95 / 100)) ] && [ "$calls" -le $((2 * n * 110 / 100)) ] &&
	[ "$bytes" -ge $((n * 512)) ] && [ "$bytes" -le $((n * 8192)) ]; then
	echo "ok diff: alloc_pipe_info +$calls calls +$bytes bytes for $n pipes"
else
	echo "not ok diff: alloc_pipe_info +$calls calls +$bytes bytes for $n pipes: $(head -c 300 /tmp/diff-pipe.json)"
	failed="$failed diff"
fi

[ -z "$failed" ] || fail "failed:$failed"
pass "$checked filters agree ($total_sites sites; $total_eq of $total_q quiescent sites equal);" \
	"ioctl exit 3 ENOTTY; auto bpf-tags; diff alloc_pipe_info +$calls calls +$bytes bytes"
