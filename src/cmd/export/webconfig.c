// SPDX-License-Identifier: GPL-2.0
/*
 * --web-config FILE, read with libyaml (Debian's libyaml-dev): the subset of
 * exporter-toolkit's web-config.yml the exporter serves:
 *
 *   tls_server_config:
 *     cert_file: server.crt      # relative paths: from the file's directory
 *     key_file: server.key
 *   basic_auth_users:
 *     prometheus: $2y$10$...     # bcrypt, as htpasswd -B makes
 *
 * Any other key is refused (exit 2) rather than ignored: a user who writes
 * client_auth_type expects it to be enforced. Passwords are checked with
 * crypt_r() of libxcrypt, which knows bcrypt ($2a$, $2b$, $2y$). bcrypt costs tens
 * of milliseconds by design, so the last password that matched is kept per user
 * and compared first (as exporter-toolkit caches its checks).
 */
#include <crypt.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <yaml.h>

#include "cmd/export/webconfig.h"

static char *read_file(const char *path, size_t max, char *why, size_t size)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n > max) {
		snprintf(why, size, "%s: %s", path, buf ? "too large" : "out of memory");
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

static const char *scalar(yaml_document_t *d, yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A path from the file: relative ones are relative to the file's directory. */
static char *file_near(const char *cfg, const char *p, char *why, size_t size)
{
	char dir[PATH_MAX], full[PATH_MAX * 2];

	if (p[0] == '/')
		return read_file(p, 1 << 20, why, size);
	snprintf(dir, sizeof(dir), "%s", cfg);
	snprintf(full, sizeof(full), "%s/%s", dirname(dir), p);
	return read_file(full, 1 << 20, why, size);
}

static int load_tls(struct webcfg *w, const char *path, yaml_document_t *d, yaml_node_t *m,
		    char *why, size_t size)
{
	yaml_node_pair_t *pr;

	if (m->type != YAML_MAPPING_NODE) {
		snprintf(why, size, "%s: tls_server_config: want a mapping", path);
		return -EINVAL;
	}
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
		const char *k = scalar(d, yaml_document_get_node(d, pr->key));
		const char *v = scalar(d, yaml_document_get_node(d, pr->value));
		char **dst;

		if (!k || !v) {
			snprintf(why, size, "%s: tls_server_config: want key: value", path);
			return -EINVAL;
		}
		if (!strcmp(k, "cert_file"))
			dst = &w->cert_pem;
		else if (!strcmp(k, "key_file"))
			dst = &w->key_pem;
		else {
			snprintf(why, size, "%s: tls_server_config: %s: not supported (cert_file and key_file are)",
				 path, k);
			return -EINVAL;
		}
		free(*dst);
		*dst = file_near(path, v, why, size);
		if (!*dst)
			return -EINVAL;
	}
	if (!w->cert_pem != !w->key_pem) {
		snprintf(why, size, "%s: tls_server_config needs both cert_file and key_file", path);
		return -EINVAL;
	}
	return 0;
}

static int load_users(struct webcfg *w, const char *path, yaml_document_t *d, yaml_node_t *m,
		      char *why, size_t size)
{
	yaml_node_pair_t *pr;

	if (m->type != YAML_MAPPING_NODE) {
		snprintf(why, size, "%s: basic_auth_users: want a mapping of user: bcrypt hash", path);
		return -EINVAL;
	}
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
		const char *k = scalar(d, yaml_document_get_node(d, pr->key));
		const char *v = scalar(d, yaml_document_get_node(d, pr->value));

		if (!k || !v || strncmp(v, "$2", 2) || strlen(v) != 60) {
			snprintf(why, size, "%s: basic_auth_users: %s: want a bcrypt hash ($2y$...)",
				 path, k ? k : "?");
			return -EINVAL;
		}
		if (w->nr_users == WEBCFG_USERS_MAX) {
			snprintf(why, size, "%s: more than %d users", path, WEBCFG_USERS_MAX);
			return -EINVAL;
		}
		w->users[w->nr_users].name = strdup(k);
		w->users[w->nr_users].hash = strdup(v);
		w->users[w->nr_users].good = NULL;
		if (!w->users[w->nr_users].name || !w->users[w->nr_users++].hash)
			return -ENOMEM;
	}
	return 0;
}

int webcfg_load(struct webcfg *w, const char *path, char *why, size_t size)
{
	char *text = read_file(path, 1 << 20, why, size);
	yaml_parser_t p;
	yaml_document_t d;
	yaml_node_t *root;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	if (!text)
		return -EINVAL;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&p, &d)) {
		snprintf(why, size, "%s:%zu: %s", path, p.problem_mark.line + 1,
			 p.problem ? p.problem : "not YAML");
		yaml_parser_delete(&p);
		free(text);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&d);
	if (root && root->type != YAML_MAPPING_NODE) {
		snprintf(why, size, "%s: want a mapping at the top", path);
		rc = -EINVAL;
	}
	for (yaml_node_pair_t *pr = root && !rc ? root->data.mapping.pairs.start : NULL;
	     pr && pr < root->data.mapping.pairs.top && !rc; pr++) {
		const char *k = scalar(&d, yaml_document_get_node(&d, pr->key));
		yaml_node_t *v = yaml_document_get_node(&d, pr->value);

		if (k && !strcmp(k, "tls_server_config"))
			rc = load_tls(w, path, &d, v, why, size);
		else if (k && !strcmp(k, "basic_auth_users"))
			rc = load_users(w, path, &d, v, why, size);
		else {
			snprintf(why, size, "%s: %s: not supported (tls_server_config and basic_auth_users are)",
				 path, k ? k : "?");
			rc = -EINVAL;
		}
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	free(text);
	if (rc)
		webcfg_free(w);
	return rc;
}

/* Compares without an early exit, so the time does not tell how much matched. */
static bool same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

bool webcfg_auth_ok(const struct webcfg *cw, struct MHD_Connection *c)
{
	struct webcfg *w = (struct webcfg *)cw; /* the cache of good passwords */
	char *pass = NULL, *user = MHD_basic_auth_get_username_password(c, &pass);
	bool ok = false, found = false;

	for (int i = 0; user && pass && i < w->nr_users; i++) {
		struct crypt_data cd;
		const char *h;

		if (strcmp(w->users[i].name, user))
			continue;
		found = true;
		if (w->users[i].good && same(w->users[i].good, pass)) {
			ok = true;
			break;
		}
		memset(&cd, 0, sizeof(cd));
		h = crypt_r(pass, w->users[i].hash, &cd);
		ok = h && h[0] != '*' && same(h, w->users[i].hash);
		if (ok) {
			free(w->users[i].good);
			w->users[i].good = strdup(pass);
		}
		break;
	}
	/* An unknown user costs a bcrypt too, so the time does not tell who exists. */
	if (!found && pass && w->nr_users) {
		struct crypt_data cd;

		memset(&cd, 0, sizeof(cd));
		crypt_r(pass, w->users[0].hash, &cd);
	}
	MHD_free(user);
	MHD_free(pass);
	return ok;
}

void webcfg_free(struct webcfg *w)
{
	free(w->cert_pem);
	free(w->key_pem);
	for (int i = 0; i < w->nr_users; i++) {
		free(w->users[i].name);
		free(w->users[i].hash);
		free(w->users[i].good);
	}
	memset(w, 0, sizeof(*w));
}
