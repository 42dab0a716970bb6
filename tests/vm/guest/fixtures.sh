#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Records unit-test fixtures from this (VM) kernel and writes them, as a
# base64-encoded tar (text survives any tty setting), to the file or device
# given (the VM's second serial port): the procfs files the parsers read, and
# a v2 cgroup's memory.stat, memory.events and memory.pressure with some anon
# and file memory charged to it. Large files are cut to keep fixtures small.
set -eu

out=${1:?usage: fixtures.sh OUTPUT}
fx=$(mktemp -d)
for f in buddyinfo pagetypeinfo zoneinfo vmstat meminfo; do
	cat /proc/$f > "$fx/$f"
done
cat /proc/pressure/memory > "$fx/pressure-memory"
# allocinfo has thousands of call sites: the two header lines and 200 sites.
[ -r /proc/allocinfo ] && head -n 202 /proc/allocinfo > "$fx/allocinfo"

# A cgroup with known contents: 16 MiB anon held by hog, 8 MiB of page cache.
cg=/sys/fs/cgroup/fixture
mkdir -p "$cg"
cgexec "$cg" hog 16 > "$fx/.hog" &
hog=$!
for disk in /dev/vda /dev/nvme0n1; do
	[ -b "$disk" ] && cgexec "$cg" pagecache "$disk" 8 && break
done
while ! grep -q holding "$fx/.hog"; do sleep 1; done
for f in memory.stat memory.events memory.pressure; do
	cat "$cg/$f" > "$fx/$f"
done
kill "$hog"
wait "$hog" || true
rm -f "$fx/.hog"
rmdir "$cg" || true

ls -l "$fx"
tar -c -C "$fx" . | base64 > "$out"
rm -rf "$fx"
