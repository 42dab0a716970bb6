#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The fleet kit under contrib/: promtool accepts the scrape config and the rules,
# and the rules' own tests pass (promtool test rules); every metric the alerts and
# the Grafana dashboard name is one the exporter documents (docs/export.md), and
# every family the exporter serves here (with its tracers, as root) is documented.
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || { skip export-contrib "no promtool (install-deps --test)"; exit 0; }
P=$TOP/contrib/prometheus
cp "$P/prometheus.yml" "$P/mmscope-rules.yml" "$SCRATCH/"
check export-contrib-config promtool check config --syntax-only "$SCRATCH/prometheus.yml"
check export-contrib-rules promtool check rules "$P/mmscope-rules.yml"
(cd "$P" && promtool test rules mmscope-rules.test.yml) >"$SCRATCH/rt.out" 2>&1 &&
	ok export-contrib-rules-tests || not_ok export-contrib-rules-tests "$(tail -c 300 "$SCRATCH/rt.out" | tr '\n' ' ')"

documented() { grep -o '^| `mmscope_[a-z_]*`' "$TOP/docs/export.md" | tr -d '|` ' | sort -u; }
documented >"$SCRATCH/doc.txt"
# Metric names in a file, histogram and counter sample suffixes back to the family.
names() { grep -o 'mmscope_[a-z_]*' "$1" | sed -e 's/_bucket$//' -e 's/_count$//' -e 's/_sum$//' | sort -u; }
for f in "$TOP/contrib/grafana/mmscope-dashboard.json" "$P/mmscope-rules.yml"; do
	missing=$(names "$f" | comm -23 - "$SCRATCH/doc.txt" | tr '\n' ' ')
	[ -z "$missing" ] && ok "export-contrib-names-$(basename "$f")" || not_ok "export-contrib-names-$(basename "$f")" "not documented: $missing"
done
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TOP/contrib/grafana/mmscope-dashboard.json" &&
	ok export-contrib-dashboard-json || not_ok export-contrib-dashboard-json "not JSON"

# What this machine serves, tracers included when we may load them.
EP=$((34000 + $$ % 2000))
"$MMSCOPE" export --listen 127.0.0.1:$EP >"$SCRATCH/exp.out" 2>"$SCRATCH/exp.err" &
EXP=$!
trap 'kill $EXP 2>/dev/null; wait $EXP 2>/dev/null; rm -rf "$SCRATCH"' EXIT
i=0
while ! grep -q serving "$SCRATCH/exp.err" && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
curl -s --max-time 10 http://127.0.0.1:$EP/metrics >"$SCRATCH/body.prom"
"$MMSCOPE" --root "$FIXTURES/export-v2/root" export --once >>"$SCRATCH/body.prom" 2>/dev/null
served=$(grep '^# TYPE' "$SCRATCH/body.prom" | awk '{ print $3 }' | sort -u)
missing=$(echo "$served" | comm -23 - "$SCRATCH/doc.txt" | tr '\n' ' ')
[ -n "$served" ] && [ -z "$missing" ] && ok export-docs-every-family || not_ok export-docs-every-family "undocumented: $missing"
