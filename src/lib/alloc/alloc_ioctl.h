/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * alloc ioctl backend: the binary /proc/allocinfo interface proposed in "[PATCH 0/6]
 * alloc_tag: introduce IOCTL-based filtering for MAP" (seed 002), layout and numbers
 * of its v4-v7 revisions (include/uapi/linux/alloc_tag.h; kernel-interfaces.md 4.3).
 * Not merged in any kernel we have: every kernel answers ENOTTY, and the backend
 * falls through. The structs are ours, checked against the documented table at
 * compile time; build against the merged header when it lands (the size is in the
 * ioctl number, so a changed layout gives ENOTTY, never a misread).
 */
#ifndef MMS_ALLOC_IOCTL_H
#define MMS_ALLOC_IOCTL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#include <mmscope/mmscope.h>

#define ALLOCINFO_STR_SIZE 64

struct allocinfo_content_id {
	__u64 id; /* bumped on every module load and unload */
};

struct allocinfo_tag {
	char modname[ALLOCINFO_STR_SIZE]; /* "" = built-in */
	char function[ALLOCINFO_STR_SIZE];
	char filename[ALLOCINFO_STR_SIZE];
	__u64 lineno;
	__u64 inaccurate; /* filter input only; output accuracy is in the counter */
};

struct allocinfo_counter {
	__u64 bytes;
	__u64 calls;
	__u8 accurate; /* 1 accurate, 0 "accurate:no" */
} __attribute__((aligned(8)));

struct allocinfo_tag_data {
	struct allocinfo_tag tag;
	struct allocinfo_counter counter;
};

enum {
	ALLOCINFO_FILTER_MODNAME,
	ALLOCINFO_FILTER_FUNCTION,
	ALLOCINFO_FILTER_FILENAME,
	ALLOCINFO_FILTER_LINENO,
	ALLOCINFO_FILTER_INACCURATE,
	ALLOCINFO_FILTER_MIN_SIZE,
	ALLOCINFO_FILTER_MAX_SIZE,
};
#define ALLOCINFO_FILTER_MASK(bit) (1ull << (bit))
#define ALLOCINFO_FILTER_MASKS 0x7full

struct allocinfo_filter {
	__u64 mask; /* ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_*) */
	struct allocinfo_tag fields;
	__u64 min_size; /* inclusive, on bytes */
	__u64 max_size;
};

struct allocinfo_get_at {
	__u64 pos;                       /* in: index among matching tags */
	struct allocinfo_filter filter;  /* in */
	struct allocinfo_tag_data data;  /* out */
};

#define ALLOCINFO_IOC_BASE 0xA6
#define ALLOCINFO_IOC_CONTENT_ID _IOR(ALLOCINFO_IOC_BASE, 0, struct allocinfo_content_id)
#define ALLOCINFO_IOC_GET_AT _IOWR(ALLOCINFO_IOC_BASE, 1, struct allocinfo_get_at)
#define ALLOCINFO_IOC_GET_NEXT _IOR(ALLOCINFO_IOC_BASE, 2, struct allocinfo_tag_data)

/* The table of kernel-interfaces.md 4.3 (x86_64). */
_Static_assert(sizeof(struct allocinfo_content_id) == 8, "allocinfo_content_id size");
_Static_assert(sizeof(struct allocinfo_tag) == 208, "allocinfo_tag size");
_Static_assert(offsetof(struct allocinfo_tag, modname) == 0, "tag.modname");
_Static_assert(offsetof(struct allocinfo_tag, function) == 64, "tag.function");
_Static_assert(offsetof(struct allocinfo_tag, filename) == 128, "tag.filename");
_Static_assert(offsetof(struct allocinfo_tag, lineno) == 192, "tag.lineno");
_Static_assert(offsetof(struct allocinfo_tag, inaccurate) == 200, "tag.inaccurate");
_Static_assert(sizeof(struct allocinfo_counter) == 24, "allocinfo_counter size");
_Static_assert(offsetof(struct allocinfo_counter, bytes) == 0, "counter.bytes");
_Static_assert(offsetof(struct allocinfo_counter, calls) == 8, "counter.calls");
_Static_assert(offsetof(struct allocinfo_counter, accurate) == 16, "counter.accurate");
_Static_assert(sizeof(struct allocinfo_tag_data) == 232, "allocinfo_tag_data size");
_Static_assert(offsetof(struct allocinfo_tag_data, tag) == 0, "tag_data.tag");
_Static_assert(offsetof(struct allocinfo_tag_data, counter) == 208, "tag_data.counter");
_Static_assert(sizeof(struct allocinfo_filter) == 232, "allocinfo_filter size");
_Static_assert(offsetof(struct allocinfo_filter, mask) == 0, "filter.mask");
_Static_assert(offsetof(struct allocinfo_filter, fields) == 8, "filter.fields");
_Static_assert(offsetof(struct allocinfo_filter, min_size) == 216, "filter.min_size");
_Static_assert(offsetof(struct allocinfo_filter, max_size) == 224, "filter.max_size");
_Static_assert(sizeof(struct allocinfo_get_at) == 472, "allocinfo_get_at size");
_Static_assert(offsetof(struct allocinfo_get_at, pos) == 0, "get_at.pos");
_Static_assert(offsetof(struct allocinfo_get_at, filter) == 8, "get_at.filter");
_Static_assert(offsetof(struct allocinfo_get_at, data) == 240, "get_at.data");
_Static_assert(ALLOCINFO_FILTER_MASK(ALLOCINFO_FILTER_MAX_SIZE) << 1 ==
	       ALLOCINFO_FILTER_MASKS + 1, "filter bits 0..6");
_Static_assert(ALLOCINFO_IOC_CONTENT_ID == 0x8008A600u, "ALLOCINFO_IOC_CONTENT_ID");
_Static_assert(ALLOCINFO_IOC_GET_AT == 0xC1D8A601u, "ALLOCINFO_IOC_GET_AT");
_Static_assert(ALLOCINFO_IOC_GET_NEXT == 0x80E8A602u, "ALLOCINFO_IOC_GET_NEXT");

/*
 * The request for f (pure): the ioctl compares whole names (the last 63 bytes),
 * mmscope's patterns are substrings or globs, so a name goes to the kernel only
 * when the pattern stands for one literal name (a glob whose only special forms
 * are escapes and one-character sets, 'mm/slub[.]c'); module '' selects built-in
 * code exactly; line, accuracy and --min-size map as they are. --max-size stays in
 * user space: the kernel compares bytes unsigned, so a site whose (signed) bytes
 * went negative would be lost. The reply is always re-checked with the exact filter.
 */
void mms_alloc_ioctl_request(const struct mms_alloc_filter *f, struct allocinfo_filter *out);

/*
 * One reply as a site (strings point into d, NUL-padded and at most 63 bytes, the
 * kernel trims longer names from the front). Returns 0, or -EINVAL when a string
 * is not NUL-terminated or the line does not fit.
 */
int mms_alloc_ioctl_decode(const struct allocinfo_tag_data *d, struct mms_alloc_site *site);

/*
 * Opens host's /proc/allocinfo and asks for its content id. Returns the fd, or a
 * negative errno with why: -ENOTTY when the kernel does not answer the ioctl.
 */
int mms_alloc_ioctl_open(const struct mms_host *host, char *why, size_t size);

/* Records of one query (the sites handed out point into them). */
struct mms_alloc_ioctl_buf {
	struct allocinfo_tag_data *v;
	size_t nr, cap;
};
void mms_alloc_ioctl_buf_free(struct mms_alloc_ioctl_buf *buf);

/*
 * One query on fd: GET_AT 0 with the request, GET_NEXT until ENOENT, restarted
 * (up to 3 times) when the content id changed meanwhile; then the exact filter and
 * fn per match. *nr_tags: tags returned by the kernel. Returns 0, fn's non-zero
 * return, or a negative errno.
 */
int mms_alloc_ioctl_read(int fd, const struct mms_alloc_filter *f, struct mms_alloc_ioctl_buf *buf,
			 mms_alloc_site_fn fn, void *ctx, uint64_t *nr_tags);

/* Available here? 0, or a negative errno with why (for backend choice). */
int mms_alloc_ioctl_probe(const struct mms_host *host, char *why, size_t size);

#endif
