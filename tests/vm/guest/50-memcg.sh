# SPDX-License-Identifier: GPL-2.0
# memcg: a cgroup of our own holds known anon (hog) and page cache; every memcg
# backend this kernel has (kfunc where the memcg kfuncs exist, core, text) reports
# anon and file within the staleness bound of memory.stat (64 pages per CPU or 1%),
# and so does kfunc's one-cgroup path (a test run of a syscall program); in a VM,
# whose /var/tmp is a disk of its own (ext2), core verifies file_dirty with the
# verification cgroup's unnamed file, which leaves no file and no cgroup behind; a
# cgroup removed between reads drops out, a bad ROOT is exit 2.
set -eu
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a cgroup"
if grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null; then
	root=/sys/fs/cgroup v=2 anon=anon file=file
elif [ -f /sys/fs/cgroup/memory/memory.stat ]; then
	root=/sys/fs/cgroup/memory v=1 anon=total_rss file=total_cache
else
	skip "no cgroup memory controller enabled"
fi
command -v hog > /dev/null || skip "no hog helper"
cg=$root/mmscope-test-memcg-$$
mkdir -p "$cg/t"
[ $v = 2 ] && echo +memory > "$cg/cgroup.subtree_control"
sh -c "echo \$\$ > $cg/t/cgroup.procs; exec hog -n 24" > /tmp/hog.out 2>&1 &
hog=$!
sh -c "echo \$\$ > $cg/t/cgroup.procs; dd if=/dev/zero of=/tmp/memcg-file bs=1M count=8 2> /dev/null"
i=0
while [ $i -lt 100 ] && ! grep -q holding /tmp/hog.out; do sleep 0.1; i=$((i + 1)); done
done_() {
	kill $hog 2> /dev/null || true
	wait $hog 2> /dev/null || true
	rm -f /tmp/memcg-file
	cg_remove "$cg/gone" "$cg/t" "$cg"
}
trap done_ EXIT

backends="core text"
core=core
# Without cgroup iterators (before 5.19) core must refuse with exit 3, naming them.
if ! mmscope -j features | grep -q '"bpf_cgroup_iter":true'; then
	rc=0
	mmscope memcg "$cg" --backend core > /tmp/memcg-core.out 2>&1 || rc=$?
	[ $rc = 3 ] && grep -q 'iter' /tmp/memcg-core.out ||
		fail "no cgroup iterators, yet --backend core exit $rc: $(head -c 200 /tmp/memcg-core.out)"
	backends="text" core=
fi
mmscope -j features | grep -q "\"memcg_kfuncs\":true" && backends="kfunc $backends"
# field JSON PATH KEY: a stat of the row at PATH from one-line JSON.
field() {
	printf '%s' "$1" | sed "s|.*\"path\":\"$2\",\"id\":[0-9]*,\"stats\":{\([^}]*\)}.*|\1|" |
		tr ',' '\n' | sed -n "s/^\"$3\":\([0-9]*\)$/\1/p"
}
tol=$(( $(nproc) * 64 * 4096 ))
figures=""
for b in $backends; do
	json=$(mmscope -j memcg "$cg" --backend $b -s anon,file,usage) || fail "$b: exit $?"
	for pair in anon:$anon file:$file; do
		name=${pair%%:*} key=${pair#*:}
		got=$(field "$json" /t $name)
		want=$(awk -v k=$key '$1 == k { print $2 }' "$cg/t/memory.stat")
		[ -n "$got" ] || fail "$b: no $name for /t: $json"
		d=$(( got > want ? got - want : want - got ))
		bound=$(( want / 100 > tol ? want / 100 : tol ))
		[ $d -le $bound ] || fail "$b $name: $got vs memory.stat $want"
		figures="$figures $b:$name=$got/$want"
	done
	[ "$(field "$json" /t anon)" -ge $(((24 << 20) - tol)) ] || fail "$b: anon $(field "$json" /t anon) below the 24 MiB held (memory.stat: $(grep -E "^(anon|file|kernel_stack|sock|shmem) " "$cg/t/memory.stat" | tr "\n" " "))"
done
# kfunc's one-cgroup path: three snapshots of the leaf, the last two by test runs of
# memcg_kfunc_self (-v would say if the kernel refused it).
if [ "${backends%% *}" = kfunc ]; then
	mmscope -v -j memcg "$cg/t" --self --backend kfunc -s anon 0.05 2 > /tmp/memcg-self.json 2> /tmp/memcg-self.err ||
		fail "kfunc --self: exit $?: $(grep -v '^libbpf' /tmp/memcg-self.err)"
	grep -q one-cgroup /tmp/memcg-self.err && fail "kfunc --self: $(grep one-cgroup /tmp/memcg-self.err)"
	[ "$(wc -l < /tmp/memcg-self.json)" = 3 ] || fail "kfunc --self: $(wc -l < /tmp/memcg-self.json) snapshots"
	got=$(sed -n 3p /tmp/memcg-self.json | sed 's/.*"anon":\([0-9]*\).*/\1/')
	want=$(awk '$1 == "anon" { print $2 }' "$cg/t/memory.stat")
	d=$(( got > want ? got - want : want - got ))
	[ $d -le $(( want / 100 > tol ? want / 100 : tol )) ] || fail "kfunc --self anon: $got vs memory.stat $want"
	figures="$figures kfunc-self:anon=$got/$want"
fi
# Which statistics core serves itself on this small guest (the verification cgroup
# makes most verifiable), and that cgroup and its unnamed file are gone.
if [ -n "$core" ]; then
	vartmp=$(awk '$2 == "/var/tmp" { print $3 }' /proc/mounts)
	files=$(ls -A /var/tmp 2> /dev/null | wc -l)
	srcs=$(mmscope -v memcg "$cg" --backend core -s anon,file,shmem,file_mapped,active_anon,inactive_anon,inactive_file,active_file,unevictable,pgfault,pgmajfault,file_dirty 2>&1 >/dev/null | sed -n 's/^mmscope memcg: \([a-z_]*\) from text.*/\1/p' | tr '\n' ' ')
	ls -d "$root"/mmscope-verify-* > /dev/null 2>&1 && fail "verification cgroup left behind"
	[ "$(ls -A /var/tmp 2> /dev/null | wc -l)" = "$files" ] || fail "files left in /var/tmp: $(ls -A /var/tmp)"
	if [ "${MMSCOPE_VM:-}" = 1 ]; then
		[ "$vartmp" = ext2 ] || fail "no disk-backed /var/tmp in the guest (/proc/mounts: ${vartmp:-none})"
		case " $srcs" in *" file_dirty "*) fail "file_dirty not verified with a disk-backed /var/tmp (text: $srcs)" ;; esac
	fi
	figures="$figures core-text:[${srcs% }] /var/tmp:${vartmp:-not-a-mount}"
else
	figures="$figures core: exit 3 ($(head -c 120 /tmp/memcg-core.out))"
fi
mkdir "$cg/gone"
mmscope -j memcg "$cg" --backend "${core:-text}" -s anon 0.5 1 > /tmp/memcg.json &
r=$!
sleep 0.2
rmdir "$cg/gone"
wait $r || fail "${core:-text} stream exit $?"
[ "$(sed -n 2p /tmp/memcg.json | grep -c /gone)" = 0 ] || fail "removed cgroup still listed"
rc=0
mmscope memcg /proc > /dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "ROOT /proc: exit $rc, expected 2"
pass "cgroup v$v, backends: $backends;$figures"
