# SPDX-License-Identifier: GPL-2.0
# compaction: the fragment helper fragments free memory and faults THPs with
# defrag=always, and /proc/vmstat compact_stall (direct compaction entries)
# moves.
set -eu
. "$(dirname "$0")/lib.sh"
require_vm
[ -w /sys/kernel/mm/transparent_hugepage/defrag ] || skip "no THP defrag knob (CONFIG_TRANSPARENT_HUGEPAGE)"

defrag=$(cat /sys/kernel/mm/transparent_hugepage/defrag)
stall=$(vmstat compact_stall)
fragment || fail "fragment helper failed"
stall2=$(vmstat compact_stall)
[ "$(cat /sys/kernel/mm/transparent_hugepage/defrag)" = "$defrag" ] || fail "THP defrag not restored: $defrag"
figures="compact_stall $stall -> $stall2, $(vmstat_line compact_success compact_fail compact_migrate_scanned thp_fault_alloc thp_fault_fallback)"
[ "$stall2" -gt "$stall" ] || fail "compact_stall did not move: $figures"
pass "$figures"
