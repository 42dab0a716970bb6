#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The outputs that must not change unless a change means them to: every case of
# tests/golden/cases (recorded trees under --root, and every command's usage), in
# text and JSON, byte for byte against the recorded outputs, exit status and
# stderr included. After a change that means to change one: tests/golden/golden.sh
# records them anew, and the diff shows what changed.
. "$(dirname "$0")/lib.sh"

MMSCOPE=$MMSCOPE "$TOP/tests/golden/golden.sh" "$SCRATCH/got"
for want in "$TOP"/tests/golden/*.txt "$TOP"/tests/golden/*.json; do
	name=$(basename "$want")
	if cmp -s "$want" "$SCRATCH/got/$name" && cmp -s "$want.err" "$SCRATCH/got/$name.err"; then
		ok "golden-$name"
	else
		not_ok "golden-$name" "$(diff "$want" "$SCRATCH/got/$name" | head -c 300 | tr '\n' ' ') $(diff "$want.err" "$SCRATCH/got/$name.err" | head -c 200 | tr '\n' ' ')"
	fi
done
