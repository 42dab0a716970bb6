# SPDX-License-Identifier: GPL-2.0
# syscalls: mmscope syscalls on the guest's cgroup v2, as t0850 on the host's v1:
# the known mix of the syscalls helper (N getppid, M failing openat, K mmap/munmap
# pairs of LEN bytes) in a cgroup created after the tracers started under the
# traced one: exact counts, ENOENT = M, --mm bytes = K * LEN; --slow sees a
# 50 ms nanosleep (at least 50 ms, at most what the helper measured around it); --record prints the
# last calls of a process that dies of SIGSEGV.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tracelib.sh"

N=20000 M=300 K=200 LEN=1052672
CG=/sys/fs/cgroup/mmscope-syscalls
[ -f /sys/fs/cgroup/cgroup.controllers ] || skip "no cgroup v2 at /sys/fs/cgroup"
mkdir -p $CG
echo +memory > $CG/cgroup.subtree_control 2> /dev/null || true
tracers=
trap 'for p in $tracers; do kill -INT $p 2> /dev/null; done; cg_remove $CG/later $CG' EXIT

# all times its calls (-L); the others count on exit only (the default).
start_tracer /tmp/sys-all.txt mmscope syscalls -L -c $CG || {
	verifier_log mmscope syscalls -L -c $CG -d 0.1
	fail "mmscope syscalls did not start: $(head -c 300 /tmp/sys-all.txt.err)"
}
all=$tracer
start_tracer /tmp/sys-mm.txt mmscope syscalls -c $CG --mm || {
	verifier_log mmscope syscalls -c $CG --mm -d 0.1
	fail "mmscope syscalls --mm did not start: $(head -c 300 /tmp/sys-mm.txt.err)"
}
mm=$tracer
tracers="$all $mm"
mkdir $CG/later
cgexec $CG/later syscalls $N $M $K $LEN || fail "syscalls helper failed"
tracer=$all; stop_tracer || fail "mmscope syscalls exited $?: $(head -c 300 /tmp/sys-all.txt.err)"
tracer=$mm; stop_tracer || fail "mmscope syscalls --mm exited $?: $(head -c 300 /tmp/sys-mm.txt.err)"
tracers=

# col FILE SYSCALL N: column N of a syscall's row in the summary table.
col() { awk -v s="$2" -v n="$3" '$1 == s { v = $n } END { print v + 0 }' "$1"; }
getppid=$(col /tmp/sys-all.txt getppid 2)
openat_err=$(col /tmp/sys-all.txt openat 3)
enoent=$(awk '$1 == "openat" { print $NF }' /tmp/sys-all.txt)
munmap=$(col /tmp/sys-all.txt munmap 2)
# the BYTES column, wherever the header puts it (no latency columns untimed)
bytes=$(awk '$1 == "SYSCALL" { for (i = 1; i <= NF; i++) if ($i == "BYTES") c = i } $1 == "munmap" && c { v = $c } END { print v + 0 }' /tmp/sys-mm.txt)
mm_getppid=$(col /tmp/sys-mm.txt getppid 2)
figures="getppid $getppid/$N, openat errors $openat_err/$M ($enoent), munmap $munmap/$K, --mm munmap bytes $bytes/$((K * LEN)), --mm getppid $mm_getppid"
[ "$getppid" = $N ] || fail "getppid count: $figures"
[ "$openat_err" = $M ] && [ "$enoent" = "ENOENT:$M" ] || fail "openat errors: $figures"
[ "$munmap" = $K ] || fail "munmap count: $figures"
[ "$bytes" = $((K * LEN)) ] && [ "$mm_getppid" = 0 ] || fail "--mm: $figures"

mmscope -j syscalls --slow 20 -- syscalls 10 1 1 4096 50 > /tmp/sys-slow.json 2> /tmp/sys-slow.err ||
	fail "--slow run failed: $(head -c 300 /tmp/sys-slow.err)"
lat=$(grep '"type":"slow"' /tmp/sys-slow.json | grep '"syscall":"nanosleep"' |
	sed -n 's/.*"latency_ns":\([0-9]*\).*/\1/p' | head -n 1)
seen=$(awk '$1 == "nanosleep_ns" { print $2 }' /tmp/sys-slow.err)
figures="$figures; slow nanosleep ${lat:-none} ns, helper saw ${seen:-none} ns"
# At least the 50 ms asked for, at most what the helper's clock reads around the
# call saw (TCG can stop the guest for tens of ms outside the call: 58 vs 88 ms).
awk -v l="${lat:-0}" -v s="${seen:-0}" 'BEGIN { exit !(l >= 50e6 && l <= s) }' ||
	fail "--slow: $figures"

mmscope -j syscalls --record 4 -- syscalls 5 1 2 4096 1 segv > /tmp/sys-rec.json 2> /tmp/sys-rec.err ||
	fail "--record run failed: $(head -c 300 /tmp/sys-rec.err)"
grep '"type":"record"' /tmp/sys-rec.json | grep '"reason":"died of SIGSEGV"' |
	grep -q '"syscall":"nanosleep"' || fail "--record: no SIGSEGV record with the nanosleep: $(head -c 300 /tmp/sys-rec.json)"

# 32-bit calls (int 0x80 from 64-bit code: the kernel's compat path) are named from
# the i386 table; a kernel without the int 0x80 gate kills the helper (SIGSEGV).
mmscope syscalls -e i386:getppid,getppid -- syscalls int80 100 > /tmp/sys-int80.txt 2>&1 || true
if grep -q 'int80 ok' /tmp/sys-int80.txt; then
	compat=$(col /tmp/sys-int80.txt i386:getppid 2)
	native=$(col /tmp/sys-int80.txt getppid 2)
	figures="$figures; int 0x80: i386:getppid $compat/100, getppid $native"
	[ "$compat" = 100 ] && [ "$native" = 0 ] || fail "compat calls: $figures"
else
	figures="$figures; int 0x80 not available here ($(grep int80 /tmp/sys-int80.txt || echo 'helper died'))"
fi
# AArch32 calls on arm64 (a compat task: arm EABI numbers) are named from the arm
# table: the armhf busybox the arm64 initramfs carries, `cat` of 40 missing files
# (one process, one failing openat each), as arm:openat. `-e` keeps what the
# C library does at start-up out of the check.
if [ -x /bin/busybox-armhf ]; then
	if ! /bin/busybox-armhf true 2> /dev/null; then
		figures="$figures; AArch32: this kernel or CPU does not run the armhf busybox (no COMPAT or no AArch32 EL0)"
	else
		missing=$(seq 40 | sed 's|^|/no/such/file-|')
		# shellcheck disable=SC2086 # 40 paths
		mmscope syscalls -e arm:openat,openat -- /bin/busybox-armhf cat $missing > /tmp/sys-arm.txt 2>&1 || true
		arm=$(col /tmp/sys-arm.txt arm:openat 3)
		armenoent=$(awk '$1 == "arm:openat" { print $NF }' /tmp/sys-arm.txt)
		native=$(col /tmp/sys-arm.txt openat 2)
		figures="$figures; AArch32 cat: arm:openat errors $arm/40 ($armenoent), native openat $native"
		[ "$arm" = 40 ] && [ "$armenoent" = "ENOENT:40" ] && [ "$native" = 0 ] ||
			fail "AArch32 compat calls: $figures: $(head -c 600 /tmp/sys-arm.txt)"
	fi
fi
pass "$figures; SIGSEGV record has the nanosleep"
