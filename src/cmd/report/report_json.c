// SPDX-License-Identifier: GPL-2.0
/*
 * The report as one JSON document (docs/json.md, "report"): the procfs part
 * (memory, zones, thp, rates, psi), the findings with their stable ids, and
 * what the window's tracers, cgroup reads and kernel log saw.
 */
#include <string.h>

#include "cmd/report/report.h"
#include "output/view.h"

static const char *const kind_keys[MMS_STALL_KINDS] = { "direct_reclaim", "memcg_reclaim",
							 "direct_compaction" };

/* "MemTotal" -> "mem_total", "Active(anon)" -> "active_anon", "HugePages_Total" ->
 * "huge_pages_total": JSON keys are lower_snake_case. */
static void snake_case(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 2 < size; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z') {
			if (p > in && o && out[o - 1] != '_' &&
			    ((p[-1] >= 'a' && p[-1] <= 'z') || (p[1] >= 'a' && p[1] <= 'z')))
				out[o++] = '_';
			out[o++] = (char)(c - 'A' + 'a');
		} else if (c == '(') {
			if (o && out[o - 1] != '_')
				out[o++] = '_';
		} else if (c != ')') {
			out[o++] = c;
		}
	}
	out[o] = '\0';
}

static json_t *psi_json(const struct mms_psi_line *l)
{
	return json_pack("{s:f,s:f,s:f,s:I}", "avg10", l->avg10, "avg60", l->avg60, "avg300",
			 l->avg300, "total_us", (json_int_t)l->total_us);
}

static json_t *stalls_json(const struct report *r)
{
	json_t *a = json_array();

	for (int i = 0; i < r->win.nr_stalls; i++) {
		const struct mms_report_stall *s = &r->stalls[i];
		json_t *o = json_pack("{s:s,s:o,s:I,s:I,s:I,s:I,s:I}", "kind", kind_keys[s->kind],
				      "cgroup", json_text(s->cgroup), "count", (json_int_t)s->count,
				      "total_ns", (json_int_t)s->total_ns, "p50_ns",
				      (json_int_t)s->p50_ns, "p99_ns", (json_int_t)s->p99_ns,
				      "max_ns", (json_int_t)s->max_ns);

		if (s->pid) {
			json_object_set_new(o, "pid", json_integer(s->pid));
			json_object_set_new(o, "comm", json_textn(s->comm, strnlen(s->comm,
										  sizeof(s->comm))));
		}
		if (s->pid && s->kind == MMS_STALL_COMPACTION) {
			json_object_set_new(o, "node", json_integer(s->node));
			json_object_set_new(o, "zone", json_text(s->zone));
			json_object_set_new(o, "order", json_integer(s->order));
			json_object_set_new(o, "failed", json_integer((json_int_t)s->failed));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *cgroups_json(const struct report *r)
{
	json_t *top = json_array();

	if (!r->cg_version)
		return json_null();
	for (int i = 0; i < r->win.nr_cgroups; i++) {
		const struct mms_report_cgroup *c = &r->cgroups[i];
		json_t *o = json_pack("{s:o,s:I,s:o,s:I,s:I,s:I}", "path", json_text(c->path),
				      "usage", (json_int_t)c->usage, "limit",
				      c->limit == MMS_MEMCG_UNLIMITED ? json_null() :
				      json_integer((json_int_t)c->limit), "pgscan",
				      (json_int_t)c->pgscan_d, "pgsteal", (json_int_t)c->pgsteal_d,
				      "refaults", (json_int_t)c->refaults_d);

		json_object_set_new(o, "events", !c->has_events ? json_null() :
				    json_pack("{s:I,s:I,s:I,s:I}", "high", (json_int_t)c->high_d,
					      "max", (json_int_t)c->max_d, "oom", (json_int_t)c->oom_d,
					      "oom_kill", (json_int_t)c->oom_kill_d));
		json_object_set_new(o, "psi", !c->has_psi ? json_null() :
				    json_pack("{s:f,s:f}", "some_avg10", c->psi_some10, "full_avg10",
					      c->psi_full10));
		json_array_append_new(top, o);
	}
	return json_pack("{s:i,s:s,s:o,s:i,s:o}", "version", r->cg_version, "backend",
			 r->cg_backend ? r->cg_backend : "", "root", json_text(r->cg_root), "count",
			 r->nr_cgroups_seen, "top", top);
}

static json_t *ooms_json(const struct report *r)
{
	json_t *v = json_array();

	for (int i = 0; i < r->win.nr_ooms; i++) {
		const struct mms_report_oom *o = &r->ooms[i];

		json_array_append_new(v, json_pack("{s:i,s:o,s:o,s:o}", "pid", (int)o->pid, "comm",
						   json_text(o->comm), "cgroup",
						   o->cgroup[0] ? json_text(o->cgroup) : json_null(),
						   "constraint", o->constraint[0] ?
						   json_string(o->constraint) : json_null()));
	}
	return json_pack("{s:o,s:I,s:o}", "window", r->in.vmstat_start ?
			 json_integer((json_int_t)r->win.oom_kills) : json_null(), "since_boot",
			 (json_int_t)r->oom_kill_boot, "victims", v);
}

static json_t *alloc_json(const struct report *r)
{
	json_t *a;

	if (!r->alloc_read)
		return json_null();
	a = json_array();
	for (int i = 0; i < r->win.nr_alloc_sites; i++)
		json_array_append_new(a, json_pack("{s:o,s:I,s:I}", "site",
						   json_text(r->alloc[i].site), "growth",
						   (json_int_t)r->alloc[i].growth, "bytes",
						   (json_int_t)r->alloc[i].bytes));
	return a;
}

/* "traced", "left_out", "stalls", "kswapd", "extfrag", "oom_kills", "cgroups", "overhead_ns". */
static void window_json(const struct report *r, json_t *doc)
{
	json_t *left = json_array(), *kinds = json_array();

	for (int i = 0; i < r->nr_left; i++)
		json_array_append_new(left, json_pack("{s:s,s:o}", "what", r->left[i].what, "why",
						      json_text(r->left[i].why)));
	json_object_set_new(doc, "traced", r->attached[0] ? json_string(r->attached) : json_null());
	json_object_set_new(doc, "left_out", left);
	json_object_set_new(doc, "stalls", r->win.traced ? stalls_json(r) : json_null());
	json_object_set_new(doc, "kswapd", !r->win.traced ? json_null() :
			    json_pack("{s:I,s:I}", "runs", (json_int_t)r->win.kswapd_runs,
				      "total_ns", (json_int_t)r->win.kswapd_ns));
	for (int i = 0; i < r->nr_extfrag_kinds; i++)
		json_array_append_new(kinds, json_pack("{s:s,s:s,s:I,s:I}", "alloc",
						       r->extfrag[i].alloc, "fallback",
						       r->extfrag[i].fallback, "events",
						       (json_int_t)r->extfrag[i].events, "fragmenting",
						       (json_int_t)r->extfrag[i].fragmenting));
	json_object_set_new(doc, "extfrag", !r->win.traced ? (json_decref(kinds), json_null()) :
			    json_pack("{s:I,s:I,s:o}", "events", (json_int_t)r->win.extfrag_events,
				      "fragmenting", (json_int_t)r->win.extfrag_fragmenting,
				      "kinds", kinds));
	json_object_set_new(doc, "oom_kills", ooms_json(r));
	json_object_set_new(doc, "alloc_growth", alloc_json(r));
	json_object_set_new(doc, "cgroups", cgroups_json(r));
	json_object_set_new(doc, "overhead_ns", r->in.vmstat_start ?
			    json_integer((json_int_t)r->cost_ns) : json_null());
}

void report_print_json(const struct report *r)
{
	json_t *doc = json_object(), *mem = json_object(), *zones = json_array(),
	       *rates = json_object(), *findings = json_array();

	for (int i = 0; i < r->in.meminfo->nr; i++) {
		char key[MMS_KV_NAME_MAX * 2];

		snake_case(r->in.meminfo->items[i].name, key, sizeof(key));
		json_object_set_new(mem, key, json_integer((json_int_t)r->in.meminfo->items[i].value));
	}
	for (int z = 0; z < r->frag.buddy.nr_zones; z++) {
		const struct mms_zone_verdict *zv = &r->frag.verdict[z];

		json_array_append_new(zones, json_pack("{s:i,s:s,s:s,s:o,s:f}", "node",
				r->frag.buddy.zones[z].node, "zone", r->frag.buddy.zones[z].zone,
				"verdict", mms_frag_verdict_name(zv->verdict), "fragmented_order",
				zv->order >= 0 ? json_integer(zv->order) : json_null(),
				"thp_unusable_index", zv->thp_unusable / 1000.0));
	}
	for (int i = 0; r->in.vmstat_start && i < report_nr_rate_names; i++) {
		double x;

		if (report_rate(r, report_rate_names[i], &x))
			json_object_set_new(rates, report_rate_names[i], json_real(x));
	}
	for (int i = 0; i < r->nr_findings; i++) {
		const struct mms_finding *f = &r->findings[i];

		json_array_append_new(findings, json_pack("{s:s,s:s,s:o,s:f,s:s,s:o}", "id", f->id,
				"severity", mms_severity_name(f->severity), "text", json_text(f->text),
				"figure", f->figure, "unit", f->unit, "next",
				f->next[0] ? json_text(f->next) : json_null()));
	}
	json_object_set_new(doc, "memory", mem);
	json_object_set_new(doc, "zones", zones);
	json_object_set_new(doc, "thp", !r->thp.present ? json_null() :
			    json_pack("{s:s,s:s,s:s}", "enabled", r->thp.enabled, "defrag",
				      r->thp.defrag, "shmem_enabled", r->thp.shmem_enabled));
	json_object_set_new(doc, "window_s", r->in.vmstat_start ? json_real(r->in.window_s) :
			    json_null());
	json_object_set_new(doc, "rates", r->in.vmstat_start ? rates : (json_decref(rates),
									 json_null()));
	json_object_set_new(doc, "psi", !r->have_psi ? json_null() :
			    json_pack("{s:o,s:o}", "some", psi_json(&r->psi.some), "full",
				      r->psi.has_full ? psi_json(&r->psi.full) : json_null()));
	json_object_set_new(doc, "findings", findings);
	window_json(r, doc);
	json_emit(doc);
}

