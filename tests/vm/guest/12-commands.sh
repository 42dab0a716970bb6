# SPDX-License-Identifier: GPL-2.0
# commands: the commands the other guest tests do not drive (report, frag, thp)
# answer on this kernel: exit 0 with a JSON document, or exit 3 with a message
# that names what the kernel lacks; never another failure.
set -eu
. "$(dirname "$0")/lib.sh"

figures=
for c in report frag thp; do
	rc=0
	mmscope -j $c > /tmp/cmd.json 2> /tmp/cmd.err || rc=$?
	case $rc in
	0)
		[ "$(head -c 1 /tmp/cmd.json)" = "{" ] || fail "$c: exit 0 without a JSON document: $(head -c 200 /tmp/cmd.json)"
		figures="$figures $c:ok($(wc -c < /tmp/cmd.json)B)" ;;
	3)
		[ -s /tmp/cmd.err ] || [ -s /tmp/cmd.json ] || fail "$c: exit 3 without saying what is missing"
		figures="$figures $c:unsupported($(head -c 80 /tmp/cmd.err /tmp/cmd.json | tr '\n' ' '))" ;;
	*)
		fail "$c: exit $rc: $(head -c 200 /tmp/cmd.err) $(head -c 200 /tmp/cmd.json)" ;;
	esac
done
pass "$figures"
