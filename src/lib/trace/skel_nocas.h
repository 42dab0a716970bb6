/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The second build of a BPF source, with MMS_BPF_NO_CMPXCHG (see the Makefile):
 * the same maps, programs and globals, so it is opened through the first
 * build's skeleton type with only the object's bytes swapped. Loaders try the
 * first build and fall back to this one when the load fails: kernels before
 * 5.12 refuse BPF compare-and-swap ("BPF_STX uses reserved fields").
 */
#ifndef MMS_SKEL_NOCAS_H
#define MMS_SKEL_NOCAS_H

#include <errno.h>
#include <stdlib.h>

/* struct X *MMS_SKEL_OPEN_NOCAS(X, X_nocas): like X__open(); NULL with errno on failure. */
#define MMS_SKEL_OPEN_NOCAS(X, NOCAS)                                                    \
	({                                                                               \
		struct X *o_ = calloc(1, sizeof(*o_));                                   \
		int e_ = o_ ? X##__create_skeleton(o_) : -ENOMEM;                        \
		if (!e_) {                                                               \
			o_->skeleton->data = NOCAS##__elf_bytes(&o_->skeleton->data_sz); \
			e_ = bpf_object__open_skeleton(o_->skeleton, NULL);              \
		}                                                                        \
		if (e_) {                                                                \
			X##__destroy(o_);                                                \
			o_ = NULL;                                                       \
			errno = -e_;                                                     \
		}                                                                        \
		o_;                                                                      \
	})

#endif
