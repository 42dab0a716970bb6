# SPDX-License-Identifier: GPL-2.0
# report-alloc: the report's alloc_growth finding from a real burst of kernel
# allocations at a known call site (allocation profiling kernels only).
#   The pipes helper creates N pipes inside one report window and holds them:
#   each pipe's buffer array (fs/pipe.c, alloc_pipe_info: 16 pipe_buffers,
#   a 1 KiB slab object) is the biggest of its allocations, so that site grows
#   most, by about N KiB. The finding must name that site, and its figure (bytes)
#   must lie between the site's /proc/allocinfo growth around the burst and its
#   growth around the whole report. (The slab pages holding them, which
#   allocinfo counts again at mm/slub.c alloc_slab_page, grow more: the report
#   leaves that site out, and the test proves it names the objects' site.)
# N is large enough that the growth is far above the rule's 8 MiB/s over the
# window the test gives the report (the burst plus its own start and stop),
# and the result line prints both, so a slow guest shows as such.
set -eu
. "$(dirname "$0")/lib.sh"
require_vm
[ -r /proc/allocinfo ] || skip "no /proc/allocinfo (allocation profiling) in this kernel"

n=16384
rep= pipes=
trap '[ -z "$pipes" ] || kill $pipes 2> /dev/null; [ -z "$rep" ] || kill -INT $rep 2> /dev/null' EXIT

# at FILE SITE: the bytes allocinfo copy FILE holds for SITE (file:line), or
# for every alloc_pipe_info site without SITE.
at() { awk -v s="${2:-}" '(s == "" ? $3 ~ /^fs\/pipe\.c:/ : $3 == s) && $4 == "func:alloc_pipe_info" { b += $1 } END { print b + 0 }' "$1"; }
figure() { tr '{' '\n' < /tmp/ra.json | grep "\"id\":\"$1\"" | sed -n "s/.*\"$2\":\"*\([^\",}]*\).*/\1/p" | head -n 1; }

cp /proc/allocinfo /tmp/ra.r0
report_start /tmp/ra.json /tmp/ra.err

cp /proc/allocinfo /tmp/ra.b0
pipes $n > /tmp/pipes.out 2>&1 &
pipes=$!
wait_holding $pipes /tmp/pipes.out
cp /proc/allocinfo /tmp/ra.b1
kill -INT $rep
wait $rep || fail "the report exited $?: $(grep -v '^libbpf' /tmp/ra.err | head -c 300)"
rep=
cp /proc/allocinfo /tmp/ra.r1
kill $pipes
wait $pipes 2> /dev/null || true
pipes=

win=$(sed -n 's/.*"window_s":\([0-9.e+-]*\).*/\1/p' /tmp/ra.json | head -n 1)
fig=$(figure alloc_growth figure)
text=$(figure alloc_growth text)
# The site the finding names (file:line), its growth in each bracket.
site=$(echo "$text" | sed -n 's/.* at \(fs\/pipe\.c:[0-9]*\) alloc_pipe_info .*/\1/p')
b0=$(at /tmp/ra.b0 "$site") b1=$(at /tmp/ra.b1 "$site") r0=$(at /tmp/ra.r0 "$site") r1=$(at /tmp/ra.r1 "$site")
figures="alloc_growth: ${fig:-none} bytes in ${win:-?} s ('${text:-}'); allocinfo alloc_pipe_info +$((b1 - b0)) around $n pipes, +$((r1 - r0)) around the report"
all=$(($(at /tmp/ra.b1) - $(at /tmp/ra.b0)))
[ "$all" -ge $((n * 1024)) ] || fail "the pipes grew alloc_pipe_info by $all bytes, less than $n KiB: $figures"
[ -n "$fig" ] || fail "no alloc_growth finding: $figures"
[ -n "$site" ] || fail "alloc_growth names another site: $figures"
# The JSON carries 6 significant digits: bounds widened by that rounding only.
awk -v g="$fig" -v lo=$((b1 - b0)) -v hi=$((r1 - r0)) 'BEGIN { e = g * 1e-5; exit !(g + e >= lo && g - e <= hi) }' ||
	fail "alloc_growth does not match allocinfo: $figures"
pass "$figures"
