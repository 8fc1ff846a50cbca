/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fg_shell.c: the "facegate" shell command. Registration and printing are C macros in Zephyr
 * (linker sections, variadic shell_print), so this file registers the subcommands and forwards
 * each to the Rust handler facegate_shell_cmd(); Rust prints through fg_shell_puts().
 */
#include <errno.h>
#include <zephyr/kernel.h>

#include "facegate_shim.h"

#if defined(CONFIG_SHELL)

#include <zephyr/shell/shell.h>

/* Follows include/zephyr/shell/shell.h (v4.4.1): shell_print(sh, fmt, ...) =
 * shell_fprintf(sh, SHELL_NORMAL, fmt "\n", ...). */
void fg_shell_puts(const struct shell *sh, const char *line)
{
	if (sh != NULL && line != NULL) {
		shell_print(sh, "%s", line);
	}
}

/* Handler return values per shell.h: 0 ok, -EINVAL bad arguments, -ENOEXEC not executed. */
static int forward(const struct shell *sh, uint32_t cmd, size_t argc, char **argv)
{
	int ret = facegate_shell_cmd(sh, cmd, argc, argv);

	if (ret == FG_OK) {
		return 0;
	}
	return ret == FG_ERR_INVALID ? -EINVAL : -ENOEXEC;
}

/* Follows include/zephyr/shell/shell.h (v4.4.1): shell_cmd_handler
 * int (*)(const struct shell *sh, size_t argc, char **argv). */
static int cmd_enroll(const struct shell *sh, size_t argc, char **argv)
{
	return forward(sh, FG_CMD_ENROLL, argc, argv);
}

static int cmd_list(const struct shell *sh, size_t argc, char **argv)
{
	return forward(sh, FG_CMD_LIST, argc, argv);
}

static int cmd_delete(const struct shell *sh, size_t argc, char **argv)
{
	return forward(sh, FG_CMD_DELETE, argc, argv);
}

static int cmd_threshold(const struct shell *sh, size_t argc, char **argv)
{
	return forward(sh, FG_CMD_THRESHOLD, argc, argv);
}

static int cmd_stats(const struct shell *sh, size_t argc, char **argv)
{
	return forward(sh, FG_CMD_STATS, argc, argv);
}

/* Follows include/zephyr/shell/shell.h (v4.4.1): SHELL_STATIC_SUBCMD_SET_CREATE,
 * SHELL_CMD_ARG(syntax, subcmd, help, handler, mandatory incl. the command, optional),
 * SHELL_SUBCMD_SET_END, SHELL_CMD_REGISTER. */
SHELL_STATIC_SUBCMD_SET_CREATE(
	facegate_cmds,
	SHELL_CMD_ARG(enroll, NULL, "Enroll the face in view: enroll NAME", cmd_enroll, 2, 0),
	SHELL_CMD_ARG(list, NULL, "List enrolled identities", cmd_list, 1, 0),
	SHELL_CMD_ARG(delete, NULL, "Delete an identity: delete NAME", cmd_delete, 2, 0),
	SHELL_CMD_ARG(threshold, NULL, "Show or set the match threshold: threshold [0.0-1.0]",
		      cmd_threshold, 1, 1),
	SHELL_CMD_ARG(stats, NULL, "Frame, drop and timing counters", cmd_stats, 1, 0),
	SHELL_SUBCMD_SET_END);

SHELL_CMD_REGISTER(facegate, &facegate_cmds, "FaceGate face recognition kiosk", NULL);

#else

void fg_shell_puts(const struct shell *sh, const char *line)
{
	ARG_UNUSED(sh);
	ARG_UNUSED(line);
}

#endif
