#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs what building, running and testing mmscope needs, from Debian's packages.
# Idempotent and fast when everything is present: it asks dpkg first and only calls
# apt-get for what is missing. Used by `make deps`, which both README commands reach.
set -eu

pkgs="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev \
libjansson-dev libcmocka-dev pkg-config libclang-rt-14-dev util-linux \
libgd-dev libpng-dev libncurses-dev \
libmicrohttpd-dev libgnutls28-dev libunistring-dev libyaml-dev libcrypt-dev"
# The UAPI headers the syscall and errno name tables are generated from.
pkgs="$pkgs linux-libc-dev"
if [ "${1:-}" = "--test" ]; then
	# Integration and VM tests: the initramfs userland, qemu, the peers.
	pkgs="$pkgs busybox-static qemu-system-x86 cpio python3 linux-perf libbpf-tools tmux strace"
	# export: a real Prometheus and promtool, node_exporter for bench/export, TLS test.
	pkgs="$pkgs prometheus prometheus-node-exporter openssl curl"
	# bench/alloc_overhead's peer: a bpftrace script tracing allocations by call site.
	pkgs="$pkgs bpftrace"
	# The arm64 guest of the VM matrix: its binary is cross-built (see --arm64).
	pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm"
fi

arm64=0
if [ "${1:-}" = "--arm64" ]; then
	# make ARCH=arm64 and its VM guest: the cross compiler with its C library,
	# qemu-system-aarch64; the arm64 libraries go into a sysroot of their own
	# (scripts/arm64-sysroot.sh: no dpkg --add-architecture on this machine).
	pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm"
	arm64=1
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ "$arm64" = 1 ]; then
	"$(dirname "$0")/arm64-sysroot.sh" "${ARM64_SYSROOT:-/var/cache/mmscope-cross/arm64}"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
