#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmscope export's exposition without a server (--once): promtool check metrics
# passes on this machine's output and on a recorded cgroup v2 tree (--root, from
# the 7.2 test kernel), whose body must equal tests/golden/export-v2.prom byte for
# byte once the lines that change every run (collector durations, the version) are
# left out, as node_exporter's golden test does. Then the series bounds
# (--max-cgroups folds into cgroup="other", --cgroup-depth), and bad usage.
# After a change meant to change the body: tests/golden/export-v2.sh records it anew.
. "$(dirname "$0")/lib.sh"

FX=$FIXTURES/export-v2/root
unstable() { grep -v -e '^mmscope_collector_duration_seconds{' -e '^mmscope_build_info{'; }

if ! command -v promtool >/dev/null; then
	skip export-promtool "no promtool (install-deps --test installs prometheus)"
else
	"$MMSCOPE" export --once >"$SCRATCH/live.prom" 2>"$SCRATCH/live.err"
	check export-promtool-live promtool check metrics <"$SCRATCH/live.prom"
	"$MMSCOPE" --root "$FX" export --once >"$SCRATCH/fx.prom" 2>&1
	check export-promtool-fixture promtool check metrics <"$SCRATCH/fx.prom"
fi

"$MMSCOPE" --root "$FX" export --once 2>&1 | unstable >"$SCRATCH/golden.prom"
if cmp -s "$TOP/tests/golden/export-v2.prom" "$SCRATCH/golden.prom"; then
	ok export-golden
else
	not_ok export-golden "$(diff "$TOP/tests/golden/export-v2.prom" "$SCRATCH/golden.prom" | head -c 300 | tr '\n' ' ')"
fi

# OpenMetrics: counters' families without _total, samples with it, # EOF last.
"$MMSCOPE" --root "$FX" export --once --openmetrics >"$SCRATCH/om.prom" 2>&1
if grep -qx '# TYPE mmscope_oom_kills counter' "$SCRATCH/om.prom" &&
	grep -q '^mmscope_oom_kills_total ' "$SCRATCH/om.prom" &&
	[ "$(tail -n1 "$SCRATCH/om.prom")" = "# EOF" ]; then
	ok export-openmetrics
else
	not_ok export-openmetrics "$(grep oom_kills "$SCRATCH/om.prom" | head -3 | tr '\n' ' ') last: $(tail -n1 "$SCRATCH/om.prom")"
fi

# Four cgroups in the tree (/, /app, /app/web, /q"uote): two kept, the root first
# and then the largest (/app); /app/web and /q"uote summed into cgroup="other".
"$MMSCOPE" --root "$FX" export --once --max-cgroups 2 >"$SCRATCH/max.prom" 2>&1
got=$(grep -e '^mmscope_memcg_usage_bytes{' -e '^mmscope_memcg_cgroups{' "$SCRATCH/max.prom" | tr '\n' ' ')
want='mmscope_memcg_usage_bytes{cgroup="/app"} 104857600 mmscope_memcg_usage_bytes{cgroup="other"} 52432896 mmscope_memcg_cgroups{state="exported"} 2 mmscope_memcg_cgroups{state="folded"} 2 mmscope_memcg_cgroups{state="too_deep"} 0 '
[ "$got" = "$want" ] && ok export-max-cgroups || not_ok export-max-cgroups "$got"
"$MMSCOPE" --root "$FX" export --once --cgroup-depth 1 >"$SCRATCH/depth.prom" 2>&1
if grep -q 'cgroup="/app"' "$SCRATCH/depth.prom" && ! grep -q 'cgroup="/app/web"' "$SCRATCH/depth.prom" &&
	grep -qx 'mmscope_memcg_cgroups{state="too_deep"} 1' "$SCRATCH/depth.prom"; then
	ok export-cgroup-depth
else
	not_ok export-cgroup-depth "$(grep memcg_cgroups "$SCRATCH/depth.prom" | tr '\n' ' ')"
fi

# The two statistics the core reader serves by the root-total rule on this machine
# (docs/memcg.md), file_writeback and workingset_refault_anon, equal memory.stat in a
# cgroup of our own and its child, whichever way the reader served them this scrape.
V1=/sys/fs/cgroup/memory
if is_root && [ -f $V1/memory.stat ]; then
	cg=mmscope-t0900-$$
	mkdir -p "$V1/$cg/a"
	"$MMSCOPE" export --once --collectors memcg --max-cgroups 1000000 >"$SCRATCH/zero.prom" 2>"$SCRATCH/zero.err"
	bad=
	for path in "/$cg" "/$cg/a"; do
		for pair in 'mmscope_memcg_file_writeback_bytes{cgroup="P"}:writeback' \
			'mmscope_memcg_workingset_refaults_total{cgroup="P",type="anon"}:workingset_refault_anon'; do
			series=$(echo "${pair%%:*}" | sed "s|P|$path|") key=total_${pair#*:}
			got=$(grep -F "$series " "$SCRATCH/zero.prom" | awk '{ print $2 }')
			want=$(awk -v k="$key" '$1 == k { print $2 }' "$V1$path/memory.stat")
			[ -n "$got" ] && [ "$got" = "$want" ] || bad="$bad $series=$got vs $want;"
		done
	done
	rmdir "$V1/$cg/a" "$V1/$cg"
	[ -z "$bad" ] && ok export-memcg-zero-rule-values || not_ok export-memcg-zero-rule-values "$bad $(head -c 200 "$SCRATCH/zero.err")"
else
	skip export-memcg-zero-rule-values "needs root and the v1 memory controller at $V1"
fi

expect_status export-bad-option 2 "$MMSCOPE" export --bogus
expect_status export-bad-listen 2 "$MMSCOPE" export --listen nowhere
expect_status export-bad-port 2 "$MMSCOPE" export --listen 127.0.0.1:70000
expect_status export-bad-depth 2 "$MMSCOPE" export --cgroup-depth 0
expect_status export-operand 2 "$MMSCOPE" export extra
expect_status export-json 2 "$MMSCOPE" -j export --once
expect_status export-om-alone 2 "$MMSCOPE" export --openmetrics
printf 'tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n' >"$SCRATCH/web.yml"
expect_status export-web-config-unknown 2 "$MMSCOPE" export --listen 127.0.0.1:1 --web-config "$SCRATCH/web.yml"
printf 'basic_auth_users:\n  bob: plaintext\n' >"$SCRATCH/web2.yml"
expect_status export-web-config-plain-password 2 "$MMSCOPE" export --listen 127.0.0.1:1 --web-config "$SCRATCH/web2.yml"

# --alloc-sites: the largest sites of a recorded /proc/allocinfo (the 7.2 test
# kernel's), the rest in site="other", the total unchanged.
mkdir -p "$SCRATCH/alloc/proc" && cp "$FIXTURES/test-7.2/allocinfo" "$SCRATCH/alloc/proc/"
"$MMSCOPE" --root "$SCRATCH/alloc" export --once --collectors alloc --alloc-sites 3 >"$SCRATCH/alloc.prom" 2>&1
top=$(grep '^mmscope_alloc_site_bytes{' "$SCRATCH/alloc.prom" | head -n 3 | sed 's/.*function="\([^"]*\)".* \([0-9]*\)$/\1=\2/' | tr '\n' ' ')
want=$(grep -v -e '^#' -e allocinfo "$FIXTURES/test-7.2/allocinfo" | sort -k1,1 -rn | head -n 3 | awk '{ sub("func:", "", $4); printf "%s=%s ", $4, $1 }')
sum=$(grep '^mmscope_alloc_site_bytes{' "$SCRATCH/alloc.prom" | awk '{ s += $2 } END { printf "%.0f", s }')
total=$(awk '$1 ~ /^-?[0-9]+$/ { s += $1 } END { printf "%.0f", s }' "$FIXTURES/test-7.2/allocinfo")
[ "$top" = "$want" ] && [ "$sum" = "$total" ] && ok export-alloc-sites || not_ok export-alloc-sites "top $top want $want; sum $sum total $total"
if command -v promtool >/dev/null; then
	check export-alloc-promtool promtool check metrics <"$SCRATCH/alloc.prom"
fi
expect_status export-alloc-bad 2 "$MMSCOPE" export --once --alloc-sites -1
