// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The heatmap's growing arrays (regions, mappings, records, spans, picture
 * primitives): room for one more element, doubling from a first size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/heatmap/heatmap.h"

int hm_grow_(void *pv, int n, int *cap, size_t elem, int first)
{
	void *v, *nv;
	int c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : first;
	/* *pv is some T *: copied, not cast, so no pointer is read through another type. */
	memcpy(&v, pv, sizeof(v));
	nv = realloc(v, (size_t)c * elem);
	if (!nv)
		return -ENOMEM;
	memcpy(pv, &nv, sizeof(nv));
	*cap = c;
	return 0;
}
