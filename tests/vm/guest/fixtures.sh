#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Records unit-test fixtures from this (VM) kernel and writes them, as a
# base64-encoded tar (text survives any tty setting), to the file or device
# given (the VM's second serial port): the procfs files the parsers read, and
# a v2 cgroup's memory.stat, memory.events and memory.pressure after it has
# hit its limit, been OOM-killed in, and holds anon and file memory, so the
# counters are not all zero.
set -eu

out=${1:?usage: fixtures.sh OUTPUT}
fx=$(mktemp -d)
disk=
for d in /dev/vda /dev/nvme0n1; do
	[ -b "$d" ] && disk=$d && break
done
[ -n "$disk" ] || { echo "fixtures: no scratch disk" >&2; exit 1; }

# wait_for FILE WORD: until a background helper has printed WORD.
wait_for() {
	while ! grep -q "$2" "$1"; do sleep 1; done
}

cg=/sys/fs/cgroup/fixture
mkdir -p "$cg"
# 1. Page cache beyond memory.max: the cgroup reclaims ("max" events, pgscan).
echo $((24 << 20)) > "$cg/memory.max"
cgexec "$cg" pagecache "$disk" 64
# 2. An OOM kill ("oom", "oom_kill").
oom "$cg" 24
echo max > "$cg/memory.max"
# 3. Known contents: 16 MiB anon held by hog, 8 MiB of page cache held open
#    (a block device's cache goes at its last close).
cgexec "$cg" hog 16 > /tmp/hog.out &
hog=$!
cgexec "$cg" pagecache -k "$disk" 8 > /tmp/pagecache.out &
holder=$!
wait_for /tmp/hog.out holding
wait_for /tmp/pagecache.out holding
for f in memory.stat memory.events memory.pressure; do
	cat "$cg/$f" > "$fx/$f"
done
kill $hog $holder
wait $hog $holder || true
rmdir "$cg"

for f in buddyinfo pagetypeinfo zoneinfo vmstat meminfo; do
	cat /proc/$f > "$fx/$f"
done
cat /proc/pressure/memory > "$fx/pressure-memory"
# allocinfo has thousands of call sites: keep its two header lines and the
# 200 sites holding the most bytes, in the kernel's order.
if [ -r /proc/allocinfo ]; then
	head -n 2 /proc/allocinfo > "$fx/allocinfo"
	tail -n +3 /proc/allocinfo | awk '{ print NR, $0 }' | sort -k2,2nr | head -n 200 |
		sort -n | cut -d' ' -f2- >> "$fx/allocinfo"
fi

ls -l "$fx"
tar -c -C "$fx" . | base64 > "$out"
rm -rf "$fx"
