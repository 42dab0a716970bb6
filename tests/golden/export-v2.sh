#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Records tests/golden/export-v2.prom, the body t0900-export.sh compares against:
# mmscope export --once on the recorded cgroup v2 tree, without the lines that
# change every run.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
"${MMSCOPE:-$TOP/mmscope}" --root "$TOP/tests/fixtures/export-v2/root" export --once 2>&1 |
	grep -v -e '^mmscope_collector_duration_seconds{' -e '^mmscope_build_info{' >"$TOP/tests/golden/export-v2.prom"
