/* SPDX-License-Identifier: GPL-2.0 */
/* Task filter modes, shared by the BPF programs (filter.bpf.h) and the loaders. */
#ifndef MMS_FILTER_H
#define MMS_FILTER_H

enum mms_cgroup_filter_mode {
	MMS_CGF_NONE = 0,
	MMS_CGF_MEMCG = 1, /* a cgroup of the memory hierarchy (v1 memory, or v2): walk memcg parents */
	MMS_CGF_V2 = 2,    /* a cgroup2 directory: ancestor id at its level */
};

#define MMS_MEMCG_DEPTH_MAX 16 /* memcg levels walked for -c (deeper trees match at 16) */

#endif
