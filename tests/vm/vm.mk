# SPDX-License-Identifier: GPL-2.0
# The VM test matrix: boots Debian 12's 6.1 cloud kernel and the mmscope
# 7.2 test kernel under qemu (TCG) with an initramfs of busybox-static, the
# static mmscope and the workload helpers, and runs tests/vm/guest/ in each;
# the safe part of the same tests also runs on this machine's kernel.
# See tests/vm/README.md. Variables for tests/vm/run.sh: MMSCOPE_VM_KERNELS,
# MMSCOPE_VM_CACHE, MMSCOPE_VM_BREAK, MMSCOPE_VM_TIMEOUT.

.PHONY: test-vm fixtures-vm
test-vm: $(MMSCOPE) workloads
	tests/vm/run.sh $(MMSCOPE) $(OUT)/workloads

# Re-records tests/fixtures/<kernel>/ from each VM kernel.
fixtures-vm: $(MMSCOPE) workloads
	tests/vm/run.sh --fixtures $(MMSCOPE) $(OUT)/workloads
