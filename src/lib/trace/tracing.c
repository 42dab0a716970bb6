// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Shared machinery of the tracing features (see tracing.h): the task filter's
 * cgroup resolution, attaching with undo, the ring-buffer event loop, and enum
 * names read from the running kernel's BTF rather than compiled in, because enum
 * values move between kernels (enum compact_result gained and lost members over
 * the years; enum migrate_mode lost MIGRATE_SYNC_NO_COPY after 6.1).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "lib/trace/tracing.h"

/* ---- task filter ---- */

static int read_cgroup_mounts(const struct mms_host *host, struct mms_cgroup_mounts *m)
{
	struct mms_error err = { 0 };
	size_t len;
	char *text;
	int rc = mms_host_read(host, "/proc/self/mounts", &text, &len, &err);

	if (rc)
		return rc;
	rc = mms_parse_cgroup_mounts(text, len, m, &err);
	free(text);
	return rc;
}

/* The mount whose path is the longest prefix of path (a cgroup mount holds it). */
static int mount_of(const struct mms_cgroup_mounts *m, const char *path)
{
	size_t best_len = 0;
	int best = -1;

	for (int i = 0; i < m->nr; i++) {
		size_t n = strlen(m->m[i].path);

		if (!strncmp(path, m->m[i].path, n) && (path[n] == '/' || path[n] == '\0') &&
		    n >= best_len) {
			best = i;
			best_len = n;
		}
	}
	return best;
}

int mms_task_filter_cgroup(const struct mms_host *host, const char *arg,
			   struct mms_task_filter *f, char *why, size_t size)
{
	struct mms_cgroup_mounts m;
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;
	int rc, idx;

	rc = read_cgroup_mounts(host, &m);
	if (rc) {
		snprintf(why, size, "cannot read /proc/self/mounts: %s", strerror(-rc));
		return rc;
	}
	/* An absolute path that exists; else relative to the memory hierarchy, then v2. */
	snprintf(path, sizeof(path), "%s", arg);
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		bool found = false;

		for (int pass = 0; pass < 2 && !found; pass++) {
			for (int i = 0; i < m.nr && !found; i++) {
				if (pass == 0 ? i != m.memory_idx : m.m[i].version != 2)
					continue;
				snprintf(path, sizeof(path), "%s/%s", m.m[i].path,
					 arg[0] == '/' ? arg + 1 : arg);
				found = !stat(path, &st) && S_ISDIR(st.st_mode);
			}
		}
		if (!found) {
			snprintf(why, size, "-c %s: no such cgroup (a directory in a cgroup mount, "
				 "or a path under the memory hierarchy)", arg);
			return -ENOENT;
		}
	}
	if (!realpath(path, real)) {
		snprintf(why, size, "-c %s: %s", arg, strerror(errno));
		return -errno;
	}
	idx = mount_of(&m, real);
	if (idx < 0 || (m.m[idx].version == 1 && !m.m[idx].memory)) {
		snprintf(why, size, "-c %s: not in the memory cgroup hierarchy or a cgroup2 mount",
			 arg);
		return -EINVAL;
	}
	f->cgid = (uint64_t)st.st_ino;
	snprintf(f->cg_path, sizeof(f->cg_path), "%s", real);
	if (m.m[idx].version == 2) {
		/* The cgroup's depth: components below the mount. */
		const char *rel = real + strlen(m.m[idx].path);

		f->cg_mode = MMS_CGF_V2;
		f->cg_level = 0;
		for (const char *p = rel; *p; p++)
			if (*p == '/' && p[1])
				f->cg_level++;
	} else {
		f->cg_mode = MMS_CGF_MEMCG;
	}
	return 0;
}

/* ---- attach ---- */

void mms_bpf_error(int err, const char *what, char *why, size_t size)
{
	if (err == -EPERM || err == -EACCES)
		snprintf(why, size, "%s: %s (needs root, or CAP_BPF and CAP_PERFMON)", what,
			 strerror(-err));
	else if (err == -ENOENT)
		snprintf(why, size, "%s: this kernel has no such tracepoint", what);
	else
		snprintf(why, size, "%s: %s", what, strerror(-err));
}

int mms_links_attach(struct mms_links *l, struct bpf_object *obj, bool fail_last, char *why,
		     size_t size)
{
	struct bpf_program *prog;
	int nr_load = 0;

	l->nr = 0;
	bpf_object__for_each_program(prog, obj)
		nr_load += bpf_program__autoload(prog);
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link;
		int err;

		if (!bpf_program__autoload(prog))
			continue;
		if (l->nr == MMS_LINKS_MAX) {
			err = -E2BIG;
		} else if (fail_last && l->nr == nr_load - 1) {
			err = -EBUSY; /* the test hook: the last attach fails, the others live */
		} else {
			link = bpf_program__attach(prog);
			err = link ? 0 : -errno;
			if (link)
				l->link[l->nr++] = link;
		}
		if (err) {
			char what[128];

			snprintf(what, sizeof(what), "attaching %s", bpf_program__name(prog));
			mms_bpf_error(err, what, why, size);
			mms_links_destroy(l);
			return err;
		}
	}
	return 0;
}

void mms_links_destroy(struct mms_links *l)
{
	while (l->nr > 0)
		bpf_link__destroy(l->link[--l->nr]);
}

/* ---- event loop ---- */

uint64_t mms_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int mms_evloop_open(struct mms_evloop *l, struct bpf_object *obj, ring_buffer_sample_fn fn,
		    void *ctx)
{
	struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
	struct bpf_map *lost = bpf_object__find_map_by_name(obj, "lost");

	l->lost_fd = lost ? bpf_map__fd(lost) : -1;
	l->rb = NULL;
	if (!events || !fn)
		return 0;
	l->rb = ring_buffer__new(bpf_map__fd(events), fn, ctx, NULL);
	return l->rb ? 0 : -errno;
}

int mms_evloop_run(struct mms_evloop *l, const struct mms_evloop_opts *o)
{
	uint64_t start = mms_monotonic_ns(), next = start + o->interval_ns;
	long ticks = 0;

	while (!(o->stop && *o->stop)) {
		uint64_t now = mms_monotonic_ns(), until = UINT64_MAX;
		int timeout_ms, err;

		if (o->duration_ns && now - start >= o->duration_ns)
			break;
		if (o->interval_ns && now >= next) {
			ticks++;
			if (o->tick && o->tick(o->ctx, now))
				break;
			if (o->count && ticks >= o->count)
				break;
			next += o->interval_ns;
			if (next <= now) /* a slow tick: do not try to catch up */
				next = now + o->interval_ns;
			continue;
		}
		if (o->interval_ns)
			until = next;
		if (o->duration_ns && start + o->duration_ns < until)
			until = start + o->duration_ns;
		/* Wake at least every drain period: records wait no longer, a stop flag is seen. */
		timeout_ms = until == UINT64_MAX ? MMS_EVLOOP_DRAIN_MS
						 : (int)((until - now) / 1000000 + 1);
		if (timeout_ms > MMS_EVLOOP_DRAIN_MS)
			timeout_ms = MMS_EVLOOP_DRAIN_MS;
		if (l->rb) {
			err = ring_buffer__poll(l->rb, timeout_ms);
			if (err < 0 && err != -EINTR)
				return err;
			/* Records submitted without a wakeup (event_submit()): read them too. */
			if (err == 0)
				err = ring_buffer__consume(l->rb);
			if (err > 0 && o->out)
				fflush(o->out);
		} else {
			poll(NULL, 0, timeout_ms);
		}
	}
	/* What is still in the buffer was seen by the kernel within the window: read it. */
	if (l->rb)
		ring_buffer__consume(l->rb);
	if (o->out)
		fflush(o->out);
	return 0;
}

uint64_t mms_percpu_sum(int map_fd, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0, *v;

	if (map_fd < 0 || ncpu <= 0)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return 0;
	if (!bpf_map_lookup_elem(map_fd, &key, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

uint64_t mms_evloop_lost(const struct mms_evloop *l)
{
	return mms_percpu_sum(l->lost_fd, 0);
}

void mms_evloop_close(struct mms_evloop *l)
{
	ring_buffer__free(l->rb);
	l->rb = NULL;
}

/* ---- BTF ---- */

static struct btf *vmlinux_btf(void)
{
	static struct btf *btf;
	static bool tried;

	if (!tried) {
		tried = true;
		btf = btf__load_vmlinux_btf();
	}
	return btf;
}

void mms_enum_pretty(const char *name, const char *prefix, char *buf, size_t size)
{
	size_t n = strlen(prefix), i;

	if (!strncmp(name, prefix, n))
		name += n;
	for (i = 0; name[i] && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	if (size)
		buf[i < size ? i : size - 1] = '\0';
}

const char *mms_btf_enum_name(const char *enum_name, const char *prefix, long value,
			      char *buf, size_t size)
{
	struct btf *btf = vmlinux_btf();
	int id = btf ? btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM) : -1;

	snprintf(buf, size, "%ld", value);
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e = btf_enum(t);

		for (int i = 0; i < btf_vlen(t); i++)
			if (e[i].val == value)
				mms_enum_pretty(btf__name_by_offset(btf, e[i].name_off), prefix,
						buf, size);
	}
	return buf;
}

const char *mms_btf_tp_param_type(const char *event, int idx, char *buf, size_t size)
{
	struct btf *btf = vmlinux_btf();
	const struct btf_type *t;
	const struct btf_param *params;
	char name[128];
	int id;

	if (!btf)
		return NULL;
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, btf__resolve_type(btf, id)); /* pointer */
	if (!btf_is_ptr(t))
		return NULL;
	t = btf__type_by_id(btf, t->type); /* func proto */
	if (!btf_is_func_proto(t) || idx + 1 >= btf_vlen(t))
		return NULL;
	params = btf_params(t);
	t = btf__type_by_id(btf, params[idx + 1].type);
	snprintf(buf, size, "%s", btf__name_by_offset(btf, t->name_off));
	return buf;
}
