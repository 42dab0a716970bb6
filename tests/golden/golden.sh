#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every case of tests/golden/cases with the binary in $MMSCOPE and writes each
# output into DIR (default: this folder, to record them anew after a change that
# means to change them; t0060-golden.sh writes into a scratch folder and compares).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
MMSCOPE=${MMSCOPE:-$top/mmscope}
out=${1:-$here}
tree=$(mktemp -d /tmp/mmscope-golden.XXXXXX)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/proc" "$out"
cp "$top/tests/fixtures/test-7.2/allocinfo" "$tree/proc/allocinfo"
host=$top/tests/fixtures/host-6.18/root

grep -v '^#' "$here/cases" | while read -r name args; do
	[ -n "$name" ] || continue
	args=$(printf '%s' "$args" | sed "s|@HOST|$host|g; s|@ALLOC|$tree|g")
	for mode in txt json; do
		j=
		[ $mode = json ] && j=-j
		# eval: the cases quote their own arguments ('' is an argument).
		eval "\"\$MMSCOPE\" $j $args" >"$tree/out" 2>"$out/$name.$mode.err"
		echo "exit $?" >>"$out/$name.$mode.err"
		# ts_ns (a monotonic clock reading) is the one figure that differs per run.
		sed 's/"ts_ns":[0-9]*/"ts_ns":0/g' "$tree/out" >"$out/$name.$mode"
	done
done
