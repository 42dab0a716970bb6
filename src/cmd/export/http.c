// SPDX-License-Identifier: GPL-2.0
/*
 * Serving with libmicrohttpd (Debian's libmicrohttpd-dev): a small, well-kept C
 * HTTP/1.1 server with a static library, its own request parser and limits, and
 * TLS through gnutls; the exporter writes no HTTP parsing of its own.
 *
 * One thread does everything: MHD runs in "external epoll" mode and the loop here
 * polls its epoll descriptor with a 100 ms timeout, drains the BPF ring buffers
 * after each wake-up and handles requests in between. No locks are needed, and a
 * scrape (which drains the buffers first) counts every event that ended before it.
 *
 * Limits: GET and HEAD only (405 otherwise), /metrics and / (404 otherwise: no
 * file is ever served, so there is no path to traverse), a request's headers
 * within HTTP_MEMORY_LIMIT (MHD answers 431 beyond), at most HTTP_CONN_MAX
 * connections (more wait in the backlog) of which those past HTTP_CONN_SOFT push
 * out the oldest idle one (evict_idle), a connection idle HTTP_IDLE_S is closed
 * by MHD, and any connection older than HTTP_TOTAL_S is shut down by the loop
 * (slowloris: a byte every few seconds never trips an idle timeout).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cmd/export/export.h"
#include "cmd/export/webconfig.h"

#define HTTP_CONN_MAX 512 /* libmicrohttpd's limit: beyond it, connections wait in the backlog */
#define HTTP_CONN_SOFT 64 /* beyond it, the oldest connection without a request is shut down */
#define HTTP_MEMORY_LIMIT (32 * 1024)
#define HTTP_IDLE_S 5
#define HTTP_TOTAL_S 10

struct conn {
	struct MHD_Connection *c;
	int fd;             /* -1 once shut down */
	bool requested;     /* its request line and headers came */
	uint64_t start_ns;
};

/*
 * A body, shared by the cache and every response still sending it (one thread: a
 * plain count): a scrape's body is handed to libmicrohttpd without a copy, and a
 * newer collection replacing it in the cache frees it only once the last response
 * using it is done.
 */
struct body {
	unsigned refs;
	size_t len;
	char *data;
};

struct cache {
	struct body *body;
	uint64_t at_ns;
	bool valid;
};

struct mms_http {
	const struct export_opts *o;
	struct http_hooks hk;
	struct MHD_Daemon *d;
	struct webcfg web;
	struct cache cache[2]; /* [0] text 0.0.4, [1] OpenMetrics */
	struct conn conns[HTTP_CONN_MAX];
	int nr_conns;
};

static const char ct_text[] = "text/plain; version=0.0.4; charset=utf-8";
static const char ct_om[] = "application/openmetrics-text; version=1.0.0; charset=utf-8";

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>mmscope exporter</title></head>\n"
	"<body><h1>mmscope exporter</h1>\n"
	"<p>Linux memory management metrics: memcg statistics, fragmentation, "
	"reclaim and compaction latency.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

static bool wants_openmetrics(struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);

	return accept && strstr(accept, "application/openmetrics-text");
}

static void body_put(void *cls)
{
	struct body *b = cls;

	if (b && !--b->refs) {
		free(b->data);
		free(b);
	}
}

/* The body for format om: the cached one while younger than --min-interval. */
static struct body *body_for(struct mms_http *h, bool om)
{
	struct cache *c = &h->cache[om];
	uint64_t now = cli_now_ns();
	struct body *b;
	struct expo e;

	if (c->valid && now - c->at_ns < (uint64_t)(h->o->min_interval * 1e9))
		return c->body;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	expo_init(&e, om);
	/* Room for a body like the last one: no reallocation on the way. */
	if (c->body)
		expo_hint(&e, c->body->len + c->body->len / 8);
	h->hk.collect(&e, h->o);
	expo_end(&e);
	if (e.failed) {
		expo_free(&e);
		free(b);
		return NULL;
	}
	b->refs = 1;
	b->data = e.buf;
	b->len = e.len;
	body_put(c->body);
	c->body = b;
	c->at_ns = now;
	c->valid = true;
	return b;
}

/* 200 with body b, shared with the response until libmicrohttpd is done with it. */
static enum MHD_Result reply_body(struct MHD_Connection *c, const char *type, struct body *b)
{
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
		b->len, b->data, body_put, b);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	b->refs++;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return reply(c, status, "text/plain; charset=utf-8", msg, strlen(msg));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct mms_http *h = cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct body *body;
	bool om;

	if (ci && ci->socket_context)
		((struct conn *)ci->socket_context)->requested = true;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (*upload_data_size)
		return reply_text(c, MHD_HTTP_BAD_REQUEST, "no request body expected\n");
	if (h->web.nr_users && !webcfg_auth_ok(&h->web, c)) {
		struct MHD_Response *r = MHD_create_response_from_buffer(
			13, (void *)"unauthorized\n", MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;

		if (!r)
			return MHD_NO;
		ret = MHD_queue_basic_auth_fail_response(c, "mmscope", r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_page,
			     sizeof(index_page) - 1);
	if (strcmp(url, "/metrics"))
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
	om = wants_openmetrics(c);
	body = body_for(h, om);
	if (!body)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return reply_body(c, om ? ct_om : ct_text, body);
}

/*
 * A flood of idle connections (1000 opened and held) would fill the connection
 * limit and leave a scraper waiting in the kernel's backlog behind them until
 * each times out. Past HTTP_CONN_SOFT live connections, each new one shuts down
 * the oldest that has not sent a request yet: a scraper, which sends its request
 * at once, is served, and a flood only churns its own connections.
 */
static void evict_idle(struct mms_http *h)
{
	struct conn *oldest = NULL;

	for (int i = 0; i < HTTP_CONN_MAX; i++) {
		struct conn *k = &h->conns[i];

		if (k->c && k->fd >= 0 && !k->requested &&
		    (!oldest || k->start_ns < oldest->start_ns))
			oldest = k;
	}
	if (oldest) {
		shutdown(oldest->fd, SHUT_RDWR);
		oldest->fd = -1;
	}
}

/* Keeps the live connections with their start, for the limits above and below. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct mms_http *h = cls;
	struct conn *k = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (k) {
			k->c = NULL;
			h->nr_conns--;
		}
		return;
	}
	for (int i = 0; i < HTTP_CONN_MAX; i++) {
		const union MHD_ConnectionInfo *ci;

		k = &h->conns[i];
		if (k->c)
			continue;
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k->c = c;
		k->fd = ci ? ci->connect_fd : -1;
		k->requested = false;
		k->start_ns = cli_now_ns();
		*socket_context = k;
		if (++h->nr_conns > HTTP_CONN_SOFT)
			evict_idle(h);
		return;
	}
}

/* Shuts down connections older than HTTP_TOTAL_S: MHD then sees EOF and closes them. */
static void expire_connections(struct mms_http *h)
{
	uint64_t now = cli_now_ns();

	for (int i = 0; i < HTTP_CONN_MAX; i++) {
		struct conn *k = &h->conns[i];

		if (k->c && k->fd >= 0 && now - k->start_ns > HTTP_TOTAL_S * 1000000000ull) {
			shutdown(k->fd, SHUT_RDWR);
			k->fd = -1;
		}
	}
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	const struct export_opts *o = cls;

	if (!o->cli->verbose)
		return;
	fprintf(stderr, "mmscope export: http: ");
	vfprintf(stderr, fmt, ap);
}

/* ADDR:PORT or [ADDR6]:PORT, numeric only (no name lookup at start). */
static int parse_listen(const char *s, struct sockaddr_storage *ss, char *why, size_t size)
{
	char host[64];
	const char *colon = strrchr(s, ':'), *port;
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	size_t hl;
	long p;

	memset(ss, 0, sizeof(*ss));
	if (!colon || colon == s || !colon[1]) {
		snprintf(why, size, "--listen: want ADDR:PORT (127.0.0.1:9477, [::1]:9477)");
		return -EINVAL;
	}
	port = colon + 1;
	hl = (size_t)(colon - s);
	p = strspn(port, "0123456789") == strlen(port) && strlen(port) <= 5 ? atol(port) : 0;
	if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (p < 1 || p > 65535 || hl >= sizeof(host)) {
		snprintf(why, size, "--listen: want ADDR:PORT with a numeric address and a port 1-65535");
		return -EINVAL;
	}
	memcpy(host, s, hl);
	host[hl] = 0;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
	} else {
		snprintf(why, size, "--listen: want ADDR:PORT with a numeric address and a port 1-65535");
		return -EINVAL;
	}
	return 0;
}

int http_start(struct mms_http **out, const struct export_opts *o, const struct http_hooks *hk,
	       char *why, size_t size)
{
	struct mms_http *h = calloc(1, sizeof(*h));
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	int rc;

	if (!h)
		return -ENOMEM;
	h->o = o;
	h->hk = *hk;
	rc = parse_listen(o->listen, &ss, why, size);
	if (!rc && o->web_config)
		rc = webcfg_load(&h->web, o->web_config, why, size);
	if (rc) {
		webcfg_free(&h->web);
		free(h);
		return rc;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (h->web.cert_pem)
		flags |= MHD_USE_TLS;
	h->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, (void *)o,
		h->web.cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, h->web.cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, h->web.key_pem, MHD_OPTION_END);
	if (!h->d) {
		rc = errno ? -errno : -EADDRINUSE;
		snprintf(why, size, "cannot listen on %s: %s", o->listen,
			 h->web.cert_pem ? "bind failed or TLS key/certificate refused"
					 : strerror(-rc));
		webcfg_free(&h->web);
		free(h);
		return rc;
	}
	*out = h;
	return 0;
}

int http_run(struct mms_http *h)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	struct pollfd p = { .fd = di ? di->epoll_fd : -1, .events = POLLIN };

	if (p.fd < 0)
		return -EINVAL;
	while (!cli_stop) {
		MHD_UNSIGNED_LONG_LONG to;
		int ms = 100;

		if (MHD_get_timeout(h->d, &to) == MHD_YES && to < (MHD_UNSIGNED_LONG_LONG)ms)
			ms = (int)to;
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return -errno;
		h->hk.poll(h->o);
		MHD_run(h->d);
		expire_connections(h);
	}
	return 0;
}

void http_stop(struct mms_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	for (int i = 0; i < 2; i++)
		body_put(h->cache[i].body);
	webcfg_free(&h->web);
	free(h);
}

const char *http_scheme(const struct mms_http *h)
{
	return h->web.cert_pem ? "https" : "http";
}
