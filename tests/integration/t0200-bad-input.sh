#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Malformed procfs files under --root: every case must end in a one-line message
# naming the file and the line, exit 2, and nothing on stdout (never a partial table
# presented as complete); a missing required file is exit 3 naming it.
. "$(dirname "$0")/lib.sh"

base=$SCRATCH/base
mkdir -p "$base"
cp -rL "$FIXTURES/host-6.18/root/." "$base/"

# bad NAME FILE CMD STATUS LINE: write stdin into FILE of a fresh tree, run CMD, and
# expect STATUS with "FILE:LINE:" in the message (LINE "-" for no line number).
bad() {
	name=$1 file=$2 cmd=$3 want=$4 line=$5
	tree=$SCRATCH/$name
	rm -rf "$tree"
	cp -r "$base" "$tree"
	cat >"$tree/proc/$file"
	"$MMSCOPE" --root "$tree" $cmd >"$SCRATCH/out" 2>"$SCRATCH/err"
	got=$?
	msg=$(cat "$SCRATCH/err")
	if [ "$got" != "$want" ]; then
		not_ok "$name" "exit $got, expected $want: $msg"
	elif [ -s "$SCRATCH/out" ]; then
		not_ok "$name" "printed a partial result: $(head -c 100 "$SCRATCH/out")"
	elif [ "$(wc -l <"$SCRATCH/err")" != 1 ]; then
		not_ok "$name" "message is not one line: $msg"
	elif [ "$line" != - ] && ! echo "$msg" | grep -q "proc/$file:$line: "; then
		not_ok "$name" "message does not name proc/$file:$line: $msg"
	else
		ok "$name ($msg)"
	fi
}

good=$(head -n 1 "$base/proc/buddyinfo")
printf '' | bad buddyinfo-empty buddyinfo frag 2 -
printf '%s\nNode 0, zone   Normal   7641   5346   29' "$good" | bad buddyinfo-truncated-line buddyinfo frag 2 2
printf '%s\nNode 0, zone' "$good" | bad buddyinfo-truncated-prefix buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal  1 2 3\0 4\n' "$good" | bad buddyinfo-binary buddyinfo frag 2 2
head -c 200 /dev/urandom | tr -d '\n' | bad buddyinfo-random buddyinfo frag 2 1
printf '%s\nNode 0, zone   Normal 1 2 3 4 5 6 7 8 9 10 11 12\n' "$good" | bad buddyinfo-too-many-columns buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal 1 2 3 4 5 6 7 8 9 10\n' "$good" | bad buddyinfo-too-few-columns buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal 1 2 3 -4 5 6 7 8 9 10 11\n' "$good" | bad buddyinfo-negative buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal 1 2 3 18446744073709551616 5 6 7 8 9 10 11\n' "$good" | bad buddyinfo-2pow64 buddyinfo frag 2 2
printf '%s\nNode 0, zone   Normal 1 2 3 4 5 6 7 8 9 10 18446744073709551615\n' "$good" | bad buddyinfo-free-pages-overflow buddyinfo frag 2 2
printf 'Node x, zone DMA 1 2\n' | bad buddyinfo-bad-node buddyinfo frag 2 1

head -n 60 "$base/proc/zoneinfo" | sed '/^ *min /,$d' | bad zoneinfo-truncated zoneinfo frag 2 -
sed 's/^\( *high *\)[0-9]*/\1-12/' "$base/proc/zoneinfo" | bad zoneinfo-negative zoneinfo frag 2 -
printf '' | bad zoneinfo-empty zoneinfo frag 2 -
sed '5s/^.*$/Node 0, zone      DMA, type    Unmovable 1 2 3/' "$base/proc/pagetypeinfo" | bad pagetypeinfo-short-row pagetypeinfo frag 2 5
head -n 10 "$base/proc/pagetypeinfo" | bad pagetypeinfo-truncated pagetypeinfo frag 2 -
sed '3s/^.*$/pgfault 12 13/' "$base/proc/vmstat" | bad vmstat-three-columns vmstat report 2 3
sed '4s/[0-9][0-9]*$/99999999999999999999/' "$base/proc/vmstat" | bad vmstat-overflow vmstat report 2 4
sed '2s/ kB$/ MB/' "$base/proc/meminfo" | bad meminfo-unknown-unit meminfo report 2 2
sed '1s/^some avg10=[0-9.]*/some avg10=abc/' "$base/proc/pressure/memory" | bad psi-bad pressure/memory report 2 1

# Missing required files: exit 3, naming the file.
for f in buddyinfo zoneinfo; do
	tree=$SCRATCH/missing-$f
	cp -r "$base" "$tree"
	rm "$tree/proc/$f"
	"$MMSCOPE" --root "$tree" frag >/dev/null 2>"$SCRATCH/err"
	rc=$?
	if [ "$rc" = 3 ] && grep -q "missing: .*proc/$f" "$SCRATCH/err"; then
		ok "missing-$f ($(cat "$SCRATCH/err"))"
	else
		not_ok "missing-$f" "exit $rc: $(cat "$SCRATCH/err")"
	fi
done

# pagetypeinfo is optional: frag works without it and says what it left out.
tree=$SCRATCH/no-pagetypeinfo
cp -r "$base" "$tree"
rm "$tree/proc/pagetypeinfo"
if "$MMSCOPE" --root "$tree" frag | grep -q 'migrate types left out' &&
	[ "$("$MMSCOPE" -j --root "$tree" frag | python3 -c 'import json,sys; print(json.load(sys.stdin)["zones"][0]["migratetypes"])')" = None ]; then
	ok frag-without-pagetypeinfo
else
	not_ok frag-without-pagetypeinfo "did not say what it left out"
fi

# Without root, pagetypeinfo (0400) is unreadable: frag still works from the rest.
if is_root && command -v setpriv >/dev/null; then
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$MMSCOPE" frag >"$SCRATCH/nobody" 2>&1 &&
		grep -q 'migrate types left out: /proc/pagetypeinfo: Permission denied' "$SCRATCH/nobody"; then
		ok frag-as-nobody
	else
		not_ok frag-as-nobody "$(tail -n 3 "$SCRATCH/nobody")"
	fi
fi
