/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fg_display.c: the chosen zephyr,display for FaceGate. enum display_pixel_format stays here;
 * Rust uses FG_PIX_*. On v4.4 PIXEL_FORMAT_RGB_565 is native little-endian (the same bytes as
 * VIDEO_PIX_FMT_RGB565) and PIXEL_FORMAT_RGB_565X (formerly BGR_565) is byte-swapped.
 */
#include <errno.h>
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/devicetree.h>

#include "facegate_shim.h"

#if defined(CONFIG_DISPLAY) && DT_HAS_CHOSEN(zephyr_display)

#include <zephyr/drivers/display.h>

static const struct device *const disp = DEVICE_DT_GET(DT_CHOSEN(zephyr_display));

static const struct {
	uint32_t fg;
	enum display_pixel_format zephyr;
} fmt_map[] = {
	{FG_PIX_RGB565, PIXEL_FORMAT_RGB_565},
	{FG_PIX_RGB565X, PIXEL_FORMAT_RGB_565X},
	{FG_PIX_RGB888, PIXEL_FORMAT_RGB_888},
	{FG_PIX_ARGB8888, PIXEL_FORMAT_ARGB_8888},
};

/* Follows include/zephyr/drivers/display.h (v4.4.1): display_get_capabilities(dev, caps),
 * struct display_capabilities {x_resolution, y_resolution, supported_pixel_formats,
 * current_pixel_format, ...}. */
int fg_disp_open(struct fg_disp_caps *caps)
{
	struct display_capabilities zc;

	if (caps == NULL) {
		return FG_ERR_INVALID;
	}
	if (!device_is_ready(disp)) {
		return FG_ERR_NOT_READY;
	}
	display_get_capabilities(disp, &zc);
	*caps = (struct fg_disp_caps){.width = zc.x_resolution, .height = zc.y_resolution};
	for (size_t i = 0; i < ARRAY_SIZE(fmt_map); i++) {
		if (zc.supported_pixel_formats & fmt_map[i].zephyr) {
			caps->formats |= BIT(fmt_map[i].fg);
		}
		if (zc.current_pixel_format == fmt_map[i].zephyr) {
			caps->current = fmt_map[i].fg;
		}
	}
	return FG_OK;
}

/* Follows include/zephyr/drivers/display.h (v4.4.1): display_set_pixel_format(dev, pf). */
int fg_disp_set_format(uint32_t fg_pix)
{
	for (size_t i = 0; i < ARRAY_SIZE(fmt_map); i++) {
		if (fmt_map[i].fg == fg_pix) {
			return fg_err_from_errno(display_set_pixel_format(disp, fmt_map[i].zephyr));
		}
	}
	return FG_ERR_INVALID;
}

/* Follows include/zephyr/drivers/display.h (v4.4.1): display_write(dev, x, y, desc, buf) with
 * struct display_buffer_descriptor {buf_size (bytes), width, height, pitch (pixels),
 * frame_incomplete}. */
int fg_disp_write(uint16_t x, uint16_t y, uint16_t width, uint16_t height, uint16_t pitch_px,
		  const void *buf, uint32_t buf_len)
{
	const struct display_buffer_descriptor desc = {
		.buf_size = buf_len,
		.width = width,
		.height = height,
		.pitch = pitch_px,
		.frame_incomplete = false,
	};

	if (buf == NULL || width == 0 || height == 0 || pitch_px < width) {
		return FG_ERR_INVALID;
	}
	return fg_err_from_errno(display_write(disp, x, y, &desc, buf));
}

/* Follows include/zephyr/drivers/display.h (v4.4.1): display_blanking_off(dev); -ENOSYS means
 * the panel has no blanking control, which is fine. */
int fg_disp_blanking_off(void)
{
	int ret = display_blanking_off(disp);

	return ret == -ENOSYS ? FG_OK : fg_err_from_errno(ret);
}

#else

int fg_disp_open(struct fg_disp_caps *caps)
{
	ARG_UNUSED(caps);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_disp_set_format(uint32_t fg_pix)
{
	ARG_UNUSED(fg_pix);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_disp_write(uint16_t x, uint16_t y, uint16_t width, uint16_t height, uint16_t pitch_px,
		  const void *buf, uint32_t buf_len)
{
	ARG_UNUSED(x);
	ARG_UNUSED(y);
	ARG_UNUSED(width);
	ARG_UNUSED(height);
	ARG_UNUSED(pitch_px);
	ARG_UNUSED(buf);
	ARG_UNUSED(buf_len);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_disp_blanking_off(void)
{
	return FG_ERR_NOT_SUPPORTED;
}

#endif
