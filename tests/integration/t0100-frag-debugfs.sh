#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `mmscope frag` against the kernel's own debugfs extfrag files on this machine.
# debugfs is mounted only inside a private mount namespace (unshare -m), never
# globally. The free lists change all the time, so a comparison counts only when
# debugfs read the same before and after buddyinfo was read (a stable snapshot).
. "$(dirname "$0")/lib.sh"

if ! is_root || ! command -v unshare >/dev/null; then
	skip frag-debugfs "needs root and unshare to mount debugfs privately"
	exit 0
fi

cat >"$SCRATCH/inns.sh" <<'INNS'
set -eu
mount -t debugfs none /sys/kernel/debug
d=/sys/kernel/debug/extfrag
[ -r $d/extfrag_index ] || { echo "NO_EXTFRAG"; exit 0; }
out=$1 mmscope=$2
mkdir -p "$out/root/proc"
cp /proc/zoneinfo "$out/root/proc/zoneinfo"
i=0
while [ $i -lt 50 ]; do
	cat $d/extfrag_index $d/unusable_index >"$out/before"
	cat /proc/buddyinfo >"$out/root/proc/buddyinfo"
	cat $d/extfrag_index $d/unusable_index >"$out/after"
	if cmp -s "$out/before" "$out/after"; then
		echo STABLE
		break
	fi
	i=$((i + 1))
done
# The live binary, too: retried until its reading matches one taken just before.
i=0
while [ $i -lt 50 ]; do
	cat $d/extfrag_index $d/unusable_index >"$out/live.debugfs"
	"$mmscope" frag >"$out/live.frag"
	sed -n '/^extfrag_index:/,$p' "$out/live.frag" | grep -v '_index:$' >"$out/live.mine"
	if cmp -s "$out/live.debugfs" "$out/live.mine"; then
		echo LIVE_MATCH
		break
	fi
	i=$((i + 1))
done
INNS

res=$(unshare -m --propagation private sh "$SCRATCH/inns.sh" "$SCRATCH" "$MMSCOPE" 2>&1)
case "$res" in
*NO_EXTFRAG*)
	skip frag-debugfs "no debugfs extfrag files (CONFIG_DEBUG_FS or CONFIG_COMPACTION off)"
	exit 0 ;;
esac

if echo "$res" | grep -q STABLE; then
	"$MMSCOPE" --root "$SCRATCH/root" frag >"$SCRATCH/root.frag" 2>"$SCRATCH/root.err"
	sed -n '/^extfrag_index:/,$p' "$SCRATCH/root.frag" | grep -v '_index:$' >"$SCRATCH/mine"
	if cmp -s "$SCRATCH/before" "$SCRATCH/mine"; then
		ok "frag-debugfs-exact: $(wc -l <"$SCRATCH/mine") index lines identical to debugfs"
	else
		not_ok frag-debugfs-exact "$(diff "$SCRATCH/before" "$SCRATCH/mine" | head -5 | tr '\n' ' ')"
	fi
else
	not_ok frag-debugfs-exact "no stable debugfs snapshot in 50 tries: $res"
fi

if echo "$res" | grep -q LIVE_MATCH; then
	ok "frag-debugfs-live: live mmscope frag printed what debugfs printed"
else
	not_ok frag-debugfs-live "live output never matched debugfs in 50 tries"
fi

# JSON carries the same numbers divided by 1000, for every zone and order.
"$MMSCOPE" --root "$SCRATCH/root" -j frag >"$SCRATCH/frag.json"
if python3 - "$SCRATCH/frag.json" "$SCRATCH/before" <<'PY'
import json, sys
zones = json.load(open(sys.argv[1]))["zones"]
lines = open(sys.argv[2]).read().splitlines()
n = len(zones)
for i, z in enumerate(zones):
    for key, line in (("extfrag_index", lines[i]), ("unusable_index", lines[n + i])):
        want = [float(x) for x in line.split()[4:]]
        if z[key] != want:
            sys.exit("%s %s: json %s, debugfs %s" % (z["zone"], key, z[key], want))
PY
then
	ok "frag-json-indices: every zone's JSON indices equal debugfs / 1000"
else
	not_ok frag-json-indices "JSON and debugfs differ"
fi

# A constructed zone with one order-2 block: the kernel's index is negative at
# orders 3.. (-500 at 3), and debugfs prints it with "%2d.%03d" as " 0.-500".
tree=$SCRATCH/negative
mkdir -p "$tree/proc"
cp "$FIXTURES/host-6.18/zoneinfo" "$tree/proc/zoneinfo"
printf 'Node 0, zone      DMA      0      0      1      0      0      0      0      0      0      0      0 \n' >"$tree/proc/buddyinfo"
line=$("$MMSCOPE" --root "$tree" frag | sed -n '/^extfrag_index:/{n;p}')
want='Node 0, zone      DMA -1.000 -1.000 -1.000  0.-500  0.-250  0.-125  0.-62  0.-31  0.-15  0.-07  0.-03 '
[ "$line" = "$want" ] && ok frag-negative-index-debugfs-format || not_ok frag-negative-index-debugfs-format "got '$line'"
got=$("$MMSCOPE" --root "$tree" -j frag | python3 -c 'import json,sys; print(json.load(sys.stdin)["zones"][0]["extfrag_index"][3])')
[ "$got" = -0.5 ] && ok frag-negative-index-json || not_ok frag-negative-index-json "got $got"
