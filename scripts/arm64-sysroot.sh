#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The arm64 libraries `make ARCH=arm64` links the static mmscope against:
# Debian 12's :arm64 development packages, downloaded by scripts/debian-fetch.sh
# (apt state of its own: no `dpkg --add-architecture`, this machine's apt
# configuration is left as it is) and unpacked with `dpkg -x` into SYSROOT.
# The C library and kernel headers come with the cross compiler
# (libc6-dev-arm64-cross), so libc6-dev:arm64 is not unpacked over them.
#
#   arm64-sysroot.sh SYSROOT
#
# SYSROOT/.complete marks a finished sysroot and holds its package list: a
# sysroot made for another list is made again.
set -eu

[ $# = 1 ] || { echo "usage: $0 SYSROOT" >&2; exit 2; }
root=$1
here=$(cd "$(dirname "$0")" && pwd)
# What STATIC_LIBS in the Makefile names (each -dev holds its lib*.a and headers);
# export's HTTP server and TLS (libmicrohttpd, gnutls and the crypto libraries
# gnutls links), its web-config.yml (libyaml) and bcrypt (libcrypt).
pkgs="libbpf-dev libelf-dev zlib1g-dev libzstd-dev libjansson-dev libgd-dev libpng-dev libncurses-dev \
libmicrohttpd-dev libgnutls28-dev nettle-dev libgmp-dev libtasn1-6-dev libidn2-dev libunistring-dev \
libyaml-dev libcrypt-dev"
[ "$(cat "$root/.complete" 2>/dev/null)" = "$pkgs" ] && exit 0

rm -rf "$root.debs"
echo "arm64-sysroot: downloading $pkgs (bookworm/arm64)"
# shellcheck disable=SC2086 # a list of package names
debs=$("$here/debian-fetch.sh" "$root.apt" bookworm arm64 download "$root.debs" $pkgs)
rm -rf "$root"
mkdir -p "$root"
for deb in $debs; do
	dpkg -x "$deb" "$root"
done
rm -rf "$root.debs"
printf '%s\n' "$pkgs" > "$root/.complete"
echo "arm64-sysroot: $root"
