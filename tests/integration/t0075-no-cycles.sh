#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# No import cycles between source files (docs/architecture.md, "No import cycles"):
# file A uses file B when A's object leaves a symbol undefined that B's object
# defines; the graph of every object of src/ (nm on build/obj) must have no cycle.
# Also the layers: nothing in the library (src/lib/) uses the commands, the views
# or the command line (src/cmd/, src/output/, src/*.c).
. "$(dirname "$0")/lib.sh"

[ -x "$MMSCOPE" ] || make -C "$TOP" >/dev/null 2>&1
cd "$TOP" || exit 1
out=$(python3 - <<'PY' 2>&1
import collections, glob, os, subprocess, sys
objs = sorted(o for o in glob.glob("build/obj/**/*.o", recursive=True)
              if os.path.exists("src/" + o[len("build/obj/"):-2] + ".c"))
if len(objs) < 20:
    sys.exit("only %d objects under build/obj: build first" % len(objs))
defs, uses = {}, collections.defaultdict(set)
for o in objs:
    for line in subprocess.check_output(["nm", o], text=True).splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBRV":
            defs[p[2]] = o
        elif len(p) == 2 and p[0] == "U":
            uses[o].add(p[1])
name = lambda o: o[len("build/obj/"):-2]
graph = {o: {defs[s] for s in uses[o] if s in defs and defs[s] != o} for o in objs}
index, low, stack, on, cycles, n = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            cycles.append(" <-> ".join(sorted(map(name, comp))))
for v in objs:
    if v not in index:
        visit(v)
upward = ["%s uses %s" % (name(a), name(b)) for a in objs if name(a).startswith("lib/")
          for b in graph[a] if not name(b).startswith("lib/")]
print("objects %d; cycles: %s; library using the binary: %s" %
      (len(objs), "; ".join(cycles) or "none", "; ".join(upward) or "none"))
PY
)
case "$out" in
*"cycles: none; library using the binary: none") ok "no-import-cycles ($out)" ;;
*) not_ok no-import-cycles "$out" ;;
esac
