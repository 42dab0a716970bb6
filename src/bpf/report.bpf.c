// SPDX-License-Identifier: GPL-2.0
/*
 * The report's tracers in one BPF object: the programs and maps of
 * reclaim.bpf.c, compact.bpf.c and extfrag.bpf.c, unchanged, so that libbpf
 * reads and parses the kernel's BTF once for them rather than once each (that
 * parse is most of what loading a tracer costs: docs/report.md, "Cost").
 * `mmscope reclaim`, `compact` and `frag --events` keep their own objects.
 * The sources share events.bpf.h and filter.bpf.h (one ring buffer, "events",
 * carries reclaim and compaction records: the user side tells them by size)
 * and their own globals differ but for these names, renamed here. It is built
 * a second time with MMS_BPF_NO_CMPXCHG like reclaim.bpf.c (kernels before 5.12).
 */
#define LICENSE reclaim_license
#include "reclaim.bpf.c"
#undef LICENSE

#define LICENSE compact_license
#define min_ns compact_min_ns
#include "compact.bpf.c"
#undef min_ns
#undef LICENSE

#define LICENSE extfrag_license
#include "extfrag.bpf.c"
#undef LICENSE
