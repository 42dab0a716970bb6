# SPDX-License-Identifier: GPL-2.0
# heatmap-picture: every heatmap source this kernel has draws a PNG of the
# hotcold helper (`mmscope heatmap --source S --frames 8 --out F.png -- hotcold`):
# exit 0, a file that starts with the PNG signature and is not tiny. A source the
# kernel lacks must exit 3 with its reason. In a VM the pictures (and the text
# summary of each run) leave through the second serial port as a base64 tar,
# which tests/vm/run.sh unpacks into $MMSCOPE_VM_OUT/pictures/KERNEL/: that is
# how docs/heatmap-*.png of the VM kernels are made.
set -eu
. "$(dirname "$0")/lib.sh"

command -v hotcold > /dev/null || skip "no hotcold helper"
[ "$(id -u)" = 0 ] || skip "needs root (pagemap PFNs, clear_refs, DAMON sysfs)"
mmscope heatmap -h > /dev/null 2>&1 || skip "no 'mmscope heatmap' command in this build"

kernel=${MMSCOPE_VM_KERNEL:-native}
tmp=/tmp/heatmap-picture.$$
mkdir -p $tmp/pictures
trap 'rm -rf $tmp' EXIT
made= refused= bad=
for s in damon-vaddr idle young damon-paddr refs; do
	png=$tmp/pictures/heatmap-$kernel-$s.png
	rc=0
	# Native: the kdamond running there is not ours and its 5 s aggregation would
	# make this slow; the integration tests cover damon-paddr there.
	if [ "${MMSCOPE_VM:-0}" != 1 ] && [ $s = damon-paddr ]; then
		continue
	fi
	cmd="mmscope heatmap --source $s --aging 100 --aggregate 500 --frames 8 --no-tui --out $png -- hotcold -H 16 -C 16"
	$cmd > $tmp/pictures/heatmap-$kernel-$s.txt 2> $tmp/err || rc=$?
	if [ $rc = 3 ]; then
		refused="$refused $s($(head -c 80 $tmp/err | tr '\n' ' '))"
		continue
	fi
	[ $rc = 0 ] || { bad="$bad $s:exit-$rc($(head -c 120 $tmp/err | tr '\n' ' '))"; continue; }
	echo "$cmd" > $tmp/pictures/heatmap-$kernel-$s.cmd
	sig=$(head -c 4 "$png" 2> /dev/null | od -An -tx1 | tr -d ' \n')
	size=$(wc -c < "$png" 2> /dev/null || echo 0)
	if [ "$sig" != 89504e47 ] || [ "$size" -lt 2000 ]; then
		bad="$bad $s:not-a-png(sig=$sig,size=$size)"
		continue
	fi
	made="$made $s(${size}B)"
done
if [ "${MMSCOPE_VM:-0}" = 1 ] && [ -c /dev/ttyS1 ] && [ -n "$made" ]; then
	(cd $tmp && tar -c pictures | base64) > /dev/ttyS1
fi
[ -z "$bad" ] || fail "pictures failed:$bad; made:$made"
[ -n "$made" ] || fail "no source made a picture; refused:$refused"
pass "PNG from:$made; refused:$refused"
