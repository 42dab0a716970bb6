#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `mmscope features` and the commands walk the same backend tables
# (src/lib/probe/backends.c): for every command that reports the backend it used,
# the backend features predicts (.backends.CMD.backend) is the one the command
# then takes on this machine.
#  - heatmap: -j, "source", on a short-lived target of ours (sleep), one frame;
#  - alloc: -j, "backend", a run that ends by itself (--diff);
#  - memcg: -j, "backend", one snapshot;
#  - reclaim, compact, frag --events: they report no backend (skipped, said why).
. "$(dirname "$0")/lib.sh"

FEAT=$SCRATCH/features.json
if ! "$MMSCOPE" -j features >"$FEAT" 2>"$SCRATCH/features.err"; then
	not_ok features "exit $?: $(head -c 200 "$SCRATCH/features.err" | tr '\n' ' ')"
	exit 0
fi
predicted() { json_get "$FEAT" "d['backends']['$1']['backend']" | tr -d '"'; }

# agree NAME CAP FILE KEY RC: the command (exit RC, JSON in FILE) used what features said.
agree() {
	name=$1 cap=$2 file=$3 key=$4 rc=$5
	want=$(predicted "$cap")
	if [ "$want" = null ]; then
		if [ "$rc" = 3 ]; then
			ok "$name (features: none here; the command exits 3)"
		else
			not_ok "$name" "features predicts no backend, the command exited $rc"
		fi
		return
	fi
	if [ "$rc" != 0 ]; then
		not_ok "$name" "features predicts $want, the command exited $rc: $(cat "$SCRATCH/$name.err" "$file" | head -c 200 | tr '\n' ' ')"
		return
	fi
	got=$(json_get "$file" "d['$key']" 2>/dev/null | tr -d '"')
	if [ "$got" = "$want" ]; then
		ok "$name ($cap: $got)"
	else
		not_ok "$name" "features predicts $want, the command used $got"
	fi
}

# ---- heatmap ----
if ! is_root; then
	skip heatmap-backend "needs root (the sources read another process's pagemap, clear_refs)"
else
	sleep 30 &
	TP=$!
	sleep 0.2 # exec'd: the target is sleep, not this shell's fork
	"$MMSCOPE" -j heatmap -p "$TP" --frames 1 --aging 20 --aggregate 200 \
		>"$SCRATCH/heatmap-backend.json" 2>"$SCRATCH/heatmap-backend.err"
	rc=$?
	kill "$TP" 2>/dev/null
	wait "$TP" 2>/dev/null
	agree heatmap-backend heatmap "$SCRATCH/heatmap-backend.json" source $rc
fi

# ---- alloc ----
"$MMSCOPE" -j alloc -n 1 --diff 0.5 >"$SCRATCH/alloc-backend.json" 2>"$SCRATCH/alloc-backend.err"
agree alloc-backend alloc "$SCRATCH/alloc-backend.json" backend $?

# ---- memcg ----
"$MMSCOPE" -j memcg >"$SCRATCH/memcg-backend.json" 2>"$SCRATCH/memcg-backend.err"
agree memcg-backend memcg "$SCRATCH/memcg-backend.json" backend $?

# ---- syscalls ----
"$MMSCOPE" -j syscalls -d 0.2 >"$SCRATCH/syscalls-backend.json" 2>"$SCRATCH/syscalls-backend.err"
agree syscalls-backend syscalls "$SCRATCH/syscalls-backend.json" backend $?

# ---- the tracing commands ----
for cmd in reclaim compact frag_events; do
	skip "$cmd-backend" "its output names no backend (features says $(predicted "$cmd")): nothing to compare"
done
exit 0
