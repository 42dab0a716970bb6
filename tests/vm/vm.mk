# SPDX-License-Identifier: GPL-2.0
# The VM test matrix: boots Debian 12's 6.1 cloud kernel and the mmscope
# 7.2 test kernel under qemu (TCG) with an initramfs of busybox-static, the
# static mmscope and the workload helpers, and runs tests/vm/guest/ in each;
# the safe part of the same tests also runs on this machine's kernel.
# See tests/vm/README.md. Variables for tests/vm/run.sh: MMSCOPE_VM_KERNELS,
# MMSCOPE_VM_CACHE, MMSCOPE_VM_BREAK, MMSCOPE_VM_TIMEOUT.

.PHONY: test-vm fixtures-vm
# The kernels of run.sh's matrix (MMSCOPE_VM_KERNELS overrides); an arm64 kernel
# in it builds the arm64 binary and helpers first (make ARCH=arm64).
export MMSCOPE_VM_KERNELS ?= debian-5.10 debian-6.1 test-7.2 debian-6.1-arm64 native
VM_ARM64 = $(if $(filter %-arm64,$(MMSCOPE_VM_KERNELS)),$(MAKE) -j2 ARCH=arm64 build/arm64/mmscope workloads)
test-vm: $(MMSCOPE) workloads
	$(VM_ARM64)
	tests/vm/run.sh $(MMSCOPE) $(OUT)/workloads

# Re-records tests/fixtures/<kernel>/ from each VM kernel.
fixtures-vm: $(MMSCOPE) workloads
	$(VM_ARM64)
	tests/vm/run.sh --fixtures $(MMSCOPE) $(OUT)/workloads

# The README's kernel-support tables: tests/fixtures/<kernel>/features.json from
# the last make test-vm's logs, then the tables made from them (scripts/kernel-table.py).
.PHONY: kernel-table
kernel-table:
	scripts/kernel-table.py collect $(or $(MMSCOPE_VM_OUT),$(OUT)/vm)
	scripts/kernel-table.py update README.md
