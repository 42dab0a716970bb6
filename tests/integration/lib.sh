# SPDX-License-Identifier: GPL-2.0
# Sourced by every integration test (tests/integration/tNNNN-*.sh): they run the real
# binary on the real kernel, one behaviour per check, and report each check as
#   ok NAME | not ok NAME: WHY | skip NAME: WHY
# which tests/run.sh counts into the closing "N passed, N failed" line.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MMSCOPE=${MMSCOPE:-$TOP/mmscope}
FIXTURES=$TOP/tests/fixtures
SCRATCH=$(mktemp -d /tmp/mmscope-test.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

ok() { echo "ok $1"; }
not_ok() { echo "not ok $1: $2"; }
skip() { echo "skip $1: $2"; }

# check NAME COMMAND...: ok when the command succeeds.
check() {
	name=$1
	shift
	if "$@" >"$SCRATCH/check.out" 2>&1; then
		ok "$name"
	else
		not_ok "$name" "$(head -c 300 "$SCRATCH/check.out" | tr '\n' ' ')"
	fi
}

# expect_status NAME STATUS COMMAND...: ok when the command exits with STATUS.
expect_status() {
	name=$1 want=$2
	shift 2
	"$@" >"$SCRATCH/status.out" 2>"$SCRATCH/status.err"
	got=$?
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $got, expected $want; stderr: $(head -c 200 "$SCRATCH/status.err" | tr '\n' ' ')"
	fi
}

# json_get FILE EXPR: a value from a JSON document, with python3's json module (the
# test machine's python; mmscope itself does not depend on it).
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(eval(sys.argv[2], {"d": d})))' "$1" "$2"
}

is_root() { [ "$(id -u)" = 0 ]; }

# Accessed bits and the TLB (docs/heatmap.md): clear_refs, page_idle and DAMON clear
# a page's accessed bit without flushing the TLB, so a target that has a CPU to
# itself keeps its hot translations cached and its hot pages read as cold. This CPU
# has no PCID: a context switch flushes the TLB. Targets of the heatmap tests run
# on CPU 0 beside share_cpu's ticker (a process that wakes every 10 ms there), as
# most processes share their CPU with others; without it a quiet machine read a
# continuously written hot mapping as never accessed (refs hot 0.0000; DAMON paddr
# hot 0.0003), while on a busy one the same checks passed.
TARGET_CPU=0 # the targets start as `taskset -c $TARGET_CPU TARGET &` ($! is the target)
# share_cpu: starts the ticker (once per test script) and stops it at exit.
SHARE_PID=
share_cpu() {
	[ -n "$SHARE_PID" ] && return 0
	taskset -c $TARGET_CPU python3 -c 'import time
while True: time.sleep(0.01)' &
	SHARE_PID=$!
}
stop_share_cpu() { [ -n "$SHARE_PID" ] && kill "$SHARE_PID" 2>/dev/null; SHARE_PID=; }
