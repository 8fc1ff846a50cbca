/* SPDX-License-Identifier: Apache-2.0 */
/* fg_reboot.c: cold reboot for the gallery store check (native_sim restarts the process). */
#include <zephyr/kernel.h>

#include "facegate_shim.h"

#if defined(CONFIG_REBOOT)
#include <zephyr/sys/reboot.h>
#endif

/* Follows include/zephyr/sys/reboot.h (v4.4.1): sys_reboot(SYS_REBOOT_COLD), which does not
 * return; on native_sim boards/native/native_sim/reboot_bottom.c re-executes the program with
 * the same arguments, so the flash simulator file carries over. */
void fg_reboot(void)
{
#if defined(CONFIG_REBOOT)
	sys_reboot(SYS_REBOOT_COLD);
#else
	k_panic();
#endif
}
