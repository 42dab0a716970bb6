// SPDX-License-Identifier: GPL-2.0
/* mmscope report: placeholder until implemented. */
#include "cli.h"

int cmd_report(struct cli *cli, int argc, char **argv)
{
	return cli_fail(cli, EXIT_UNSUPPORTED, "not implemented yet");
}
