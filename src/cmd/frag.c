// SPDX-License-Identifier: GPL-2.0
/* mmscope frag: placeholder until implemented. */
#include "cli.h"

int cmd_frag(struct cli *cli, int argc, char **argv)
{
	return cli_fail(cli, EXIT_UNSUPPORTED, "not implemented yet");
}
