/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libbpf's messages (loader, verifier) are process-wide state: the binary, not
 * the library, decides where they go, once, before any command runs.
 */
#ifndef MMS_BPF_LOG_H
#define MMS_BPF_LOG_H

/* libbpf's messages on stderr with verbose (-v), else nowhere. */
void bpf_log_install(int verbose);

#endif
