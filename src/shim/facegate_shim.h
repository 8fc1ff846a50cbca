/* SPDX-License-Identifier: Apache-2.0 */
/*
 * facegate_shim.h: the stable C ABI between FaceGate's Rust code and Zephyr.
 *
 * Every Zephyr type (struct video_*, struct display_*, enum display_pixel_format, settings
 * handlers, struct input_event, struct shell macros) stays in the C files beside this header.
 * Rust sees only the plain structs and integers declared here; the matching Rust declarations
 * live in src/abi/src/ffi.rs and must be changed together with this file.
 *
 * Written against Zephyr v4.4.1 (west.yml). Result codes are FaceGate's own (FG_ERR_*), not
 * errno values, so the Rust side does not depend on the C library's errno numbering (picolibc,
 * newlib and the minimal libc differ, e.g. for ENOTSUP).
 */
#ifndef FACEGATE_SHIM_H_
#define FACEGATE_SHIM_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Result codes: 0 or a positive count on success, one of these on failure ---- */
#define FG_OK                 0
#define FG_ERR_NOT_FOUND      (-1)  /* ENOENT: no such key / no such device node */
#define FG_ERR_NO_SPACE       (-2)  /* ENOSPC: storage full */
#define FG_ERR_TIMEOUT        (-3)  /* EAGAIN, ETIMEDOUT: nothing within the timeout */
#define FG_ERR_INVALID        (-4)  /* EINVAL, ERANGE, EDOM: bad argument or format */
#define FG_ERR_NOT_SUPPORTED  (-5)  /* ENOTSUP, ENOSYS: the driver cannot do this */
#define FG_ERR_BUSY           (-6)  /* EBUSY, EALREADY: e.g. format change while streaming */
#define FG_ERR_NO_MEMORY      (-7)  /* ENOMEM, ENOBUFS: buffer pool exhausted */
#define FG_ERR_IO             (-8)  /* EIO and any errno not listed here */
#define FG_ERR_NOT_READY      (-9)  /* ENODEV or device_is_ready() == false */
#define FG_ERR_TOO_SMALL      (-10) /* caller's buffer is smaller than the stored value */
#define FG_ERR_TOO_LARGE      (-11) /* E2BIG, EFBIG, ENAMETOOLONG: over a shim limit */

/* Map a negative Zephyr errno (or 0) to an FG_* code (src/shim/fg_errno.c). */
int fg_err_from_errno(int err);

/* ---- Camera (src/shim/fg_video.c; include/zephyr/drivers/video.h, v4.4.1) ---- */
#define FG_CAM_MAIN 0u /* display stream: DCMIPP pipe_main, or the chosen zephyr,camera */
#define FG_CAM_AUX  1u /* detector stream: DCMIPP pipe_aux (hardware downscale); optional */
#define FG_CAM_ROLES 2u

/* FourCC codes, same values as Zephyr's VIDEO_PIX_FMT_* (VIDEO_FOURCC(a, b, c, d)). */
#define FG_FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define FG_FOURCC_RGB565 FG_FOURCC('R', 'G', 'B', 'P') /* little-endian u16 per pixel */
#define FG_FOURCC_RGB24  FG_FOURCC('R', 'G', 'B', '3') /* bytes R, G, B */
#define FG_FOURCC_BGR24  FG_FOURCC('B', 'G', 'R', '3') /* bytes B, G, R */

/* In: fourcc, width, height. Out: what the driver accepted, with pitch and buffer size. */
struct fg_cam_format {
	uint32_t fourcc;
	uint32_t width;
	uint32_t height;
	uint32_t pitch; /* bytes per line, may exceed width * bytes per pixel (DCMIPP: 16-aligned) */
	uint32_t size;  /* bytes per buffer */
};

/* One dequeued frame. The buffer belongs to the holder of `token` until fg_cam_enqueue(). */
struct fg_frame {
	const uint8_t *data;
	void *token;
	uint32_t bytesused;
	uint32_t width;
	uint32_t height;
	uint32_t pitch;
	uint32_t fourcc;
	uint32_t timestamp_ms;
};

int fg_cam_open(uint32_t role, struct fg_cam_format *fmt, uint32_t n_buffers);
int fg_cam_start(uint32_t role);
int fg_cam_stop(uint32_t role);
/* timeout_ms < 0 waits forever, 0 polls. */
int fg_cam_dequeue(uint32_t role, int32_t timeout_ms, struct fg_frame *out);
int fg_cam_enqueue(uint32_t role, void *token);

/* ---- Display (src/shim/fg_display.c; include/zephyr/drivers/display.h, v4.4.1) ---- */
#define FG_PIX_RGB565   1u /* little-endian u16, Zephyr PIXEL_FORMAT_RGB_565 (v4.4 meaning) */
#define FG_PIX_RGB565X  2u /* byte-swapped RGB565, Zephyr PIXEL_FORMAT_RGB_565X (was BGR_565) */
#define FG_PIX_RGB888   3u
#define FG_PIX_ARGB8888 4u

struct fg_disp_caps {
	uint16_t width;
	uint16_t height;
	uint32_t formats; /* bit (1 << FG_PIX_*) for each supported format */
	uint32_t current; /* FG_PIX_* in use, 0 if not one of ours */
};

int fg_disp_open(struct fg_disp_caps *caps);
int fg_disp_set_format(uint32_t fg_pix);
/* pitch_px is in pixels (display_buffer_descriptor.pitch); buf_len in bytes. */
int fg_disp_write(uint16_t x, uint16_t y, uint16_t width, uint16_t height, uint16_t pitch_px,
		  const void *buf, uint32_t buf_len);
int fg_disp_blanking_off(void);

/* ---- Gallery store (src/shim/fg_store.c; include/zephyr/settings/settings.h, v4.4.1) ---- */
#define FG_STORE_KEY_MAX   40u   /* key bytes below "facegate/", NUL not counted */
#define FG_STORE_VALUE_MAX 1024u /* largest blob the shim reads or writes */

int fg_store_init(void);
/* On FG_ERR_TOO_SMALL, *len holds the stored size. */
int fg_store_read(const char *key, void *buf, uint32_t cap, uint32_t *len);
int fg_store_write(const char *key, const void *buf, uint32_t len);
int fg_store_delete(const char *key);
/* visit() gets each key below "facegate/" (prefix stripped) and its size; non-zero stops. */
typedef int (*fg_store_visit_fn)(const char *key, uint32_t len, void *ctx);
int fg_store_list(fg_store_visit_fn visit, void *ctx);

/* ---- Input (src/shim/fg_input.c; include/zephyr/input/input.h, v4.4.1) ---- */
#define FG_INPUT_KEY   1u
#define FG_INPUT_TOUCH 2u

struct fg_input_event {
	uint8_t kind;    /* FG_INPUT_* */
	uint8_t pressed; /* 1 = down, 0 = up */
	uint16_t code;   /* INPUT_KEY_* for keys, INPUT_BTN_TOUCH for touch */
	int32_t x;       /* touch only */
	int32_t y;
};

/* Called from the input thread (CONFIG_INPUT_MODE_THREAD): must not block. */
typedef void (*fg_input_fn)(const struct fg_input_event *ev, void *ctx);
void fg_input_set_callback(fg_input_fn fn, void *ctx);

/* ---- Shell (src/shim/fg_shell.c; include/zephyr/shell/shell.h, v4.4.1) ---- */
#define FG_CMD_ENROLL    1u
#define FG_CMD_LIST      2u
#define FG_CMD_DELETE    3u
#define FG_CMD_THRESHOLD 4u
#define FG_CMD_STATS     5u

struct shell;
/* Implemented in Rust (#[no_mangle]); argv[0] is the subcommand name. Returns 0 or -EINVAL-like
 * FG_ERR_* (the C side turns FG_ERR_INVALID into -EINVAL for the shell). */
int facegate_shell_cmd(const struct shell *sh, uint32_t cmd, size_t argc, char **argv);
/* Print one NUL-terminated line. */
void fg_shell_puts(const struct shell *sh, const char *line);

/* ---- Model blob in external flash (src/shim/fg_models.c; include/zephyr/drivers/flash.h) ---- */
/* Reads len bytes at offset (relative to CONFIG_FACEGATE_MODELS_FLASH_OFFSET) from the flash
 * device that holds the storage partition. */
int fg_models_read(uint32_t offset, void *dst, uint32_t len);

/* ---- Reboot (src/shim/fg_reboot.c; include/zephyr/sys/reboot.h, v4.4.1) ---- */
/* Cold reboot; does not return (needs CONFIG_REBOOT, else it panics). */
void fg_reboot(void);

/* Layout pins, checked again on the Rust side (src/abi/src/ffi.rs). */
_Static_assert(sizeof(struct fg_cam_format) == 20, "fg_cam_format layout");
_Static_assert(sizeof(struct fg_frame) == 2 * sizeof(void *) + 24, "fg_frame layout");
_Static_assert(sizeof(struct fg_disp_caps) == 12, "fg_disp_caps layout");
_Static_assert(sizeof(struct fg_input_event) == 12, "fg_input_event layout");

#ifdef __cplusplus
}
#endif

#endif /* FACEGATE_SHIM_H_ */
