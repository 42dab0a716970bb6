#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope alloc: the allocinfo backend on the /proc/allocinfo recorded on the 7.2
# test kernel (under --root): every filter selects what awk selects from the same
# file, JSON keeps its shape, malformed files name their line and exit 2, an unknown
# major version exits 3; on this kernel (no allocation profiling) --backend
# allocinfo exits 3 saying why, as do the backends not built yet.
. "$(dirname "$0")/lib.sh"

tree=$SCRATCH/root
mkdir -p "$tree/proc"
cp "$FIXTURES/test-7.2/allocinfo" "$tree/proc/allocinfo"
ai=$tree/proc/allocinfo

# same NAME AWK_CONDITION MMSCOPE_OPTIONS...: the set of sites (bytes calls
# file:line func) mmscope prints equals the one awk selects ($3 file:line, f the
# file, fn the function, $1 bytes).
same() {
	name=$1 cond=$2
	shift 2
	awk 'NR > 2 { split($3, p, ":"); f = p[1]; fn = substr($4, 6); acc = $5 != "accurate:no" }
	     NR > 2 && ('"$cond"') { print $1, $2, $3, $4 }' "$ai" | sort >"$SCRATCH/want"
	"$MMSCOPE" --root "$tree" -j alloc -n 0 "$@" >"$SCRATCH/got.json" 2>"$SCRATCH/err" ||
		{ not_ok "$name" "exit $?: $(cat "$SCRATCH/err")"; return; }
	python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["sites"]:
    print(s["bytes"], s["calls"], "%s:%d" % (s["file"], s["line"]), "func:" + s["func"])
' "$SCRATCH/got.json" | sort >"$SCRATCH/got"
	if cmp -s "$SCRATCH/want" "$SCRATCH/got"; then
		ok "$name ($(wc -l <"$SCRATCH/want") sites)"
	else
		not_ok "$name" "$(diff "$SCRATCH/want" "$SCRATCH/got" | head -5 | tr '\n' ' ')"
	fi
}

same filter-none '1'
same filter-file-substring 'index(f, "slub")' --file slub
same filter-file-glob 'index(f, "mm/") == 1' --file 'mm/*'
same filter-func-glob 'index(fn, "alloc_") == 1' --func 'alloc_*'
same filter-func-substring 'index(fn, "kmalloc")' --func kmalloc
same filter-builtin '$4 !~ /^\[/' --module ''
same filter-module 'index($4, "[ext4]")' --module ext4
same filter-line 'p[2] == 3282' --line 3282
same filter-min '$1 >= 1048576' --min-size 1M
same filter-range '$1 >= 65536 && $1 <= 1048576' --min-size 64K --max-size 1048576
same filter-inaccurate '!acc' --inaccurate
same filter-accurate 'acc' --accurate
same filter-compound 'index(f, "mm/") && $1 >= 100000' --file mm/ --min-size 100000

# Sorting and top N: the first row is sort -rn's first line.
first=$(tail -n +3 "$ai" | sort -rn | head -n 1 | awk '{ print $1 }')
"$MMSCOPE" --root "$tree" -j alloc -n 1 >"$SCRATCH/top.json"
got=$(json_get "$SCRATCH/top.json" 'd["sites"][0]["bytes"]')
[ "$got" = "$first" ] && ok "top-bytes ($got)" || not_ok top-bytes "got $got, sort -rn $first"
n=$(json_get "$SCRATCH/top.json" 'len(d["sites"])')
[ "$n" = 1 ] && ok top-n || not_ok top-n "$n sites for -n 1"
shape=$(json_get "$SCRATCH/top.json" 'sorted(d["sites"][0].keys())')
want='["accurate", "bytes", "calls", "file", "func", "line", "module"]'
[ "$shape" = "$want" ] && ok json-keys || not_ok json-keys "$shape"
b=$(json_get "$SCRATCH/top.json" 'd["backend"]')
[ "$b" = '"allocinfo"' ] && ok json-backend || not_ok json-backend "$b"
"$MMSCOPE" --root "$tree" -j alloc --sort calls -n 1 >"$SCRATCH/calls.json"
firstc=$(tail -n +3 "$ai" | sort -k2,2rn | head -n 1 | awk '{ print $2 }')
got=$(json_get "$SCRATCH/calls.json" 'd["sites"][0]["calls"]')
[ "$got" = "$firstc" ] && ok "top-calls ($got)" || not_ok top-calls "got $got, want $firstc"
check table "$MMSCOPE" --root "$tree" alloc --file slub
grep -q 'mm/slub.c:3282' "$SCRATCH/check.out" && ok table-site || not_ok table-site "$(head -3 "$SCRATCH/check.out")"
check diff-root "$MMSCOPE" --root "$tree" -j alloc --diff 0.1
d=$(json_get "$SCRATCH/check.out" 'len(d["sites"])')
[ "$d" = 0 ] && ok diff-unchanged || not_ok diff-unchanged "$d sites grew in a recorded file"

# Usage errors: exit 2.
expect_status bad-sort 2 "$MMSCOPE" --root "$tree" alloc --sort size
expect_status growth-needs-diff 2 "$MMSCOPE" --root "$tree" alloc --sort growth
expect_status bad-size 2 "$MMSCOPE" --root "$tree" alloc --min-size 12Q
expect_status min-over-max 2 "$MMSCOPE" --root "$tree" alloc --min-size 2M --max-size 1M
expect_status diff-and-interval 2 "$MMSCOPE" --root "$tree" alloc --diff 1 1
expect_status both-accuracies 2 "$MMSCOPE" --root "$tree" alloc --accurate --inaccurate
expect_status bad-backend 2 "$MMSCOPE" --root "$tree" alloc --backend magic

# Malformed files: exit 2, one line naming proc/allocinfo:LINE, nothing on stdout.
bad() {
	name=$1 line=$2
	cat >"$ai"
	"$MMSCOPE" --root "$tree" alloc >"$SCRATCH/out" 2>"$SCRATCH/err"
	got=$?
	msg=$(cat "$SCRATCH/err")
	if [ "$got" != 2 ]; then
		not_ok "$name" "exit $got: $msg"
	elif [ -s "$SCRATCH/out" ]; then
		not_ok "$name" "printed $(head -c 100 "$SCRATCH/out")"
	elif [ "$line" = - ] && ! echo "$msg" | grep -q "proc/allocinfo: "; then
		not_ok "$name" "does not name proc/allocinfo: $msg"
	elif [ "$line" != - ] && ! echo "$msg" | grep -q "proc/allocinfo:$line: "; then
		not_ok "$name" "does not name proc/allocinfo:$line: $msg"
	else
		ok "$name ($msg)"
	fi
}
hdr='allocinfo - version: 2.0
#     <size>  <calls> <tag info>'
printf '' | bad malformed-empty -
printf '%s\n  4096 1 mm/a.c:12\n' "$hdr" | bad malformed-no-func 3
printf '%s\n  4096 1 mm/a.c:12 func:f \n  40k6 1 mm/a.c:13 func:g \n' "$hdr" | bad malformed-size 4
printf '%s\n  4096 1 mm/a.c:12 func:f \n  4096 1 mm/a.c' "$hdr" | bad malformed-cut 4
printf '%s\n  4096 1 mm/a.c:12 func:f accurate:maybe\n' "$hdr" | bad malformed-accurate 3
printf 'allocinfo - version: 3.0\n#\n' >"$ai"
expect_status unknown-major 3 "$MMSCOPE" --root "$tree" alloc
grep -q '3.0' "$SCRATCH/status.err" && ok unknown-major-says || not_ok unknown-major-says "$(cat "$SCRATCH/status.err")"
rm -f "$ai"
expect_status missing-file 3 "$MMSCOPE" --root "$tree" alloc

# This machine: no allocation profiling; asking for allocinfo exits 3 naming it.
if [ -e /proc/allocinfo ]; then
	skip live-no-allocinfo "this kernel has /proc/allocinfo"
else
	expect_status live-no-allocinfo 3 "$MMSCOPE" alloc --backend allocinfo
	grep -q '/proc/allocinfo' "$SCRATCH/status.err" && ok live-says-why ||
		not_ok live-says-why "$(cat "$SCRATCH/status.err")"
fi
# ioctl and bpf-tags need the live kernel's allocation tags: under --root, and on
# this machine (no allocation profiling, no kernel with the ioctl), exit 3 saying why.
expect_status root-ioctl 3 "$MMSCOPE" --root "$tree" alloc --backend ioctl
grep -q 'live kernel' "$SCRATCH/status.err" && ok root-ioctl-says ||
	not_ok root-ioctl-says "$(cat "$SCRATCH/status.err")"
expect_status root-bpf-tags 3 "$MMSCOPE" --root "$tree" alloc --backend bpf-tags
grep -q 'live kernel' "$SCRATCH/status.err" && ok root-bpf-tags-says ||
	not_ok root-bpf-tags-says "$(cat "$SCRATCH/status.err")"
expect_status bad-backend 2 "$MMSCOPE" alloc --backend nosuch
if [ -e /proc/allocinfo ]; then
	skip live-ioctl "this kernel has /proc/allocinfo"
else
	expect_status live-ioctl 3 "$MMSCOPE" alloc --backend ioctl
	grep -q '/proc/allocinfo' "$SCRATCH/status.err" && ok live-ioctl-says ||
		not_ok live-ioctl-says "$(cat "$SCRATCH/status.err")"
	if is_root; then
		# The walker loads (vmlinux BTF has the tag types) but finds no tags.
		expect_status live-bpf-tags 3 "$MMSCOPE" alloc --backend bpf-tags
		grep -q 'alloc_tags' "$SCRATCH/status.err" && ok live-bpf-tags-says ||
			not_ok live-bpf-tags-says "$(cat "$SCRATCH/status.err")"
		# Automatic choice skips all three: features shows the order and why.
		"$MMSCOPE" features > "$SCRATCH/features.out"
		line=$(grep '^alloc ' "$SCRATCH/features.out")
		case $line in
		*bpf-trace*ioctl*bpf-tags*allocinfo*) ok features-alloc-order ;;
		*) not_ok features-alloc-order "$line" ;;
		esac
	else
		skip live-bpf-tags "needs root"
	fi
fi
