/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * What the report's rule files share (findings.c: counters, zones, THP;
 * findings_window.c: what the window's tracers and cgroup reads saw): the list
 * being filled, and SAY/NEXT to add a finding and the command to run next.
 */
#ifndef MMS_FINDINGS_INT_H
#define MMS_FINDINGS_INT_H

#include <stdarg.h>
#include <stdio.h>

#include <mmscope/mmscope.h>

struct findings {
	struct mms_finding *out;
	int n, max;
	struct mms_finding *last; /* the last one added; NULL when the list was full */
};

/* A zeroed finding appended (NULL when the list is full). */
struct mms_finding *mms_findings_add(struct findings *f, const char *id, enum mms_severity sev,
				     double figure, const char *unit);
/* The last finding's next command, printf-style (nothing when it was not added). */
void mms_findings_next(struct findings *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The rules over the window (findings_window.c); nothing without in->window. */
void mms_judge_window(const struct mms_report_input *in, struct findings *f);

#define SAY(f, id, sev, figure, unit, ...)                                              \
	do {                                                                            \
		struct mms_finding *x_ = mms_findings_add(f, id, sev, figure, unit);    \
		if (x_)                                                                 \
			snprintf(x_->text, sizeof(x_->text), __VA_ARGS__);              \
	} while (0)

#endif
