// SPDX-License-Identifier: GPL-2.0
/*
 * Names from the kernel or the user (a comm, a cgroup directory, a mapping's file,
 * a command line) may hold any byte: invalid UTF-8, quotes, newlines, terminal
 * escape sequences. Every view passes them through here (docs/names.md):
 *  - JSON: valid UTF-8 as is; each byte that is not part of valid UTF-8, 0xXX,
 *    becomes the code point U+00XX (so the byte value survives), which jansson
 *    accepts where it refuses the raw byte;
 *  - text for a terminal: control characters (C0, DEL, C1) and bytes that are not
 *    valid UTF-8 as C-style escapes (\n, \t, \e, \xNN), so a name cannot move the
 *    cursor, retitle the window or clear the screen, and a table's columns count
 *    printed characters.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "output/view.h"

int utf8_seq(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t v, min;
	int len;

	if (!n)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] < 0xc2 || u[0] > 0xf4)
		return 0; /* a continuation byte, an overlong 2-byte lead, or past U+10FFFF */
	if (u[0] < 0xe0) {
		len = 2, v = u[0] & 0x1f, min = 0x80;
	} else if (u[0] < 0xf0) {
		len = 3, v = u[0] & 0x0f, min = 0x800;
	} else {
		len = 4, v = u[0] & 0x07, min = 0x10000;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (u[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

json_t *json_textn(const char *s, size_t len)
{
	char *fixed, *o;
	json_t *j;
	uint32_t cp;
	size_t i;

	if (!s)
		return json_null();
	for (i = 0; i < len;) {
		int k = utf8_seq(s + i, len - i, &cp);

		if (!k)
			break;
		i += (size_t)k;
	}
	if (i == len)
		return json_stringn(s, len);
	/* Each invalid byte becomes 2 bytes (U+0080..U+00FF in UTF-8). */
	fixed = malloc(2 * len + 1);
	if (!fixed)
		return NULL;
	memcpy(fixed, s, i);
	o = fixed + i;
	while (i < len) {
		int k = utf8_seq(s + i, len - i, &cp);

		if (k) {
			memcpy(o, s + i, (size_t)k);
			o += k;
			i += (size_t)k;
		} else {
			unsigned char b = (unsigned char)s[i++];

			*o++ = (char)(0xc0 | b >> 6);
			*o++ = (char)(0x80 | (b & 0x3f));
		}
	}
	j = json_stringn(fixed, (size_t)(o - fixed));
	free(fixed);
	return j;
}

json_t *json_text(const char *s)
{
	return s ? json_textn(s, strlen(s)) : json_null();
}

/* The escape of a control character or an invalid byte b, into e (at most 5 bytes). */
static int escape_byte(unsigned char b, char e[5])
{
	static const char hex[] = "0123456789abcdef";
	static const char named[] = { ['\a'] = 'a', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
				      ['\v'] = 'v', ['\f'] = 'f', ['\r'] = 'r', [0x1b] = 'e' };

	e[0] = '\\';
	if (b < sizeof(named) && named[b]) {
		e[1] = named[b];
		return 2;
	}
	e[1] = 'x';
	e[2] = hex[b >> 4];
	e[3] = hex[b & 15];
	return 4;
}

size_t text_escn(const char *s, size_t len, char *buf, size_t size)
{
	size_t i = 0, o = 0;

	if (!size)
		return 0;
	while (i < len) {
		char piece[8];
		uint32_t cp;
		int k = utf8_seq(s + i, len - i, &cp), n = 0;

		if (k && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0)) {
			memcpy(piece, s + i, (size_t)k);
			n = k;
		} else if (k) {
			/* A control character: each of its bytes (C1 is 2 bytes in UTF-8). */
			for (int b = 0; b < k; b++)
				n += escape_byte((unsigned char)s[i + b], piece + n);
		} else {
			n = escape_byte((unsigned char)s[i], piece);
			k = 1;
		}
		if (o + (size_t)n >= size)
			break; /* cut at a whole character or escape */
		memcpy(buf + o, piece, (size_t)n);
		o += (size_t)n;
		i += (size_t)k;
	}
	buf[o] = '\0';
	return o;
}

const char *text_esc(const char *s, char *buf, size_t size)
{
	text_escn(s ? s : "", s ? strlen(s) : 0, buf, size);
	return buf;
}

int text_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80; /* every byte but continuation bytes */
	return w;
}

int text_cut(char *s, int cols)
{
	int w = 0;
	char *p = s;

	if (cols < 0)
		cols = 0;
	for (; *p; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		if (w == cols)
			break;
		w++;
	}
	*p = '\0';
	return w;
}

void text_put(FILE *out, const char *s, int width)
{
	size_t len = s ? strlen(s) : 0, size = 4 * len + 1;
	char small[256], *buf = size <= sizeof(small) ? small : malloc(size);
	int w = abs(width), pad;

	if (!buf) {
		buf = small;
		size = sizeof(small);
	}
	text_escn(s ? s : "", len, buf, size);
	pad = w - text_width(buf);
	if (width > 0 && pad > 0)
		fprintf(out, "%*s", pad, "");
	fputs(buf, out);
	if (width < 0 && pad > 0)
		fprintf(out, "%*s", pad, "");
	if (buf != small)
		free(buf);
}

char *text_dupn(const char *s, size_t len)
{
	char *buf = malloc(TEXT_ESC_SIZE(len));

	if (buf)
		text_escn(s ? s : "", s ? len : 0, buf, TEXT_ESC_SIZE(len));
	return buf;
}
