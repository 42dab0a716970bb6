#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `mmscope thp` on this machine: its JSON against /sys/kernel/mm/transparent_hugepage
# and /proc/vmstat read by the shell around the run, a process that maps
# MADV_HUGEPAGE memory showing AnonHugePages, streams, --root trees (the recorded
# one, broken ones, one with enabled=always for the advice), and exit statuses.
# Never changes a sysfs setting: "always" is only ever tested in a copied tree.
. "$(dirname "$0")/lib.sh"

THP=/sys/kernel/mm/transparent_hugepage
ROOT=$FIXTURES/host-6.18/root

# py NAME SCRIPT ARGS...: runs a python3 check; its stdout (one line) is the reason
# when it fails, or the detail shown after ok.
py() {
	name=$1 script=$2
	shift 2
	if out=$(python3 -c "$script" "$@" 2>&1); then
		ok "$name${out:+ ($out)}"
	else
		not_ok "$name" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# status NAME WANT ARGS...: mmscope ARGS exits WANT with a one-line message.
status() {
	name=$1 want=$2
	shift 2
	"$MMSCOPE" "$@" >"$SCRATCH/st.out" 2>"$SCRATCH/st.err"
	got=$?
	if [ "$got" != "$want" ]; then
		not_ok "$name" "exit $got, expected $want: $(head -c 200 "$SCRATCH/st.err")"
	else
		ok "$name ($(head -n 1 "$SCRATCH/st.err"))"
	fi
}

if [ ! -r $THP/enabled ]; then
	skip thp-live "no $THP on this kernel"
	status thp-no-thp-sysfs 3 thp
	exit 0
fi

# ---- live JSON against sysfs and vmstat ----

snap() { grep -E '^(thp_|compact_)' /proc/vmstat >"$1"; }
snap "$SCRATCH/vm.before"
for d in $THP/hugepages-*; do
	[ -r "$d/stats/anon_fault_alloc" ] && echo "$(basename "$d") $(cat "$d/stats/anon_fault_alloc")"
done >"$SCRATCH/sizes.before"
if "$MMSCOPE" -j thp >"$SCRATCH/live.json" 2>"$SCRATCH/live.err"; then
	ok "thp-live-exit-0"
else
	not_ok thp-live-exit-0 "$(cat "$SCRATCH/live.err")"
fi
snap "$SCRATCH/vm.after"
for d in $THP/hugepages-*; do
	[ -r "$d/stats/anon_fault_alloc" ] && echo "$(basename "$d") $(cat "$d/stats/anon_fault_alloc")"
done >"$SCRATCH/sizes.after"

py thp-settings-match-sysfs '
import json, os, re, sys
d = json.load(open(sys.argv[1]))["settings"]
T = sys.argv[2]
def choice(p):
    return re.search(r"\[([^]]+)\]", open(p).read()).group(1)
for k in ("enabled", "defrag", "shmem_enabled"):
    if d[k] != choice(os.path.join(T, k)):
        sys.exit("%s: json %s, sysfs %s" % (k, d[k], choice(os.path.join(T, k))))
n = 0
for k in ("hpage_pmd_size", "use_zero_page", "shrink_underused"):
    p = os.path.join(T, k)
    if os.path.exists(p):
        n += 1
        if d[k] != int(open(p).read()):
            sys.exit("%s: json %s, sysfs %s" % (k, d[k], open(p).read().strip()))
for k in ("defrag", "max_ptes_none", "max_ptes_swap", "max_ptes_shared", "pages_to_scan",
          "scan_sleep_millisecs", "alloc_sleep_millisecs"):
    p = os.path.join(T, "khugepaged", k)
    n += 1
    if d["khugepaged"][k] != int(open(p).read()):
        sys.exit("khugepaged/%s: json %s, sysfs %s" % (k, d["khugepaged"][k], open(p).read().strip()))
print("enabled %s, defrag %s, %d knobs equal" % (d["enabled"], d["defrag"], n))
' "$SCRATCH/live.json" $THP

py thp-sizes-match-sysfs '
import json, os, re, sys
d = json.load(open(sys.argv[1]))
T = sys.argv[2]
before = dict(l.split() for l in open(sys.argv[3]))
after = dict(l.split() for l in open(sys.argv[4]))
dirs = sorted((int(n[10:-2]) * 1024, n) for n in os.listdir(T) if n.startswith("hugepages-"))
sizes = d["sizes"]
if [s["size_bytes"] for s in sizes] != [b for b, _ in dirs]:
    sys.exit("sizes %s, sysfs %s" % ([s["size_bytes"] for s in sizes], dirs))
for s, (b, n) in zip(sizes, dirs):
    p = os.path.join(T, n, "enabled")
    want = re.search(r"\[([^]]+)\]", open(p).read()).group(1) if os.path.exists(p) else None
    if s["enabled"] != want:
        sys.exit("%s enabled: json %s, sysfs %s" % (n, s["enabled"], want))
    if want == "inherit" and s["effective_enabled"] != d["settings"]["enabled"]:
        sys.exit("%s: inherit not resolved" % n)
    if n in before:
        t = s["anon_fault_alloc"]["total"]
        if not int(before[n]) <= t <= int(after[n]):
            sys.exit("%s anon_fault_alloc %d outside [%s, %s]" % (n, t, before[n], after[n]))
        if s["anon_fault_alloc"]["rate"] is None or s["anon_fault_alloc"]["rate"] < 0:
            sys.exit("%s: no rate" % n)
    elif s["anon_fault_alloc"] is not None:
        sys.exit("%s: counters where sysfs has none" % n)
print("%d sizes" % len(sizes))
' "$SCRATCH/live.json" $THP "$SCRATCH/sizes.before" "$SCRATCH/sizes.after"

py thp-counters-match-vmstat '
import json, sys
d = json.load(open(sys.argv[1]))
before = dict(l.split() for l in open(sys.argv[2]))
after = dict(l.split() for l in open(sys.argv[3]))
c = d["counters"]
if sorted(c) != sorted(after):
    sys.exit("names differ: %s" % sorted(set(c) ^ set(after)))
for k, v in c.items():
    if not int(before[k]) <= v["total"] <= int(after[k]):
        sys.exit("%s %d outside [%s, %s]" % (k, v["total"], before[k], after[k]))
    if v["rate"] is None or v["rate"] < 0:
        sys.exit("%s: rate %s" % (k, v["rate"]))
if not 0.9 <= d["interval_s"] <= 2.0:
    sys.exit("interval_s %s, expected about 1" % d["interval_s"])
for k in ("processes", "skipped_processes", "advice", "huge_pages_in_use"):
    if k not in d:
        sys.exit("no %s" % k)
print("%d counters, window %.3f s" % (len(c), d["interval_s"]))
' "$SCRATCH/live.json" "$SCRATCH/vm.before" "$SCRATCH/vm.after"

py thp-live-advice-fits-settings '
import json, sys
d = json.load(open(sys.argv[1]))
ids = [a["id"] for a in d["advice"]]
s = d["settings"]
if (s["enabled"] == "always") != ("thp_enabled_always" in ids):
    sys.exit("enabled=%s but advice %s" % (s["enabled"], ids))
for a in d["advice"]:
    if a["severity"] not in ("warning", "info") or not a["text"] or "figure" not in a:
        sys.exit("malformed advice %s" % a)
print("advice: %s" % (", ".join(ids) or "none"))
' "$SCRATCH/live.json"

# ---- a process with MADV_HUGEPAGE memory ----

huge_process() {
	command -v cc >/dev/null || { echo "no cc"; return 1; }
	cat >"$SCRATCH/hugeuser.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
/* Maps N (default 16) 2 MiB-aligned huge-page-sized blocks with MADV_HUGEPAGE,
 * touches them, says "ready" and waits to be killed. */
int main(int argc, char **argv)
{
	size_t huge = 2UL << 20, len = (argc > 1 ? strtoul(argv[1], NULL, 0) : 16) * huge;
	char *p = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	p = (char *)(((unsigned long)p + huge - 1) & ~(huge - 1));
	if (madvise(p, len, MADV_HUGEPAGE))
		return 2;
	memset(p, 1, len);
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
EOF
	cc -O2 -o "$SCRATCH/hugeuser" "$SCRATCH/hugeuser.c" || { echo "cc failed"; return 1; }
	"$SCRATCH/hugeuser" 16 >"$SCRATCH/hugeuser.out" &
	HUGE_PID=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q ready "$SCRATCH/hugeuser.out"; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q ready "$SCRATCH/hugeuser.out" || { echo "helper never got ready"; return 1; }
}

policy=$(sed 's/.*\[\(.*\)\].*/\1/' $THP/enabled)
if [ "$policy" = never ]; then
	skip thp-madvise-process "THP enabled=never here"
elif ! huge_process >"$SCRATCH/why"; then
	skip thp-madvise-process "$(cat "$SCRATCH/why")"
else
	kb=$(awk '/^AnonHugePages:/ {print $2}' /proc/$HUGE_PID/smaps_rollup 2>/dev/null)
	if [ -z "$HUGE_PID" ] || [ -z "$kb" ]; then
		not_ok thp-madvise-process "helper not found"
	elif [ "$kb" = 0 ]; then
		skip thp-madvise-process "the kernel gave the helper no huge page (memory fragmented?)"
	else
		"$MMSCOPE" -j thp -p "$HUGE_PID" >"$SCRATCH/pid.json" 2>"$SCRATCH/pid.err"
		py thp-madvise-process '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["processes"]
pid, kb = int(sys.argv[2]), int(sys.argv[3])
if len(p) != 1 or p[0]["pid"] != pid or p[0]["comm"] != "hugeuser":
    sys.exit("processes %s" % p)
if p[0]["anon_huge_bytes"] != kb * 1024:
    sys.exit("anon_huge_bytes %d, smaps_rollup %d kB" % (p[0]["anon_huge_bytes"], kb))
print("pid %d AnonHugePages %d MiB" % (pid, kb >> 10))
' "$SCRATCH/pid.json" "$HUGE_PID" "$kb"
		"$MMSCOPE" -j thp -n 100000 >"$SCRATCH/all.json" 2>"$SCRATCH/all.err"
		py thp-all-processes-sorted '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["processes"]
pid, kb = int(sys.argv[2]), int(sys.argv[3])
mine = [x for x in p if x["pid"] == pid]
if not mine or mine[0]["anon_huge_bytes"] != kb * 1024:
    sys.exit("helper %d missing or wrong: %s" % (pid, mine))
b = [x["anon_huge_bytes"] for x in p]
if b != sorted(b, reverse=True) or 0 in b:
    sys.exit("not sorted, or zeros listed: %s" % b)
s = d["process_scan"]
if d["skipped_processes"] != s["vanished"] + s["denied"] or s["with_thp"] != len(p):
    sys.exit("counts %s" % s)
print("%d of %d read use THP, %d skipped" % (len(p), s["scanned"], d["skipped_processes"]))
' "$SCRATCH/all.json" "$HUGE_PID" "$kb"
		"$MMSCOPE" -j thp -n 1 >"$SCRATCH/top1.json"
		py thp-top-n '
import json, sys
d = json.load(open(sys.argv[1]))
if len(d["processes"]) != 1:
    sys.exit("-n 1 listed %d" % len(d["processes"]))
' "$SCRATCH/top1.json"
		if "$MMSCOPE" thp -p "$HUGE_PID" 2>&1 | grep -q "^ *$HUGE_PID  hugeuser "; then
			ok "thp-table-shows-process"
		else
			not_ok thp-table-shows-process "$("$MMSCOPE" thp -p "$HUGE_PID" 2>&1 | tail -n 5)"
		fi
	fi
	[ -n "${HUGE_PID:-}" ] && kill "$HUGE_PID" 2>/dev/null
	wait 2>/dev/null
fi

# ---- streams ----

"$MMSCOPE" -j thp 0.2 3 >"$SCRATCH/stream.json" 2>"$SCRATCH/stream.err"
py thp-stream-lines '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
if len(lines) != 3:
    sys.exit("%d lines" % len(lines))
for i, l in enumerate(lines):
    d = json.loads(l)
    if d["sample"] != i + 1 or not 0.15 <= d["interval_s"] <= 1.0:
        sys.exit("line %d: sample %s interval %s" % (i + 1, d["sample"], d["interval_s"]))
print("3 objects, one per line")
' "$SCRATCH/stream.json"
n=$("$MMSCOPE" thp 0.1 2 | grep -c '^--- window')
[ "$n" = 2 ] && ok "thp-stream-table" || not_ok thp-stream-table "$n window headers"

# ---- exit statuses ----

pid_max=$(cat /proc/sys/kernel/pid_max)
status thp-missing-pid 2 thp -p $((pid_max + 1))
status thp-kernel-thread 2 thp -p 2
status thp-pid-zero 2 thp -p 0
status thp-pid-not-number 2 thp -p abc
status thp-unknown-option 2 thp -x
status thp-unknown-long-option 2 thp --bogus
status thp-missing-value 2 thp -n
status thp-top-zero 2 thp -n 0
status thp-pid-and-top 2 thp -p 1 -n 3
status thp-bad-interval 2 thp 0
status thp-bad-count 2 thp 1 0
status thp-too-many-args 2 thp 1 1 1
if "$MMSCOPE" -j thp -p $((pid_max + 1)) 2>/dev/null | grep -q '"status":2'; then
	ok "thp-json-error-object"
else
	not_ok thp-json-error-object "no JSON error object under -j"
fi

# ---- --root ----

"$MMSCOPE" --root "$ROOT" -j thp >"$SCRATCH/root.json" 2>"$SCRATCH/root.err"
py thp-root-recorded '
import json, sys
d = json.load(open(sys.argv[1]))
if d["interval_s"] is not None or "rates_unavailable" not in d:
    sys.exit("rates claimed from one reading")
if any(v["rate"] is not None for v in d["counters"].values()):
    sys.exit("a rate from one reading")
if d["settings"]["enabled"] != "madvise" or len(d["sizes"]) != 9:
    sys.exit("settings %s" % d["settings"])
p = d["processes"]
if not p or p[0]["comm"] != "hugeuser" or p[0]["anon_huge_bytes"] != 32 << 20:
    sys.exit("processes %s" % p)
print("recorded tree: totals, no rates, hugeuser 32 MiB")
' "$SCRATCH/root.json"

"$MMSCOPE" --root "$ROOT" -j thp 0.1 >"$SCRATCH/root2.json" 2>&1
py thp-root-interval '
import json, sys
d = json.load(open(sys.argv[1]))
if d["interval_s"] is None or d["counters"]["thp_fault_alloc"]["rate"] != 0:
    sys.exit("INTERVAL under --root: interval %s" % d["interval_s"])
' "$SCRATCH/root2.json"

# Trees to break: the recorded one, copied (symlinks followed).
tree() {
	rm -rf "$SCRATCH/t"
	cp -rL "$ROOT" "$SCRATCH/t"
}

# bad NAME FILE LINE: after the caller broke FILE in $SCRATCH/t, thp exits 2 with
# one line naming FILE:LINE and prints nothing on stdout.
bad() {
	name=$1 file=$2 line=$3
	"$MMSCOPE" --root "$SCRATCH/t" thp >"$SCRATCH/out" 2>"$SCRATCH/err"
	got=$?
	msg=$(cat "$SCRATCH/err")
	if [ "$got" != 2 ]; then
		not_ok "$name" "exit $got, expected 2: $msg"
	elif [ -s "$SCRATCH/out" ]; then
		not_ok "$name" "printed a partial result"
	elif [ "$(wc -l <"$SCRATCH/err")" != 1 ] || ! echo "$msg" | grep -q "$file:$line: "; then
		not_ok "$name" "message does not name $file:$line: $msg"
	else
		ok "$name ($msg)"
	fi
}

K=sys/kernel/mm/transparent_hugepage
tree; echo abc >"$SCRATCH/t/$K/khugepaged/max_ptes_none"
bad thp-root-bad-number "$K/khugepaged/max_ptes_none" 1
tree; echo 18446744073709551616 >"$SCRATCH/t/$K/hugepages-2048kB/stats/nr_anon"
bad thp-root-2pow64 "$K/hugepages-2048kB/stats/nr_anon" 1
tree; printf 'always madvise never\n' >"$SCRATCH/t/$K/enabled"
bad thp-root-no-choice "$K/enabled" 1
tree; : >"$SCRATCH/t/$K/defrag"
bad thp-root-empty-defrag "$K/defrag" 1
tree; printf '[madv\000ise]\n' >"$SCRATCH/t/$K/shmem_enabled"
bad thp-root-binary "$K/shmem_enabled" 1
tree; rm "$SCRATCH/t/proc/vmstat"; sed '5s/ [0-9]*$/ -5/' "$ROOT/proc/vmstat" >"$SCRATCH/t/proc/vmstat"
bad thp-root-bad-vmstat proc/vmstat 5
R=proc/22308/smaps_rollup
ahp=$(grep -n '^AnonHugePages:' "$ROOT/$R" | cut -d: -f1)
tree; { head -n $((ahp - 1)) "$ROOT/$R"; printf 'AnonHugePages:   20'; } >"$SCRATCH/t/$R"
bad thp-root-truncated-rollup $R "$ahp"
tree; sed 's/^AnonHugePages: *[0-9]*/AnonHugePages: 99999999999999999999/' "$ROOT/$R" >"$SCRATCH/t/$R"
bad thp-root-rollup-overflow $R "$ahp"
tree; printf 'Rss: 4 kB\n' >"$SCRATCH/t/$R"
bad thp-root-rollup-no-header $R 1

tree; rm -rf "$SCRATCH/t/sys"
status thp-root-no-thp 3 --root "$SCRATCH/t" thp
grep -q CONFIG_TRANSPARENT_HUGEPAGE "$SCRATCH/st.err" && ok "thp-root-no-thp-names-config" ||
	not_ok thp-root-no-thp-names-config "$(cat "$SCRATCH/st.err")"
tree; rm "$SCRATCH/t/proc/vmstat"
status thp-root-missing-vmstat 3 --root "$SCRATCH/t" thp
tree; rm "$SCRATCH/t/proc/22308/smaps_rollup"
status thp-root-missing-rollup 3 --root "$SCRATCH/t" thp
status thp-root-missing-pid 2 --root "$ROOT" thp -p 4242

# enabled=always and defrag=always, in a copy only: the article's two warnings.
tree
echo '[always] madvise never' >"$SCRATCH/t/$K/enabled"
echo '[always] defer defer+madvise madvise never' >"$SCRATCH/t/$K/defrag"
"$MMSCOPE" --root "$SCRATCH/t" -j thp >"$SCRATCH/always.json" 2>&1
py thp-root-advice-always '
import json, sys
d = json.load(open(sys.argv[1]))
a = {x["id"]: x for x in d["advice"]}
for k in ("thp_enabled_always", "thp_defrag_always"):
    if k not in a or a[k]["severity"] != "warning":
        sys.exit("no %s warning: %s" % (k, list(a)))
if "max_ptes_none_bloat" not in a or a["max_ptes_none_bloat"]["figure"] != 511:
    sys.exit("no max_ptes_none_bloat: %s" % list(a))
if [x["severity"] for x in d["advice"]] != sorted((x["severity"] for x in d["advice"]), key=lambda s: s != "warning"):
    sys.exit("warnings not first")
print(", ".join(a))
' "$SCRATCH/always.json"
if "$MMSCOPE" --root "$SCRATCH/t" thp | grep -q "^  warning: THP enabled=always"; then
	ok "thp-root-advice-table"
else
	not_ok thp-root-advice-table "no enabled=always warning in the table"
fi
