/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --web-config FILE: TLS and basic auth in the format of Prometheus'
 * exporter-toolkit web-config.yml (tls_server_config: cert_file, key_file;
 * basic_auth_users: name: bcrypt hash), so one file serves every exporter of a fleet.
 */
#ifndef MMS_WEBCONFIG_H
#define MMS_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct MHD_Connection;

#define WEBCFG_USERS_MAX 64

struct webcfg {
	char *cert_pem, *key_pem;   /* NULL: plain HTTP */
	int nr_users;
	struct {
		char *name, *hash;
		char *good; /* the last password that matched (bcrypt is slow) */
	} users[WEBCFG_USERS_MAX];
};

/* Reads path into w. Returns 0 or a negative errno with why filled (-EINVAL: bad file). */
int webcfg_load(struct webcfg *w, const char *path, char *why, size_t size);
/* Whether c's Authorization header names a user of w with the right password. */
bool webcfg_auth_ok(const struct webcfg *w, struct MHD_Connection *c);
void webcfg_free(struct webcfg *w);

#endif
