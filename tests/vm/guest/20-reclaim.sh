# SPDX-License-Identifier: GPL-2.0
# reclaim: the reclaim helper causes global direct reclaim, and the kernel's
# own counters show it: allocstall_* (entries into direct reclaim) and
# pgsteal_direct (pages it reclaimed) in /proc/vmstat move.
set -eu
. "$(dirname "$0")/lib.sh"
require_vm

# Clean page cache to reclaim: the VM's scratch disk read through its block
# device (virtio-blk on the test kernel, NVMe on Debian's cloud kernel, which
# has virtio only as modules).
disk=
for d in /dev/vda /dev/nvme0n1; do
	[ -b "$d" ] && disk=$d && break
done
[ -n "$disk" ] || fail "no scratch disk (/dev/vda, /dev/nvme0n1) to fill the page cache from"
# Held open: a block device's page cache goes at its last close.
pagecache -k "$disk" > /tmp/pagecache.out &
holder=$!
# Waited for, so the cache is gone before the next test measures free memory.
trap 'kill $holder 2> /dev/null && wait $holder || true' EXIT
while ! grep -q holding /tmp/pagecache.out; do
	kill -0 $holder 2> /dev/null || fail "pagecache -k $disk failed"
	sleep 1
done
cat /tmp/pagecache.out
grep -E '^(MemFree|Cached|Active\(file\)|Inactive\(file\)):' /proc/meminfo

stalls=$(vmstat_sum allocstall_)
steal=$(vmstat pgsteal_direct)
reclaim 50 || fail "reclaim helper failed (allocstall_* $stalls -> $(vmstat_sum allocstall_))"
stalls2=$(vmstat_sum allocstall_)
steal2=$(vmstat pgsteal_direct)
figures="allocstall_* $stalls -> $stalls2, pgsteal_direct $steal -> $steal2, $(vmstat_line pgscan_direct pgsteal_kswapd)"
[ "$stalls2" -gt "$stalls" ] || fail "allocstall_* did not move: $figures"
[ "$steal2" -gt "$steal" ] || fail "pgsteal_direct did not move: $figures"
pass "$figures"
