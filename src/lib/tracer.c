// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* What the tracing loaders share after their skeleton is loaded (see tracers.h). */
#include <errno.h>
#include <string.h>

#include "tracers.h"

int mms_tracer_start(struct mms_tracer *t, const struct mms_tracer_opts *o, char *why,
		     size_t size)
{
	int err = mms_links_attach(&t->links, t->obj, why, size);

	if (err)
		return err;
	err = mms_evloop_open(&t->loop, t->obj, o->on_event, o->ctx);
	if (err) {
		snprintf(why, size, "ring buffer: %s", strerror(-err));
		mms_links_destroy(&t->links);
	}
	return err;
}

int mms_tracer_map_fd(const struct mms_tracer *t, const char *name)
{
	struct bpf_map *m = t->obj ? bpf_object__find_map_by_name(t->obj, name) : NULL;

	return m ? bpf_map__fd(m) : -1;
}

void mms_tracer_close(struct mms_tracer *t)
{
	mms_evloop_close(&t->loop);
	mms_links_destroy(&t->links);
	if (t->skel && t->destroy)
		t->destroy(t->skel);
	memset(t, 0, sizeof(*t));
}
