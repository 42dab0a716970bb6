#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hostile names (docs/names.md): a process whose comm holds invalid UTF-8, a quote,
# a newline and a terminal escape sequence (tests/workloads/hostile.c), a mapped
# file whose name holds invalid UTF-8, quotes, < & > and control bytes, and a v1
# memory cgroup named with a quote, a tab, an escape and an invalid byte (the kernel
# refuses a newline there).
# JSON stays valid with every name present (each invalid byte 0xXX as U+00XX),
# text shows no raw ESC, BEL or C1 byte, and the SVG parses as XML.
. "$(dirname "$0")/lib.sh"

is_root || { skip hostile-names "needs root (clear_refs, cgroups, BPF)"; exit 0; }
WL=$TOP/build/workloads
[ -x "$WL/hostile" ] && [ -x "$WL/cgexec" ] || make -C "$TOP" workloads >/dev/null 2>&1
[ -x "$WL/hostile" ] || { not_ok hostile-workload "cannot build $WL/hostile"; exit 0; }

# names.py KIND FILE [ARG...]: the checks, with python3's json and xml modules.
cat >"$SCRATCH/names.py" <<'EOF'
import json, sys, xml.etree.ElementTree as ET

COMM = b'\xff\x1b]0;pwn\x07"\n\xfe'
FILE = b"hostile-map\xff\"'<&>\t\x7f\x9b\x1b]0;pwn\x07\xc3\xa9.bin"

def js(raw):
    """What JSON must hold for raw bytes: valid UTF-8 as is, other bytes as U+00XX."""
    s = raw.decode('utf-8', 'surrogateescape')
    return ''.join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff else c for c in s)

def fail(why):
    print(why)
    sys.exit(1)

kind, path, args = sys.argv[1], sys.argv[2], [a.encode('utf-8', 'surrogateescape') for a in sys.argv[3:]]
data = open(path, 'rb').read()
if kind == 'heatmap':
    d = json.loads(data)
    names = [m.get('name') for m in d.get('mappings', [])]
    want = js(args[0] + b'/' + FILE)
    if want not in names:
        fail('no mapping named %r in %r' % (want, names))
    if d.get('target') != js(COMM.split(b'\n')[0]):
        fail('target %r' % d.get('target'))
elif kind == 'reclaim':
    cg = js(args[0])
    lines = data.split(b'\n')
    if lines[-1]:
        fail('no final newline')
    recs = [json.loads(l) for l in lines[:-1]]  # every line a document: an empty one fails
    stalls = [r for r in recs if r.get('type') == 'stall']
    if not stalls:
        fail('no stall in %d lines' % len(recs))
    for r in stalls:
        if r.get('comm') is None or r.get('cgroup') is None:
            fail('comm or cgroup missing: %r' % r)
    if not any(r['comm'] == js(COMM) and r['cgroup'].endswith(cg) for r in stalls):
        fail('no stall of comm %r in %r' % (js(COMM), cg))
    s = recs[-1]
    if s.get('type') != 'summary':
        fail('last line not the summary')
    if not any(p.get('comm') == js(COMM) for p in s.get('processes', [])):
        fail('summary processes: %r' % s.get('processes'))
    if not any(c.get('cgroup', '').endswith(cg) for c in s.get('cgroups', [])):
        fail('summary cgroups: %r' % s.get('cgroups'))
elif kind == 'memcg':
    d = json.loads(data)
    paths = [r.get('path') for r in d.get('cgroups', d.get('rows', []))]
    if not any(p and p.endswith(js(args[0])) for p in paths):
        fail('no row for %r in %r' % (js(args[0]), paths))
elif kind == 'text':
    # No raw ESC, BEL or CSI (0x9b): a name cannot drive the terminal; and the
    # escaped form of the name is there.
    for b in (0x1b, 0x07, 0x9b):
        if bytes([b]) in data:
            fail('raw byte 0x%02x in the output' % b)
    if args[0] not in data:
        fail('%r not in the output' % args[0])
elif kind == 'svg':
    root = ET.fromstring(data)
    texts = ''.join(t.text or '' for t in root.iter('{http://www.w3.org/2000/svg}text'))
    if args[0].decode() not in texts:
        fail('%r not in the SVG text' % args[0])
EOF
names() { python3 "$SCRATCH/names.py" "$@" >"$SCRATCH/names.out" 2>&1 || { tail -n 1 "$SCRATCH/names.out" >"$SCRATCH/names.why"; mv "$SCRATCH/names.why" "$SCRATCH/names.out"; false; }; }
names_check() {
	name=$1
	shift
	if names "$@"; then ok "$name"; else not_ok "$name" "$(head -c 300 "$SCRATCH/names.out" | tr '\n' ' ')"; fi
}

# ---- heatmap: a hostile comm mapping a hostile file ----
mkdir "$SCRATCH/maps"
"$WL/hostile" map "$SCRATCH/maps" >"$SCRATCH/hostile.out" 2>&1 &
hpid=$!
trap 'kill $hpid 2>/dev/null; rm -rf "$SCRATCH"' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do
	grep -q mapped "$SCRATCH/hostile.out" && break
	sleep 0.2
done
hm() { "$MMSCOPE" heatmap -p $hpid --source refs --frames 2 "$@"; }
if "$MMSCOPE" -j heatmap -p $hpid --source refs --frames 2 >"$SCRATCH/hm.json" 2>"$SCRATCH/hm.err"; then
	names_check heatmap-json-hostile-mapping heatmap "$SCRATCH/hm.json" "$SCRATCH/maps"
else
	not_ok heatmap-json-hostile-mapping "exit $?: $(head -c 200 "$SCRATCH/hm.err")"
fi
hm >"$SCRATCH/hm.txt" 2>&1
names_check heatmap-text-escaped text "$SCRATCH/hm.txt" "$(printf 'hostile-map\\xff"'"'"'<&>\\t\\x7f\\x9b\\e]0;pwn\\a\303\251.bin')"
# The target (from /proc/PID/comm, its first line) is escaped too.
names_check heatmap-text-target-escaped text "$SCRATCH/hm.txt" '(\xff\e]0;pwn\a")'
if hm --out "$SCRATCH/hm.svg" >/dev/null 2>"$SCRATCH/svg.err"; then
	names_check heatmap-svg-parses svg "$SCRATCH/hm.svg" 'pwn'
else
	not_ok heatmap-svg-parses "exit $?: $(head -c 200 "$SCRATCH/svg.err")"
fi
check heatmap-png-writes hm --out "$SCRATCH/hm.png"
kill $hpid
wait $hpid 2>/dev/null

# ---- a hostile memory cgroup: reclaim and memcg ----
MEMCG=/sys/fs/cgroup/memory
[ -w "$MEMCG" ] || { skip hostile-cgroup "no v1 memory hierarchy at $MEMCG"; exit 0; }
PARENT=$MEMCG/mmscope-t0220-$$
# The kernel refuses a newline in a cgroup's name (EINVAL): a tab instead.
LEAF=$(printf 'bad-"\t\033[2J\377-x')
CG=$PARENT/$LEAF
FILE=/var/tmp/mmscope-t0220-$$
trap 'rmdir "$CG" "$PARENT" 2>/dev/null; rm -f "$FILE"; rm -rf "$SCRATCH"' EXIT
mkdir "$PARENT" && mkdir "$CG" && echo $((16 << 20)) >"$CG/memory.limit_in_bytes" ||
	{ not_ok hostile-cgroup "cannot create $PARENT/..."; exit 0; }
# On disk, dropped from the cache after writing: reading it in the cgroup charges
# four times its limit of page cache, so the cgroup reclaims (as t0500 does).
dd if=/dev/zero of="$FILE" bs=1M count=64 conv=fsync status=none
drop() { python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$FILE"; }

# reclaim [-j]: traces the cgroup while the hostile comm reads the file in it.
reclaim() {
	drop
	"$MMSCOPE" "$@" reclaim -c "$CG" -d 4 >"$SCRATCH/r.out" 2>"$SCRATCH/r.err" &
	tracer=$!
	sleep 1.5
	"$WL/cgexec" "$CG" "$WL/hostile" read "$FILE"
	wait $tracer
}
reclaim -j
names_check reclaim-json-hostile reclaim "$SCRATCH/r.out" "/$(basename "$PARENT")/$LEAF"
reclaim
names_check reclaim-text-escaped text "$SCRATCH/r.out" '\xff\e]0;pwn\a"\n\xfe'
names_check reclaim-text-cgroup-escaped text "$SCRATCH/r.out" 'bad-"\t\e[2J\xff-x'

if "$MMSCOPE" -j memcg "$PARENT" >"$SCRATCH/m.json" 2>"$SCRATCH/m.err"; then
	names_check memcg-json-hostile-path memcg "$SCRATCH/m.json" "/$LEAF"
else
	not_ok memcg-json-hostile-path "exit $?: $(head -c 200 "$SCRATCH/m.err")"
fi
"$MMSCOPE" memcg "$PARENT" >"$SCRATCH/m.txt" 2>&1
names_check memcg-text-escaped text "$SCRATCH/m.txt" 'bad-"\t\e[2J\xff-x'
