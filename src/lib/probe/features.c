// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Kernel feature probes, done by trying, never by kernel version: load and attach a
 * tiny program, look a kfunc up in vmlinux BTF, open the file the feature serves.
 * Each probe runs at most once per struct mms_features (a tri-state cache, as in
 * libbpf's features.c) and keeps the reason for a "no" so the user reads
 * "fentry: load refused: Operation not permitted" rather than a bare false.
 *
 * Under --root, probes that read files read them from the tree; probes that need the
 * live kernel (BPF loads, BTF, DAMON) are left unknown, which JSON shows as null.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <mmscope/mmscope.h>
#include "probe.skel.h"
#include "lib/util/mounts.h"

static const char *const feature_names[MMS_FEAT_COUNT] = {
	[MMS_FEAT_BTF] = "btf",
	[MMS_FEAT_BPF_TRACEPOINT] = "bpf_tracepoint",
	[MMS_FEAT_BPF_CGROUP_ITER] = "bpf_cgroup_iter",
	[MMS_FEAT_FENTRY] = "fentry",
	[MMS_FEAT_KPROBES] = "kprobes",
	[MMS_FEAT_MEMCG_KFUNCS] = "memcg_kfuncs",
	[MMS_FEAT_ALLOCINFO] = "allocinfo",
	[MMS_FEAT_DAMON] = "damon",
	[MMS_FEAT_DAMON_VADDR] = "damon_vaddr",
	[MMS_FEAT_DAMON_PADDR] = "damon_paddr",
	[MMS_FEAT_PAGE_IDLE] = "page_idle",
	[MMS_FEAT_MGLRU] = "mglru",
	[MMS_FEAT_MGLRU_ENABLED] = "mglru_enabled",
	[MMS_FEAT_PSI] = "psi",
	[MMS_FEAT_MEMCG_V1] = "memcg_v1",
	[MMS_FEAT_MEMCG_V2] = "memcg_v2",
	[MMS_FEAT_TRACEFS] = "tracefs",
	[MMS_FEAT_DEBUGFS] = "debugfs",
	[MMS_FEAT_THP] = "thp",
	[MMS_FEAT_PAGETYPEINFO] = "pagetypeinfo",
};

const char *mms_feature_name(enum mms_feature f)
{
	return f < MMS_FEAT_COUNT ? feature_names[f] : "?";
}

typedef void (*probe_fn)(struct mms_features *fs, struct mms_feature_result *r);

static void set(struct mms_feature_result *r, enum mms_probe_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set(struct mms_feature_result *r, enum mms_probe_state st, const char *fmt, ...)
{
	va_list ap;

	r->state = st;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* Probes that need the live kernel return true after marking r unknown under --root. */
static bool needs_live(struct mms_features *fs, struct mms_feature_result *r)
{
	if (mms_host_is_live(&fs->host))
		return false;
	set(r, MMS_PROBE_UNKNOWN, "not probed: --root reads files, this needs the live kernel");
	return true;
}

/* ---- BTF and kfuncs ---- */

static void probe_btf(struct mms_features *fs, struct mms_feature_result *r)
{
	struct btf *btf;

	if (needs_live(fs, r))
		return;
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		set(r, MMS_PROBE_NO, "no vmlinux BTF (CONFIG_DEBUG_INFO_BTF): %s", strerror(errno));
		return;
	}
	set(r, MMS_PROBE_YES, "vmlinux BTF, %u types", btf__type_cnt(btf));
	btf__free(btf);
}

static const char *const memcg_kfuncs[] = {
	"bpf_get_mem_cgroup",	     "bpf_put_mem_cgroup",	 "bpf_mem_cgroup_flush_stats",
	"bpf_mem_cgroup_page_state", "bpf_mem_cgroup_vm_events", "bpf_mem_cgroup_memory_events",
	"bpf_mem_cgroup_usage",
};

static void probe_memcg_kfuncs(struct mms_features *fs, struct mms_feature_result *r)
{
	struct btf *btf;

	if (needs_live(fs, r))
		return;
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		set(r, MMS_PROBE_NO, "no vmlinux BTF to look kfuncs up in");
		return;
	}
	set(r, MMS_PROBE_YES, "all %zu memcg kfuncs in vmlinux BTF",
	    sizeof(memcg_kfuncs) / sizeof(memcg_kfuncs[0]));
	for (size_t i = 0; i < sizeof(memcg_kfuncs) / sizeof(memcg_kfuncs[0]); i++) {
		if (btf__find_by_name_kind(btf, memcg_kfuncs[i], BTF_KIND_FUNC) < 0) {
			set(r, MMS_PROBE_NO, "%s not in vmlinux BTF (Linux 7.0+)", memcg_kfuncs[i]);
			break;
		}
	}
	btf__free(btf);
}

/* ---- BPF program types, by loading and attaching ---- */

/* Opens the probe skeleton with only prog enabled, loads it. NULL with r set on failure. */
static struct probe_bpf *load_one(struct mms_features *fs, struct mms_feature_result *r,
				  const char *what, struct bpf_program *(*pick)(struct probe_bpf *))
{
	struct probe_bpf *skel;
	struct bpf_program *p;
	int err;

	skel = probe_bpf__open();
	if (!skel) {
		set(r, MMS_PROBE_NO, "%s: cannot open probe object: %s", what, strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == pick(skel));
	err = probe_bpf__load(skel);
	if (err) {
		set(r, MMS_PROBE_NO, "%s: load refused: %s", what, strerror(-err));
		probe_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static struct bpf_program *pick_tp(struct probe_bpf *s) { return s->progs.raw_tp_mm_page_alloc; }
static struct bpf_program *pick_iter(struct probe_bpf *s) { return s->progs.iter_cgroup; }
static struct bpf_program *pick_fentry(struct probe_bpf *s) { return s->progs.fentry_vfs_read; }
static struct bpf_program *pick_kprobe(struct probe_bpf *s) { return s->progs.kprobe_vfs_read; }

/* Loads and attaches one program with its default attach point; the link is dropped. */
static void probe_attach(struct mms_features *fs, struct mms_feature_result *r,
			 const char *what, struct bpf_program *(*pick)(struct probe_bpf *))
{
	struct probe_bpf *skel;
	struct bpf_link *link;

	if (needs_live(fs, r))
		return;
	skel = load_one(fs, r, what, pick);
	if (!skel)
		return;
	link = bpf_program__attach(pick(skel));
	if (!link && errno == ENOENT && pick == pick_kprobe)
		set(r, MMS_PROBE_NO, "%s: no kprobe PMU nor kprobe_events (CONFIG_KPROBES)", what);
	else if (!link)
		set(r, MMS_PROBE_NO, "%s: attach failed: %s", what, strerror(errno));
	else
		set(r, MMS_PROBE_YES, "%s loaded and attached", what);
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
}

static void probe_tracepoint(struct mms_features *fs, struct mms_feature_result *r)
{
	probe_attach(fs, r, "raw_tp/mm_page_alloc", pick_tp);
}

static void probe_fentry(struct mms_features *fs, struct mms_feature_result *r)
{
	probe_attach(fs, r, "fentry/vfs_read", pick_fentry);
}

static void probe_kprobes(struct mms_features *fs, struct mms_feature_result *r)
{
	probe_attach(fs, r, "kprobe/vfs_read", pick_kprobe);
}

/* A cgroup iterator on the memory hierarchy's root (v2 root, else v1 memory root). */
static void probe_cgroup_iter(struct mms_features *fs, struct mms_feature_result *r)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = { 0 };
	char path[4096] = "";
	struct probe_bpf *skel;
	struct bpf_link *link;
	int cgfd, iterfd, rc;
	char buf[8];

	if (needs_live(fs, r))
		return;
	/* The memory hierarchy if there is one, since the memcg backends iterate it. */
	if (mms_feature_has(fs, MMS_FEAT_MEMCG_V2))
		rc = mms_mount_find(&fs->host, "cgroup2", NULL, path, sizeof(path));
	else
		rc = mms_mount_find(&fs->host, "cgroup", "memory", path, sizeof(path));
	if (rc)
		rc = mms_mount_find(&fs->host, "cgroup2", NULL, path, sizeof(path));
	if (rc) {
		set(r, MMS_PROBE_NO, "no cgroup hierarchy mounted to iterate");
		return;
	}
	skel = load_one(fs, r, "iter/cgroup", pick_iter);
	if (!skel)
		return;
	cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0) {
		set(r, MMS_PROBE_NO, "open %s: %s", path, strerror(errno));
		goto out;
	}
	info.cgroup.cgroup_fd = cgfd;
	info.cgroup.order = BPF_CGROUP_ITER_SELF_ONLY;
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	link = bpf_program__attach_iter(skel->progs.iter_cgroup, &opts);
	if (!link) {
		set(r, MMS_PROBE_NO, "iter/cgroup: attach to %s failed: %s", path, strerror(errno));
		goto out_fd;
	}
	iterfd = bpf_iter_create(bpf_link__fd(link));
	if (iterfd < 0) {
		set(r, MMS_PROBE_NO, "iter/cgroup: create failed: %s", strerror(errno));
	} else if (read(iterfd, buf, sizeof(buf)) < 0) {
		set(r, MMS_PROBE_NO, "iter/cgroup: read failed: %s", strerror(errno));
	} else {
		set(r, MMS_PROBE_YES, "iter/cgroup ran on %s", path);
	}
	if (iterfd >= 0)
		close(iterfd);
	bpf_link__destroy(link);
out_fd:
	close(cgfd);
out:
	probe_bpf__destroy(skel);
}

/* ---- files ---- */

/* Reads the first bytes of a file under the host root into buf. Returns -errno or length. */
static int read_head(struct mms_features *fs, const char *path, char *buf, size_t size)
{
	char full[sizeof(fs->host.root) + 256];
	ssize_t n;
	int fd, e;

	if (mms_host_path(&fs->host, path, full, sizeof(full)))
		return -ENAMETOOLONG;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	return (int)n;
}

static void probe_allocinfo(struct mms_features *fs, struct mms_feature_result *r)
{
	char head[128], *nl;
	int n = read_head(fs, "/proc/allocinfo", head, sizeof(head));

	if (n < 0) {
		set(r, MMS_PROBE_NO, "/proc/allocinfo: %s (CONFIG_MEM_ALLOC_PROFILING)",
		    strerror(-n));
		return;
	}
	nl = strchr(head, '\n');
	if (nl)
		*nl = '\0';
	if (strncmp(head, "allocinfo - version: ", 21)) {
		set(r, MMS_PROBE_NO, "/proc/allocinfo has no version line");
		return;
	}
	set(r, MMS_PROBE_YES, "version %s", head + 21);
}

#define DAMON_ADMIN "/sys/kernel/mm/damon/admin/kdamonds"

static void probe_damon(struct mms_features *fs, struct mms_feature_result *r)
{
	char buf[32];
	int n = read_head(fs, DAMON_ADMIN "/nr_kdamonds", buf, sizeof(buf));

	if (n == -EACCES || n == -EPERM)
		set(r, MMS_PROBE_UNKNOWN, "DAMON sysfs is root-only: %s", strerror(-n));
	else if (n < 0)
		set(r, MMS_PROBE_NO, DAMON_ADMIN ": %s (CONFIG_DAMON_SYSFS)", strerror(-n));
	else
		set(r, MMS_PROBE_YES, "DAMON sysfs, %d kdamond(s) configured", atoi(buf));
}

static int write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/*
 * The registered DAMON operation sets are listed only in a context's
 * avail_operations file, and contexts exist only under a kdamond. When nobody has a
 * kdamond configured we create one (no kdamond thread is started: state stays off),
 * read the list, and remove it again with SIGINT/SIGTERM blocked so that it is
 * always removed. When kdamonds exist they are someone else's: we only read.
 */
static void probe_damon_ops(struct mms_features *fs, char *ops, size_t size, char *why,
			    size_t why_size)
{
	const char *avail = DAMON_ADMIN "/0/contexts/0/avail_operations";
	char buf[32];
	sigset_t block, old;
	int n;

	ops[0] = '\0';
	if (!mms_feature_has(fs, MMS_FEAT_DAMON)) {
		snprintf(why, why_size, "%s", mms_feature_probe(fs, MMS_FEAT_DAMON)->detail);
		return;
	}
	if (read_head(fs, avail, ops, size) >= 0)
		return;
	if (!mms_host_is_live(&fs->host)) {
		snprintf(why, why_size, "%s not in the --root tree", avail);
		return;
	}
	if (read_head(fs, DAMON_ADMIN "/nr_kdamonds", buf, sizeof(buf)) < 0 || atoi(buf) != 0) {
		snprintf(why, why_size, "kdamonds exist without a context to read: not touched");
		return;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (!write_str(DAMON_ADMIN "/nr_kdamonds", "1")) {
		if (!write_str(DAMON_ADMIN "/0/contexts/nr_contexts", "1")) {
			n = read_head(fs, avail, ops, size);
			if (n < 0)
				snprintf(why, why_size, "%s: %s", avail, strerror(-n));
			write_str(DAMON_ADMIN "/0/contexts/nr_contexts", "0");
		} else {
			snprintf(why, why_size, "cannot create a DAMON context: %s", strerror(errno));
		}
		write_str(DAMON_ADMIN "/nr_kdamonds", "0");
	} else {
		snprintf(why, why_size, "cannot create a kdamond to list operation sets: %s",
			 strerror(errno));
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static void probe_damon_set(struct mms_features *fs, struct mms_feature_result *r,
			    const char *set_name)
{
	char ops[128], why[200] = "";

	probe_damon_ops(fs, ops, sizeof(ops), why, sizeof(why));
	if (!ops[0])
		set(r, mms_feature_probe(fs, MMS_FEAT_DAMON)->state == MMS_PROBE_NO ? MMS_PROBE_NO :
		    MMS_PROBE_UNKNOWN, "%s", why);
	else if (word_in(ops, set_name))
		set(r, MMS_PROBE_YES, "'%s' in avail_operations", set_name);
	else
		set(r, MMS_PROBE_NO, "'%s' not in avail_operations (CONFIG_DAMON_%s)", set_name,
		    !strcmp(set_name, "vaddr") ? "VADDR" : "PADDR");
}

static void probe_damon_vaddr(struct mms_features *fs, struct mms_feature_result *r)
{
	probe_damon_set(fs, r, "vaddr");
}

static void probe_damon_paddr(struct mms_features *fs, struct mms_feature_result *r)
{
	probe_damon_set(fs, r, "paddr");
}

static void probe_page_idle(struct mms_features *fs, struct mms_feature_result *r)
{
	char buf[16];
	int n = read_head(fs, "/sys/kernel/mm/page_idle/bitmap", buf, 9);

	if (n >= 0)
		set(r, MMS_PROBE_YES, "/sys/kernel/mm/page_idle/bitmap readable");
	else if (n == -ENOENT)
		set(r, MMS_PROBE_NO, "no /sys/kernel/mm/page_idle (CONFIG_IDLE_PAGE_TRACKING)");
	else
		set(r, MMS_PROBE_UNKNOWN, "page_idle/bitmap: %s (needs root)", strerror(-n));
}

/* MGLRU is a feature when built in (CONFIG_LRU_GEN); whether it is switched on is a
 * setting, reported as mglru_enabled (Debian builds it in, off). */
static void probe_mglru(struct mms_features *fs, struct mms_feature_result *r)
{
	char buf[32];
	int n = read_head(fs, "/sys/kernel/mm/lru_gen/enabled", buf, sizeof(buf));

	if (n < 0)
		set(r, MMS_PROBE_NO, "no /sys/kernel/mm/lru_gen (CONFIG_LRU_GEN)");
	else
		set(r, MMS_PROBE_YES, "built in, lru_gen/enabled = %.*s", (int)strcspn(buf, "\n"),
		    buf);
}

static void probe_mglru_enabled(struct mms_features *fs, struct mms_feature_result *r)
{
	char buf[32];
	int n = read_head(fs, "/sys/kernel/mm/lru_gen/enabled", buf, sizeof(buf));

	if (n < 0)
		set(r, MMS_PROBE_NO, "no /sys/kernel/mm/lru_gen (CONFIG_LRU_GEN)");
	else if (strtoul(buf, NULL, 16) == 0)
		set(r, MMS_PROBE_NO, "built in but off (lru_gen/enabled = 0x0000)");
	else
		set(r, MMS_PROBE_YES, "lru_gen/enabled = %.*s", (int)strcspn(buf, "\n"), buf);
}

static void probe_psi(struct mms_features *fs, struct mms_feature_result *r)
{
	char buf[256];
	int n = read_head(fs, "/proc/pressure/memory", buf, sizeof(buf));

	if (n >= 0)
		set(r, MMS_PROBE_YES, "/proc/pressure/memory");
	else if (n == -EOPNOTSUPP)
		set(r, MMS_PROBE_NO, "PSI disabled (boot with psi=1)");
	else
		set(r, MMS_PROBE_NO, "/proc/pressure/memory: %s (CONFIG_PSI)", strerror(-n));
}

static void probe_memcg_v1(struct mms_features *fs, struct mms_feature_result *r)
{
	char path[4096];

	if (mms_mount_find(&fs->host, "cgroup", "memory", path, sizeof(path)))
		set(r, MMS_PROBE_NO, "no cgroup v1 hierarchy with the memory controller");
	else
		set(r, MMS_PROBE_YES, "%s", path);
}

static void probe_memcg_v2(struct mms_features *fs, struct mms_feature_result *r)
{
	char path[4096], ctl[4096 + 32], buf[512];
	int n;

	if (mms_mount_find(&fs->host, "cgroup2", NULL, path, sizeof(path))) {
		set(r, MMS_PROBE_NO, "cgroup2 not mounted");
		return;
	}
	snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", path);
	n = read_head(fs, ctl, buf, sizeof(buf));
	if (n < 0)
		set(r, MMS_PROBE_NO, "%s: %s", ctl, strerror(-n));
	else if (!word_in(buf, "memory"))
		set(r, MMS_PROBE_NO, "cgroup2 at %s has no memory controller (bound to v1?)", path);
	else
		set(r, MMS_PROBE_YES, "%s", path);
}

static void probe_mount(struct mms_features *fs, struct mms_feature_result *r, const char *type)
{
	char path[4096];

	if (mms_mount_find(&fs->host, type, NULL, path, sizeof(path)))
		set(r, MMS_PROBE_NO, "%s not mounted", type);
	else
		set(r, MMS_PROBE_YES, "%s", path);
}

static void probe_tracefs(struct mms_features *fs, struct mms_feature_result *r)
{
	probe_mount(fs, r, "tracefs");
}

static void probe_debugfs(struct mms_features *fs, struct mms_feature_result *r)
{
	probe_mount(fs, r, "debugfs");
}

static void probe_thp(struct mms_features *fs, struct mms_feature_result *r)
{
	char buf[128];
	int n = read_head(fs, "/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));

	if (n < 0)
		set(r, MMS_PROBE_NO, "no THP sysfs (CONFIG_TRANSPARENT_HUGEPAGE)");
	else
		set(r, MMS_PROBE_YES, "enabled: %.*s", (int)strcspn(buf, "\n"), buf);
}

static void probe_pagetypeinfo(struct mms_features *fs, struct mms_feature_result *r)
{
	char buf[64];
	int n = read_head(fs, "/proc/pagetypeinfo", buf, sizeof(buf));

	if (n >= 0)
		set(r, MMS_PROBE_YES, "/proc/pagetypeinfo readable");
	else
		set(r, MMS_PROBE_NO, "/proc/pagetypeinfo: %s%s", strerror(-n),
		    n == -EACCES ? " (root only)" : "");
}

static const probe_fn probes[MMS_FEAT_COUNT] = {
	[MMS_FEAT_BTF] = probe_btf,
	[MMS_FEAT_BPF_TRACEPOINT] = probe_tracepoint,
	[MMS_FEAT_BPF_CGROUP_ITER] = probe_cgroup_iter,
	[MMS_FEAT_FENTRY] = probe_fentry,
	[MMS_FEAT_KPROBES] = probe_kprobes,
	[MMS_FEAT_MEMCG_KFUNCS] = probe_memcg_kfuncs,
	[MMS_FEAT_ALLOCINFO] = probe_allocinfo,
	[MMS_FEAT_DAMON] = probe_damon,
	[MMS_FEAT_DAMON_VADDR] = probe_damon_vaddr,
	[MMS_FEAT_DAMON_PADDR] = probe_damon_paddr,
	[MMS_FEAT_PAGE_IDLE] = probe_page_idle,
	[MMS_FEAT_MGLRU] = probe_mglru,
	[MMS_FEAT_MGLRU_ENABLED] = probe_mglru_enabled,
	[MMS_FEAT_PSI] = probe_psi,
	[MMS_FEAT_MEMCG_V1] = probe_memcg_v1,
	[MMS_FEAT_MEMCG_V2] = probe_memcg_v2,
	[MMS_FEAT_TRACEFS] = probe_tracefs,
	[MMS_FEAT_DEBUGFS] = probe_debugfs,
	[MMS_FEAT_THP] = probe_thp,
	[MMS_FEAT_PAGETYPEINFO] = probe_pagetypeinfo,
};

const struct mms_feature_result *mms_feature_probe(struct mms_features *fs, enum mms_feature f)
{
	struct mms_feature_result *r = &fs->r[f];

	if (r->state == MMS_PROBE_UNKNOWN && !r->detail[0]) {
		/* Mark in progress so that probes that consult others cannot recurse. */
		snprintf(r->detail, sizeof(r->detail), "probing");
		probes[f](fs, r);
	}
	return r;
}
