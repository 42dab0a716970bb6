#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The health report on the live machine and on recorded files: it prints, exits 0,
# its JSON carries the same judgement, and its figures agree with the kernel's.
. "$(dirname "$0")/lib.sh"

check report-live sh -c '"$0" | grep -q "^findings"' "$MMSCOPE"
"$MMSCOPE" -j report -i 0.5 >"$SCRATCH/r.json"
check report-json-parses python3 -m json.tool "$SCRATCH/r.json"

# MemTotal in the JSON is /proc/meminfo's, in bytes.
want=$(awk '/^MemTotal:/ { printf "%.0f\n", $2 * 1024 }' /proc/meminfo)
got=$(json_get "$SCRATCH/r.json" 'd["memory"]["mem_total"]')
[ "$got" = "$want" ] && ok "report-mem-total ($got bytes)" || not_ok report-mem-total "got $got, want $want"

# The window really is the one asked for.
win=$(json_get "$SCRATCH/r.json" 'round(d["window_s"], 1)')
[ "$win" = 0.5 ] && ok "report-window ($win s)" || not_ok report-window "window $win"

# Every zone of buddyinfo is judged.
zones=$(wc -l </proc/buddyinfo)
got=$(json_get "$SCRATCH/r.json" 'len(d["zones"])')
[ "$got" = "$zones" ] && ok "report-zones ($got)" || not_ok report-zones "got $got, buddyinfo has $zones"

# The rate of a counter we move ourselves: pgfault rises by at least the pages we touch.
cat >"$SCRATCH/touch.c" <<'C'
#include <sys/mman.h>
#include <unistd.h>
/* Maps, touches and unmaps 64 MiB twenty times: 16384 page faults each time. */
int main(void)
{
	for (int i = 0; i < 20; i++) {
		volatile char *p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		for (long off = 0; off < (64 << 20); off += 4096)
			p[off] = 1;
		munmap((void *)p, 64 << 20);
		usleep(50000);
	}
	return 0;
}
C
if cc -O1 -o "$SCRATCH/touch" "$SCRATCH/touch.c" 2>/dev/null; then
	"$SCRATCH/touch" &
	pid=$!
	"$MMSCOPE" -j report -i 0.5 >"$SCRATCH/r2.json"
	wait $pid
	# 20 x 64 MiB touched over ~1 s: 16384 page faults per 64 MiB, so the 0.5 s
	# window must see well over 10000 faults/s.
	rate=$(json_get "$SCRATCH/r2.json" 'int(d["rates"]["pgfault"])')
	[ "$rate" -gt 10000 ] && ok "report-rates-see-activity (pgfault $rate/s)" ||
		not_ok report-rates-see-activity "pgfault rate $rate/s"
else
	skip report-rates-see-activity "no C compiler"
fi

# Recorded files: one sample, so no rates, and still a report.
"$MMSCOPE" -j --root "$FIXTURES/host-6.18/root" >"$SCRATCH/root.json"
got=$(json_get "$SCRATCH/root.json" 'd["rates"]')
[ "$got" = null ] && ok report-root-no-rates || not_ok report-root-no-rates "rates $got"

# Colour: on a terminal the severities are coloured; piped, or with NO_COLOR, never.
if command -v script >/dev/null 2>&1; then
	esc=$(printf '\033[')
	script -qec "$MMSCOPE report -i 0.1" /dev/null >"$SCRATCH/tty.txt" 2>&1
	NO_COLOR=1 script -qec "$MMSCOPE report -i 0.1" /dev/null >"$SCRATCH/nocolor.txt" 2>&1
	"$MMSCOPE" report -i 0.1 >"$SCRATCH/pipe.txt" 2>&1
	if grep -q '^findings   none' "$SCRATCH/tty.txt"; then
		skip report-colour-tty "no findings to colour on this host"
	elif grep -qF "$esc" "$SCRATCH/tty.txt"; then
		ok report-colour-tty
	else
		not_ok report-colour-tty "no colour on a terminal"
	fi
	! grep -qF "$esc" "$SCRATCH/nocolor.txt" && ok report-no-color || not_ok report-no-color "NO_COLOR=1 still coloured"
	! grep -qF "$esc" "$SCRATCH/pipe.txt" && ok report-no-colour-piped || not_ok report-no-colour-piped "coloured into a pipe"
else
	skip report-colour "no script(1)"
fi

# One screen: 80 columns, whatever the host.
long=$(awk 'length($0) > 80' "$SCRATCH/pipe.txt" | wc -l)
[ "$long" = 0 ] && ok report-80-columns || not_ok report-80-columns "$long lines over 80 columns: $(awk 'length($0) > 80' "$SCRATCH/pipe.txt" | head -n 2)"
