// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/* The report's list of findings being filled, shared by the rule files (findings_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/judge/findings_int.h"

struct mms_finding *mms_findings_add(struct findings *f, const char *id, enum mms_severity sev,
				     double figure, const char *unit)
{
	struct mms_finding *x;

	f->last = NULL;
	if (f->n == f->max)
		return NULL;
	x = &f->out[f->n++];
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->severity = sev;
	x->figure = figure;
	x->unit = unit;
	f->last = x;
	return x;
}

void mms_findings_next(struct findings *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->last)
		return;
	va_start(ap, fmt);
	vsnprintf(f->last->next, sizeof(f->last->next), fmt, ap);
	va_end(ap);
}
