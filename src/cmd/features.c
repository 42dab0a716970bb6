// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope features: every probe of libmmscope's feature table, each done by trying,
 * and the backend each command will use (with why the better ones were skipped).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "output/view.h"

/* uname -r of the live kernel, or proc/sys/kernel/osrelease of the --root tree. */
static void kernel_release(struct cli *cli, char *buf, size_t size)
{
	struct mms_error err;
	struct utsname u;
	char *text;
	size_t len;

	buf[0] = '\0';
	if (mms_host_is_live(&cli->host)) {
		if (!uname(&u))
			snprintf(buf, size, "%s", u.release);
		return;
	}
	if (!mms_host_read(&cli->host, "/proc/sys/kernel/osrelease", &text, &len, &err)) {
		snprintf(buf, size, "%.*s", (int)strcspn(text, "\n"), text);
		free(text);
	}
}

static json_t *state_json(enum mms_probe_state st)
{
	return st == MMS_PROBE_UNKNOWN ? json_null() : json_boolean(st == MMS_PROBE_YES);
}

static const char *state_word(enum mms_probe_state st)
{
	return st == MMS_PROBE_YES ? "yes" : st == MMS_PROBE_NO ? "no" : "unknown";
}

static int run_features(struct cli *cli, int argc, char **argv);

const struct command cmd_features = {
	.name = "features",
	.run = run_features,
	.summary = "what this kernel offers and which backend each command uses",
	.usage = "\n",
};

static int run_features(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };
	struct mms_features *fs;
	char release[256];
	int c;

	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		return cli_bad_option(cli, c, argv[optind - 1]);
	if (optind < argc)
		return cli_usage(cli, "features takes no arguments");
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return cli_fail(cli, EXIT_RUNTIME, "out of memory");
	fs->host = cli->host;
	kernel_release(cli, release, sizeof(release));

	if (cli->json) {
		json_t *doc = json_object(), *feats = json_object(), *details = json_object(),
		       *backends = json_object();

		json_object_set_new(doc, "kernel", release[0] ? json_string(release) : json_null());
		for (int f = 0; f < MMS_FEAT_COUNT; f++) {
			const struct mms_feature_result *r = mms_feature_probe(fs, f);

			json_object_set_new(feats, mms_feature_name(f), state_json(r->state));
			json_object_set_new(details, mms_feature_name(f), json_string(r->detail));
		}
		for (int i = 0; i < mms_capability_count(); i++) {
			struct mms_backend_choice ch;
			json_t *skipped = json_array();

			mms_backend_choose(fs, i, &ch);
			for (int s = 0; s < ch.nr_skipped; s++)
				json_array_append_new(skipped,
						      json_pack("{s:s,s:s}", "backend",
								ch.skipped[s].backend, "reason",
								ch.skipped[s].reason));
			json_object_set_new(backends, ch.capability,
					    json_pack("{s:s?,s:o}", "backend", ch.chosen,
						      "skipped", skipped));
		}
		json_object_set_new(doc, "features", feats);
		json_object_set_new(doc, "details", details);
		json_object_set_new(doc, "backends", backends);
		json_emit(doc);
	} else {
		static const char *const fhdr[] = { "<feature", "<available", "<detail" };
		static const char *const bhdr[] = { "<capability", "<backend", "<skipped" };
		struct table t;

		printf("kernel %s\n\n", release[0] ? release : "(unknown)");
		table_init(&t, 3, fhdr);
		for (int f = 0; f < MMS_FEAT_COUNT; f++) {
			const struct mms_feature_result *r = mms_feature_probe(fs, f);

			table_cell(&t, "%s", mms_feature_name(f));
			table_cell(&t, "%s", state_word(r->state));
			table_cell(&t, "%s", r->detail);
		}
		table_print(&t, stdout, "");
		table_free(&t);
		putchar('\n');
		table_init(&t, 3, bhdr);
		for (int i = 0; i < mms_capability_count(); i++) {
			struct mms_backend_choice ch;
			char why[1024] = "";

			mms_backend_choose(fs, i, &ch);
			for (int s = 0; s < ch.nr_skipped; s++)
				snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s (%s)",
					 s ? "; " : "", ch.skipped[s].backend, ch.skipped[s].reason);
			table_cell(&t, "%s", ch.capability);
			table_cell(&t, "%s", ch.chosen ? ch.chosen : "none");
			table_cell(&t, "%s", why[0] ? why : "-");
		}
		table_print(&t, stdout, "");
		table_free(&t);
	}
	free(fs);
	return EXIT_DONE;
}
