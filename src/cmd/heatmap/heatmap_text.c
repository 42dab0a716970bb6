// SPDX-License-Identifier: GPL-2.0
/*
 * The heatmap's text views: one line per frame with the summary tables at the end
 * (for a person), CSV rows (for a spreadsheet: one row per region per frame), and
 * one JSON document for the whole run (for a script). All three say the same
 * things from the same structs; keys and columns are documented in docs/heatmap.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/heatmap/heatmap_view.h"
#include "output/view.h"

/* The hottest of the axis mappings in frame f, or NULL; *mean gets its accesses. */
static const struct hm_mapping *hottest_mapping(const struct hm_run *r, const struct hm_frame *f,
						double *mean)
{
	const struct hm_mapping *best = NULL;

	*mean = -1;
	for (int i = 0; i < r->axis.n; i++) {
		double m = hm_mapping_mean(f, &r->axis.v[i]);

		if (m > *mean) {
			*mean = m;
			best = &r->axis.v[i];
		}
	}
	return best;
}

void hm_text_frame(const struct hm_run *r, const struct hm_frame *f, FILE *out)
{
	const struct hm_mapping *hot;
	char wss[16];
	double mean;

	fprintf(out, "%8.2f s  wss %7s  regions %5d", (double)f->t_ns / 1e9,
		fmt_bytes(hm_frame_wss(f), wss), f->n);
	hot = hottest_mapping(r, f, &mean);
	if (hot && mean > 0) {
		fputs("  hottest ", out);
		text_put(out, hot->name, 0);
		fprintf(out, " %" PRIx64 "-%" PRIx64 " %.2f", hot->start, hot->end, mean);
	}
	fputc('\n', out);
	fflush(out);
}

/*
 * A mapping's name, escaped (text_esc); a long one keeps its end (the file's name)
 * so the table fits 80 columns: "..." and the last 29 printed characters.
 */
static void name_cell(struct table *t, const char *name)
{
	char *esc = text_dupn(name, strlen(name)), *s;

	if (!esc) {
		table_cell(t, "?");
		return;
	}
	if (text_width(esc) > 32) {
		s = esc + strlen(esc);
		for (int w = 0; w < 29; w++)
			do
				s--;
			while (((unsigned char)*s & 0xc0) == 0x80);
		table_cell(t, "...%s", s);
	} else {
		table_cell(t, "%s", esc);
	}
	free(esc);
}

void hm_text_summary(const struct hm_run *r, FILE *out)
{
	static const char *const maps_hdr[] = { "<MAPPING", "START", "END", "SIZE",
						"NEVER_ACCESSED" };
	static const char *const hot_hdr[] = { "START", "END", "SIZE", "ACCESSES" };
	const struct hm_summary *s = &r->sum;
	char a[16], b[16], c[16];
	uint64_t total = 0, never = 0;
	struct table t;

	fprintf(out, "\nworking set over %" PRIu64 " frames: min %s, mean %s, max %s\n", s->frames,
		fmt_bytes(s->wss_min, a), fmt_bytes((uint64_t)s->wss_mean, b),
		fmt_bytes(s->wss_max, c));
	table_init(&t, 5, maps_hdr);
	for (int i = 0; i < s->nmaps; i++) {
		const struct hm_summary_mapping *m = &s->maps[i];

		name_cell(&t, m->name);
		table_cell(&t, "%" PRIx64, m->start);
		table_cell(&t, "%" PRIx64, m->end);
		table_cell(&t, "%s", fmt_bytes(m->bytes, a));
		table_cell(&t, "%s", fmt_bytes(m->never_accessed, b));
		total += m->bytes;
		never += m->never_accessed;
	}
	fprintf(out, "never accessed during the run: %s of %s, by mapping:\n", fmt_bytes(never, a),
		fmt_bytes(total, b));
	table_print(&t, out, "  ");
	table_free(&t);
	fprintf(out, "hottest ranges (mean accesses over the run):\n");
	table_init(&t, 4, hot_hdr);
	for (int i = 0; i < s->nhot; i++) {
		table_cell(&t, "%" PRIx64, s->hot[i].start);
		table_cell(&t, "%" PRIx64, s->hot[i].end);
		table_cell(&t, "%s", fmt_bytes(s->hot[i].end - s->hot[i].start, a));
		table_cell(&t, "%.3f", s->hot[i].accesses);
	}
	table_print(&t, out, "  ");
	table_free(&t);
	if (r->lost)
		fprintf(out, "lost: %" PRIu64 " records (ring buffer full)\n", r->lost);
	if (r->note[0])
		fputs("note: ", out), text_put(out, r->note, 0), fputc('\n', out);
	fflush(out);
}

void hm_csv_header(FILE *out)
{
	fprintf(out, "t_ns,start,end,accesses\n");
	fflush(out);
}

void hm_csv_frame(const struct hm_frame *f, FILE *out)
{
	for (int i = 0; i < f->n; i++)
		fprintf(out, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.6g\n", f->t_ns, f->r[i].start,
			f->r[i].end, f->r[i].accesses);
	fflush(out);
}

static json_t *frame_json(const struct hm_frame *f)
{
	json_t *regions = json_array();

	for (int i = 0; i < f->n; i++)
		json_array_append_new(regions, json_pack("{s:I,s:I,s:f}", "start",
							 (json_int_t)f->r[i].start, "end",
							 (json_int_t)f->r[i].end, "accesses",
							 f->r[i].accesses));
	return json_pack("{s:I,s:I,s:I,s:o}", "t_ns", (json_int_t)f->t_ns, "samples",
			 (json_int_t)f->samples, "wss_bytes", (json_int_t)hm_frame_wss(f),
			 "regions", regions);
}

static json_t *summary_json(const struct hm_summary *s)
{
	json_t *never = json_array(), *hot = json_array();

	for (int i = 0; i < s->nmaps; i++)
		json_array_append_new(never, json_pack("{s:o,s:I,s:I,s:I,s:I}", "name",
						       json_text(s->maps[i].name), "start",
						       (json_int_t)s->maps[i].start, "end",
						       (json_int_t)s->maps[i].end, "size_bytes",
						       (json_int_t)s->maps[i].bytes, "bytes",
						       (json_int_t)s->maps[i].never_accessed));
	for (int i = 0; i < s->nhot; i++)
		json_array_append_new(hot, json_pack("{s:I,s:I,s:f}", "start",
						     (json_int_t)s->hot[i].start, "end",
						     (json_int_t)s->hot[i].end, "accesses",
						     s->hot[i].accesses));
	return json_pack("{s:I,s:{s:I,s:I,s:I,s:I},s:o,s:o}", "frames", (json_int_t)s->frames,
			 "wss_bytes", "min", (json_int_t)s->wss_min, "mean",
			 (json_int_t)(s->wss_mean + 0.5), "max",
			 (json_int_t)s->wss_max, "last", (json_int_t)s->wss_last,
			 "never_accessed", never, "hottest", hot);
}

json_t *hm_json(const struct hm_run *r)
{
	json_t *frames = json_array(), *maps = json_array(), *skipped = json_array();

	for (int i = 0; i < r->nskipped; i++)
		json_array_append_new(skipped, json_pack("{s:s,s:o}", "source", r->skipped[i].source,
							 "reason", json_text(r->skipped[i].reason)));
	for (int i = 0; i < r->n; i++)
		json_array_append_new(frames, frame_json(&r->f[i]));
	for (int i = 0; i < r->axis.n; i++)
		json_array_append_new(maps, json_pack("{s:I,s:I,s:o}", "start",
						      (json_int_t)r->axis.v[i].start, "end",
						      (json_int_t)r->axis.v[i].end, "name",
						      json_text(r->axis.v[i].name)));
	return json_pack("{s:s,s:o,s:o,s:i,s:o,s:I,s:I,s:o,s:o,s:o,s:I,s:o}", "source",
			 r->source, "source_detail", json_text(r->how), "skipped", skipped, "pid",
			 (int)r->pid, "target", json_text(r->target),
			 "aging_ms", (json_int_t)(r->aging_us / 1000), "aggregate_ms",
			 (json_int_t)(r->aggregate_us / 1000), "frames", frames, "mappings", maps,
			 "summary", summary_json(&r->sum), "lost", (json_int_t)r->lost, "note",
			 json_text(r->note));
}
