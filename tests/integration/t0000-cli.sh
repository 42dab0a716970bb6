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
# An unknown global option: one line of reason, one pointing at -h.
"$MMSCOPE" --bogus >/dev/null 2>"$SCRATCH/g.err"
rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$SCRATCH/g.err")" = 2 ] && grep -q "^mmscope: unknown option '--bogus'" "$SCRATCH/g.err" &&
	ok unknown-global-option-two-lines || not_ok unknown-global-option-two-lines "exit $rc: $(tr '\n' '|' <"$SCRATCH/g.err")"
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

# signal_ends NAME SIG SECONDS PATTERN ARGS...: "mmscope ARGS" given SIG after
# SECONDS exits 0 with PATTERN in its output (its last output or summary).
signal_ends() {
	name=$1 sig=$2 secs=$3 pattern=$4
	shift 4
	"$MMSCOPE" "$@" >"$SCRATCH/stream" 2>&1 &
	pid=$!
	sleep "$secs"
	kill -"$sig" $pid
	wait $pid
	rc=$?
	if [ "$rc" = 0 ] && grep -q "$pattern" "$SCRATCH/stream"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc: $(tail -c 200 "$SCRATCH/stream" | tr '\n' ' ')"
	fi
}

# Streams end on SIGINT with status 0.
signal_ends sigint-ends-stream-cleanly INT 1 's later' frag 0.2

# One path for an option a command does not take, in every command: exit 2, the
# option named on stderr, and under -j exactly one JSON error document on stdout
# naming it too. bad_option NAME OPTION ARGS...: ARGS run as "mmscope ARGS".
bad_option() {
	name=$1 opt=$2
	shift 2
	"$MMSCOPE" "$@" >"$SCRATCH/bo.out" 2>"$SCRATCH/bo.err"
	rc=$?
	# The message carries "mmscope CMD:", and one line points at the usage (not
	# the usage itself: the reason would scroll away).
	cmd=$1
	if [ "$rc" != 2 ]; then
		not_ok "$name" "exit $rc, expected 2"
	elif ! grep -q -- "^mmscope $cmd: .*option $opt" "$SCRATCH/bo.err"; then
		not_ok "$name" "stderr does not name $opt after 'mmscope $cmd:': $(head -c 200 "$SCRATCH/bo.err" | tr '\n' ' ')"
	elif [ "$(wc -l <"$SCRATCH/bo.err")" != 2 ] ||
		[ "$(tail -n 1 "$SCRATCH/bo.err")" != "Run 'mmscope help $cmd' for its usage." ]; then
		not_ok "$name" "not two lines ending in the help pointer: $(head -c 300 "$SCRATCH/bo.err" | tr '\n' '|')"
	else
		ok "$name"
	fi
	"$MMSCOPE" -j "$@" >"$SCRATCH/bo.json" 2>/dev/null
	rc=$?
	# json.load reads the whole output: a second document or a stray line fails it.
	if [ "$rc" = 2 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = d["error"]
assert e["status"] == 2 and sys.argv[2] in e["message"] and e["command"], d
' "$SCRATCH/bo.json" "$opt" 2>/dev/null; then
		ok "$name-json"
	else
		not_ok "$name-json" "exit $rc, stdout: $(head -c 200 "$SCRATCH/bo.json" | tr '\n' ' ')"
	fi
}
for cmd in report features frag "frag --events" thp reclaim compact memcg alloc heatmap; do
	tag=$(echo "$cmd" | tr -d ' -')
	# shellcheck disable=SC2086 # "frag --events" is two words
	bad_option "$tag-unknown-long-option" --bogus $cmd --bogus
	# shellcheck disable=SC2086
	bad_option "$tag-unknown-short-option" -x $cmd -x
done
# A value missing, for every command that has an option taking one (features and
# frag have none; frag --events does).
bad_option report-missing-value -i report -i
bad_option report-missing-long-value --interval report --interval
bad_option fragevents-missing-value -p frag --events -p
bad_option thp-missing-value -n thp -n
bad_option reclaim-missing-value -d reclaim -d
bad_option compact-missing-long-value --duration compact --duration
bad_option memcg-missing-value --sort memcg --sort
bad_option alloc-missing-value --diff alloc --diff
bad_option heatmap-missing-value -d heatmap -d
bad_option memcg-flag-with-value --self memcg --self=1

# --events is frag's mode switch, not an option of the other tracers.
bad_option reclaim-no-events --events reclaim --events
bad_option compact-no-events --events compact --events

# -d is one parser with one range (above 0, at most a year) in every command.
for cmd in reclaim compact "frag --events" "heatmap -p 1"; do
	tag=$(echo "$cmd" | tr -d ' -' | tr -d 0-9)
	# shellcheck disable=SC2086
	expect_status "$tag-duration-zero" 2 "$MMSCOPE" $cmd -d 0
	grep -q -- "-d '0': expected seconds above 0 and at most 31536000" "$SCRATCH/status.err" &&
		ok "$tag-duration-message" || not_ok "$tag-duration-message" "$(head -c 200 "$SCRATCH/status.err")"
	# shellcheck disable=SC2086
	expect_status "$tag-duration-above-a-year" 2 "$MMSCOPE" $cmd -d 31536001
done

# INTERVAL has one minimum, 0.01 s, in every command that takes one (below it a
# stream was a busy loop: frag 0.0001 printed thousands of snapshots a second).
for cmd in frag thp memcg alloc reclaim compact "frag --events"; do
	tag=$(echo "$cmd" | tr -d ' -')
	# shellcheck disable=SC2086
	expect_status "$tag-interval-below-minimum" 2 timeout 10 "$MMSCOPE" $cmd 0.001 1
	grep -q "INTERVAL '0.001': expected seconds from 0.01 to 86400" "$SCRATCH/status.err" &&
		ok "$tag-interval-minimum-message" || not_ok "$tag-interval-minimum-message" "$(head -c 200 "$SCRATCH/status.err")"
done
expect_status interval-at-minimum 0 timeout 10 "$MMSCOPE" --root "$FIXTURES/host-6.18/root" frag 0.01 2

# memcg -s with no statistic named is bad usage, not the default set.
expect_status memcg-empty-stats 2 timeout 10 "$MMSCOPE" memcg /nonexistent -s ''
grep -q -- "-s '': no statistic named" "$SCRATCH/status.err" && ok memcg-empty-stats-message ||
	not_ok memcg-empty-stats-message "$(head -c 200 "$SCRATCH/status.err")"
expect_status memcg-commas-only-stats 2 timeout 10 "$MMSCOPE" memcg /nonexistent -s ,,
grep -q -- "-s ',,': no statistic named" "$SCRATCH/status.err" && ok memcg-commas-only-stats-message ||
	not_ok memcg-commas-only-stats-message "$(head -c 200 "$SCRATCH/status.err")"

# -p of a process that is not there: exit 2 naming it, before any BPF is loaded.
sh -c 'exit 0' &
gone=$!
wait $gone
for cmd in reclaim compact "frag --events"; do
	tag=$(echo "$cmd" | tr -d ' -')
	# shellcheck disable=SC2086
	expect_status "$tag-pid-not-there" 2 timeout 10 "$MMSCOPE" $cmd -p $gone -d 1
	grep -q -- "-p $gone: no such process" "$SCRATCH/status.err" && ok "$tag-pid-not-there-message" ||
		not_ok "$tag-pid-not-there-message" "$(head -c 200 "$SCRATCH/status.err")"
done

# A very long path argument: the message keeps its reason (the path is shortened
# in its middle with "...").
long=/$(head -c 100000 /dev/zero | tr '\0' a)
for args in "--root $long frag" "memcg $long" "reclaim -c $long"; do
	tag=long-path-$(echo "$args" | cut -d' ' -f1 | tr -d -)
	# shellcheck disable=SC2086
	"$MMSCOPE" $args >/dev/null 2>"$SCRATCH/long.err"
	rc=$?
	n=$(wc -c <"$SCRATCH/long.err")
	if [ "$rc" = 0 ] || [ "$n" -gt 1100 ] || ! grep -q 'aaa\.\.\.aaa' "$SCRATCH/long.err" ||
		! grep -qE ': (not a directory|File name too long|no such cgroup)' "$SCRATCH/long.err"; then
		not_ok "$tag" "exit $rc, $n bytes: $(head -c 100 "$SCRATCH/long.err")...$(tail -c 100 "$SCRATCH/long.err")"
	else
		ok "$tag"
	fi
done

# SIGHUP (a closed terminal) ends a stream like SIGTERM: status 0, last output there.
signal_ends sighup-ends-frag-cleanly HUP 1.6 's later' frag 1
if is_root; then
	signal_ends sighup-ends-reclaim-with-summary HUP 2 '^summary over' reclaim -d 30
else
	skip sighup-ends-reclaim-with-summary "needs root"
fi
