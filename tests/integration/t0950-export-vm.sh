#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# promtool check metrics on what mmscope export served inside each VM kernel
# (tests/vm/guest/80-export.sh prints the body between MMSCOPE-EXPORT-BEGIN and
# -END on the serial console, kept in build/vm/<kernel>.log by make test-vm).
# Skipped for a kernel whose log has no body (no VM run yet).
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || { skip export-vm "no promtool (install-deps --test)"; exit 0; }
found=0
for log in "$TOP"/build/vm/*.log; do
	[ -f "$log" ] || continue
	k=$(basename "$log" .log)
	"$TOP/tests/vm/export-body.sh" "$log" >"$SCRATCH/$k.prom"
	[ -s "$SCRATCH/$k.prom" ] || continue
	found=1
	check "export-vm-promtool-$k" promtool check metrics <"$SCRATCH/$k.prom"
done
[ $found = 1 ] || skip export-vm "no VM log with an exporter body (MMSCOPE_VM_ONLY=export make test-vm)"
