/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fg_video.c: camera streams for FaceGate over Zephyr's video API. All struct video_* and the
 * buffer-type enum stay in this file (their layout and values changed between 4.1 and 4.4).
 *
 * Devices, by role:
 *   FG_CAM_MAIN: chosen "facegate,camera-main" (N6: &pipe_main), else chosen "zephyr,camera".
 *   FG_CAM_AUX:  chosen "facegate,camera-aux" (N6: &pipe_aux, the hardware-downscaled pipe).
 * Buffers come from Zephyr's video buffer pool (CONFIG_VIDEO_BUFFER_POOL_HEAP_SIZE /
 * _NUM_MAX, placed with CONFIG_VIDEO_BUFFER_POOL_ZEPHYR_REGION_NAME in the board .conf).
 */
#include <zephyr/kernel.h>
#include <zephyr/device.h>
#include <zephyr/devicetree.h>

#include "facegate_shim.h"

#if DT_HAS_CHOSEN(facegate_camera_main)
#define FG_CAM_MAIN_NODE DT_CHOSEN(facegate_camera_main)
#elif DT_HAS_CHOSEN(zephyr_camera)
#define FG_CAM_MAIN_NODE DT_CHOSEN(zephyr_camera)
#endif
#if DT_HAS_CHOSEN(facegate_camera_aux)
#define FG_CAM_AUX_NODE DT_CHOSEN(facegate_camera_aux)
#endif

#if defined(CONFIG_VIDEO) && defined(FG_CAM_MAIN_NODE)

#include <zephyr/drivers/video.h>

#define FG_CAM_MAX_BUFFERS CONFIG_VIDEO_BUFFER_POOL_NUM_MAX

struct fg_cam {
	const struct device *dev;
	struct video_format fmt;
	struct video_buffer *bufs[FG_CAM_MAX_BUFFERS];
	uint32_t n_bufs;
};

static struct fg_cam cams[FG_CAM_ROLES] = {
	[FG_CAM_MAIN] = {.dev = DEVICE_DT_GET(FG_CAM_MAIN_NODE)},
#ifdef FG_CAM_AUX_NODE
	[FG_CAM_AUX] = {.dev = DEVICE_DT_GET(FG_CAM_AUX_NODE)},
#endif
};

static struct fg_cam *cam_of(uint32_t role)
{
	if (role >= FG_CAM_ROLES || cams[role].dev == NULL) {
		return NULL;
	}
	return &cams[role];
}

static k_timeout_t timeout_of(int32_t ms)
{
	if (ms < 0) {
		return K_FOREVER;
	}
	return ms == 0 ? K_NO_WAIT : K_MSEC(ms);
}

/*
 * Follows include/zephyr/drivers/video.h (Zephyr v4.4.1): video_set_compose_format() (4.3+,
 * sets the COMPOSE rectangle then the format, which DCMIPP pipes 1/2 need to downscale),
 * video_get_format(), video_buffer_aligned_alloc(size, align, timeout), video_enqueue(dev, buf)
 * (type-based API, 4.2+).
 */
int fg_cam_open(uint32_t role, struct fg_cam_format *fmt, uint32_t n_buffers)
{
	struct fg_cam *cam = cam_of(role);
	int ret;

	if (cam == NULL) {
		return FG_ERR_NOT_FOUND;
	}
	if (!device_is_ready(cam->dev)) {
		return FG_ERR_NOT_READY;
	}
	if (cam->n_bufs != 0) {
		return FG_ERR_BUSY;
	}
	if (n_buffers == 0 || n_buffers > FG_CAM_MAX_BUFFERS) {
		return FG_ERR_TOO_LARGE;
	}

	cam->fmt = (struct video_format){
		.type = VIDEO_BUF_TYPE_OUTPUT,
		.pixelformat = fmt->fourcc,
		.width = fmt->width,
		.height = fmt->height,
	};
	ret = video_set_compose_format(cam->dev, &cam->fmt);
	if (ret < 0) {
		return fg_err_from_errno(ret);
	}
	ret = video_get_format(cam->dev, &cam->fmt);
	if (ret < 0) {
		return fg_err_from_errno(ret);
	}
	if (cam->fmt.size == 0) {
		cam->fmt.size = cam->fmt.pitch * cam->fmt.height;
	}

	for (uint32_t i = 0; i < n_buffers; i++) {
		struct video_buffer *vb = video_buffer_aligned_alloc(
			cam->fmt.size, CONFIG_VIDEO_BUFFER_POOL_ALIGN, K_NO_WAIT);

		if (vb == NULL) {
			return FG_ERR_NO_MEMORY;
		}
		vb->type = VIDEO_BUF_TYPE_OUTPUT;
		cam->bufs[cam->n_bufs++] = vb;
		ret = video_enqueue(cam->dev, vb);
		if (ret < 0) {
			return fg_err_from_errno(ret);
		}
	}

	fmt->fourcc = cam->fmt.pixelformat;
	fmt->width = cam->fmt.width;
	fmt->height = cam->fmt.height;
	fmt->pitch = cam->fmt.pitch;
	fmt->size = cam->fmt.size;
	return FG_OK;
}

/* Follows include/zephyr/drivers/video.h (v4.4.1): video_stream_start(dev, type). */
int fg_cam_start(uint32_t role)
{
	struct fg_cam *cam = cam_of(role);

	if (cam == NULL || cam->n_bufs == 0) {
		return FG_ERR_INVALID;
	}
	return fg_err_from_errno(video_stream_start(cam->dev, VIDEO_BUF_TYPE_OUTPUT));
}

/* Follows include/zephyr/drivers/video.h (v4.4.1): video_stream_stop(dev, type). */
int fg_cam_stop(uint32_t role)
{
	struct fg_cam *cam = cam_of(role);

	if (cam == NULL) {
		return FG_ERR_INVALID;
	}
	return fg_err_from_errno(video_stream_stop(cam->dev, VIDEO_BUF_TYPE_OUTPUT));
}

/* Follows include/zephyr/drivers/video.h (v4.4.1):
 * video_dequeue(dev, struct video_buffer **buf, k_timeout_t), -EAGAIN on timeout. */
int fg_cam_dequeue(uint32_t role, int32_t timeout_ms, struct fg_frame *out)
{
	struct fg_cam *cam = cam_of(role);
	struct video_buffer *vb = NULL;
	int ret;

	if (cam == NULL || out == NULL) {
		return FG_ERR_INVALID;
	}
	ret = video_dequeue(cam->dev, &vb, timeout_of(timeout_ms));
	if (ret < 0) {
		return fg_err_from_errno(ret);
	}
	if (vb == NULL) {
		return FG_ERR_IO;
	}
	*out = (struct fg_frame){
		.data = vb->buffer,
		.token = vb,
		.bytesused = vb->bytesused,
		.width = cam->fmt.width,
		.height = cam->fmt.height,
		.pitch = cam->fmt.pitch,
		.fourcc = cam->fmt.pixelformat,
		.timestamp_ms = vb->timestamp,
	};
	return FG_OK;
}

/* Follows include/zephyr/drivers/video.h (v4.4.1): video_enqueue(dev, buf) with buf->type set. */
int fg_cam_enqueue(uint32_t role, void *token)
{
	struct fg_cam *cam = cam_of(role);
	struct video_buffer *vb = token;

	if (cam == NULL || vb == NULL) {
		return FG_ERR_INVALID;
	}
	vb->type = VIDEO_BUF_TYPE_OUTPUT;
	return fg_err_from_errno(video_enqueue(cam->dev, vb));
}

#else /* no video device: every call reports it, the Rust side falls back (e.g. self-test) */

int fg_cam_open(uint32_t role, struct fg_cam_format *fmt, uint32_t n_buffers)
{
	ARG_UNUSED(role);
	ARG_UNUSED(fmt);
	ARG_UNUSED(n_buffers);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_cam_start(uint32_t role)
{
	ARG_UNUSED(role);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_cam_stop(uint32_t role)
{
	ARG_UNUSED(role);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_cam_dequeue(uint32_t role, int32_t timeout_ms, struct fg_frame *out)
{
	ARG_UNUSED(role);
	ARG_UNUSED(timeout_ms);
	ARG_UNUSED(out);
	return FG_ERR_NOT_SUPPORTED;
}

int fg_cam_enqueue(uint32_t role, void *token)
{
	ARG_UNUSED(role);
	ARG_UNUSED(token);
	return FG_ERR_NOT_SUPPORTED;
}

#endif
