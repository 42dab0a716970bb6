#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every guest test NN-name.sh in this directory, in order, each under a
# timeout, and prints its output indented, then one result line:
#   MMSCOPE-TEST <kernel> <name> PASS|FAIL|SKIP <text>
# A test that prints no verdict (crashed, killed, timed out) is a FAIL.
# Used by the VM's /init and by run.sh for the native (host) kernel.
# Environment: MMSCOPE_VM_KERNEL (tag, required), MMSCOPE_VM=1 in VMs only,
# MMSCOPE_VM_BREAK=1 also runs 99-broken.sh, which must fail; MMSCOPE_VM_ONLY=PATTERN
# runs only the tests whose name matches.
set -eu

dir=$(cd "$(dirname "$0")" && pwd)
: "${MMSCOPE_VM_KERNEL:?set MMSCOPE_VM_KERNEL to the kernel tag}"
test_timeout=${MMSCOPE_TEST_TIMEOUT:-120}
tmp=$(mktemp -d)
export MMSCOPE_RESULT="$tmp/result"

for t in "$dir"/[0-9][0-9]-*.sh; do
	name=${t##*/}
	name=${name#[0-9][0-9]-}
	name=${name%.sh}
	if [ "$name" = broken ] && [ "${MMSCOPE_VM_BREAK:-0}" != 1 ]; then
		continue
	fi
	# The timing guest (one vCPU, instruction-counted clock) runs the latency
	# comparison alone; the other guests leave it to that one.
	if [ "$name" = drsnoop ] && [ "${MMSCOPE_VM:-0}" = 1 ] && [ "${MMSCOPE_VM_TIMING:-0}" != 1 ]; then
		continue
	fi
	# MMSCOPE_VM_ONLY: a shell pattern of test names to run (development runs),
	# matched against the name and against the file's NN-name (so '47*' works too).
	# shellcheck disable=SC2254
	base=${t##*/}
	case $name in ${MMSCOPE_VM_ONLY:-*}) ;; *)
		case ${base%.sh} in ${MMSCOPE_VM_ONLY:-*}) ;; *) continue ;; esac ;;
	esac
	# MMSCOPE_VM_TESTS: the comma-separated subset a slow guest runs (arm64 under
	# TCG); the others are reported as skipped, with that reason.
	case ,${MMSCOPE_VM_TESTS:-$name}, in *,$name,*) ;; *)
		echo "MMSCOPE-TEST $MMSCOPE_VM_KERNEL $name SKIP not in this guest's subset ($MMSCOPE_VM_TESTS: every instruction emulated, see tests/vm/README.md)"
		continue ;;
	esac
	rm -f "$MMSCOPE_RESULT"
	# Each test starts from the same memory: what an earlier test left in the page
	# cache must not starve the next one (the VM only: never on the host).
	if [ "${MMSCOPE_VM:-0}" = 1 ]; then
		sync
		echo 3 > /proc/sys/vm/drop_caches
	fi
	echo "== $MMSCOPE_VM_KERNEL $name"
	rc=0
	timeout -s KILL "$test_timeout" sh "$t" > "$tmp/out" 2>&1 || rc=$?
	sed 's/^/    /' "$tmp/out"
	if [ -s "$MMSCOPE_RESULT" ]; then
		verdict=$(cat "$MMSCOPE_RESULT")
	elif [ "$rc" -ge 128 ]; then
		verdict="FAIL killed by signal $((rc - 128)) (timeout ${test_timeout}s?)"
	else
		verdict="FAIL no verdict printed (exit $rc)"
	fi
	echo "MMSCOPE-TEST $MMSCOPE_VM_KERNEL $name $verdict"
done
rm -rf "$tmp"
