/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fg_models.c: reads the model blob (src/abi/src/model_blob.rs) that a board keeps in external
 * flash, at CONFIG_FACEGATE_MODELS_FLASH_OFFSET on the flash device holding the storage
 * partition (on the STM32N6570-DK the 128 MB NOR; the offset is outside every partition of
 * the board files). Used when CONFIG_FACEGATE_MODELS_IN_FLASH=y.
 */
#include <zephyr/kernel.h>

#include "facegate_shim.h"

#if defined(CONFIG_FACEGATE_MODELS_IN_FLASH) && defined(CONFIG_FLASH_MAP)
#include <zephyr/drivers/flash.h>
#include <zephyr/storage/flash_map.h>
#define FG_MODELS_FLASH FIXED_PARTITION_EXISTS(storage_partition)
#else
#define FG_MODELS_FLASH 0
#endif

#if FG_MODELS_FLASH

/* Follows include/zephyr/storage/flash_map.h (FIXED_PARTITION_DEVICE) and
 * include/zephyr/drivers/flash.h (flash_read(dev, offset, data, len)), v4.4.1. */
int fg_models_read(uint32_t offset, void *dst, uint32_t len)
{
	const struct device *dev = FIXED_PARTITION_DEVICE(storage_partition);

	if (dst == NULL) {
		return FG_ERR_INVALID;
	}
	if (!device_is_ready(dev)) {
		return FG_ERR_NOT_READY;
	}
	return fg_err_from_errno(
		flash_read(dev, (off_t)CONFIG_FACEGATE_MODELS_FLASH_OFFSET + offset, dst, len));
}

#else

int fg_models_read(uint32_t offset, void *dst, uint32_t len)
{
	ARG_UNUSED(offset);
	ARG_UNUSED(dst);
	ARG_UNUSED(len);
	return FG_ERR_NOT_SUPPORTED;
}

#endif
