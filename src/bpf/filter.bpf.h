/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tasks a tracing program reports, set by the loader before load as
 * read-only data: the verifier then sees constants and removes the branches of
 * filters that are off, so an unused filter costs nothing per event.
 *
 * Also the task's memory cgroup id: the kernfs id (= inode number) of the cgroup
 * that holds the task's memory css. On cgroup v1 that is the directory in the
 * memory hierarchy (bpf_get_current_cgroup_id() would give the v2 cgroup, which on
 * a v1 host has no memory controller); on v2 it is the nearest ancestor with the
 * memory controller enabled, i.e. the memcg the task is charged to.
 */
#ifndef MMS_FILTER_BPF_H
#define MMS_FILTER_BPF_H

#include "filter.h"

const volatile __u32 targ_tgid = 0;
const volatile __u64 targ_cgid = 0;
const volatile __u32 targ_cg_mode = MMS_CGF_NONE;
const volatile __u32 targ_cg_level = 0;

/*
 * The reads below go through the BTF-typed pointer of bpf_get_current_task_btf()
 * (5.11+): each field is one load the JIT guards against faults, where
 * BPF_CORE_READ makes one bpf_probe_read_kernel() helper call per pointer hop.
 * Five hops per event cost ~0.2 us that way (measured with bpf_stats).
 */
/*
 * Kernels without that helper (5.10) get bpf_get_current_task() and
 * BPF_CORE_READ: whether the helper exists is asked of the kernel's own BTF
 * (enum bpf_func_id) at load time, and the verifier drops the branch not taken,
 * so neither kernel sees the other's code. mms_task_btf is that answer.
 */
#define mms_task_btf bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)

static __always_inline struct cgroup_subsys_state *current_memcg_css(void)
{
	struct task_struct *task;
	int id;

	/* memory_cgrp_id depends on which controllers are built in: ask BTF. */
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return NULL;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (mms_task_btf) {
		task = bpf_get_current_task_btf();
		if (id < 0 || id >= bpf_core_field_size(task->cgroups->subsys) / sizeof(void *))
			return NULL;
		return task->cgroups->subsys[id];
	}
	task = (struct task_struct *)bpf_get_current_task();
	if (id < 0 || id >= bpf_core_field_size(task->cgroups->subsys) / sizeof(void *))
		return NULL;
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	struct cgroup_subsys_state *css = NULL;

	bpf_probe_read_kernel(&css, sizeof(css), (char *)cset +
			      bpf_core_field_offset(struct css_set, subsys) + id * sizeof(void *));
	return css;
}

static __always_inline __u64 css_cgroup_id(struct cgroup_subsys_state *css)
{
	if (!css)
		return 0;
	return mms_task_btf ? css->cgroup->kn->id : BPF_CORE_READ(css, cgroup, kn, id);
}

static __always_inline __u64 current_memcg_id(void)
{
	return css_cgroup_id(current_memcg_css());
}

/* The cgroup filter of -c on the memory hierarchy: the task's memcg or an ancestor. */
static __always_inline bool memcg_under_target(void)
{
	struct cgroup_subsys_state *css = current_memcg_css();

	/* A bounded loop (verifier 5.3+), not unrolled: kept small. */
	for (int i = 0; i < MMS_MEMCG_DEPTH_MAX; i++) {
		if (!css)
			return false;
		if (css_cgroup_id(css) == targ_cgid)
			return true;
		css = mms_task_btf ? css->parent : BPF_CORE_READ(css, parent);
	}
	return false;
}

/* struct cgroup before 6.1 kept its ancestors' ids in an array. */
struct cgroup___ids {
	int level;
	__u64 ancestor_ids[];
} __attribute__((preserve_access_index));

/*
 * -c on a cgroup2 directory: the id of the task's cgroup2 ancestor at the
 * target's level. Kernels with ancestor_ids (before 6.1) read it from there:
 * 5.10 refuses bpf_get_current_ancestor_cgroup_id() in tracing programs. Later
 * kernels (ancestors[] instead) all allow the helper, one call per event.
 */
static __always_inline bool v2_under_target(void)
{
	struct cgroup___ids *cg;
	__u64 id = 0;

	if (!bpf_core_field_exists(struct cgroup___ids, ancestor_ids))
		return bpf_get_current_ancestor_cgroup_id(targ_cg_level) == targ_cgid;
	cg = (struct cgroup___ids *)BPF_CORE_READ((struct task_struct *)bpf_get_current_task(),
						  cgroups, dfl_cgrp);
	if (!cg || BPF_CORE_READ(cg, level) < (int)targ_cg_level || targ_cg_level >= 64)
		return false;
	bpf_probe_read_kernel(&id, sizeof(id), (char *)cg +
			      bpf_core_field_offset(struct cgroup___ids, ancestor_ids) +
			      targ_cg_level * sizeof(__u64));
	return id == targ_cgid;
}

/* The filters, for a caller that already knows the thread group id (the
 * syscalls entry reads it from the task it has: no helper call for -p). */
static __always_inline bool task_selected_tgid(__u32 tgid)
{
	if (targ_tgid && tgid != targ_tgid)
		return false;
	if (targ_cg_mode == MMS_CGF_V2)
		return v2_under_target();
	if (targ_cg_mode == MMS_CGF_MEMCG)
		return memcg_under_target();
	return true;
}

static __always_inline bool task_selected(void)
{
	return task_selected_tgid(targ_tgid ? bpf_get_current_pid_tgid() >> 32 : 0);
}

#endif
