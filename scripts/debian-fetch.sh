#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debian packages of another release or architecture, without touching this
# machine's apt configuration: apt-get runs on a sources list, package lists
# and dpkg status of its own, kept in STATE_DIR/SUITE-ARCH (a "temporary" apt used by the
# VM matrix for bullseye's 5.10 kernel and bookworm's arm64 packages, and by
# `install-deps.sh --arm64` for the cross-build sysroot).
#
#   debian-fetch.sh STATE_DIR SUITE ARCH search REGEX
#       names of the packages matching REGEX, oldest first (sort -V)
#   debian-fetch.sh STATE_DIR SUITE ARCH download DEST PKG...
#       downloads each PKG (a name, or name=version) into DEST and prints the
#       .deb paths; exit 1 if one could not be had
#   debian-fetch.sh STATE_DIR SUITE ARCH version PKG
#       the version of PKG the lists offer
#
# The lists are refreshed when they are older than a day (or absent); without
# a registry the stale ones are used as they are.
set -eu

[ $# -ge 5 ] || { echo "usage: $0 STATE_DIR SUITE ARCH search|download|version ARGS" >&2; exit 2; }
suite=$2 arch=$3 what=$4 state=$1/$2-$3 # one state per release and architecture
shift 4
mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/sources.list.d" "$state/preferences.d"
[ -e "$state/status" ] || : > "$state/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$state/sources.list.new" << EOF
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian $suite main
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian $suite-updates main
deb [arch=$arch signed-by=$keyring] http://deb.debian.org/debian-security $suite-security main
EOF
mv "$state/sources.list.new" "$state/sources.list"

# As root apt would drop to user _apt, who may not write STATE_DIR.
apt_opts="-o Dir::Etc::SourceList=$state/sources.list -o Dir::Etc::SourceParts=$state/sources.list.d
 -o Dir::Etc::Preferences=$state/preferences -o Dir::Etc::PreferencesParts=$state/preferences.d
 -o Dir::State=$state -o Dir::State::Lists=$state/lists -o Dir::State::status=$state/status
 -o Dir::Cache=$state -o Dir::Cache::archives=$state/archives
 -o APT::Architecture=$arch -o APT::Architectures::=$arch -o APT::Sandbox::User=root -q=2"

if [ -z "$(find "$state/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2> /dev/null | head -n 1)" ]; then
	# shellcheck disable=SC2086 # a list of options
	apt-get $apt_opts update > /dev/null 2>&1 ||
		echo "debian-fetch: cannot refresh the $suite/$arch package lists; using what $state has" >&2
fi

case $what in
search)
	# shellcheck disable=SC2086
	apt-cache $apt_opts search --names-only "$1" | awk '{ print $1 }' | sort -V ;;
version)
	# shellcheck disable=SC2086
	apt-cache $apt_opts show --no-all-versions "$1" | awk '/^Version:/ { print $2; exit }' ;;
download)
	dest=$1
	shift
	mkdir -p "$dest"
	for pkg; do
		# shellcheck disable=SC2086
		(cd "$dest" && apt-get $apt_opts download "$pkg") > /dev/null 2>&1 || {
			echo "debian-fetch: cannot download $pkg ($suite/$arch)" >&2
			exit 1
		}
		ls -t "$dest/${pkg%%=*}"_*.deb | head -n 1
	done ;;
*)
	echo "$0: unknown action $what" >&2
	exit 2 ;;
esac
