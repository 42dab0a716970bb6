// SPDX-License-Identifier: GPL-2.0
/*
 * Accessed bits as the kernel clears them, for the heatmap's `young` source: a
 * write of "1" to /proc/PID/clear_refs walks the target's page tables and calls
 * ptep_test_and_clear_young() for every present page (pmdp_test_and_clear_young()
 * for a transparent huge page), in address order, in the writing thread. Each
 * call sends one record: the address and whether the bit was set. That is the
 * accessed bit per 4 KiB page, where smaps' Referenced only sums it per mapping.
 *
 * Two ways in, the loader picks the first that loads and attaches: fexit, which
 * sees the return value (the bit as it was); and a kprobe on entry, which reads
 * the entry itself before it is cleared (x86's _PAGE_ACCESSED, bit 5 in a PTE and
 * in a PMD). Neither exists on every kernel (kprobes compiled out, fexit refused).
 *
 * MGLRU's aging walk (the `mglru` source: a write to debugfs lru_gen) calls the
 * same functions in the writing thread, for young entries only.
 *
 * Filter: only the thread that writes clear_refs (or lru_gen) (walker_tid, set by user space
 * before each write), so reclaim's own calls elsewhere cost one comparison; and,
 * where struct mm_struct has an owner (CONFIG_MEMCG), only the target's mm, so an
 * allocation of ours that enters reclaim inside the write cannot add another
 * process's pages.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.bpf.h"
#include "pt_regs.bpf.h"
#include "young.h"

char LICENSE[] SEC("license") = "GPL";

/* Written by user space: 0 sends nothing. */
__u32 walker_tid = 0;
__u32 target_tgid = 0;

#define ACCESSED_BIT (1ULL << 5) /* x86 _PAGE_BIT_ACCESSED */
#define PSE_BIT (1ULL << 7)      /* x86 _PAGE_BIT_PSE: a PMD that maps a huge page */

/* MGLRU's walk also clears the accessed bit of PMDs that point to page tables
 * (LRU_GEN_NONLEAF_YOUNG): those are not 512 accessed pages, only a huge page is. */
static __always_inline bool leaf_pmd(pmd_t *pmdp)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), pmdp);
	return v & PSE_BIT;
}

static __always_inline int record(struct vm_area_struct *vma, unsigned long addr, bool young,
				  bool pmd)
{
	__u64 *e;

	if (!walker_tid || (__u32)bpf_get_current_pid_tgid() != walker_tid)
		return 0;
	if (bpf_core_field_exists(struct mm_struct, owner)) {
		struct task_struct *owner = BPF_CORE_READ(vma, vm_mm, owner);

		if (!owner || BPF_CORE_READ(owner, tgid) != (int)target_tgid)
			return 0;
	}
	e = event_reserve(sizeof(*e));
	if (!e)
		return 0;
	*e = (addr & ~YOUNG_FLAGS) | (young ? YOUNG_ACCESSED : 0) | (pmd ? YOUNG_PMD : 0);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("fexit/ptep_test_and_clear_young")
int BPF_PROG(fexit_pte, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep, int ret)
{
	return record(vma, addr, ret != 0, false);
}

SEC("fexit/pmdp_test_and_clear_young")
int BPF_PROG(fexit_pmd, struct vm_area_struct *vma, unsigned long addr, pmd_t *pmdp, int ret)
{
	return leaf_pmd(pmdp) ? record(vma, addr, ret != 0, true) : 0;
}

SEC("kprobe/ptep_test_and_clear_young")
int BPF_KPROBE(kprobe_pte, struct vm_area_struct *vma, unsigned long addr, pte_t *ptep)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), ptep);
	return record(vma, addr, v & ACCESSED_BIT, false);
}

SEC("kprobe/pmdp_test_and_clear_young")
int BPF_KPROBE(kprobe_pmd, struct vm_area_struct *vma, unsigned long addr, pmd_t *pmdp)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), pmdp);
	return v & PSE_BIT ? record(vma, addr, v & ACCESSED_BIT, true) : 0;
}
