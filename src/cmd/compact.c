// SPDX-License-Identifier: GPL-2.0
/* mmscope compact: placeholder until the command lands (exit 3). */
#include "cli.h"

int cmd_compact(struct cli *cli, int argc, char **argv)
{
	return cli_fail(cli, EXIT_UNSUPPORTED, "not implemented yet");
}
