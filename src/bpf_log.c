// SPDX-License-Identifier: GPL-2.0
/* The one libbpf print callback of the binary (see bpf_log.h). */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "bpf_log.h"

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int verbose_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

void bpf_log_install(int verbose)
{
	libbpf_set_print(verbose ? verbose_print : quiet_print);
}
