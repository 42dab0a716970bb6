# SPDX-License-Identifier: GPL-2.0
# broken: run only with MMSCOPE_VM_BREAK=1, to prove that a failing test makes
# `make test-vm` fail.
set -eu
. "$(dirname "$0")/lib.sh"
fail "deliberately broken test (MMSCOPE_VM_BREAK=1)"
