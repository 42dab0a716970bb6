#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Output that cannot be written is a failure (docs/output-errors.md): with stdout on
# /dev/full or closed, every command, in text and under -j, exits 1 with
# "mmscope CMD: writing output: WHY" on stderr; streams stop at the first failed
# write; a closed pipe ends the run quietly with status 1; a closed stdout never
# becomes a file the command opens (heatmap's target's clear_refs).
. "$(dirname "$0")/lib.sh"

HOST=$FIXTURES/host-6.18/root
# The allocinfo tree as tests/golden/golden.sh builds it.
ALLOC=$SCRATCH/alloc
mkdir -p "$ALLOC/proc"
cp "$FIXTURES/test-7.2/allocinfo" "$ALLOC/proc/allocinfo"

# A memory cgroup of our own for memcg (never the whole hierarchy, never process_api).
CG=
MEMCG_MNT=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts)
[ -z "$MEMCG_MNT" ] && MEMCG_MNT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if is_root && [ -n "$MEMCG_MNT" ] && mkdir "$MEMCG_MNT/mmscope-t0210-$$" 2>/dev/null; then
	CG=$MEMCG_MNT/mmscope-t0210-$$
fi
cleanup() {
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# Every command: "TAG|NEEDS|ARGS" (NEEDS: root, cg or -).
cases() {
	cat <<EOF
report|-|report
features|-|features
frag|-|frag
frag-repeat|-|frag 0.05 2
thp|-|thp
memcg|cg|memcg @CG
alloc|-|--root $ALLOC alloc -n 5
reclaim|root|reclaim -d 1
compact|root|compact -d 1
frag-events|root|frag --events -d 1
heatmap|root|heatmap --source refs --aggregate 300 --frames 1 -- sleep 3
EOF
}

# run_case TAG J HOW ARGS...: runs "mmscope J ARGS" with stdout redirected as HOW
# (full: /dev/full, closed: >&-); status in $rc, stderr in $SCRATCH/err.
run_case() {
	how=$2
	shift 2
	case $how in
	full) timeout 60 "$MMSCOPE" "$@" >/dev/full 2>"$SCRATCH/err" ;;
	closed) timeout 60 "$MMSCOPE" "$@" >&- 2>"$SCRATCH/err" ;;
	esac
	rc=$?
}

cases | while IFS='|' read -r tag needs args; do
	case $needs in
	root) is_root || { skip "$tag-output-errors" "needs root"; continue; } ;;
	cg) [ -n "$CG" ] || { skip "$tag-output-errors" "no memory cgroup of our own"; continue; } ;;
	esac
	args=$(printf '%s' "$args" | sed "s|@CG|$CG|g")
	for j in "" -j; do
		name=$tag${j:+-json}
		# shellcheck disable=SC2086 # args are words
		run_case "$name" full $j $args
		if [ "$rc" = 1 ] && grep -q "^mmscope.*: writing output: No space left on device$" "$SCRATCH/err"; then
			ok "$name-dev-full"
		else
			not_ok "$name-dev-full" "exit $rc, stderr: $(head -c 300 "$SCRATCH/err" | tr '\n' ' ')"
		fi
		# shellcheck disable=SC2086
		run_case "$name" closed $j $args
		if [ "$rc" = 1 ] && grep -q "^mmscope.*: writing output: standard output is closed$" "$SCRATCH/err"; then
			ok "$name-stdout-closed"
		else
			not_ok "$name-stdout-closed" "exit $rc, stderr: $(head -c 300 "$SCRATCH/err" | tr '\n' ' ')"
		fi
	done
done

# help and version write to stdout too.
for args in "-V" "-h" "help frag"; do
	tag=$(echo "$args" | tr -d ' -')
	# shellcheck disable=SC2086
	run_case "$tag" full $args
	[ "$rc" = 1 ] && grep -q "writing output: No space left on device" "$SCRATCH/err" &&
		ok "$tag-dev-full" || not_ok "$tag-dev-full" "exit $rc: $(head -c 200 "$SCRATCH/err")"
done

# Streams stop at the first failed write rather than run on (without COUNT or -d
# they would run until killed; timeout's 124 says they did).
for args in "frag 0.05" "-j frag 0.05" "memcg @CG 0.05" "thp 0.1 1000" "reclaim 0.1" "-j compact 0.1" \
	"frag --events 0.1"; do
	tag=stream-stops-$(echo "$args" | tr -d ' -' | sed 's|@CG||; s|\.||g')
	case $args in
	*@CG*) [ -n "$CG" ] || { skip "$tag" "no memory cgroup of our own"; continue; } ;;
	reclaim* | *compact* | *events*) is_root || { skip "$tag" "needs root"; continue; } ;;
	esac
	args=$(printf '%s' "$args" | sed "s|@CG|$CG|g")
	# shellcheck disable=SC2086
	timeout 20 "$MMSCOPE" $args >/dev/full 2>"$SCRATCH/err"
	rc=$?
	[ "$rc" = 1 ] && grep -q "writing output: No space left on device" "$SCRATCH/err" &&
		ok "$tag" || not_ok "$tag" "exit $rc: $(head -c 200 "$SCRATCH/err" | tr '\n' ' ')"
done

# A closed pipe (`| head -1`): stops at once, status 1, no message (not killed by
# SIGPIPE: the cleanup and summary paths run).
for args in "frag 0.05" "-j frag 0.05"; do
	tag=epipe-$(echo "$args" | tr -d ' -' | tr -d .)
	st=$( (timeout 20 "$MMSCOPE" $args 2>"$SCRATCH/err"; echo $? >"$SCRATCH/rc") | head -1 >/dev/null; cat "$SCRATCH/rc")
	if [ "$st" = 1 ] && [ ! -s "$SCRATCH/err" ]; then
		ok "$tag"
	else
		not_ok "$tag" "exit $st, stderr: $(head -c 200 "$SCRATCH/err" | tr '\n' ' ')"
	fi
done

# heatmap with stdout closed: the target's clear_refs is opened after main made fd
# 1 /dev/null, so frames are never written into it. On the old code, clear_refs
# became fd 1 and the frames went there, exit 0 and no message.
if is_root; then
	timeout 60 "$MMSCOPE" heatmap --source refs --aggregate 300 --frames 2 -- sleep 5 >&- 2>"$SCRATCH/err"
	rc=$?
	if [ "$rc" = 1 ] && grep -q "writing output: standard output is closed" "$SCRATCH/err" &&
		! grep -q "clear_refs" "$SCRATCH/err"; then
		ok heatmap-closed-stdout-not-clear-refs
	else
		not_ok heatmap-closed-stdout-not-clear-refs "exit $rc: $(head -c 300 "$SCRATCH/err" | tr '\n' ' ')"
	fi
else
	skip heatmap-closed-stdout-not-clear-refs "needs root"
fi

# Under -j an error message is a JSON document on stdout: when stdout cannot take
# it, it goes to stderr as text, with the status it had.
timeout 20 "$MMSCOPE" -j --root "$SCRATCH" frag >/dev/full 2>"$SCRATCH/err"
rc=$?
[ "$rc" = 3 ] && grep -q "^mmscope frag: ." "$SCRATCH/err" &&
	ok json-error-to-stderr-when-stdout-fails ||
	not_ok json-error-to-stderr-when-stdout-fails "exit $rc: $(head -c 300 "$SCRATCH/err" | tr '\n' ' ')"

# A closed stdin and stderr are /dev/null: nothing breaks, the output is whole.
if "$MMSCOPE" --root "$HOST" -j frag <&- 2>&- | python3 -m json.tool >/dev/null; then
	ok closed-stdin-stderr
else
	not_ok closed-stdin-stderr "output not whole JSON"
fi
