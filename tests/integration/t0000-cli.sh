#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The command-line contract: help, version, dispatch, global options anywhere,
# and exit status 2 with a usage message for anything it does not understand.
. "$(dirname "$0")/lib.sh"

check version sh -c '"$0" -V | grep -q "^mmscope "' "$MMSCOPE"
check help-lists-commands sh -c '"$0" -h | grep -q "frag" && "$0" --help | grep -q features' "$MMSCOPE"
check help-command sh -c '"$0" help frag | grep -q "usage: mmscope .*frag"' "$MMSCOPE"
check command-h-is-help sh -c '"$0" frag -h | grep -q "usage: mmscope .*frag"' "$MMSCOPE"
expect_status unknown-command 2 "$MMSCOPE" nosuchcommand
expect_status no-prefix-matching 2 "$MMSCOPE" fra
expect_status help-unknown-command 2 "$MMSCOPE" help nosuch
expect_status unknown-option 2 "$MMSCOPE" frag --bogus
expect_status unknown-global-option 2 "$MMSCOPE" --bogus
expect_status root-without-dir 2 "$MMSCOPE" frag --root
expect_status root-not-a-directory 2 "$MMSCOPE" --root /nonexistent/dir frag
expect_status interval-zero 2 "$MMSCOPE" frag 0
expect_status interval-garbage 2 "$MMSCOPE" frag 1x
expect_status count-negative 2 "$MMSCOPE" frag 1 -3
expect_status too-many-args 2 "$MMSCOPE" frag 1 2 3
expect_status features-takes-no-args 2 "$MMSCOPE" features extra
expect_status report-bad-interval 2 "$MMSCOPE" report -i -1

# Global options before or after the command mean the same.
"$MMSCOPE" -j --root "$FIXTURES/host-6.18/root" frag >"$SCRATCH/a" 2>&1
"$MMSCOPE" frag --root "$FIXTURES/host-6.18/root" --json >"$SCRATCH/b" 2>&1
if cmp -s "$SCRATCH/a" "$SCRATCH/b" && python3 -m json.tool "$SCRATCH/a" >/dev/null; then
	ok global-options-anywhere
else
	not_ok global-options-anywhere "outputs differ or are not JSON"
fi

# Errors under -j are JSON objects too.
"$MMSCOPE" -j --root /nonexistent frag >"$SCRATCH/err.json" 2>/dev/null
"$MMSCOPE" -j --root "$SCRATCH" frag >"$SCRATCH/err.json" 2>/dev/null
rc=$?
if [ "$rc" = 3 ] && [ "$(json_get "$SCRATCH/err.json" 'd["error"]["status"]')" = 3 ]; then
	ok json-error-object
else
	not_ok json-error-object "exit $rc: $(cat "$SCRATCH/err.json")"
fi

# No command runs the report.
if timeout 20 "$MMSCOPE" --root "$FIXTURES/host-6.18/root" | grep -q '^findings'; then
	ok no-command-is-report
else
	not_ok no-command-is-report "no findings section"
fi

# Streams end on SIGINT with status 0.
"$MMSCOPE" frag 0.2 >"$SCRATCH/stream" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
if [ "$rc" = 0 ] && grep -q 's later' "$SCRATCH/stream"; then
	ok sigint-ends-stream-cleanly
else
	not_ok sigint-ends-stream-cleanly "exit $rc"
fi
