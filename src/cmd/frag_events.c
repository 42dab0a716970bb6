// SPDX-License-Identifier: GPL-2.0
/* mmscope frag --events: placeholder until the mode lands (exit 3). */
#include "cli.h"

int cmd_frag_events(struct cli *cli, int argc, char **argv)
{
	return cli_fail(cli, EXIT_UNSUPPORTED, "--events: not implemented yet");
}
