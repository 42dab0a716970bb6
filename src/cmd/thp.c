// SPDX-License-Identifier: GPL-2.0
/* mmscope thp: placeholder until implemented. */
#include "cli.h"

int cmd_thp(struct cli *cli, int argc, char **argv)
{
	return cli_fail(cli, EXIT_UNSUPPORTED, "not implemented yet");
}
