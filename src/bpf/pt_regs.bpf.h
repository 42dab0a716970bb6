/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct pt_regs for a target CPU other than the build machine's. BPF objects
 * are compiled against one vmlinux.h, dumped from the build machine's BTF (see
 * the Makefile); bpf_tracing.h's PT_REGS_* for arm64 read `struct user_pt_regs`,
 * which an x86_64 vmlinux.h does not have. Declared here with
 * preserve_access_index, its fields are relocated at load time against the
 * running arm64 kernel's own BTF, like every other kernel type.
 * MMS_VMLINUX_ARCH_* names the vmlinux.h's CPU (set by the Makefile).
 */
#ifndef MMS_PT_REGS_BPF_H
#define MMS_PT_REGS_BPF_H

#if defined(__TARGET_ARCH_arm64) && !defined(MMS_VMLINUX_ARCH_aarch64)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
} __attribute__((preserve_access_index));
#endif

#endif
