#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# export-body.sh LOG: prints the exposition a guest's 80-export printed on its
# console, between MMSCOPE-EXPORT-BEGIN and -END (run.sh indents each guest line
# by four spaces: taken off). Used by tests/vm/run.sh (promtool after the guests)
# and tests/integration/t0950-export-vm.sh.
tr -d '\r' < "$1" | sed -n '/^ *MMSCOPE-EXPORT-BEGIN$/,/^ *MMSCOPE-EXPORT-END$/p' |
	sed -e '1d;$d' -e 's/^    //'
