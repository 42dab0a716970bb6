# SPDX-License-Identifier: GPL-2.0
# features: `mmscope -j features` runs on this kernel (its output is kept in
# the log) and reports the facts this kernel is known to have.
set -eu
. "$(dirname "$0")/lib.sh"

case $MMSCOPE_VM_KERNEL in
test-7.2)
	expect="memcg_kfuncs=true allocinfo=true page_idle=true damon_vaddr=true mglru=true memcg_v2=true" ;;
debian-6.1 | debian-6.1-arm64)
	expect="memcg_v2=true mglru=true memcg_kfuncs=false allocinfo=false" ;;
debian-5.10)
	# No cgroup iterators (5.19), DAMON sysfs (5.18), MGLRU, allocation
	# profiling; Debian's config has no page_idle.
	expect="btf=true bpf_tracepoint=true memcg_v2=true bpf_cgroup_iter=false damon=false
		mglru=false memcg_kfuncs=false allocinfo=false page_idle=false" ;;
native-6.18*)
	# This development machine's kernel (issue 2 lists what it must report).
	expect="btf=true bpf_tracepoint=true bpf_cgroup_iter=true fentry=false kprobes=false
		memcg_kfuncs=false allocinfo=false damon_vaddr=false damon_paddr=true
		page_idle=false mglru=false psi=true memcg_v1=true memcg_v2=false" ;;
*)
	expect= ;;
esac

rc=0
json=$(mmscope -j features 2> /tmp/features.err) || rc=$?
echo "mmscope -j features (exit $rc):"
echo "$json"
cat /tmp/features.err
[ "$rc" = 0 ] || fail "mmscope -j features exited $rc: $(head -c 200 /tmp/features.err)"

# Whitespace-free, then the body of "features":{...} (its values are booleans,
# so it holds no nested braces), one "name":value per line.
flat=$(printf '%s' "$json" | tr -d ' \t\r\n')
features=$(printf '%s' "$flat" | sed -n 's/.*"features":{\([^{}]*\)}.*/\1/p' | tr ',' '\n')
[ -n "$features" ] || fail "no \"features\" object in the output"
case $flat in
*"\"kernel\":\"$(uname -r)\""*) ;;
*) fail "\"kernel\" is not \"$(uname -r)\"" ;;
esac
[ -n "$expect" ] || skip "no known facts for kernel $MMSCOPE_VM_KERNEL ($(uname -r)); output kept in the log"

bad=
for fact in $expect; do
	name=${fact%=*}
	want=${fact#*=}
	got=$(printf '%s\n' "$features" | sed -n "s/^\"$name\":\(true\|false\)\$/\1/p")
	[ "$got" = "$want" ] || bad="$bad $name=${got:-missing}(want $want)"
done
[ -z "$bad" ] || fail "wrong:$bad"
# shellcheck disable=SC2086 # one line: the facts separated by single spaces
pass $expect
