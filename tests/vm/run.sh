#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM test matrix (`make test-vm`) and fixture recorder (`make fixtures-vm`).
#
#   tests/vm/run.sh [--fixtures] MMSCOPE_BINARY WORKLOADS_DIR
#
# Packs the static mmscope, the static workload helpers, busybox-static and
# tests/vm/guest/ into a gzip cpio initramfs, boots each kernel of the matrix
# with qemu under TCG (KVM hangs on the development machine), reads the
# "MMSCOPE-TEST <kernel> <test> PASS|FAIL|SKIP <text>" lines from the serial
# console log, and prints them per kernel and a closing "N passed, N failed,
# N skipped" line. Exit status 1 if anything failed. The native kernel runs the
# guest tests that are safe on a shared machine (the others skip themselves).
#
# With --fixtures, boots each VM kernel once to record unit-test fixtures into
# tests/fixtures/<kernel>/ instead.
#
# Environment:
#   MMSCOPE_VM_KERNELS  kernels to run (default "debian-5.10 debian-6.1 test-7.2
#                       debian-6.1-arm64 native")
#   MMSCOPE_VM_CACHE    downloaded kernels and the scratch disk, outside the
#                       tree (default /var/cache/mmscope-vm)
#   MMSCOPE_VM_BREAK=1  adds a test that fails, to prove failures are seen
#   MMSCOPE_VM_DRSNOOP=0  leaves out the drsnoop side by side (22-drsnoop.sh),
#                      which boots each VM kernel a second time (see run_vm)
#   MMSCOPE_VM_ONLY     only the guest tests whose name (with or without NN-) matches this
#                       shell pattern, e.g. 'heatmap*' (default: all)
#   MMSCOPE_VM_TIMEOUT  watchdog per guest, seconds (default 600; arm64's:
#                       MMSCOPE_VM_ARM64_TIMEOUT, default 1800 for every test,
#                       600 for a subset)
#   MMSCOPE_VM_OUT      logs and the initramfs (default build/vm)
#   MMSCOPE_VM_JOBS     guests booted at the same time (default 2)
#   MMSCOPE_VM_ARM64_TESTS  comma-separated guest tests the arm64 guest runs
#                       (default "all": every test; .ci/run names a subset)
#   MMSCOPE_TEST_KERNEL the 7.2 test kernel (default ../shared/kernels/...)
#   MMSCOPE_VM_ARM64    the arm64 build dir, with mmscope and workloads/, for
#                       debian-6.1-arm64 (default build/arm64: make ARCH=arm64)
set -euo pipefail

fixtures=0
if [ "${1:-}" = --fixtures ]; then
	fixtures=1
	shift
fi
[ $# = 2 ] || { echo "usage: $0 [--fixtures] MMSCOPE_BINARY WORKLOADS_DIR" >&2; exit 2; }
mmscope=$(realpath "$1")
workloads=$(realpath "$2")
repo=$(cd "$(dirname "$0")/../.." && pwd)
kernels=${MMSCOPE_VM_KERNELS:-debian-5.10 debian-6.1 test-7.2 debian-6.1-arm64 native}
cache=${MMSCOPE_VM_CACHE:-/var/cache/mmscope-vm}
out=${MMSCOPE_VM_OUT:-$repo/build/vm}
# 600 s: test-7.2 runs the most tests and took 270-373 s beside another guest;
# a watchdog is there for a hung guest, not to time a healthy one.
watchdog=${MMSCOPE_VM_TIMEOUT:-600}
test_kernel=${MMSCOPE_TEST_KERNEL:-$repo/../shared/kernels/mmscope-test-7.2.13.bzImage}
brk=${MMSCOPE_VM_BREAK:-0}
arm64_build=${MMSCOPE_VM_ARM64:-$repo/build/arm64}
# What the arm64 guest runs: every test by default ("all"). TCG emulates each of
# its instructions, so the whole suite does not fit CI's 20 minutes: .ci/run asks
# for a subset, the tests of mmscope's own BPF programs, readers and name tables
# (what differs by architecture), not those of the kernel's behaviour under its
# workloads, which the x86_64 kernels cover (tests/vm/README.md).
arm64_tests=${MMSCOPE_VM_ARM64_TESTS:-all}
[ "$arm64_tests" = all ] && arm64_tests=
# Its watchdog: the whole suite took 797 s there on this machine's TCG (busy),
# CI's subset under 300 s.
arm64_dog=600
[ -z "$arm64_tests" ] && arm64_dog=1800
drsnoop=${MMSCOPE_VM_DRSNOOP:-1}
only=${MMSCOPE_VM_ONLY:-*}
results=$out/results # "kernel test STATUS text" lines, gathered from every log

log() { echo "test-vm: $*" >&2; }

# Installs the host tools when they are missing (fast when present).
need_tools() {
	local missing=
	[ -x /bin/busybox ] || missing="$missing busybox-static"
	command -v qemu-system-x86_64 > /dev/null || missing="$missing qemu-system-x86"
	command -v cpio > /dev/null || missing="$missing cpio"
	case " $kernels " in *-arm64" "*)
		command -v qemu-system-aarch64 > /dev/null || missing="$missing qemu-system-arm" ;;
	esac
	[ -z "$missing" ] && return
	log "installing$missing"
	# shellcheck disable=SC2086 # a list of package names
	apt-get install -y -qq --no-install-recommends $missing > /dev/null
}

# debian_kernel SUITE ARCH SERIES: prints the path of the newest
# linux-image-SERIES.0-*-cloud-ARCH-unsigned image of Debian SUITE, downloaded
# (scripts/debian-fetch.sh: apt state of its own in the cache, this machine's
# apt configuration untouched) only when that version is not in the cache yet.
# Newest first: a mirror may list a security update it does not serve.
debian_kernel() {
	local suite=$1 arch=$2 series=$3 pkg ver deb= img
	local fetch="$repo/scripts/debian-fetch.sh $cache/apt $suite $arch"
	for pkg in $($fetch search "^linux-image-${series//./\\.}\\.0-[0-9]+-cloud-$arch-unsigned\$" | sort -rV); do
		ver=$($fetch version "$pkg")
		deb=$cache/${pkg}_${ver}_$arch.deb
		[ -s "$deb" ] && break
		# Not retried for a day once the mirror would not serve it.
		if [ -z "$(find "$deb.unavailable" -mtime -1 2> /dev/null)" ]; then
			log "downloading $pkg $ver into $cache"
			$fetch download "$cache" "$pkg=$ver" > /dev/null 2>&1 && break
			log "$pkg $ver: not served; trying the one before"
			touch "$deb.unavailable"
		fi
		deb=
	done
	if [ -z "$deb" ]; then
		# No package lists, or no registry: the newest one downloaded before.
		deb=$(ls "$cache"/linux-image-"$series".0-*-cloud-"$arch"-unsigned_*.deb 2> /dev/null |
			sort -V | tail -n 1)
		[ -n "$deb" ] || return 1
		log "using $deb from the cache"
	fi
	img=${deb%.deb}.vmlinuz
	if [ ! -s "$img" ]; then
		# Only the kernel image: the modules are of no use without a root fs.
		dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' > "$img.tmp" ||
			return 1
		mv "$img.tmp" "$img"
	fi
	echo "$img"
}

# debian_busybox ARCH: the path of Debian 12's busybox-static for ARCH, unpacked
# into the cache: arm64, the arm64 guest's userland (/bin/busybox is the x86_64
# one); armhf, an AArch32 program the arm64 guest runs as a compat task
# (78-syscalls names its calls from the arm table).
debian_busybox() {
	local dir=$cache/busybox-$1 deb
	if [ ! -x "$dir/bin/busybox" ]; then
		deb=$("$repo/scripts/debian-fetch.sh" "$cache/apt" bookworm "$1" download "$cache" busybox-static) ||
			return 1
		rm -rf "$dir" && dpkg -x "$deb" "$dir"
	fi
	echo "$dir/bin/busybox"
}

# build_initramfs [arm64]: $out/initramfs.cpio.gz, or initramfs-arm64.cpio.gz
# with the arm64 busybox, mmscope and workload helpers.
build_initramfs() {
	local arch=${1:-} stage=$out/initramfs${1:+-$1} bb=/bin/busybox bin=$mmscope wl=$workloads
	if [ "$arch" = arm64 ]; then
		bb=$(debian_busybox arm64) || return 1
		bin=$arm64_build/mmscope wl=$arm64_build/workloads
		[ -x "$bin" ] || return 1
	fi
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,tests}
	cp "$bb" "$stage/bin/busybox"
	local bb32
	if [ "$arch" = arm64 ] && bb32=$(debian_busybox armhf); then
		cp "$bb32" "$stage/bin/busybox-armhf"
	fi
	ln -s busybox "$stage/bin/sh"
	cp "$bin" "$stage/bin/mmscope"
	cp "$wl"/* "$stage/bin/"
	cp "$repo/tests/vm/init" "$stage/init"
	cp "$repo"/tests/vm/guest/*.sh "$stage/tests/"
	# The peer of 22-drsnoop.sh, when the host has libbpf-tools: dynamically
	# linked, so its shared libraries and loader go in at the same paths.
	if [ -z "$arch" ] && [ -x /usr/sbin/drsnoop ]; then
		local lib
		mkdir -p "$stage/usr/sbin"
		cp /usr/sbin/drsnoop "$stage/usr/sbin/"
		for lib in $(ldd /usr/sbin/drsnoop | grep -oE '/[^ ]+'); do
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
	fi
	(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$stage.cpio.gz"
	log "initramfs${arch:+ ($arch)} $(du -k "$stage.cpio.gz" | cut -f1) KiB"
}

# boot TAG KERNEL_IMAGE MEMORY_MB DISK_ARGS EXTRA_APPEND [NAME]: one guest run;
# its console goes to $out/NAME.log, its second serial port to $out/NAME.ttyS1
# (NAME defaults to TAG). The caller may set smp, qemu_timing, timing and only.
boot() {
	local tag=$1 image=$2 mem=$3 disk=$4 extra=$5 name=${6:-$1} mode=test rc=0 start
	[ "$fixtures" = 1 ] && mode=fixtures
	start=$(date +%s)
	log "booting $tag ($(basename "$image"), $mem MiB, TCG)"
	# One host thread for both vCPUs (thread=single): with multi-threaded TCG a 7.2
	# guest once died of an int3 oops in ttwu_do_activate while tracepoints were
	# being patched (cross-CPU code modification). The two guests still run in
	# parallel, one host core each.
	# shellcheck disable=SC2086 # $disk is a list of qemu arguments
	# shellcheck disable=SC2086 # so is $qemu_timing
	# arm64: the virt board (PL011 console, no second serial port) on the
	# emulated "max" CPU.
	local qemu="qemu-system-x86_64" initrd=$out/initramfs.cpio.gz console=ttyS0
	local ports="-serial mon:stdio -serial file:$out/$name.ttyS1"
	local tests= dog=$watchdog ttimeout=${MMSCOPE_TEST_TIMEOUT:-120}
	case $tag in *-arm64)
		# Emulated instructions: 2.5 times the time for each test and the guest.
		dog=${MMSCOPE_VM_ARM64_TIMEOUT:-$arm64_dog} ttimeout=${MMSCOPE_TEST_TIMEOUT:-300}
		qemu="qemu-system-aarch64 -machine virt -cpu max" initrd=$out/initramfs-arm64.cpio.gz
		console=ttyAMA0 ports="-serial mon:stdio" tests=$arm64_tests ;;
	esac
	# shellcheck disable=SC2086 # so is $qemu
	timeout -s KILL "$dog" $qemu -accel tcg,thread=single ${qemu_timing:-} -nographic -no-reboot \
		-smp "${smp:-2}" -m "$mem" -nic none -kernel "$image" -initrd "$initrd" \
		$ports $disk \
		-append "console=$console loglevel=3 panic=-1 $extra mmscope.kernel=$tag mmscope.mode=$mode mmscope.break=$brk mmscope.drsnoop=$drsnoop mmscope.only=${only_boot:-$only} mmscope.timing=${timing:-0}${tests:+ mmscope.tests=$tests} mmscope.test_timeout=$ttimeout" \
		< /dev/null > "$out/$name.log" 2>&1 || rc=$?
	tr -d '\r' < "$out/$name.log" > "$out/$name.log.txt" && mv "$out/$name.log.txt" "$out/$name.log"
	[ "$name" = "$tag" ] && echo "$(($(date +%s) - start))" > "$out/$tag.seconds"
	collect "$tag" "$out/$name.log"
	# Test guests may send files (heatmap pictures) over the second serial port.
	if [ "$mode" = test ] && [ -s "$out/$name.ttyS1" ]; then
		rm -rf "$out/pictures/$tag" && mkdir -p "$out/pictures/$tag"
		tr -d '\r' < "$out/$name.ttyS1" | base64 -d | tar -x -C "$out/pictures/$tag" --strip-components=1 ||
			echo "$tag pictures FAIL could not unpack $out/$name.ttyS1" >> "$results"
	fi
	if grep -q "^MMSCOPE-DONE $tag\$" "$out/$name.log"; then
		return 0
	elif [ "$rc" = 137 ]; then
		echo "$tag guest FAIL watchdog killed the $name guest after ${dog}s (see $out/$name.log)" >> "$results"
	else
		echo "$tag guest FAIL $name guest stopped before the end, qemu exit $rc: $(grep -m1 -E 'Kernel panic|BUG:|init: exit' "$out/$name.log" || true) (see $out/$name.log)" >> "$results"
	fi
	return 1
}

# The result lines of one log, as "kernel test STATUS text".
collect() {
	sed -n "s/.*MMSCOPE-TEST \($1 .*\)/\1/p" "$2" >> "$results"
}

# Unpacks what the guest's fixtures.sh sent over its second serial port into
# tests/fixtures/TAG/, replacing the old files only when all arrived.
record_fixtures() {
	local tag=$1 dest=$repo/tests/fixtures/$1
	rm -rf "$dest.new"
	mkdir -p "$dest.new"
	if ! tr -d '\r' < "$out/$tag.ttyS1" | base64 -d | tar -x -C "$dest.new"; then
		echo "$tag fixtures FAIL could not unpack $out/$tag.ttyS1" >> "$results"
		return
	fi
	chmod 755 "$dest.new" # the guest's mktemp -d was 0700
	# Recorded by make kernel-table, not by the guest: kept.
	[ ! -f "$dest/features.json" ] || cp "$dest/features.json" "$dest.new/"
	rm -rf "$dest"
	mv "$dest.new" "$dest"
	echo "$tag fixtures PASS $(cd "$dest" && echo *) in tests/fixtures/$tag" >> "$results"
}

run_vm() {
	local tag=$1 image disk mem extra var=$out/$1.var.img
	# A small writable disk of the guest's own, made afresh each boot: init formats
	# it ext2 and mounts it at /var/tmp, the one disk-backed writable file system
	# (dirty page cache for the memcg tests). 24 MiB: below the 32 MiB from which the
	# memcg verification cgroup reads a device's page cache, so it keeps reading
	# the scratch disk.
	rm -f "$var"
	truncate -s 24M "$var"
	case $tag in
	debian-6.1 | debian-5.10 | debian-6.1-arm64)
		# 6.1 from Debian 12 (bookworm), 5.10 from Debian 11 (bullseye); on these
		# cloud kernels NVMe, the console (8250, arm64's PL011) and ext4 (for
		# ext2) are built in.
		local series=${tag#debian-} suite=bookworm arch=amd64
		series=${series%-arm64}
		[ "$series" = 5.10 ] && suite=bullseye
		case $tag in *-arm64) arch=arm64 ;; esac
		image=$(debian_kernel $suite $arch "$series") || { echo "$tag kernel FAIL cannot get Debian's $series $arch cloud kernel (download failed, none cached in $cache)" >> "$results"; return; }
		if [ $arch = arm64 ] && [ ! -s "$out/initramfs-arm64.cpio.gz" ]; then
			echo "$tag kernel FAIL no arm64 initramfs: no $arm64_build/mmscope (make ARCH=arm64) or no arm64 busybox-static" >> "$results"
			return
		fi
		# Debian's cloud kernel has virtio only as modules, NVMe built in. Two
		# namespaces of one controller, scanned in order: the scratch disk stays
		# nvme0n1, /var/tmp's is nvme0n2 (two controllers probe asynchronously).
		disk="-drive file=$cache/scratch.img,format=raw,if=none,id=scratch,readonly=on -drive file=$var,format=raw,if=none,id=var -device nvme,id=nvme0,serial=scratch -device nvme-ns,drive=scratch,bus=nvme0,nsid=1 -device nvme-ns,drive=var,bus=nvme0,nsid=2"
		mem=512 extra= ;;
	test-7.2)
		if [ ! -r "$test_kernel" ]; then
			echo "$tag kernel SKIP $test_kernel not found (no ../shared beside the repository)" >> "$results"
			return
		fi
		image=$test_kernel
		disk="-drive file=$cache/scratch.img,format=raw,if=virtio,readonly=on -drive file=$var,format=raw,if=virtio"
		mem=512 extra="numa=fake=2" ;;
	*)
		echo "$tag kernel FAIL unknown kernel tag" >> "$results"
		return ;;
	esac
	if [ "$fixtures" = 1 ] && [ "${tag%-arm64}" != "$tag" ]; then
		echo "$tag fixtures SKIP the virt board has no second serial port to send them over" >> "$results"
		return
	fi
	boot "$tag" "$image" "$mem" "$disk" "$extra" || return 0
	[ "$fixtures" = 1 ] && record_fixtures "$tag"
	# The drsnoop side by side compares latencies of the same stalls measured by
	# two tools. Under plain TCG the guest clock follows the host's, so whenever
	# the emulator switches vCPUs or the host preempts it, milliseconds pass
	# between two adjacent guest instructions and the tools' timestamps (and the
	# kernel's own) disagree by up to 80%. So it runs in a second boot with one
	# vCPU and an instruction-counted clock (-icount: guest time advances with
	# the instructions executed, nothing else); Debian's 6.1 hangs bringing up a
	# second CPU under -icount, hence -smp 1.
	# shellcheck disable=SC2254
	# Not on arm64: the drsnoop peer packed is this machine's x86_64 one.
	if [ "$fixtures" = 0 ] && [ "$drsnoop" = 1 ] && [ "${tag%-arm64}" = "$tag" ]; then
		case drsnoop in $only)
			smp=1 qemu_timing="-icount shift=3" timing=1 only_boot=drsnoop \
				boot "$tag" "$image" "$mem" "$disk" "$extra" "$tag-timing" || true ;;
		esac
	fi
	return 0
}

# The guest tests that are safe on this shared machine, run natively (those
# causing global memory pressure skip themselves without MMSCOPE_VM=1). The
# native integration tests proper are `make test`'s.
run_native() {
	local tag
	tag=native-$(uname -r | cut -d. -f1-2)
	log "running the guest tests natively as $tag (the native integration tests are run by 'make test')"
	PATH=$(dirname "$mmscope"):$workloads:$PATH MMSCOPE_VM_KERNEL=$tag MMSCOPE_VM_BREAK=$brk MMSCOPE_VM_DRSNOOP=$drsnoop MMSCOPE_VM_ONLY="$only" \
		sh "$repo/tests/vm/guest/run-tests.sh" > "$out/$tag.log" 2>&1 ||
		echo "$tag guest FAIL run-tests.sh exit $? (see $out/$tag.log)" >> "$results"
	collect "$tag" "$out/$tag.log"
}

# promtool_bodies: `promtool check metrics` on the exposition each guest's
# 80-export printed (between MMSCOPE-EXPORT-BEGIN and -END on its console), one
# result per kernel. t0950 checks the same logs from `make test`, which CI runs
# before the matrix: there they do not exist yet.
promtool_bodies() {
	local tag body
	command -v promtool > /dev/null || return 0
	for tag in $kernels; do
		[ -f "$out/$tag.log" ] || continue
		body=$out/$tag.prom
		"$repo/tests/vm/export-body.sh" "$out/$tag.log" > "$body"
		if [ ! -s "$body" ]; then
			echo "$tag export-promtool SKIP no exporter body in $out/$tag.log" >> "$results"
		elif promtool check metrics < "$body" > "$body.out" 2>&1; then
			echo "$tag export-promtool PASS $(grep -c '^[a-z]' "$body") series" >> "$results"
		else
			echo "$tag export-promtool FAIL $(head -c 300 "$body.out" | tr '\n' ' ')" >> "$results"
		fi
	done
}

summary() {
	local tag status name text passed=0 failed=0 skipped=0
	# Kernels in the order of $kernels: the parallel guests' lines interleave.
	for tag in $(for k in $kernels; do awk -v k="$k" '$1 == k || index($1, k "-") == 1 { print $1 }' "$results"; done | awk '!seen[$0]++'); do
		echo "== $tag$([ -f "$out/$tag.seconds" ] && echo " ($(cat "$out/$tag.seconds")s)")"
		while read -r name status text; do
			printf '  %-4s  %-12s %s\n' "$status" "$name" "$text"
			case $status in
			PASS) passed=$((passed + 1)) ;;
			SKIP) skipped=$((skipped + 1)) ;;
			*) failed=$((failed + 1)) ;;
			esac
		done < <(awk -v k="$tag" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$results")
	done
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}

need_tools
mkdir -p "$out"
mkdir -p "$cache" 2> /dev/null && [ -w "$cache" ] || cache=${XDG_CACHE_HOME:-$HOME/.cache}/mmscope-vm
mkdir -p "$cache"
# A sparse scratch disk the guests read to fill their page cache (zeros: fast).
[ -s "$cache/scratch.img" ] || truncate -s 1G "$cache/scratch.img"
: > "$results"
rm -f "$out"/*.seconds
build_initramfs
rm -f "$out/initramfs-arm64.cpio.gz"
case " $kernels " in *-arm64" "*) build_initramfs arm64 || log "no arm64 initramfs" ;; esac
# The VM kernels boot in parallel, one host core each (single-threaded TCG),
# at most MMSCOPE_VM_JOBS (2: the CI machine's cores) at a time, the slow arm64
# guests (emulated CPU) first; each one's timing guest follows its test guest.
# The native tests run after them, so the guests' timings do not compete.
# (Booting test-7.2 first, beside the arm64 guest, saved a minute but starved
# its heatmap tests of host CPU: damon-paddr read cold pages at 0.22 in the CI
# run of 2026-12-02 13:05; this order passed them. The idle exit 3 of that run
# was heatmap_idle.c's short page_idle transfers, fixed since.)
for tag in $(printf '%s\n' $kernels | grep -- '-arm64$') $(printf '%s\n' $kernels | grep -v -- '-arm64$'); do
	[ "$tag" = native ] && continue
	while [ "$(jobs -rp | wc -l)" -ge "${MMSCOPE_VM_JOBS:-2}" ]; do
		wait -n || true
	done
	run_vm "$tag" &
done
wait
for tag in $kernels; do
	[ "$tag" != native ] || [ "$fixtures" = 1 ] || run_native
done
[ "$fixtures" = 1 ] || promtool_bodies
summary
