#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The README's kernel-support tables are what scripts/kernel-table.py makes of the
# committed `mmscope -j features` of each VM kernel (tests/fixtures/*/features.json,
# recorded by `make kernel-table` from make test-vm's logs): they cannot drift.
# Also `mmscope -V`: release, commit and architecture on one line.
. "$(dirname "$0")/lib.sh"

repo=$(cd "$(dirname "$0")/../.." && pwd)
check readme-table-matches-fixtures python3 "$repo/scripts/kernel-table.py" check "$repo/README.md"
check version-names-commit-and-arch sh -c \
	'"$0" -V | grep -Eq "^mmscope [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]+(-dirty)?, (x86_64|arm64)\)$"' "$MMSCOPE"
