#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs test programs and adds their results into one closing line, "N passed, N failed"
# (", N skipped" when any were), which CI reads. cmocka binaries report through their
# "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" summary; integration scripts
# print "ok NAME", "not ok NAME" or "skip NAME: why" per test (see tests/integration/lib.sh).
# Exit status: 0 only when nothing failed and something ran.
set -u
mode=$1
shift
passed=0 failed=0 skipped=0
log=$(mktemp)
fails=$(mktemp)
trap 'rm -f "$log" "$fails"' EXIT

for t in "$@"; do
	[ -e "$t" ] || continue
	case "$t" in
	*.sh)
		printf '== %s\n' "$t"
		sh "$t" >"$log" 2>&1
		rc=$?
		cat "$log"
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		s=$(grep -c '^skip ' "$log")
		# A script that died without reporting counts as one failure.
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			echo "not ok $t: exited $rc"
			echo "not ok $t: exited $rc" >> "$fails"
			f=1
		fi
		grep '^not ok ' "$log" | sed "s|^|$t: |" >> "$fails"
		;;
	*)
		printf '== %s\n' "$t"
		CMOCKA_MESSAGE_OUTPUT=stdout "$t" >"$log" 2>&1
		rc=$?
		cat "$log"
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		p=${p:-0} f=${f:-0} s=0
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			echo "FAILED: $t exited $rc"
			f=1
		fi
		[ "$f" = 0 ] || { grep "^\[  FAILED  \] [^0-9]" "$log"; echo "exited $rc"; } |
			sed "s|^|$t: |" >> "$fails"
		;;
	esac
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

echo
# The failures again, just above the closing line: a CI log cut to its tail still names them.
if [ -s "$fails" ]; then
	echo "failed:"
	cat "$fails"
fi
if [ "$skipped" != 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ] && [ "$passed" != 0 ]
