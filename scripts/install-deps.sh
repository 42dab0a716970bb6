#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs what building, running and testing mmscope needs, from Debian's packages.
# Idempotent and fast when everything is present: it asks dpkg first and only calls
# apt-get for what is missing. Used by `make deps`, which both README commands reach.
set -eu

pkgs="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev \
libjansson-dev libcmocka-dev pkg-config libclang-rt-14-dev util-linux \
libgd-dev libpng-dev libncurses-dev"
if [ "${1:-}" = "--test" ]; then
	# Integration and VM tests: the initramfs userland, qemu, the peers.
	pkgs="$pkgs busybox-static qemu-system-x86 cpio python3 linux-perf libbpf-tools tmux strace"
	# bench/alloc_overhead's peer: a bpftrace script tracing allocations by call site.
	pkgs="$pkgs bpftrace"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
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
