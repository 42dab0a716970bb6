// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* What the tracing loaders share after their skeleton is loaded (see tracers.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

#include "lib/trace/tracers.h"

void mms_tracer_init(struct mms_tracer *t, const struct mms_tracer_opts *o)
{
	/* libbpf's printer is the binary's to set (src/bpf_log.c), not ours. */
	memset(t, 0, sizeof(*t));
}

int mms_tracer_adopt(struct mms_tracer *t, void *skel, struct bpf_object *obj,
		     void (*destroy)(void *skel), const char *what, char *why, size_t size)
{
	char doing[96];

	if (!skel) {
		int err = -errno;

		snprintf(doing, sizeof(doing), "opening the %s BPF object", what);
		mms_bpf_error(err, doing, why, size);
		return err;
	}
	t->skel = skel;
	t->destroy = destroy;
	t->obj = obj;
	return 0;
}

int mms_tracer_loaded(struct mms_tracer *t, int err, const char *what, char *why, size_t size)
{
	char doing[96];

	if (!err)
		return 0;
	snprintf(doing, sizeof(doing), "loading the %s BPF programs", what);
	mms_bpf_error(err, doing, why, size);
	mms_tracer_close(t);
	return err;
}

int mms_tracer_start(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
		     size_t size)
{
	int err = mms_links_attach(&t->links, t->obj, o->fail_last_attach, why, size);

	if (!err) {
		err = mms_evloop_open(&t->loop, t->obj, o->on_event, o->ctx);
		if (err)
			snprintf(why, size, "ring buffer: %s", strerror(-err));
	}
	if (err)
		mms_tracer_close(t); /* also destroys the links attached so far */
	return err;
}

int mms_tracer_map_fd(const struct mms_tracer *t, const char *name)
{
	struct bpf_map *m = t->obj ? bpf_object__find_map_by_name(t->obj, name) : NULL;

	return m ? bpf_map__fd(m) : -1;
}

static uint64_t prog_missed(const struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(prog);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

uint64_t mms_tracer_missed(const struct mms_tracer *t)
{
	struct bpf_program *prog;
	uint64_t missed = 0;

	if (!t->obj)
		return 0;
	bpf_object__for_each_program(prog, t->obj)
		missed += prog_missed(prog);
	return missed;
}

void mms_tracer_loss(const struct mms_tracer *t, struct mms_tracer_loss *out)
{
	struct bpf_program *prog;

	memset(out, 0, sizeof(*out));
	out->lost = mms_evloop_lost(&t->loop);
	if (!t->obj)
		return;
	bpf_object__for_each_program(prog, t->obj) {
		uint64_t n = prog_missed(prog);
		const char *name = bpf_program__name(prog);

		if (!n)
			continue;
		out->missed += n;
		if (out->nr == MMS_TRACER_PROGS)
			continue;
		if (!strncmp(name, "raw_tp_", 7))
			name += 7;
		snprintf(out->by_prog[out->nr].name, sizeof(out->by_prog[0].name), "%s", name);
		out->by_prog[out->nr++].n = n;
	}
}

void mms_tracer_close(struct mms_tracer *t)
{
	mms_evloop_close(&t->loop);
	mms_links_destroy(&t->links);
	if (t->skel && t->destroy)
		t->destroy(t->skel);
	memset(t, 0, sizeof(*t));
}

int mms_tracer_open_nocas(struct mms_tracer *t, const struct mms_tracer_opts *o,
			  mms_tracer_load_fn load, char *why, size_t size)
{
	/* Tried, not assumed: the nocas build only when the kernel refuses the first. */
	int err = load(t, o, false, why, size);

	if (err == -EINVAL)
		err = load(t, o, true, why, size);
	if (err)
		return err;
	return mms_tracer_start(t, o, why, size);
}
