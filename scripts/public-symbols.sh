#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prints, one a line and sorted, the functions the public headers declare
# (include/mmscope/*.h): the symbols libmmscope.a keeps global (the Makefile hands
# the list to objcopy --keep-global-symbols) and what tests/integration/t0070
# checks the archive against.
#
#   scripts/public-symbols.sh [INCLUDE_DIR]      (default: include/ beside scripts/)
#
# The compiler reads the headers, not a pattern: gcc's -aux-info writes a prototype
# for every function declared in the translation unit, each after a comment naming
# the file and line and ending in C (a declaration) or F (a definition, i.e. a static
# inline function of a header, which is no symbol). Only declarations from files
# under INCLUDE_DIR/mmscope/ count. The name is the identifier before the parameter
# list's "(" (one not opening "(*", so a function returning a function pointer is
# named right). CC must be gcc (clang has no -aux-info); CFLAGS is not used, only
# -std=gnu11 -D_GNU_SOURCE as the library is built.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
inc=$(cd "${1:-$top/include}" && pwd)
cc=${CC:-gcc}
case $($cc --version 2>/dev/null | head -n 1) in
*clang*) cc=gcc ;;
esac

tmp=$(mktemp -d /tmp/mmscope-syms.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for h in "$inc"/mmscope/*.h; do
	echo "#include <mmscope/$(basename "$h")>"
done >"$tmp/all.c"
$cc -std=gnu11 -D_GNU_SOURCE -I"$inc" -fsyntax-only -aux-info "$tmp/aux" "$tmp/all.c"

awk -v dir="$inc/mmscope/" '
	# "/* FILE:LINE:NC */ extern int f (int);"
	index($0, "/* " dir) == 1 && $0 ~ /^\/\* [^*]*:[NO]C \*\// {
		decl = $0
		sub(/^\/\* [^*]*\*\/ */, "", decl)
		if (decl ~ /^static[ \t]/)
			next
		while (match(decl, /[A-Za-z_][A-Za-z0-9_]* \(/)) {
			name = substr(decl, RSTART, RLENGTH - 2)
			rest = substr(decl, RSTART + RLENGTH)
			if (rest !~ /^\*/) {
				print name
				break
			}
			decl = rest
		}
	}' "$tmp/aux" | sort -u >"$tmp/list"

if [ ! -s "$tmp/list" ]; then
	echo "public-symbols.sh: no function declarations found under $inc/mmscope" >&2
	exit 1
fi
cat "$tmp/list"
