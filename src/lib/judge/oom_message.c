// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The kernel's OOM kill messages (mm/oom_kill.c): dump_oom_victim()'s summary
 * "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,
 * oom_memcg=/a,task_memcg=/a/b,task=name,pid=123,uid=0" (rate-limited with the
 * rest of the header), and __oom_kill_process()'s "Out of memory: Killed process
 * 123 (name) total-vm:..." or "Memory cgroup out of memory: Killed process ...",
 * printed for every kill. The tracepoint oom:mark_victim carries the pid and
 * name but not the constraint or the cgroup: these lines carry all three.
 */
#include <stdlib.h>
#include <string.h>

#include <mmscope/mmscope.h>

/* The value of key= in a comma-separated list, up to the next ',' (or end). */
static bool field(const char *msg, size_t len, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i + kl <= len; i++) {
		if ((i && msg[i - 1] != ',' && msg[i - 1] != ':') || memcmp(msg + i, key, kl))
			continue;
		size_t j = i + kl, n = 0;

		while (j < len && msg[j] != ',' && msg[j] != '\n' && n + 1 < size)
			out[n++] = msg[j++];
		out[n] = '\0';
		return true;
	}
	return false;
}

int mms_parse_oom_message(const char *msg, size_t len, struct mms_report_oom *o)
{
	static const char kill[] = "Killed process ";
	const char *p;
	char num[16];

	if (len >= 9 && !memcmp(msg, "oom-kill:", 9)) {
		field(msg, len, "constraint=", o->constraint, sizeof(o->constraint));
		field(msg, len, "task_memcg=", o->cgroup, sizeof(o->cgroup));
		field(msg, len, "task=", o->comm, sizeof(o->comm));
		if (field(msg, len, "pid=", num, sizeof(num)))
			o->pid = (uint32_t)strtoul(num, NULL, 10);
		return 2;
	}
	p = memmem(msg, len, kill, sizeof(kill) - 1);
	if (!p)
		return 0;
	p += sizeof(kill) - 1;
	char *end;
	unsigned long pid = strtoul(p, &end, 10);

	if (end == p || end + 2 > msg + len || end[0] != ' ' || end[1] != '(')
		return 0;
	o->pid = (uint32_t)pid;
	/* The name may hold ')' or spaces: it ends at the last ") " before "total-vm". */
	const char *start = end + 2, *stop = memmem(start, len - (size_t)(start - msg), ") total-vm",
						   10);
	size_t n = stop ? (size_t)(stop - start) : strnlen(start, len - (size_t)(start - msg));

	if (!stop && n && start[n - 1] == ')')
		n--;
	if (n >= sizeof(o->comm))
		n = sizeof(o->comm) - 1;
	memcpy(o->comm, start, n);
	o->comm[n] = '\0';
	return 1;
}
