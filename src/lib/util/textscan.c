// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* Line, token and number scanning shared by all text parsers (see textscan.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/util/textscan.h"

void mms_lines_init(struct mms_lines *ls, const char *text, size_t len)
{
	ls->p = text;
	ls->end = text + len;
	ls->lineno = 0;
}

bool mms_lines_next(struct mms_lines *ls, struct mms_tok *line)
{
	if (ls->p >= ls->end)
		return false;
	const char *nl = memchr(ls->p, '\n', ls->end - ls->p);
	const char *stop = nl ? nl : ls->end;

	line->s = ls->p;
	line->len = stop - ls->p;
	ls->p = nl ? nl + 1 : ls->end;
	ls->lineno++;
	return true;
}

/* '\n' too: a token taken from a whole file ("900\n", a sysctl) ends at its newline. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool mms_tok_next(struct mms_tok *rest, struct mms_tok *tok)
{
	const char *p = rest->s, *end = rest->s + rest->len;

	while (p < end && is_space(*p))
		p++;
	if (p == end) {
		rest->s = end;
		rest->len = 0;
		return false;
	}
	tok->s = p;
	while (p < end && !is_space(*p))
		p++;
	tok->len = p - tok->s;
	rest->s = p;
	rest->len = end - p;
	return true;
}

bool mms_tok_eq(struct mms_tok tok, const char *s)
{
	size_t n = strlen(s);

	return tok.len == n && memcmp(tok.s, s, n) == 0;
}

bool mms_tok_strip(struct mms_tok *tok, char c)
{
	if (tok->len && tok->s[tok->len - 1] == c) {
		tok->len--;
		return true;
	}
	return false;
}

int mms_tok_copy(struct mms_tok tok, char *buf, size_t size)
{
	if (tok.len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, tok.s, tok.len);
	buf[tok.len] = '\0';
	return 0;
}

bool mms_tok_is_name(struct mms_tok tok)
{
	if (tok.len == 0)
		return false;
	for (size_t i = 0; i < tok.len; i++)
		if (tok.s[i] <= ' ' || tok.s[i] > '~')
			return false;
	return true;
}

int mms_parse_u64(struct mms_tok tok, uint64_t *out)
{
	uint64_t v = 0;

	if (tok.len == 0)
		return -EINVAL;
	for (size_t i = 0; i < tok.len; i++) {
		unsigned d = (unsigned char)tok.s[i] - '0';

		if (d > 9)
			return -EINVAL;
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
			return -ERANGE;
	}
	*out = v;
	return 0;
}

int mms_parse_int(struct mms_tok tok, int *out)
{
	uint64_t v;
	int rc = mms_parse_u64(tok, &v);

	if (rc)
		return rc;
	if (v > 0x7fffffff)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

int mms_err_at(struct mms_error *err, int line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* Messages quote the input, which may be anything: keep them printable. */
	for (char *p = err->msg; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	return -EINVAL;
}

int mms_err_number(struct mms_error *err, int line, struct mms_tok tok, int rc)
{
	int shown = tok.len > 24 ? 24 : (int)tok.len;

	if (rc == -ERANGE) {
		mms_err_at(err, line, "number '%.*s%s' is too large", shown, tok.s,
			   tok.len > 24 ? "..." : "");
		return -ERANGE;
	}
	return mms_err_at(err, line, "'%.*s%s' is not an unsigned decimal number", shown, tok.s,
			  tok.len > 24 ? "..." : "");
}

int mms_check_text(const char *text, size_t len, struct mms_error *err)
{
	const char *nul = memchr(text, '\0', len);

	if (!nul)
		return 0;
	int line = 1;

	for (const char *p = text; p < nul; p++)
		line += *p == '\n';
	return mms_err_at(err, line, "binary data (NUL byte) in a text file");
}

int mms_check_file(const char *text, size_t len, struct mms_error *err)
{
	int rc = mms_check_text(text, len, err), line = 1;

	if (rc || len == 0 || text[len - 1] == '\n')
		return rc;
	for (size_t i = 0; i < len; i++)
		line += text[i] == '\n';
	return mms_err_at(err, line, "last line has no newline (file cut mid-line)");
}
